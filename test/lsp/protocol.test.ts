import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { CodeAction, DocumentDiagnosticReport, Hover, Range, TextEdit } from 'vscode-languageserver-protocol';
import { FIX_ALL_KIND, LSP_COMMANDS, LSP_NOTIFICATIONS, type SetConnectionParams } from '../../server/src/protocol';
import { codes, LspClient } from '../helpers/lspClient';

/**
 * The real server over stdio, driven like an editor: open, diagnostics, change, code action,
 * apply the edit, diagnostics again — no mocks anywhere.
 */

function at(line: number, character: number): Range {
  return { start: { line, character }, end: { line, character } };
}

/** The client side of a document: its text, version, and the edits an editor would apply. */
class EditorDocument {
  private document: TextDocument;

  constructor(
    readonly uri: string,
    text: string,
  ) {
    this.document = TextDocument.create(uri, 'sql', 1, text);
  }

  get text(): string {
    return this.document.getText();
  }

  get version(): number {
    return this.document.version;
  }

  /** Applies a code action's edits and tells the server, as one full-text change. */
  async apply(client: LspClient, edits: TextEdit[]): Promise<void> {
    const text = TextDocument.applyEdits(this.document, edits);
    this.document = TextDocument.create(this.uri, 'sql', this.version + 1, text);
    await client.change(this.uri, this.version, [{ text }]);
  }

  async type(client: LspClient, range: Range, text: string): Promise<void> {
    this.document = TextDocument.create(
      this.uri,
      'sql',
      this.version + 1,
      TextDocument.applyEdits(this.document, [{ range, newText: text }]),
    );
    await client.change(this.uri, this.version, [{ range, text }]);
  }
}

function editsOf(action: CodeAction, uri: string): TextEdit[] {
  return action.edit?.changes?.[uri] ?? [];
}

