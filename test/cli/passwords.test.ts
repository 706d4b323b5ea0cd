import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Client } from 'pg';
import { runCli, workspace, type CliRun } from '../helpers/cli';
import { passwordClusterUnavailable, startPasswordCluster, type PasswordCluster } from '../helpers/passwordCluster';

// Where `safesql preview --url` (and a named connection) takes its password from, against a
// throwaway cluster that demands one: the URL carries none, so PGPASSWORD or ~/.pgpass must.

const unavailable = passwordClusterUnavailable();
const PASSWORD = `pw-${process.pid}-Zq7x`;

describe('a --url without a password', { skip: unavailable }, () => {
  let cluster: PasswordCluster;
  let dir: string;

  before(async () => {
    cluster = await startPasswordCluster(PASSWORD);
    const admin = new Client({ host: '127.0.0.1', port: cluster.port, user: cluster.user, database: 'postgres', password: PASSWORD });
    await admin.connect();
    await admin.query('CREATE TABLE notes (id int PRIMARY KEY, body text); INSERT INTO notes VALUES (1, $$a$$), (2, $$b$$)');
    await admin.end();
    dir = workspace({ 'clean.sql': 'DELETE FROM notes WHERE id = 2;\n' });
  });
  after(() => cluster?.stop());

  /** Runs the CLI with a fresh home and no password from the caller's environment unless given. */
  function run(args: string[], env: NodeJS.ProcessEnv = {}): CliRun {
    const home = mkdtempSync(join(tmpdir(), 'safesql-home-'));
    const result = runCli(args, dir, undefined, {
      SAFESQL_HOME: home,
      HOME: home,
      PGPASSWORD: undefined,
      PGPASSFILE: undefined,
      ...env,
    });
    assert.doesNotMatch(result.stdout + result.stderr, new RegExp(PASSWORD), 'the password was printed');
    return result;
  }

  const preview = (url: string, env?: NodeJS.ProcessEnv) =>
    run(['preview', 'clean.sql', '--url', url, '--environment', 'local', '--format', 'json'], env);

  it('is refused by the server when nothing supplies one (and says so without a password)', () => {
    const result = preview(cluster.url);
    assert.equal(result.code, 2, result.stdout);
    assert.match(result.stderr, /^safesql: .*password/m);
  });

  for (const [label, url] of [
    ['postgres://user@host/db', () => cluster.url],
    ['postgres://user:@host/db (an empty password)', () => cluster.url.replace('postgres@', 'postgres:@')],
  ] as const) {
    it(`takes it from PGPASSWORD: ${label}`, () => {
      const result = preview(url(), { PGPASSWORD: PASSWORD });
      assert.equal(result.code, 0, result.stderr);
      assert.equal((JSON.parse(result.stdout) as { affectedRows: number }).affectedRows, 1);
    });
  }

  it('takes it from ~/.pgpass (mode 0600) in the HOME it runs with', () => {
    const home = mkdtempSync(join(tmpdir(), 'safesql-pgpass-home-'));
    writeFileSync(join(home, '.pgpass'), `127.0.0.1:${cluster.port}:postgres:postgres:${PASSWORD}\n`, { mode: 0o600 });
    const result = preview(cluster.url.replace('postgres@', 'postgres:@'), { HOME: home });
    assert.equal(result.code, 0, result.stderr);
    assert.equal((JSON.parse(result.stdout) as { affectedRows: number }).affectedRows, 1);
  });

  it('takes it from PGPASSFILE, and not from a file other users could read', () => {
    const directory = mkdtempSync(join(tmpdir(), 'safesql-pgpass-'));
    const file = join(directory, 'pgpass');
    writeFileSync(file, `*:${cluster.port}:*:postgres:${PASSWORD}\n`, { mode: 0o600 });
    const ok = preview(cluster.url, { PGPASSFILE: file });
    assert.equal(ok.code, 0, ok.stderr);

    // libpq (and pgpass) ignore a password file with group or world access.
    const open = join(directory, 'pgpass-open');
    writeFileSync(open, `*:${cluster.port}:*:postgres:${PASSWORD}\n`, { mode: 0o644 });
    const refused = preview(cluster.url, { PGPASSFILE: open });
    assert.equal(refused.code, 2, refused.stdout);
  });

  it('a wrong PGPASSWORD fails without printing either password', () => {
    const result = preview(cluster.url, { PGPASSWORD: `${PASSWORD}-wrong` });
    assert.equal(result.code, 2, result.stdout);
    assert.doesNotMatch(result.stderr, /-wrong/);
    assert.match(result.stderr, /password authentication failed/);
  });

  it('a named connection from settings takes it from PGPASSWORD too', () => {
    const named = workspace({
      '.vscode/settings.json': JSON.stringify({
        'safesql.connections': [
          { name: 'scratch', environment: 'local', host: '127.0.0.1', port: cluster.port, user: 'postgres', database: 'postgres' },
        ],
      }),
      'clean.sql': 'DELETE FROM notes WHERE id = 2;\n',
    });
    const home = mkdtempSync(join(tmpdir(), 'safesql-home-'));
    const result = runCli(['preview', 'clean.sql', '--connection', 'scratch', '--format', 'json'], named, undefined, {
      SAFESQL_HOME: home,
      HOME: home,
      PGPASSFILE: undefined,
      PGPASSWORD: PASSWORD,
    });
    assert.doesNotMatch(result.stdout + result.stderr, new RegExp(PASSWORD));
    assert.equal(result.code, 0, result.stderr);
  });
});
