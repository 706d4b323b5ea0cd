// Connections a cloned repository's settings could spoof: a name defined in two places is refused
// with the places named, a workspace's connection to a server never used asks before its first
// run, and the environment reads every part of a connection. Checked in the database itself.
import * as assert from 'node:assert/strict';
import { Client } from 'pg';
import * as vscode from 'vscode';
import type { SafesqlApi } from '../../client/src/extension';
import { CLIENT_COMMANDS } from '../../server/src/protocol';
import { keys, waitFor, workspaceFile } from './helpers';

const SCHEMA = `editor_connections_${process.pid}`;
const url = process.env.DATABASE_URL!;

async function api(): Promise<SafesqlApi> {
  const exports = await vscode.extensions.getExtension<SafesqlApi>('safesql.safesql')!.activate();
  await exports.ready;
  return exports;
}

async function previewLens(uri: vscode.Uri, title = '▶ Preview'): Promise<vscode.Command> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const lenses = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri)) ?? [];
    const found = lenses.find((l) => l.command?.title === title);
    if (found?.command) return found.command;
    if (Date.now() > deadline) throw new Error(`no ${title} lens; there are: ${lenses.map((l) => l.command?.title).join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const run = (command: vscode.Command) => vscode.commands.executeCommand(command.command, ...(command.arguments ?? []));

/** Fails instead of hanging when a command waits for an answer nobody gives (a dialog that should not be there). */
async function within<T>(what: string, promise: Thenable<T>, ms = 15_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>(
    (_, reject) => (timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms)),
  );
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function openSql(name: string, text: string): Promise<vscode.TextEditor> {
  const uri = workspaceFile(name);
  await vscode.workspace.fs.writeFile(uri, Buffer.from(text));
  return vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
}

suite('Connections cannot be spoofed', () => {
  let db: Client;
  let safesql: SafesqlApi;
  const configuration = () => vscode.workspace.getConfiguration('safesql');
  // Read through a function: TypeScript would keep the narrowing of an earlier assert on the property.
  const lastPreview = () => safesql.history.lastPreview;
  const count = async () => Number((await db.query(`SELECT count(*) FROM ${SCHEMA}.orders`)).rows[0].count);

  suiteSetup(async () => {
    db = new Client({ connectionString: url });
    await db.connect();
    await db.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE; CREATE SCHEMA ${SCHEMA};
      CREATE TABLE ${SCHEMA}.orders (id int PRIMARY KEY, status text);
      INSERT INTO ${SCHEMA}.orders SELECT g, CASE WHEN g % 2 = 0 THEN 'bad' ELSE 'ok' END FROM generate_series(1, 10) g;`);
    safesql = await api();
  });

  suiteTeardown(async () => {
    await configuration().update('connections', undefined, vscode.ConfigurationTarget.Global);
    await configuration().update('connections', undefined, vscode.ConfigurationTarget.Workspace);
    await safesql.connections.setActive(undefined);
    await db.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
    await db.end();
  });

  test('a name in user settings and in the workspace settings is an error naming both, and nothing runs on it', async () => {
    await configuration().update('connections', [{ name: 'shared', environment: 'development', url }], vscode.ConfigurationTarget.Global);
    // The repository's copy of the name points elsewhere: VS Code alone would let it replace the user's.
    await configuration().update(
      'connections',
      [{ name: 'shared', environment: 'development', url: url.replace(/\/[^/?]*(\?|$)/, '/elsewhere$1') }],
      vscode.ConfigurationTarget.Workspace,
    );
    await safesql.connections.setActive('shared');
    const editor = await openSql('twice.sql', `DELETE FROM ${SCHEMA}.orders WHERE status = 'bad';\n`);

    const bound = await waitFor('the conflict', () => safesql.connections.forDocument(editor.document)?.conflict);
    assert.match(bound, /^connection "shared" is defined twice: in user settings: "safesql\.connections"\[0\] and in workspace settings/);
    assert.equal(safesql.connections.forDocument(editor.document)!.definition, undefined);
    assert.ok(!safesql.connections.list(editor.document.uri).some((c) => c.name === 'shared'), 'a conflicted name is listed as usable');
    await waitFor('the status bar to show the conflict', () =>
      safesql.statusBar.item.text.includes('shared · DEFINED TWICE') ? true : undefined,
    );

    safesql.history.lastPreview = undefined;
    safesql.history.lastError = undefined;
    await within('the refused preview', run(await previewLens(editor.document.uri)));
    assert.equal(safesql.history.lastPreview, undefined, 'a preview ran on a connection defined twice');
    assert.match(safesql.history.lastError ?? 'no refusal', /^not connected: the connection was refused/);
    assert.equal(await count(), 10);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  test("a workspace's connection to a server never used asks first; No runs nothing; Connect runs and is remembered", async () => {
    await configuration().update('connections', undefined, vscode.ConfigurationTarget.Global);
    const repo = { name: 'repo', environment: 'development', url };
    await configuration().update('connections', [repo], vscode.ConfigurationTarget.Workspace);
    await safesql.connections.setActive('repo');
    await waitFor('the conflict to go', () => (safesql.connections.list().some((c) => c.name === 'repo') ? true : undefined));
    assert.equal(safesql.connections.isApproved(repo), false, 'the identity was approved before the test (a fresh profile has none)');
    const editor = await openSql('first-use.sql', `DELETE FROM ${SCHEMA}.orders WHERE status = 'bad';\n`);
    const uri = editor.document.uri;

    safesql.history.lastPreview = undefined;
    const declined = run(await previewLens(uri));
    await keys('press:Escape');
    await within('the declined preview', declined);
    assert.equal(safesql.history.lastPreview, undefined, 'it connected although the user said no');
    assert.equal(safesql.connections.isApproved(repo), false);

    const accepted = run(await previewLens(uri));
    await keys('press:Enter'); // the dialog's default button: Connect
    await within('the accepted preview', accepted, 30_000);
    assert.equal(safesql.history.lastError, undefined);
    assert.equal(lastPreview()?.outcome, 'ok');
    assert.equal(lastPreview()?.affectedRows, 5);
    assert.equal(await count(), 10, 'the preview changed the database');
    assert.equal(safesql.connections.isApproved(repo), true);

    // Remembered: no question the second time (within() fails if one waits for an answer).
    await run(await previewLens(uri, '✖ Discard'));
    safesql.history.lastPreview = undefined;
    await within('the second preview', run(await previewLens(uri)), 30_000);
    assert.equal(lastPreview()?.outcome, 'ok');

    // The same name moved to another database is another identity: asked again.
    const moved = { ...repo, url: url.replace(/\/[^/?]*(\?|$)/, '/postgres$1') };
    assert.equal(safesql.connections.isApproved(moved), false);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  test('a connection labelled local whose url names a production database shows PRODUCTION, as the same fields would', async () => {
    await configuration().update(
      'connections',
      [
        { name: 'as-url', environment: 'local', url: 'postgres://me@db.example/shop_prod' },
        { name: 'as-fields', environment: 'local', host: 'db.example', user: 'me', database: 'shop_prod' },
      ],
      vscode.ConfigurationTarget.Workspace,
    );
    await openSql('environment.sql', 'SELECT 1;\n');
    for (const name of ['as-url', 'as-fields']) {
      await safesql.connections.setActive(name);
      await waitFor(`the status bar to show ${name} as production`, () =>
        safesql.statusBar.item.text.includes(`${name} · PRODUCTION`) ? true : undefined,
      );
      const bound = safesql.connections.forDocument(vscode.window.activeTextEditor!.document)!;
      assert.equal(bound.environment, 'production');
      assert.match(bound.reasons.join(' '), /database "shop_prod" looks like production/);
    }
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });
  test('Edit Connection starts every prompt at the current value: Enter through it changes nothing', async function () {
    if (!process.env.SAFESQL_SCREENSHOT_ACKS) return this.skip();
    const devdb = {
      name: 'devdb',
      environment: 'development',
      host: '127.0.0.1',
      port: 5432,
      database: 'test',
      user: 'postgres',
      sslmode: 'disable',
    };
    await configuration().update('connections', [devdb], vscode.ConfigurationTarget.Workspace);
    const editing = vscode.commands.executeCommand(CLIENT_COMMANDS.editConnection, { connection: devdb });
    // name, environment, host, port, database, user, SSL mode, password
    for (let i = 0; i < 8; i++) await keys('press:Enter');
    await within('the Edit Connection form', editing);
    const [after] = configuration().inspect<(typeof devdb)[]>('connections')?.workspaceValue ?? [];
    assert.deepEqual(after, devdb, 'pressing Enter through the edit kept every field, the environment above all');
  });

  test('a password typed for one identity is used for it, and never offered to another database on the same server', async function () {
    const passwordUrl = process.env.SAFESQL_TEST_PASSWORD_URL;
    const password = process.env.SAFESQL_TEST_PASSWORD;
    // The launcher starts a password-auth cluster where it can run initdb (test/helpers/passwordCluster.ts).
    if (!passwordUrl || !password) return this.skip();
    const port = new URL(passwordUrl).port;
    await configuration().update('connections', undefined, vscode.ConfigurationTarget.Workspace);

    // Added through the form, as a user does: the password goes to the secret storage, for this identity.
    const adding = vscode.commands.executeCommand(CLIENT_COMMANDS.addConnection);
    for (const answer of ['pwdb', 'local', '127.0.0.1', port, 'postgres', 'postgres', 'disable'])
      await keys(`type:${answer}`, 'press:Enter');
    await keys(`type:${password}`, 'press:Enter');
    await within('the Add Connection form', adding);
    const added = await waitFor('the added connection', () => safesql.connections.list().find((c) => c.name === 'pwdb'));
    assert.deepEqual(
      { host: added.host, port: added.port, database: added.database, user: added.user },
      { host: '127.0.0.1', port: Number(port), database: 'postgres', user: 'postgres' },
    );
    assert.ok(
      !JSON.stringify(vscode.workspace.getConfiguration('safesql').inspect('connections')).includes(password),
      'the password is in settings',
    );

    const editor = await openSql('password.sql', '-- safesql:connection pwdb\nSELECT current_database();\n');
    safesql.history.lastError = undefined;
    await within('the preview with the stored password', run(await previewLens(editor.document.uri)), 30_000);
    assert.equal(safesql.history.lastError, undefined);
    assert.equal(lastPreview()?.outcome, 'ok');
    assert.equal(lastPreview()?.connection.database, 'postgres');

    // The same server and user, another database: another identity, so the stored password is not offered.
    const other = {
      name: 'pwdb-other',
      environment: 'local',
      host: '127.0.0.1',
      port: Number(port),
      user: 'postgres',
      database: 'template1',
    };
    await configuration().update('connections', [added, other], vscode.ConfigurationTarget.Workspace);
    await safesql.connections.approve(other); // not the question under test here
    await editor.edit((edit) =>
      edit.replace(new vscode.Range(0, 0, 0, editor.document.lineAt(0).text.length), '-- safesql:connection pwdb-other'),
    );
    safesql.history.lastError = undefined;
    safesql.history.lastPreview = undefined;
    const asked = run(await previewLens(editor.document.uri));
    // Nothing stored for this identity: safesql asks; the user dismisses the password box.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await keys('press:Escape');
    await within('the preview without a password', asked, 30_000);
    assert.equal(lastPreview(), undefined, 'it connected to another identity');
    assert.match(safesql.history.lastError ?? 'no error', /password/);
    assert.ok(!(safesql.history.lastError ?? '').includes(password));
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });
});