describe('language server over stdio (push diagnostics)', () => {
  let client: LspClient;
  let settings: unknown = null;

  before(async () => {
    client = new LspClient({
      capabilities: { workspace: { configuration: true }, window: { showDocument: { support: true } } },
      settings: () => settings,
    });
    await client.initialize();
  });
  after(() => client.shutdown());

  it('declares incremental sync, quick fixes, fix-all, hover and its command', () => {
    const capabilities = client.initializeResult!.capabilities;
    assert.deepEqual(capabilities.textDocumentSync, { openClose: true, change: 2 });
    assert.deepEqual(capabilities.codeActionProvider, { codeActionKinds: ['quickfix', FIX_ALL_KIND] });
    assert.equal(capabilities.hoverProvider, true);
    assert.deepEqual(capabilities.executeCommandProvider, { commands: [LSP_COMMANDS.selectRange] });
    assert.equal(capabilities.diagnosticProvider, undefined, 'push mode for a client without pull support');
  });

  it('publishes diagnostics with rule code, docs link, source, exact range and version', async () => {
    const uri = 'file:///workspace/publish.sql';
    const published = client.diagnostics(uri);
    await client.open(uri, 'BEGIN;\nDELETE FROM orders;\nCOMMIT;\n');
    const { diagnostics, version } = await published;
    assert.equal(version, 1);
    assert.deepEqual(diagnostics, [
      {
        range: { start: { line: 1, character: 0 }, end: { line: 1, character: 18 } },
        severity: 1,
        code: 'unbounded-delete',
        codeDescription: { href: 'https://github.com/safesql/safesql/blob/main/docs/rules/unbounded-delete.md' },
        source: 'safesql',
        message: 'DELETE on "orders" has no WHERE clause: it deletes every row of the table.',
      },
    ]);
  });

  it('relates a nested BEGIN to the transaction still open', async () => {
    const uri = 'file:///workspace/related.sql';
    const published = client.diagnostics(uri);
    await client.open(uri, 'BEGIN;\nSELECT 1;\nBEGIN;\nCOMMIT;\n');
    const nested = (await published).diagnostics.find((d) => d.code === 'uncommitted-transaction')!;
    assert.deepEqual(nested.range, { start: { line: 2, character: 0 }, end: { line: 2, character: 6 } });
    assert.deepEqual(nested.relatedInformation, [
      {
        location: { uri, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 6 } } },
        message: 'The transaction opened here is still open.',
      },
    ]);
  });

  it('didOpen → diagnostics → code action "add WHERE" → apply → placeholder selected → diagnostics clear', async () => {
    const editor = new EditorDocument('file:///workspace/where.sql', 'BEGIN;\nDELETE FROM orders RETURNING id;\nCOMMIT;\n');
    const first = client.diagnostics(editor.uri);
    await client.open(editor.uri, editor.text);
    assert.deepEqual(codes((await first).diagnostics), ['unbounded-delete']);

    const actions = await client.request<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri: editor.uri },
      range: at(1, 3),
      context: { diagnostics: [] },
    });
    const addWhere = actions.find((a) => a.title.startsWith('Add a WHERE clause'))!;
    assert.ok(addWhere, JSON.stringify(actions.map((a) => a.title)));
    assert.equal(addWhere.isPreferred, true);

    const cleared = client.diagnostics(editor.uri, (p) => p.version === 2);
    await editor.apply(client, editsOf(addWhere, editor.uri));
    assert.equal(editor.text, 'BEGIN;\nDELETE FROM orders WHERE FALSE RETURNING id;\nCOMMIT;\n');
    assert.deepEqual((await cleared).diagnostics, []);

    await client.request('workspace/executeCommand', { command: addWhere.command!.command, arguments: addWhere.command!.arguments });
    const shown = client.shownDocuments.at(-1)!;
    assert.equal(shown.uri, editor.uri);
    const selection = shown.selection!;
    const lines = editor.text.split('\n');
    assert.equal(lines[selection.start.line]!.slice(selection.start.character, selection.end.character), 'FALSE');
  });

  it('wraps a statement in BEGIN … COMMIT, and the finding goes', async () => {
    const editor = new EditorDocument(
      'file:///workspace/wrap.sql',
      "  UPDATE orders SET status = 'void' WHERE id = 7; -- refund\nSELECT 1;\n",
    );
    const first = client.diagnostics(editor.uri);
    await client.open(editor.uri, editor.text);
    assert.deepEqual(codes((await first).diagnostics), ['missing-transaction']);
    const actions = await client.request<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri: editor.uri },
      range: at(0, 5),
      context: { diagnostics: [] },
    });
    assert.deepEqual(
      actions.map((a) => a.title),
      [
        'Wrap the statement in BEGIN … COMMIT',
        'Wrap the statement in BEGIN … ROLLBACK (dry run)',
        'Suppress missing-transaction for this statement',
      ],
    );
    const cleared = client.diagnostics(editor.uri, (p) => p.version === 2);
    await editor.apply(client, editsOf(actions[0]!, editor.uri));
    assert.equal(editor.text, "  BEGIN;\n  UPDATE orders SET status = 'void' WHERE id = 7; -- refund\n  COMMIT;\nSELECT 1;\n");
    assert.deepEqual((await cleared).diagnostics, []);
  });

  it('suppresses with a reason placeholder, selects it, and reports nothing unused', async () => {
    const editor = new EditorDocument('file:///workspace/suppress.sql', 'BEGIN;\n    TRUNCATE staging_orders;\nCOMMIT;\n');
    const first = client.diagnostics(editor.uri);
    await client.open(editor.uri, editor.text);
    assert.deepEqual(codes((await first).diagnostics), ['truncate']);
    const actions = await client.request<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri: editor.uri },
      range: at(1, 6),
      context: { diagnostics: [] },
    });
    const suppress = actions.find((a) => a.title === 'Suppress truncate for this statement')!;
    const cleared = client.diagnostics(editor.uri, (p) => p.version === 2);
    await editor.apply(client, editsOf(suppress, editor.uri));
    assert.equal(editor.text, 'BEGIN;\n    -- safesql-ignore truncate -- reason\n    TRUNCATE staging_orders;\nCOMMIT;\n');
    assert.deepEqual((await cleared).diagnostics, []);
    await client.request('workspace/executeCommand', { command: suppress.command!.command, arguments: suppress.command!.arguments });
    const selection = client.shownDocuments.at(-1)!.selection!;
    assert.equal(editor.text.split('\n')[selection.start.line]!.slice(selection.start.character, selection.end.character), 'reason');
  });

  it('fix-all wraps each run of untransacted writes and removes unused suppressions', async () => {
    const text =
      '-- safesql-ignore truncate -- stale\nSELECT 1;\nINSERT INTO a VALUES (1);\nINSERT INTO a VALUES (2);\nSELECT 2;\nDELETE FROM a WHERE id = 1;\n';
    const editor = new EditorDocument('file:///workspace/fixall.sql', text);
    const first = client.diagnostics(editor.uri);
    await client.open(editor.uri, editor.text);
    assert.deepEqual(codes((await first).diagnostics).sort(), [
      'missing-transaction',
      'missing-transaction',
      'missing-transaction',
      'unused-suppression',
    ]);
    const [fixAll] = await client.request<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri: editor.uri },
      range: at(0, 0),
      context: { diagnostics: [], only: ['source.fixAll'] },
    });
    assert.equal(fixAll!.kind, FIX_ALL_KIND);
    const cleared = client.diagnostics(editor.uri, (p) => p.version === 2);
    await editor.apply(client, editsOf(fixAll!, editor.uri));
    assert.equal(
      editor.text,
      'SELECT 1;\nBEGIN;\nINSERT INTO a VALUES (1);\nINSERT INTO a VALUES (2);\nCOMMIT;\nSELECT 2;\nBEGIN;\nDELETE FROM a WHERE id = 1;\nCOMMIT;\n',
    );
    assert.deepEqual((await cleared).diagnostics, []);
  });

  it('explains a finding on hover, with the docs link', async () => {
    const uri = 'file:///workspace/hover.sql';
    const published = client.diagnostics(uri);
    await client.open(uri, 'SELECT 1;\nUPDATE orders SET paid = true WHERE 1 = 1;\n');
    await published;
    const hover = await client.request<Hover>('textDocument/hover', { textDocument: { uri }, position: { line: 1, character: 33 } });
    const value = (hover.contents as { value: string }).value;
    assert.match(value, /^\*\*safesql · unbounded-update\*\* \(error\) — /);
    // The diagnostic's message is shown by the editor beside the hover: not a second time in it.
    assert.doesNotMatch(value, /The WHERE clause of this UPDATE is always true/);
    assert.match(value, /\[Rule documentation\]\(https:\/\/github\.com\/safesql\/safesql\/blob\/main\/docs\/rules\/unbounded-update\.md\)/);
    assert.equal(await client.request('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 2 } }), null);
  });

  it('applies editor settings per document and re-checks open documents when they change', async () => {
    const uri = 'file:///workspace/settings.sql';
    settings = { rules: { 'missing-transaction': 'off' } };
    await client.notify('workspace/didChangeConfiguration', { settings: {} });
    const published = client.diagnostics(uri);
    await client.open(uri, 'DELETE FROM orders WHERE id = 1;\n');
    assert.deepEqual((await published).diagnostics, []);

    settings = { rules: { 'missing-transaction': 'error' } };
    const republished = client.diagnostics(uri, (p) => p.diagnostics.length > 0);
    await client.notify('workspace/didChangeConfiguration', { settings: {} });
    const [diagnostic] = (await republished).diagnostics;
    assert.deepEqual([diagnostic!.code, diagnostic!.severity], ['missing-transaction', 1]);
    settings = null;
    await client.notify('workspace/didChangeConfiguration', { settings: {} });
  });

  it('shows at most safesql.maxProblems problems, the most severe first, and says how many more there are', async () => {
    const uri = 'file:///workspace/limit.sql';
    settings = { maxProblems: 2 };
    await client.notify('workspace/didChangeConfiguration', { settings: {} });
    const published = client.diagnostics(uri);
    await client.open(uri, 'TRUNCATE a;\nDELETE FROM b;\nTRUNCATE c;\n');
    const { diagnostics } = await published;
    settings = null;
    await client.notify('workspace/didChangeConfiguration', { settings: {} });
    // The one error, then the first warning in document order; then the note about the rest.
    assert.deepEqual(
      diagnostics.map((d) => [d.code ?? null, d.range.start.line]),
      [
        ['truncate', 0],
        ['unbounded-delete', 1],
        [null, 0],
      ],
    );
    assert.match(
      diagnostics.find((d) => d.code === undefined)!.message,
      /^4 more safesql findings are not shown \(the limit is 2 per file/,
    );
  });

  it('takes the editor’s connection binding through safesql/setConnection', async () => {
    const uri = 'file:///workspace/binding.sql';
    const text = 'BEGIN;\nUPDATE orders SET status = 1 WHERE id = 2;\nCOMMIT;\n';
    const first = client.diagnostics(uri);
    await client.open(uri, text);
    assert.deepEqual((await first).diagnostics, []);

    const bound = client.diagnostics(uri, (p) => p.diagnostics.length > 0);
    await client.notify(LSP_NOTIFICATIONS.setConnection, {
      uri,
      connection: { name: 'orders-db', environment: 'production' },
    } satisfies SetConnectionParams);
    const [diagnostic] = (await bound).diagnostics;
    assert.equal(diagnostic!.code, 'production-write');
    assert.match(diagnostic!.message, /"orders-db", a production connection/);

    const unbound = client.diagnostics(uri, (p) => p.diagnostics.length === 0);
    await client.notify(LSP_NOTIFICATIONS.setConnection, { uri, connection: null } satisfies SetConnectionParams);
    assert.deepEqual((await unbound).diagnostics, []);
  });

  it('publishes only the newest version after a burst of edits, and clears on close', async () => {
    const editor = new EditorDocument('file:///workspace/burst.sql', 'BEGIN;\nSELECT 1;\nCOMMIT;\n');
    const first = client.diagnostics(editor.uri);
    await client.open(editor.uri, editor.text);
    await first;
    const final = client.diagnostics(editor.uri, (p) => p.version === 21);
    for (const [i, ch] of [...'DELETE FROM orders; '].entries()) await editor.type(client, at(1, i), ch);
    const result = await final;
    assert.equal(editor.text, 'BEGIN;\nDELETE FROM orders; SELECT 1;\nCOMMIT;\n');
    assert.deepEqual(codes(result.diagnostics), ['unbounded-delete']);
    assert.ok(
      client.published.filter((p) => p.uri === editor.uri).every((p, i, all) => i === 0 || (p.version ?? 0) >= (all[i - 1]!.version ?? 0)),
    );

    const cleared = client.diagnostics(editor.uri, (p) => p.diagnostics.length === 0);
    await client.close(editor.uri);
    assert.deepEqual((await cleared).diagnostics, []);
  });
});

describe('language server over stdio (pull diagnostics)', () => {
  let client: LspClient;

  before(async () => {
    client = new LspClient({ capabilities: { textDocument: { diagnostic: { dynamicRegistration: false } } } });
    await client.initialize();
  });
  after(() => client.shutdown());

  it('answers textDocument/diagnostic with full, then unchanged, reports', async () => {
    assert.deepEqual(client.initializeResult!.capabilities.diagnosticProvider, {
      interFileDependencies: false,
      workspaceDiagnostics: false,
    });
    const uri = 'file:///workspace/pull.sql';
    await client.open(uri, 'DELETE FROM orders;\n');
    const full = await client.request<DocumentDiagnosticReport & { resultId: string; items: { code: string }[] }>(
      'textDocument/diagnostic',
      { textDocument: { uri } },
    );
    assert.equal(full.kind, 'full');
    assert.deepEqual(
      full.items.map((d) => d.code),
      ['unbounded-delete', 'missing-transaction'],
    );
    const again = await client.request<DocumentDiagnosticReport>('textDocument/diagnostic', {
      textDocument: { uri },
      previousResultId: full.resultId,
    });
    assert.deepEqual(again, { kind: 'unchanged', resultId: full.resultId });

    await client.change(uri, 2, [{ range: at(0, 18), text: ' WHERE id = 3' }]);
    const changed = await client.request<{ kind: string; items: { code: string }[] }>('textDocument/diagnostic', {
      textDocument: { uri },
      previousResultId: full.resultId,
    });
    assert.equal(changed.kind, 'full');
    assert.deepEqual(
      changed.items.map((d) => d.code),
      ['missing-transaction'],
    );
    assert.equal(client.published.length, 0, 'nothing is pushed to a pull client');
  });
});
