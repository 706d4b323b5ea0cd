// Run by `test/editor/run.ts --mode untrusted` only: Workspace Trust on, the folder not trusted, and
// its .vscode/settings.json defining "repo-db" on a real database, as a cloned repository would.
// safesql still checks the SQL, but nothing reaches the database: the lenses say why, and the
// preview, commit, undo and test commands refuse. Checked in the database itself.
import * as assert from 'node:assert/strict';
import { Client } from 'pg';
import * as vscode from 'vscode';
import type { SafesqlApi } from '../../client/src/extension';
import { CLIENT_COMMANDS } from '../../server/src/protocol';
import { ruleOf, waitFor, workspaceFile } from './helpers';

const SCHEMA = `editor_untrusted_${process.pid}`;
const url = process.env.DATABASE_URL!;

/**
 * Runs a command for at most `ms`: a command that shows a notification (the explanation, a refusal)
 * returns its promise, which settles only when someone dismisses it.
 */
async function fire(command: string, ...args: unknown[]): Promise<void> {
  await Promise.race([vscode.commands.executeCommand(command, ...args), new Promise((resolve) => setTimeout(resolve, 2000))]);
}

suite('An untrusted workspace runs nothing', () => {
  let db: Client;
  let safesql: SafesqlApi;
  let document: vscode.TextDocument;
  const checksum = async () =>
    (await db.query(`SELECT count(*) || ':' || md5(string_agg(o::text, ',' ORDER BY id)) AS sum FROM ${SCHEMA}.orders o`)).rows[0]
      .sum as string;
  suiteSetup(async () => {
    assert.equal(vscode.workspace.isTrusted, false, 'the launcher should open the workspace untrusted (--mode untrusted)');
    db = new Client({ connectionString: url });
    await db.connect();
    await db.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE; CREATE SCHEMA ${SCHEMA};
      CREATE TABLE ${SCHEMA}.orders (id int PRIMARY KEY, status text);
      INSERT INTO ${SCHEMA}.orders SELECT g, CASE WHEN g % 2 = 0 THEN 'bad' ELSE 'ok' END FROM generate_series(1, 10) g;`);
    safesql = await vscode.extensions.getExtension<SafesqlApi>('safesql.safesql')!.activate();
    await safesql.ready;
    const uri = workspaceFile('untrusted.sql');
    await vscode.workspace.fs.writeFile(
      uri,
      Buffer.from(`-- safesql:connection repo-db\nDELETE FROM ${SCHEMA}.orders;\nDELETE FROM ${SCHEMA}.orders WHERE status = 'bad';\n`),
    );
    document = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(document);
  });

  suiteTeardown(async () => {
    await db.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
    await db.end();
  });

  test('the SQL is still checked, and the connection from the settings is known', async () => {
    const diagnostics = await waitFor('the unbounded-delete diagnostic', () => {
      const found = vscode.languages.getDiagnostics(document.uri).filter((d) => ruleOf(d) === 'unbounded-delete');
      return found.length > 0 ? found : undefined;
    });
    assert.equal(diagnostics[0]!.range.start.line, 1);
    assert.equal(safesql.connections.forDocument(document)?.definition?.name, 'repo-db');
  });

  test('every lens says why nothing runs, and following one runs nothing', async () => {
    let lenses: vscode.CodeLens[] = [];
    const deadline = Date.now() + 20_000;
    while (lenses.length < 2 && Date.now() < deadline) {
      lenses = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', document.uri)) ?? [];
      if (lenses.length < 2) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    assert.equal(lenses.length, 2, 'one lens per statement');
    for (const lens of lenses) {
      assert.equal(lens.command?.title, '🔒 Untrusted workspace: nothing runs');
      assert.equal(lens.command?.command, CLIENT_COMMANDS.explain);
      assert.match(String(lens.command?.arguments?.[0]), /not trusted, so safesql runs nothing against a database here/);
    }
    const before = await checksum();
    for (const lens of lenses) await fire(lens.command!.command, ...(lens.command!.arguments ?? []));
    assert.equal(await checksum(), before);
  });

  test('the preview, commit, undo and test-connection commands refuse, and the database is unchanged', async () => {
    const before = await checksum();
    safesql.history.lastPreview = undefined;
    safesql.history.lastCommit = undefined;
    const refused = async (what: string, command: string, ...args: unknown[]) => {
      safesql.history.lastError = undefined;
      await fire(command, ...args);
      assert.match(safesql.history.lastError ?? 'no refusal', /not trusted, so safesql runs nothing/, `${what} was not refused for trust`);
    };
    // What a Preview lens would carry in a trusted workspace: this document, each statement's first character.
    for (const line of [1, 2]) {
      await refused('preview', CLIENT_COMMANDS.preview, document.uri.toString(), document.offsetAt(new vscode.Position(line, 0)));
    }
    assert.equal(safesql.history.lastPreview, undefined, 'a preview ran in an untrusted workspace');
    await refused('commit', CLIENT_COMMANDS.commit, 'any-preview-id');
    await refused('undo', CLIENT_COMMANDS.undoLast);
    assert.equal(safesql.history.lastCommit, undefined, 'a commit ran in an untrusted workspace');
    await fire(CLIENT_COMMANDS.testConnection, { connection: { name: 'repo-db' } });
    assert.equal(await checksum(), before, 'the database changed');
    assert.ok(before.startsWith('10:'), before);
  });

  test('restricted mode is said consistently: the status bar, and connections cannot be added or edited', async () => {
    safesql.statusBar.update();
    const item = safesql.statusBar.item;
    assert.equal(item.text, '$(shield) safesql: restricted · repo-db not used', 'the status bar says restricted, not "no connection"');
    assert.equal(typeof item.command === 'string' ? item.command : item.command?.command, 'workbench.trust.manage');
    assert.match(String(item.tooltip), /uses none of the 1 connection it knows/);
    const configured = () => JSON.stringify(vscode.workspace.getConfiguration('safesql').inspect('connections'));
    const before = configured();
    // Neither opens its form, which would wait for input: both return at once, having changed nothing.
    const atOnce = async (command: string, ...args: unknown[]) => {
      let settled = false;
      const running = Promise.resolve(vscode.commands.executeCommand(command, ...args)).then(() => (settled = true));
      await Promise.race([running, new Promise((resolve) => setTimeout(resolve, 1000))]);
      return settled;
    };
    assert.ok(await atOnce(CLIENT_COMMANDS.addConnection), 'Add Connection opened its form in an untrusted workspace');
    assert.ok(await atOnce(CLIENT_COMMANDS.editConnection, { connection: { name: 'repo-db' } }), 'Edit Connection opened its form');
    assert.equal(configured(), before);
  });
});
