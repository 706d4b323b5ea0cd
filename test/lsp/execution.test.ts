import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { CodeLens } from 'vscode-languageserver-protocol';
import type { CommitResult, PreviewResult } from '../../server/src/exec/results';
import { CLIENT_COMMANDS, LSP_NOTIFICATIONS, LSP_REQUESTS, type PasswordParams } from '../../server/src/protocol';
import { createSchema, openTestDatabase, type TestDatabase } from '../helpers/database';
import { LspClient } from '../helpers/lspClient';

describe('the language server previews and commits through lenses and requests', () => {
  let db: TestDatabase;
  let schema: Awaited<ReturnType<typeof createSchema>>;
  let client: LspClient;
  const uri = 'file:///work/cleanup.sql';
  const passwordRequests: PasswordParams[] = [];

  before(async () => {
    db = await openTestDatabase();
    schema = await createSchema(db.client, 'lsp');
    await db.client.query(`CREATE TABLE ${schema.name}.t (id int PRIMARY KEY, bad boolean);
      INSERT INTO ${schema.name}.t SELECT g, g % 5 = 0 FROM generate_series(1, 50) g;`);
    process.env.SAFESQL_HOME = mkdtempSync(join(tmpdir(), 'safesql-lsp-'));
    client = new LspClient({
      settings: () => ({ connections: [{ name: 'dev', environment: 'development', url: db.url }] }),
      capabilities: { workspace: { configuration: true } },
    });
    client.connection.onRequest(LSP_REQUESTS.password, (params: PasswordParams) => {
      passwordRequests.push(params);
      return null;
    });
    await client.initialize();
  });
  after(async () => {
    await client?.shutdown();
    await schema?.drop();
    await db?.close();
  });

  const lenses = () => client.connection.sendRequest<CodeLens[]>('textDocument/codeLens', { textDocument: { uri } });

  it('offers Preview above each unit, then Commit with the previewed count; the commit changes the database', async () => {
    assert.ok(client.initializeResult!.capabilities.codeLensProvider);
    await client.open(
      uri,
      `DELETE FROM ${schema.name}.t WHERE bad;\n\nBEGIN;\nUPDATE ${schema.name}.t SET bad = false WHERE id = 1;\nCOMMIT;\n`,
    );
    const first = await lenses();
    assert.deepEqual(
      first.map((l) => [l.range.start.line, l.command!.title, l.command!.command]),
      [
        [0, '▶ Preview', CLIENT_COMMANDS.preview],
        [2, '▶ Preview block (1 statements)', CLIENT_COMMANDS.preview],
      ],
    );

    const noConnection = await client.connection.sendRequest(LSP_REQUESTS.preview, { uri, offset: first[0]!.command!.arguments![1] }).then(
      () => 'answered',
      (error: Error) => error.message,
    );
    assert.match(noConnection, /no connection is selected/);

    await client.connection.sendNotification(LSP_NOTIFICATIONS.setConnection, { uri, connection: { name: 'dev' } });
    const [, offset] = first[0]!.command!.arguments as [string, number];
    const preview = await client.connection.sendRequest<PreviewResult>(LSP_REQUESTS.preview, { uri, offset });
    assert.equal(preview.outcome, 'ok', JSON.stringify(preview.error));
    assert.equal(preview.affectedRows, 10);
    const { rows } = await db.client.query(`SELECT count(*)::int AS n FROM ${schema.name}.t`);
    assert.equal(rows[0].n, 50);

    const after = await lenses();
    assert.deepEqual(
      after.map((l) => l.command!.title),
      ['✔ Commit (10 rows)', '✖ Discard', '▶ Preview block (1 statements)'],
    );
    const commit = await client.connection.sendRequest<CommitResult>(LSP_REQUESTS.commit, { previewId: after[0]!.command!.arguments![0] });
    assert.equal(commit.outcome, 'committed', commit.reason);
    const { rows: left } = await db.client.query(`SELECT count(*)::int AS n FROM ${schema.name}.t`);
    assert.equal(left[0].n, 40);
    assert.deepEqual(
      (await lenses()).map((l) => l.command!.title),
      ['▶ Preview', '▶ Preview block (1 statements)'],
    );
    // Trust auth: the server never asked the editor for a password.
    assert.deepEqual(passwordRequests, []);
  });

  it('turns the lens back to Preview when a commit is refused', async () => {
    const refusedUri = 'file:///work/refused.sql';
    await client.open(refusedUri, `DELETE FROM ${schema.name}.t WHERE id <= 5;\n`);
    await client.connection.sendNotification(LSP_NOTIFICATIONS.setConnection, { uri: refusedUri, connection: { name: 'dev' } });
    const held = () => client.connection.sendRequest<CodeLens[]>('textDocument/codeLens', { textDocument: { uri: refusedUri } });
    const [lens] = await held();
    const preview = await client.connection.sendRequest<PreviewResult>(LSP_REQUESTS.preview, {
      uri: refusedUri,
      offset: lens!.command!.arguments![1],
    });
    assert.equal(preview.affectedRows, 4, 'id 5 went with the first test’s commit');
    // Someone deletes one of the previewed rows before the commit: it is refused.
    await db.client.query(`DELETE FROM ${schema.name}.t WHERE id = 2`);
    const commit = await client.connection.sendRequest<CommitResult>(LSP_REQUESTS.commit, { previewId: preview.id });
    assert.equal(commit.outcome, 'refused');
    assert.deepEqual(
      (await held()).map((l) => l.command!.title),
      ['▶ Preview'],
    );
  });
});
