import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { CodeLens } from 'vscode-languageserver-protocol';
import type { PreviewResult } from '../../server/src/exec/results';
import { LSP_NOTIFICATIONS, LSP_REQUESTS, type TestConnectionResult } from '../../server/src/protocol';
import { createSchema, openTestDatabase, type TestDatabase } from '../helpers/database';
import { LspClient } from '../helpers/lspClient';
import { workspace } from '../helpers/cli';
import { pathToFileURL } from 'node:url';

// The language server applies the same rule as the CLI on its own: the editor hands it every
// settings scope's connections (client/src/languageClient.ts), and a name among them twice is refused.

describe('the language server refuses a connection name defined twice', () => {
  let db: TestDatabase;
  let schema: Awaited<ReturnType<typeof createSchema>>;
  let client: LspClient;
  const uri = 'file:///work/twice.sql';

  before(async () => {
    db = await openTestDatabase();
    schema = await createSchema(db.client, 'lsp_twice');
    await db.client.query(`CREATE TABLE ${schema.name}.t (id int PRIMARY KEY); INSERT INTO ${schema.name}.t SELECT generate_series(1, 5);`);
    process.env.SAFESQL_HOME = mkdtempSync(join(tmpdir(), 'safesql-lsp-'));
    client = new LspClient({
      settings: () => ({
        connections: [
          { name: 'shared', environment: 'development', url: db.url },
          { name: 'solo', environment: 'development', url: db.url },
          { name: 'shared', environment: 'development', host: '127.0.0.1', port: 1, database: 'elsewhere' },
        ],
      }),
      capabilities: { workspace: { configuration: true } },
    });
    await client.initialize();
    await client.open(uri, `DELETE FROM ${schema.name}.t WHERE id = 1;\n`);
  });
  after(async () => {
    await client?.shutdown();
    await schema?.drop();
    await db?.close();
  });

  const offset = async () => {
    const lenses = await client.connection.sendRequest<CodeLens[]>('textDocument/codeLens', { textDocument: { uri } });
    return lenses[0]!.command!.arguments![1] as number;
  };

  it('a preview on it fails with the error naming both entries; the database is untouched', async () => {
    await client.connection.sendNotification(LSP_NOTIFICATIONS.setConnection, { uri, connection: { name: 'shared' } });
    const message = await client.connection.sendRequest(LSP_REQUESTS.preview, { uri, offset: await offset() }).then(
      () => 'answered',
      (error: Error) => error.message,
    );
    assert.match(
      message,
      /^connection "shared" is defined twice: in editor settings: "safesql\.connections"\[0\] and in editor settings: "safesql\.connections"\[2\]/,
    );
    const tested = await client.connection.sendRequest<TestConnectionResult>(LSP_REQUESTS.testConnection, { uri, name: 'shared' }).then(
      () => 'answered',
      (error: Error) => error.message,
    );
    assert.match(tested, /is defined twice/);
    const { rows } = await db.client.query(`SELECT count(*)::int AS n FROM ${schema.name}.t`);
    assert.equal(rows[0].n, 5);
  });

  it('the connection defined once next to it still works', async () => {
    await client.connection.sendNotification(LSP_NOTIFICATIONS.setConnection, { uri, connection: { name: 'solo' } });
    const preview = await client.connection.sendRequest<PreviewResult>(LSP_REQUESTS.preview, { uri, offset: await offset() });
    assert.equal(preview.outcome, 'ok', JSON.stringify(preview.error));
    assert.equal(preview.affectedRows, 1);
  });
});

describe("an editor without safesql settings of its own (the team's .vscode/settings.json) gets the same rule", () => {
  let client: LspClient;
  let uri: string;

  before(async () => {
    process.env.SAFESQL_HOME = mkdtempSync(join(tmpdir(), 'safesql-lsp-'));
    const dir = workspace({
      '.git/HEAD': 'ref: refs/heads/main\n',
      '.vscode/settings.json': JSON.stringify({
        'safesql.connections': [
          { name: 'shared', environment: 'development', host: '127.0.0.1', port: 1, database: 'a' },
          { name: 'shared', environment: 'development', host: '127.0.0.1', port: 1, database: 'b' },
        ],
      }),
    });
    uri = pathToFileURL(join(dir, 'x.sql')).href;
    // No workspace/configuration: the server reads the team's file next to the document, as the CLI does.
    client = new LspClient({ capabilities: {} });
    await client.initialize();
    await client.open(uri, 'DELETE FROM t WHERE id = 1;\n');
  });
  after(async () => {
    await client?.shutdown();
  });

  it('a preview names the duplicate, not "no such connection"', async () => {
    await client.connection.sendNotification(LSP_NOTIFICATIONS.setConnection, { uri, connection: { name: 'shared' } });
    const lenses = await client.connection.sendRequest<CodeLens[]>('textDocument/codeLens', { textDocument: { uri } });
    const message = await client.connection
      .sendRequest(LSP_REQUESTS.preview, { uri, offset: lenses[0]!.command!.arguments![1] as number })
      .then(
        () => 'answered',
        (error: Error) => error.message,
      );
    assert.match(
      message,
      /^no connection named "shared" can be used: connection "shared" is defined twice: in .*settings\.json: "safesql\.connections"\[0\] and in /,
    );
  });
});
