// Preview → Commit as a user runs it: the lenses of the real extension, its language server, and a
// real PostgreSQL (DATABASE_URL, else the launcher's embedded PGlite), checked in the database itself.
import * as assert from 'node:assert/strict';
import { Client } from 'pg';
import * as vscode from 'vscode';
import type { SafesqlApi } from '../../client/src/extension';
import { CLIENT_COMMANDS } from '../../server/src/protocol';
import { keys, screenshot, waitFor, workspaceFile } from './helpers';

const SCHEMA = `editor_${process.pid}`;
const url = process.env.DATABASE_URL!;

async function api(): Promise<SafesqlApi> {
  const extension = vscode.extensions.getExtension<SafesqlApi>('safesql.safesql')!;
  const exports = await extension.activate();
  await exports.ready;
  return exports;
}

/** The lenses VS Code would draw over the document now, by title. */
async function lenses(uri: vscode.Uri): Promise<vscode.CodeLens[]> {
  return (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri)) ?? [];
}

/** Waits for a lens whose title matches (the server recomputes lenses after each edit and run). */
async function lens(uri: vscode.Uri, title: RegExp): Promise<vscode.Command> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const all = await lenses(uri);
    const found = all.find((l) => l.command && title.test(l.command.title));
    if (found?.command) return found.command;
    if (Date.now() > deadline) throw new Error(`no lens matching ${title}; there are: ${all.map((l) => l.command?.title).join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function run(command: vscode.Command): Promise<unknown> {
  return vscode.commands.executeCommand(command.command, ...(command.arguments ?? []));
}

/** A new file of the workspace (never one a previous test opened, whose editor could still hold old text). */
async function openSql(name: string, text: string): Promise<vscode.TextEditor> {
  const uri = workspaceFile(name);
  await vscode.workspace.fs.writeFile(uri, Buffer.from(text));
  const document = await vscode.workspace.openTextDocument(uri);
  assert.equal(document.getText(), text);
  return vscode.window.showTextDocument(document);
}

suite('Preview → Commit in the editor', () => {
  let db: Client;
  let safesql: SafesqlApi;

  const count = async (where = 'true') => Number((await db.query(`SELECT count(*) FROM ${SCHEMA}.orders WHERE ${where}`)).rows[0].count);
  const checksum = async () =>
    (await db.query(`SELECT md5(string_agg(o::text, ',' ORDER BY id)) AS sum FROM ${SCHEMA}.orders o`)).rows[0].sum as string;

  suiteSetup(async () => {
    db = new Client({ connectionString: url });
    await db.connect();
    await db.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE; CREATE SCHEMA ${SCHEMA};
      CREATE TABLE ${SCHEMA}.orders (id int PRIMARY KEY, customer text, status text, amount numeric(10,2));
      INSERT INTO ${SCHEMA}.orders SELECT g, 'customer ' || g, CASE WHEN g % 4 = 0 THEN 'bad' ELSE 'ok' END, g * 2.5 FROM generate_series(1, 20) g;`);
    // Two names for the same server: one labelled development, one production.
    await vscode.workspace.getConfiguration('safesql').update(
      'connections',
      [
        { name: 'dev', environment: 'development', url },
        { name: 'prod', environment: 'production', url },
      ],
      vscode.ConfigurationTarget.Workspace,
    );
    safesql = await api();
    // These workspace connections reach a server this profile has not used: the first preview would
    // ask "Connect?" (connections.suite.ts tests that dialog); here the user has said yes before.
    await safesql.connections.approve({ name: 'dev', url });
  });

  suiteTeardown(async () => {
    await db.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
    await db.end();
  });

  test('the status bar and the first line show the environment; production is red', async () => {
    await safesql.connections.setActive('dev');
    const editor = await openSql('colours.sql', `DELETE FROM ${SCHEMA}.orders;\n`);
    await waitFor('the status bar to show dev', () => (safesql.statusBar.item.text.includes('dev · DEVELOPMENT') ? true : undefined));
    assert.equal(safesql.statusBar.item.backgroundColor, undefined);
    assert.ok(!safesql.banner.shownIn.has(editor));

    await safesql.connections.setActive('prod');
    await waitFor('the status bar to show prod', () => (safesql.statusBar.item.text.includes('prod · PRODUCTION') ? true : undefined));
    const background: unknown = safesql.statusBar.item.backgroundColor;
    assert.equal((background as { id?: string } | undefined)?.id, 'statusBarItem.errorBackground');
    assert.ok(safesql.banner.shownIn.has(editor), 'no production banner on the first line');

    // A directive in the file wins over the workspace's connection.
    await editor.edit((edit) => edit.insert(new vscode.Position(0, 0), '-- safesql:connection dev\n'));
    await waitFor('the directive to switch the file to dev', () =>
      safesql.statusBar.item.text.includes('dev · DEVELOPMENT') ? true : undefined,
    );
    await editor.edit((edit) => edit.delete(new vscode.Range(0, 0, 1, 0)));

    await vscode.workspace.getConfiguration('safesql').update('workbenchTint', true, vscode.ConfigurationTarget.Workspace);
    await waitFor('the tint', () =>
      vscode.workspace.getConfiguration('workbench').get<Record<string, string>>('colorCustomizations')?.['titleBar.activeBackground']
        ? true
        : undefined,
    );
    await vscode.commands.executeCommand('workbench.actions.view.problems');
    await screenshot('production-flagged-delete');
    await vscode.workspace.getConfiguration('safesql').update('workbenchTint', false, vscode.ConfigurationTarget.Workspace);
    await waitFor('the tint to go', () =>
      vscode.workspace.getConfiguration('workbench').get<Record<string, string>>('colorCustomizations')?.['titleBar.activeBackground']
        ? undefined
        : true,
    );
  });

  test('Preview changes nothing and shows the rows; Commit changes exactly them; Undo puts them back', async () => {
    await safesql.connections.setActive('dev');
    const original = await checksum();
    const editor = await openSql('preview-commit.sql', `DELETE FROM ${SCHEMA}.orders WHERE status = 'bad';\n`);
    const uri = editor.document.uri;

    await run(await lens(uri, /^▶ Preview$/));
    assert.equal(safesql.history.lastError, undefined);
    const preview = safesql.history.lastPreview!;
    assert.equal(preview.outcome, 'ok');
    assert.equal(preview.affectedRows, 5);
    assert.deepEqual(
      preview.statements[0]!.before!.rows.map((r) => r[0]),
      ['4', '8', '12', '16', '20'],
    );
    assert.equal(await checksum(), original, 'the preview changed the database');
    await screenshot('preview-result');

    assert.equal(safesql.panel.lastTitle, 'preview');
    assert.equal(safesql.panel.shownPreview?.id, preview.id);
    // Bound to another connection, the panel no longer shows the preview as current; back, it is previewed again.
    await safesql.connections.setActive('prod');
    await waitFor('the panel to drop the preview', () => (safesql.panel.lastTitle === 'preview no longer valid' ? true : undefined));
    await safesql.connections.setActive('dev');
    await run(await lens(uri, /^▶ Preview$/));
    assert.equal(safesql.panel.shownPreview?.id, safesql.history.lastPreview!.id);

    // Editing the statement makes the preview stale: the lens goes back to Preview.
    await lens(uri, /^✔ Commit \(5 rows\)$/);
    await editor.edit((edit) => edit.insert(new vscode.Position(0, editor.document.lineAt(0).text.length - 1), ' '));
    await lens(uri, /^▶ Preview$/);
    assert.ok(!(await lenses(uri)).some((l) => l.command?.title.startsWith('✔ Commit')));

    await run(await lens(uri, /^▶ Preview$/));
    await run(await lens(uri, /^✔ Commit \(5 rows\)$/));
    const committed = safesql.history.lastCommit!;
    assert.equal(committed.outcome, 'committed', committed.reason);
    assert.equal(await count(), 15);
    assert.equal(await count(`status = 'bad'`), 0);

    // Undo asks in a modal dialog; Enter takes its default button.
    const undoing = vscode.commands.executeCommand(CLIENT_COMMANDS.undoLast);
    await keys('press:Enter');
    await undoing;
    assert.equal(safesql.history.lastCommit!.outcome, 'committed', safesql.history.lastCommit!.reason);
    assert.equal(await checksum(), original, 'undo did not restore the exact rows');
  });

  test('on production, Commit needs the connection name typed; without it nothing changes', async () => {
    await safesql.connections.setActive('prod');
    const original = await checksum();
    const editor = await openSql('production.sql', `UPDATE ${SCHEMA}.orders SET amount = 0 WHERE id <= 3;\n`);
    const uri = editor.document.uri;
    await run(await lens(uri, /^▶ Preview$/));
    assert.equal(safesql.history.lastPreview!.environment.environment, 'production');

    const dismissed = run(await lens(uri, /^✔ Commit on PRODUCTION \(3 rows\)$/));
    await keys('press:Escape');
    await dismissed;
    assert.equal(await checksum(), original, 'a dismissed confirmation changed the database');

    const confirmed = run(await lens(uri, /^✔ Commit on PRODUCTION \(3 rows\)$/));
    await keys('type:prod', 'press:Enter');
    await confirmed;
    assert.equal(safesql.history.lastCommit!.outcome, 'committed', safesql.history.lastCommit!.reason);
    assert.equal(await count('amount = 0'), 3);
  });
});
