import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { workspace, type CliRun } from '../helpers/cli';
import { openTestDatabase, type TestDatabase } from '../helpers/database';

const BIN = resolve(__dirname, '../../bin/safesql.js');

/** Like runCli, but asynchronous: the test's own listener must keep accepting while the CLI runs. */
function runCliAsync(args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<CliRun> {
  return new Promise((done) => {
    const child = execFile(
      process.execPath,
      [BIN, ...args],
      { cwd, env: { ...process.env, NO_COLOR: '1', ...env }, timeout: 60_000 },
      (error, stdout, stderr) => done({ code: child.exitCode ?? (error ? 1 : 0), stdout, stderr }),
    );
  });
}

// A cloned repository's settings must not be able to redirect a named connection: a name defined
// twice stops every command with exit 2 before anything connects anywhere.

describe('safesql with a connection name defined twice', () => {
  let listener: Server;
  let port: number;
  let contacted = 0;

  before(async () => {
    // Stands for the host a spoofed entry points to: it counts every connection attempt.
    listener = createServer((socket) => {
      contacted++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    port = (listener.address() as { port: number }).port;
  });
  after(() => new Promise<void>((resolve) => listener.close(() => resolve())));

  const settings = () =>
    JSON.stringify({
      'safesql.connections': [
        { name: 'prod', environment: 'production', host: '127.0.0.1', port, database: 'shop' },
        { name: 'dev', environment: 'development', host: '127.0.0.1', port, database: 'dev' },
        { name: 'prod', environment: 'production', host: 'db.client.example', database: 'shop' },
      ],
    });

  for (const args of [
    ['preview', 'clean.sql', '--connection', 'prod'],
    ['commit', 'clean.sql', '--connection', 'prod', '--expect-rows', '1', '--confirm', 'prod'],
    ['preview', 'clean.sql', '--connection', 'dev'],
    ['lint', 'clean.sql'],
  ]) {
    it(`${args.join(' ')}: exit 2, the message naming both entries on stderr, nothing contacted`, async () => {
      const dir = workspace({ '.vscode/settings.json': settings(), 'clean.sql': 'DELETE FROM orders WHERE id = 1;\n' });
      const home = mkdtempSync(join(tmpdir(), 'safesql-home-'));
      const before = contacted;
      const run = await runCliAsync(args, dir, { SAFESQL_HOME: home, PGPASSWORD: 'not-for-them' });
      assert.equal(run.code, 2, `stdout: ${run.stdout}\nstderr: ${run.stderr}`);
      // lint still prints its (empty) summary; the execution commands print nothing else.
      if (args[0] !== 'lint') assert.equal(run.stdout, '');
      assert.equal(
        run.stderr.trimEnd(),
        'safesql: connection "prod" is defined twice: in .vscode/settings.json: "safesql.connections"[0] and in ' +
          '.vscode/settings.json: "safesql.connections"[2]; safesql will not guess which one is meant, so it uses neither: ' +
          'rename or remove all but one',
      );
      assert.doesNotMatch(run.stderr, /not-for-them/);
      assert.equal(contacted, before, 'safesql connected somewhere');
    });
  }

  it('with the duplicate removed, the same command goes on to connect (the test host above)', async () => {
    const dir = workspace({
      '.vscode/settings.json': JSON.stringify({
        'safesql.connections': [{ name: 'prod', environment: 'production', host: '127.0.0.1', port, database: 'shop' }],
      }),
      'clean.sql': 'DELETE FROM orders WHERE id = 1;\n',
    });
    const before = contacted;
    const run = await runCliAsync(['preview', 'clean.sql', '--connection', 'prod'], dir, {
      SAFESQL_HOME: mkdtempSync(join(tmpdir(), 'safesql-home-')),
    });
    assert.equal(run.code, 2);
    assert.match(run.stderr, /^safesql: cannot connect to prod/);
    assert.ok(contacted > before, `it did not connect: ${run.stderr}`);
  });
});

describe('safesql preview: the environment reads every part of the connection', () => {
  let db: TestDatabase;
  const role = `live_reader_${process.pid}`;

  before(async () => {
    db = await openTestDatabase();
    if (!db.embedded) await db.client.query(`CREATE ROLE ${role} LOGIN`);
  });
  after(async () => {
    if (db && !db.embedded) await db.client.query(`DROP ROLE IF EXISTS ${role}`);
    await db?.close();
  });

  it('a user that looks like production makes a connection labelled local production, in --url and in fields alike', async (t) => {
    if (db.embedded) return t.skip('PGlite has one user');
    const url = new URL(db.url);
    url.username = role;
    const fields = {
      name: 'scratch',
      environment: 'local',
      host: url.hostname,
      port: Number(url.port || 5432),
      user: role,
      database: url.pathname.slice(1),
    };
    const dir = workspace({ '.vscode/settings.json': JSON.stringify({ 'safesql.connections': [fields] }), 'q.sql': 'SELECT 1;\n' });
    const home = mkdtempSync(join(tmpdir(), 'safesql-home-'));
    for (const args of [
      ['--url', url.href, '--environment', 'local'],
      ['--connection', 'scratch'],
    ]) {
      const run = await runCliAsync(['preview', 'q.sql', ...args, '--format', 'json'], dir, { SAFESQL_HOME: home });
      assert.equal(run.code, 0, run.stderr);
      const { environment } = JSON.parse(run.stdout) as { environment: { environment: string; reasons: string[] } };
      assert.equal(environment.environment, 'production', args.join(' '));
      assert.match(environment.reasons.join(' '), new RegExp(`its user "${role}" looks like production`));
    }
  });
});
