import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli, workspace, type CliRun } from '../helpers/cli';
import { createSchema, openTestDatabase, schemaChecksum, type TestDatabase } from '../helpers/database';

// End-to-end tests of `safesql preview`, `commit`, `undo` and `journal`: the built CLI against the
// database at DATABASE_URL (or an embedded PGlite), checking the database itself after each command.

let db: TestDatabase;
let schema: Awaited<ReturnType<typeof createSchema>>;
/** The schema every table of this file lives in. */
let s: string;

before(async () => {
  db = await openTestDatabase();
  schema = await createSchema(db.client, 'cli_exec');
  s = schema.name;
});
after(async () => {
  await schema?.drop();
  await db?.close();
});

/** A fresh SAFESQL_HOME: its own preview store and undo journal. */
function freshHome(): string {
  return mkdtempSync(join(tmpdir(), 'safesql-home-'));
}

/** Runs the CLI in `dir` with `home` as SAFESQL_HOME. */
function cli(args: string[], dir: string, home: string): CliRun {
  return runCli(args, dir, undefined, { SAFESQL_HOME: home });
}

/** The test database's URL, changed as asked (another database, port or a password). */
function urlWith(change: { database?: string; port?: number; password?: string }): string {
  const url = new URL(db.url);
  if (change.database !== undefined) url.pathname = `/${change.database}`;
  if (change.port !== undefined) url.port = String(change.port);
  if (change.password !== undefined) url.password = change.password;
  return url.href;
}

/** What a production commit on `--url` asks to be typed: the database name. */
function databaseName(): string {
  return decodeURIComponent(new URL(db.url).pathname.slice(1));
}

const checksum = () => schemaChecksum(db.client, s);

async function ids(table: string): Promise<number[]> {
  const { rows } = await db.client.query<{ id: number }>(`SELECT id FROM ${s}.${table} ORDER BY id`);
  return rows.map((row) => row.id);
}

/** A table of orders with awkward values (quotes, NULL, arrays, jsonb, time zones); two have status 'bad'. */
async function ordersTable(name: string): Promise<void> {
  await db.client.query(`
    CREATE TABLE ${s}.${name} (
      id int PRIMARY KEY, status text NOT NULL, amount numeric(10,2), note text, tags text[], payload jsonb, created timestamptz);
    INSERT INTO ${s}.${name} VALUES
      (1, 'new',  10.50, 'plain', ARRAY['a'], '{"n": 1}', '2026-01-01 10:00:00+00'),
      (2, 'bad',  20.00, 'it''s "quoted"', ARRAY['b', 'c d'], '{"nested": {"x": [1, 2]}}', '2026-02-03 04:05:06.789+02'),
      (3, 'bad',  NULL,  NULL, NULL, NULL, NULL),
      (4, 'paid', 99.99, E'two\\nlines', '{}', '[]', '1999-12-31 23:59:59+00');`);
}

/** Exit code 2 and one line on stderr: "safesql: …", no stack trace. Returns that line. */
function assertOneLineError(run: CliRun, expected: RegExp | string): string {
  assert.equal(run.code, 2, `exit code (stdout: ${run.stdout}; stderr: ${run.stderr})`);
  assert.doesNotMatch(run.stderr + run.stdout, / {4}at /, 'a stack trace was printed');
  const lines = run.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `one line on stderr, not:\n${run.stderr}`);
  const [line] = lines as [string];
  assert.ok(line.startsWith('safesql: '), line);
  if (typeof expected === 'string') assert.equal(line, expected);
  else assert.match(line, expected);
  return line;
}

function journalIdOf(run: CliRun): string {
  const match = /Journal entry (\S+)\./.exec(run.stdout);
  assert.ok(match, `no journal entry in:\n${run.stdout}`);
  return match[1]!;
}

interface PreviewJson {
  outcome: string;
  affectedRows: number;
  environment: { environment: string };
  statements: { command: string; affectedRows: number; before?: { columns: string[]; rows: (string | null)[][]; total: number } }[];
}

interface JournalJson {
  id: string;
  status: string;
  affectedRows: number;
  undoneBy?: string;
  images?: unknown;
}

describe('a DELETE on production (a --url without --environment), from preview to undo', () => {
  const table = 'orders_flow';
  const sql = () => `-- remove the bad orders\nDELETE FROM ${s}.${table} WHERE status = 'bad';\n`;
  let dir: string;
  let home: string;
  let url: string;
  let name: string;
  let original: Record<string, string>;
  let afterCommit: Record<string, string>;
  let entry: string;

  before(async () => {
    await ordersTable(table);
    original = await checksum();
    dir = workspace({ 'clean.sql': sql() });
    home = freshHome();
    url = db.url;
    name = databaseName();
  });

  it('refuses to commit a statement that was never previewed: exit 2, one line', async () => {
    const run = cli(['commit', 'clean.sql', '--url', url, '--expect-rows', '2', '--confirm', name], dir, home);
    assertOneLineError(
      run,
      /^safesql: clean\.sql: this statement has not been previewed on ".*" in its current form; run safesql preview first$/,
    );
    assert.deepEqual(await checksum(), original);
  });

  it('previews: prints the rows it would delete and "Rolled back", changes nothing, exit 0', async () => {
    const run = cli(['preview', 'clean.sql', '--url', url], dir, home);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stderr, '');
    assert.match(run.stdout, /\(PRODUCTION, /);
    assert.match(run.stdout, /statement 1: deletes 2 rows in /);
    assert.match(run.stdout, /^ +2 +\| bad +\| 20\.00 +\| it's "quoted"/m);
    assert.match(run.stdout, /^ +3 +\| bad +\| NULL +\| NULL/m);
    assert.doesNotMatch(run.stdout, /^ +1 +\| new/m, 'a row the DELETE keeps is shown');
    assert.match(run.stdout, /In all: 2 rows would change\./);
    assert.match(run.stdout, /Rolled back: nothing was changed\./);
    assert.ok(
      run.stdout.includes(`To commit: safesql commit clean.sql --statement 1 --url ${url} --expect-rows 2 --confirm ${name}`),
      run.stdout,
    );
    assert.deepEqual(await checksum(), original);
  });

  it('previews with --format json: valid JSON with affectedRows and the rows, changes nothing, exit 0', async () => {
    const run = cli(['preview', 'clean.sql', '--url', url, '--format', 'json'], dir, home);
    assert.equal(run.code, 0, run.stderr);
    const result = JSON.parse(run.stdout) as PreviewJson;
    assert.equal(result.outcome, 'ok');
    assert.equal(result.affectedRows, 2);
    assert.equal(result.environment.environment, 'production');
    const [statement] = result.statements;
    assert.equal(statement!.command, 'DELETE');
    assert.deepEqual(statement!.before!.columns, ['id', 'status', 'amount', 'note', 'tags', 'payload', 'created']);
    assert.deepEqual(statement!.before!.rows.map((row) => row[0]).sort(), ['2', '3']);
    assert.deepEqual(await checksum(), original);
  });

  it('refuses a commit whose --expect-rows differs from the preview: exit 1, nothing changed', async () => {
    const run = cli(['commit', 'clean.sql', '--url', url, '--expect-rows', '3', '--confirm', name], dir, home);
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stdout, /Not committed: the preview changed 2 rows, not the 3 expected/);
    assert.match(run.stdout, /Nothing was changed\./);
    assert.deepEqual(await checksum(), original);
  });

  it('refuses a production commit without --confirm, or with another name: exit 1, nothing changed', async () => {
    const missing = cli(['commit', 'clean.sql', '--url', url, '--expect-rows', '2'], dir, home);
    assert.equal(missing.code, 1, missing.stderr);
    assert.ok(missing.stdout.includes(`Not committed: "${name}" is production: type its name to confirm the commit`), missing.stdout);
    assert.deepEqual(await checksum(), original);

    const wrong = cli(['commit', 'clean.sql', '--url', url, '--expect-rows', '2', '--confirm', `${name}-typo`], dir, home);
    assert.equal(wrong.code, 1, wrong.stderr);
    assert.match(wrong.stdout, /does not match the connection name/);
    assert.deepEqual(await checksum(), original);
  });

  it('commits with --confirm <database name>: exit 0 and the two rows are gone', async () => {
    const run = cli(['commit', 'clean.sql', '--url', url, '--expect-rows', '2', '--confirm', name], dir, home);
    assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
    assert.match(run.stdout, /^Committed on .*: 2 rows changed\./m);
    entry = journalIdOf(run);
    assert.match(run.stdout, new RegExp(`To undo: safesql undo ${entry} \\(undo would re-insert the 2 deleted rows\\)`));
    assert.deepEqual(await ids(table), [1, 4]);
    afterCommit = await checksum();
  });

  it('lists the commit in the journal, kept only for this user', () => {
    const run = cli(['journal'], dir, home);
    assert.equal(run.code, 0, run.stderr);
    const lines = run.stdout.trimEnd().split('\n');
    assert.equal(lines.length, 1, run.stdout);
    assert.match(lines[0]!, new RegExp(`^${entry} .* \\[production\\] +committed +DELETE 2 ${s}\\.${table}$`));

    const json = cli(['journal', '--format', 'json'], dir, home);
    assert.equal(json.code, 0, json.stderr);
    const entries = JSON.parse(json.stdout) as JournalJson[];
    assert.deepEqual(
      entries.map((e) => [e.id, e.status, e.affectedRows, 'images' in e]),
      [[entry, 'committed', 2, false]],
    );

    const file = join(home, 'journal', 'journal.jsonl');
    assert.equal(statSync(file).mode & 0o777, 0o600, 'journal file mode');
    assert.equal(statSync(join(home, 'journal')).mode & 0o777, 0o700, 'journal directory mode');
  });

  it('shows one journal entry with its reversal script', () => {
    const run = cli(['journal', entry], dir, home);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, new RegExp(`^Journal entry ${entry} \\(committed\\)`));
    assert.match(run.stdout, /rows: +2/);
    assert.ok(run.stdout.includes(`DELETE FROM ${s}.${table} WHERE status = 'bad';`), run.stdout);
    assert.match(run.stdout, /reversal script:/);
    assert.ok(
      run.stdout.includes(`INSERT INTO ${s}.${table} ("id", "status", "amount", "note", "tags", "payload", "created") VALUES`),
      run.stdout,
    );
    assert.ok(run.stdout.includes(`'it''s "quoted"'::text`), run.stdout);

    const unknown = cli(['journal', 'no-such-entry'], dir, home);
    assertOneLineError(unknown, 'safesql: no journal entry "no-such-entry" (safesql journal lists them)');
  });

  it('previews the undo (the latest commit, without an id): exit 0, nothing changed yet', async () => {
    const run = cli(['undo', '--url', url], dir, home);
    assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
    assert.match(run.stdout, /inserts 2 rows into /);
    assert.match(run.stdout, /Rolled back: nothing was changed\./);
    assert.ok(run.stdout.includes(`safesql undo ${entry} --url ${url} --commit --expect-rows 2 --confirm ${name}`), run.stdout);
    assert.deepEqual(await ids(table), [1, 4]);
    assert.deepEqual(await checksum(), afterCommit);
  });

  it('undoes the commit with --commit: the exact rows come back', async () => {
    const run = cli(['undo', entry, '--url', url, '--commit', '--expect-rows', '2', '--confirm', name], dir, home);
    assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
    assert.match(run.stdout, /^Committed on .*: 2 rows changed\./m);
    assert.deepEqual(await checksum(), original);

    const journal = cli(['journal', '--format', 'json'], dir, home);
    const entries = JSON.parse(journal.stdout) as JournalJson[];
    assert.equal(entries.length, 2);
    assert.equal(entries[0]!.undoneBy, entries[1]!.id);
  });

  it('refuses to undo the same commit twice: exit 2, nothing changed', async () => {
    const run = cli(['undo', entry, '--url', url, '--commit', '--expect-rows', '2', '--confirm', name], dir, home);
    assertOneLineError(run, new RegExp(`^safesql: journal entry ${entry} was already undone by \\S+$`));
    assert.deepEqual(await checksum(), original);
  });
});

describe('a named connection from the workspace settings', () => {
  it('commits on a development connection (--connection NAME) without --confirm', async () => {
    const table = 'orders_dev';
    await ordersTable(table);
    const { hostname, port, username } = new URL(db.url);
    const connection = {
      name: 'dev',
      environment: 'development',
      host: hostname,
      port: Number(port || 5432),
      database: databaseName(),
      user: username,
    };
    const dir = workspace({
      '.vscode/settings.json': JSON.stringify({ 'safesql.connections': [connection] }),
      'db/clean.sql': `DELETE FROM ${s}.${table} WHERE status = 'bad';\n`,
    });
    const home = freshHome();
    const original = await checksum();

    const preview = cli(['preview', 'db/clean.sql', '--connection', 'dev'], dir, home);
    assert.equal(preview.code, 0, preview.stderr);
    assert.match(preview.stdout, /^Preview on "dev" \(DEVELOPMENT, /);
    assert.ok(
      preview.stdout.includes('To commit: safesql commit db/clean.sql --statement 1 --connection dev --expect-rows 2\n'),
      preview.stdout,
    );
    assert.deepEqual(await checksum(), original);

    const commit = cli(['commit', 'db/clean.sql', '--connection', 'dev', '--expect-rows', '2'], dir, home);
    assert.equal(commit.code, 0, `${commit.stdout}\n${commit.stderr}`);
    assert.deepEqual(await ids(table), [1, 4]);
  });

  it('treats a development connection as production when safesql.environments maps its server fingerprint to production', async () => {
    const table = 'orders_mapped';
    await ordersTable(table);
    const connection = { name: 'dev', environment: 'development', url: db.url };
    const sql = `DELETE FROM ${s}.${table} WHERE status = 'bad';\n`;
    const home = freshHome();
    const unmapped = workspace({ '.vscode/settings.json': JSON.stringify({ 'safesql.connections': [connection] }), 'clean.sql': sql });
    const first = cli(['preview', 'clean.sql', '--connection', 'dev', '--format', 'json'], unmapped, home);
    assert.equal(first.code, 0, first.stderr);
    const { fingerprint } = (JSON.parse(first.stdout) as { server: { fingerprint: string } }).server;
    assert.match(fingerprint, /^\d+\/.+$/);

    const dir = workspace({
      '.vscode/settings.json': JSON.stringify({
        'safesql.connections': [connection],
        'safesql.environments': { [fingerprint]: 'production' },
      }),
      'clean.sql': sql,
    });
    const original = await checksum();
    const preview = cli(['preview', 'clean.sql', '--connection', 'dev'], dir, home);
    assert.equal(preview.code, 0, preview.stderr);
    assert.match(preview.stdout, /^Preview on "dev" \(PRODUCTION, /);
    assert.ok(preview.stdout.includes(`but its server (${fingerprint}) is mapped to production in safesql.environments`), preview.stdout);
    const refused = cli(['commit', 'clean.sql', '--connection', 'dev', '--expect-rows', '2'], dir, home);
    assert.equal(refused.code, 1, refused.stderr);
    assert.match(refused.stdout, /"dev" is production: type its name to confirm the commit/);
    assert.deepEqual(await checksum(), original);
  });
});

describe('rows changed by someone else between preview and commit', () => {
  it('makes the count differ, so the commit refuses: exit 1, nothing changed', async () => {
    const table = 'orders_race';
    await ordersTable(table);
    const dir = workspace({ 'clean.sql': `DELETE FROM ${s}.${table} WHERE status = 'bad';\n` });
    const home = freshHome();
    const target = ['--url', db.url, '--environment', 'development'];

    const preview = cli(['preview', 'clean.sql', ...target], dir, home);
    assert.equal(preview.code, 0, preview.stderr);
    assert.match(preview.stdout, /deletes 2 rows/);

    await db.client.query(`UPDATE ${s}.${table} SET status = 'paid' WHERE id = 3`);
    const changed = await checksum();
    const commit = cli(['commit', 'clean.sql', ...target, '--expect-rows', '2'], dir, home);
    assert.equal(commit.code, 1, `${commit.stdout}\n${commit.stderr}`);
    assert.match(commit.stdout, /statement 1 now changes 1 rows, but the preview showed 2: the data changed since the preview/);
    assert.deepEqual(await checksum(), changed);
    assert.deepEqual(await ids(table), [1, 2, 3, 4]);
  });
});

describe('one preview allows one commit', () => {
  it('refuses to commit the same preview a second time', async () => {
    await db.client.query(`CREATE TABLE ${s}.audit_log (at text, what text)`);
    const dir = workspace({ 'log.sql': `INSERT INTO ${s}.audit_log VALUES ('now', 'cleanup');\n` });
    const home = freshHome();
    const target = ['--url', db.url, '--environment', 'development'];
    assert.equal(cli(['preview', 'log.sql', ...target], dir, home).code, 0);
    const first = cli(['commit', 'log.sql', ...target, '--expect-rows', '1'], dir, home);
    assert.equal(first.code, 0, first.stderr);
    const second = cli(['commit', 'log.sql', ...target, '--expect-rows', '1'], dir, home);
    const { rows } = await db.client.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${s}.audit_log`);
    assert.equal(rows[0]!.n, 1, `the second commit (exit ${second.code}) inserted the row again without a new preview`);
    assert.notEqual(second.code, 0);
  });
});

describe('errors: one line on stderr, exit 2, the database unchanged', () => {
  const table = 'orders_errors';
  let dir: string;
  let home: string;
  let original: Record<string, string>;

  before(async () => {
    await ordersTable(table);
    original = await checksum();
    dir = workspace({
      '.vscode/settings.json': JSON.stringify({ 'safesql.connections': [{ name: 'dev', environment: 'development', url: db.url }] }),
      'clean.sql': `DELETE FROM ${s}.${table} WHERE status = 'bad';\n`,
      'missing.sql': `SELECT 1;\n\nDELETE FROM ${s}.no_such_table\n  WHERE id = 1;\n`,
    });
    home = freshHome();
  });

  const unchanged = async () => assert.deepEqual(await checksum(), original);

  it('a malformed --url', async () => {
    for (const url of [
      'postgres://postgres@127.0.0.1:5432/te%zzst',
      'postgres://postgres@[::1:5432/x',
      'postgres://postgres@127.0.0.1:99999/x',
    ]) {
      const run = cli(['preview', 'clean.sql', '--url', url], dir, home);
      assertOneLineError(
        run,
        /^safesql: connection "url": the connection string cannot be read \(.+\): use postgres:\/\/user@host:port\/database$/,
      );
    }
    assertOneLineError(
      cli(['preview', 'clean.sql', '--url', 'localhost:5432/x'], dir, home),
      'safesql: --url must be a postgres:// connection string',
    );
    await unchanged();
  });

  it('an unreachable server', async () => {
    const run = cli(['preview', 'clean.sql', '--url', 'postgres://postgres@127.0.0.1:1/x'], dir, home);
    assertOneLineError(
      run,
      'safesql: cannot connect to x (postgres@127.0.0.1:1/x): connection refused at 127.0.0.1:1: is PostgreSQL running and listening there?',
    );
    await unchanged();
  });

  it('a database that does not exist', async (t) => {
    if (db.embedded) {
      t.skip('PGlite accepts any database name, so only a real PostgreSQL can refuse one');
      return;
    }
    const missing = `safesql_no_such_database_${process.pid}`;
    const run = cli(['preview', 'clean.sql', '--url', urlWith({ database: missing })], dir, home);
    assertOneLineError(run, new RegExp(`^safesql: cannot connect to ${missing} \\(.*\\): database "${missing}" does not exist$`));
    await unchanged();
  });

  it('a missing table: file:line:col of the relation', async () => {
    const run = cli(['preview', 'missing.sql', '--line', '4', '--url', db.url, '--environment', 'local'], dir, home);
    assertOneLineError(run, `safesql: missing.sql:3:13: relation "${s}.no_such_table" does not exist`);
    assert.match(run.stdout, /Rolled back: nothing was changed\./);
    await unchanged();
  });

  it('an unknown --connection name', async () => {
    const run = cli(['preview', 'clean.sql', '--connection', 'staging'], dir, home);
    assertOneLineError(run, 'safesql: no connection named "staging" (.vscode/settings.json; known: dev)');
    await unchanged();
  });

  it('a --statement past the last statement', async () => {
    const run = cli(['preview', 'missing.sql', '--statement', '5', '--connection', 'dev'], dir, home);
    assertOneLineError(run, 'safesql: missing.sql: there is no statement 5 to run (it has 2 statements)');
    await unchanged();
  });

  it('a file of several statements without --statement or --line: the error line, then the statements', async () => {
    const run = cli(['preview', 'missing.sql', '--connection', 'dev'], dir, home);
    assert.equal(run.code, 2, run.stderr);
    assert.doesNotMatch(run.stderr, / {4}at /);
    assert.deepEqual(run.stderr.trimEnd().split('\n'), [
      'safesql: missing.sql: holds 2 statements; choose one with --statement N or --line L:',
      '  line 1: SELECT 1;',
      `  line 3: DELETE FROM ${s}.no_such_table`,
    ]);
    await unchanged();
  });

  it('--format xml', async () => {
    const run = cli(['preview', 'clean.sql', '--connection', 'dev', '--format', 'xml'], dir, home);
    assertOneLineError(run, 'safesql: --format must be text or json, not "xml"');
    await unchanged();
  });

  it('a commit without --expect-rows', async () => {
    const run = cli(['commit', 'clean.sql', '--connection', 'dev'], dir, home);
    assertOneLineError(run, /^safesql: --expect-rows K is required/);
    await unchanged();
  });
});

describe('passwords never appear in any output', () => {
  const PASSWORD = 'Dummy-Pw-4711';

  for (const url of ['postgres://u:secret@h/db', 'postgres://u@h/db?password=secret']) {
    it(`a settings url with a password is refused: ${url.replace('secret', '…')}`, () => {
      const dir = workspace({
        '.vscode/settings.json': JSON.stringify({ 'safesql.connections': [{ name: 'prod', environment: 'production', url }] }),
        'a.sql': 'DELETE FROM orders WHERE id = 1;\n',
      });
      const home = freshHome();
      for (const args of [
        ['preview', 'a.sql', '--connection', 'prod'],
        ['commit', 'a.sql', '--connection', 'prod', '--expect-rows', '1'],
        ['lint', 'a.sql'],
      ]) {
        const run = cli(args, dir, home);
        const line = assertOneLineError(run, /passwords never belong in settings/);
        assert.match(line, /\.vscode\/settings\.json: "safesql\.connections"\[0\] has a password in its "url"/);
        // The message's own advice says "secret storage"; the password "secret" appears nowhere else.
        assert.doesNotMatch((run.stdout + run.stderr).replaceAll('its secret storage', ''), /secret/);
      }
    });
  }

  it('a password in --url: preview (json), commit, journal, a failed and a malformed connection never print it', async () => {
    const table = 'orders_password';
    await ordersTable(table);
    const dir = workspace({ 'clean.sql': `DELETE FROM ${s}.${table} WHERE status = 'bad';\n` });
    const home = freshHome();
    const url = urlWith({ password: PASSWORD });
    const original = await checksum();
    const run = (args: string[]) => {
      const result = cli(args, dir, home);
      assert.doesNotMatch(result.stdout + result.stderr, new RegExp(PASSWORD), `safesql ${args[0]} printed the password`);
      return result;
    };

    const preview = run(['preview', 'clean.sql', '--url', url, '--environment', 'development', '--format', 'json']);
    assert.equal(preview.code, 0, preview.stderr);
    assert.equal((JSON.parse(preview.stdout) as PreviewJson).affectedRows, 2);
    assert.match(preview.stderr, /warning: the password in --url is visible to other processes/);
    assert.deepEqual(await checksum(), original);

    const commit = run(['commit', 'clean.sql', '--url', url, '--environment', 'development', '--expect-rows', '2', '--format', 'json']);
    assert.equal(commit.code, 0, commit.stderr);
    assert.deepEqual(await ids(table), [1, 4]);

    assert.equal(run(['journal']).code, 0);
    const id = (JSON.parse(run(['journal', '--format', 'json']).stdout) as JournalJson[])[0]!.id;
    assert.equal(run(['journal', id]).code, 0);

    const refused = run(['preview', 'clean.sql', '--url', urlWith({ password: PASSWORD, port: 1 })]);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /connection refused at 127\.0\.0\.1:1/);

    const malformed = run(['preview', 'clean.sql', '--url', `postgres://postgres:${PASSWORD}@[::1:5432/x`]);
    assert.equal(malformed.code, 2);
    assert.match(malformed.stderr, /the connection string cannot be read/);

    // Nor do the files the commands keep (previews, journal).
    const kept = ['previews', 'journal'].flatMap((sub) => readdirSync(join(home, sub)).map((file) => join(home, sub, file)));
    assert.ok(
      kept.some((file) => file.endsWith('journal.jsonl')),
      kept.join(', '),
    );
    for (const file of kept) assert.doesNotMatch(readFileSync(file, 'utf8'), new RegExp(PASSWORD), file);
  });

  it('a password in --url: the text preview and the undo preview do not repeat it in the command they suggest', async () => {
    const table = 'orders_password_text';
    await ordersTable(table);
    const dir = workspace({ 'clean.sql': `DELETE FROM ${s}.${table} WHERE status = 'bad';\n` });
    const home = freshHome();
    const url = urlWith({ password: PASSWORD });
    const target = ['--url', url, '--environment', 'development'];
    const preview = cli(['preview', 'clean.sql', ...target], dir, home);
    assert.equal(preview.code, 0, preview.stderr);
    const commit = cli(['commit', 'clean.sql', ...target, '--expect-rows', '2'], dir, home);
    assert.equal(commit.code, 0, commit.stderr);
    const undo = cli(['undo', ...target], dir, home);
    assert.equal(undo.code, 0, undo.stderr);
    assert.deepEqual(await ids(table), [1, 4]);
    assert.doesNotMatch(preview.stdout, new RegExp(PASSWORD), 'safesql preview printed the password');
    assert.doesNotMatch(undo.stdout, new RegExp(PASSWORD), 'safesql undo printed the password');
  });
});

describe('a statement PostgreSQL cannot run in a transaction (VACUUM)', () => {
  it('is not previewable (exit 1), and runs only with commit --without-preview', async () => {
    const table = 'vacuumed';
    await db.client.query(`
      CREATE TABLE ${s}.${table} (id int PRIMARY KEY) WITH (autovacuum_enabled = false);
      INSERT INTO ${s}.${table} SELECT generate_series(1, 4);`);
    // A table never vacuumed nor analyzed has reltuples -1; VACUUM sets it to the row count.
    const reltuples = async () =>
      Number(
        (await db.client.query<{ n: string }>(`SELECT reltuples::text AS n FROM pg_class WHERE oid = '${s}.${table}'::regclass`)).rows[0]!
          .n,
      );
    const dir = workspace({ 'vacuum.sql': `VACUUM ${s}.${table};\n` });
    const home = freshHome();
    const target = ['--url', db.url, '--environment', 'local'];
    const original = await checksum();
    assert.equal(await reltuples(), -1);

    const preview = cli(['preview', 'vacuum.sql', ...target], dir, home);
    assert.equal(preview.code, 1, `${preview.stdout}\n${preview.stderr}`);
    assert.match(preview.stdout, /Not previewable: PostgreSQL cannot run this statement inside a transaction/);
    assert.match(preview.stdout, /Nothing was run\./);
    assert.equal(await reltuples(), -1);

    const refused = cli(['commit', 'vacuum.sql', ...target, '--expect-rows', '0'], dir, home);
    assert.equal(refused.code, 1, refused.stderr);
    assert.match(refused.stdout, /Not committed: it could not be previewed/);
    assert.equal(await reltuples(), -1);

    const commit = cli(['commit', 'vacuum.sql', ...target, '--without-preview'], dir, home);
    assert.equal(commit.code, 0, `${commit.stdout}\n${commit.stderr}`);
    assert.match(commit.stdout, /statement 1: VACUUM/);
    assert.match(commit.stdout, /It cannot be undone: it ran without a preview/);
    assert.equal(await reltuples(), 4);
    assert.deepEqual(await checksum(), original);

    const journal = cli(['journal'], dir, home);
    assert.match(journal.stdout, new RegExp(`^${journalIdOf(commit)} .* \\[local\\] +committed`));
  });
});

describe('a BEGIN … COMMIT block that cannot be previewed (it holds a psql meta-command)', () => {
  it('is never committed half: commit --without-preview either refuses or runs it as one transaction', async () => {
    const table = 'orders_block';
    await ordersTable(table);
    const dir = workspace({
      'block.sql': `BEGIN;\n\\echo cleaning up\nDELETE FROM ${s}.${table} WHERE id = 1;\nSELECT 1 / 0;\nCOMMIT;\n`,
    });
    const home = freshHome();
    const target = ['--url', db.url, '--environment', 'local'];
    const original = await checksum();

    const preview = cli(['preview', 'block.sql', ...target], dir, home);
    assert.equal(preview.code, 1, preview.stderr);
    assert.match(preview.stdout, /Not previewable: it contains the psql meta-command \\echo/);
    assert.deepEqual(await checksum(), original);

    const commit = cli(['commit', 'block.sql', ...target, '--without-preview'], dir, home);
    assert.notEqual(commit.code, 0, commit.stdout);
    assert.match(commit.stdout, /Nothing was changed\./);
    assert.deepEqual(await ids(table), [1, 2, 3, 4], 'the DELETE before the failing statement was committed on its own');
    assert.deepEqual(await checksum(), original);
  });
});

describe('a DELETE whose foreign keys cascade to another table', () => {
  it('is either declared not undoable, or its undo brings back the cascaded rows too', async () => {
    await db.client.query(`
        CREATE TABLE ${s}.customers (id int PRIMARY KEY);
        CREATE TABLE ${s}.addresses (id int PRIMARY KEY, customer int NOT NULL REFERENCES ${s}.customers ON DELETE CASCADE);
        INSERT INTO ${s}.customers VALUES (1), (2);
        INSERT INTO ${s}.addresses VALUES (10, 1), (11, 1), (12, 2);`);
    const dir = workspace({ 'forget.sql': `DELETE FROM ${s}.customers WHERE id = 1;\n` });
    const home = freshHome();
    const target = ['--url', db.url, '--environment', 'local'];
    const original = await checksum();

    const preview = cli(['preview', 'forget.sql', ...target, '--format', 'json'], dir, home);
    assert.equal(preview.code, 0, preview.stderr);
    const result = JSON.parse(preview.stdout) as PreviewJson & { undo: { possible: boolean } };
    assert.deepEqual(await checksum(), original);
    if (!result.undo.possible) return;

    const commit = cli(['commit', 'forget.sql', ...target, '--expect-rows', String(result.affectedRows)], dir, home);
    assert.equal(commit.code, 0, commit.stderr);
    const undoPreview = cli(['undo', ...target, '--format', 'json'], dir, home);
    assert.equal(undoPreview.code, 0, undoPreview.stderr);
    const rows = (JSON.parse(undoPreview.stdout) as PreviewJson).affectedRows;
    const undo = cli(['undo', journalIdOf(commit), ...target, '--commit', '--expect-rows', String(rows)], dir, home);
    assert.equal(undo.code, 0, undo.stderr);
    assert.deepEqual(await checksum(), original, 'the undo said it restored the commit, but the cascaded rows are gone');
  });
});

describe('a SELECT whose WITH clause deletes rows', () => {
  it('is not announced as having nothing to undo', async () => {
    const table = 'orders_cte';
    await ordersTable(table);
    const dir = workspace({
      'cte.sql': `WITH gone AS (DELETE FROM ${s}.${table} WHERE status = 'bad' RETURNING *) SELECT id FROM gone;\n`,
    });
    const home = freshHome();
    const original = await checksum();
    const preview = cli(['preview', 'cte.sql', '--url', db.url, '--environment', 'local', '--format', 'json'], dir, home);
    assert.equal(preview.code, 0, preview.stderr);
    const result = JSON.parse(preview.stdout) as PreviewJson & { undo: { possible: boolean; reason: string } };
    assert.deepEqual(await checksum(), original);
    assert.equal(result.affectedRows, 2);
    assert.equal(result.undo.possible, false, `the preview says: ${result.undo.reason}`);
  });
});

describe('what a connection leaves out comes from PGHOST, PGPORT and PGUSER', () => {
  const pgEnvironment = () => {
    const { hostname, port, username } = new URL(db.url);
    return { PGHOST: hostname, PGPORT: port || '5432', PGUSER: username, PGDATABASE: undefined };
  };

  it('for a named connection that gives only its database', async () => {
    const dir = workspace({
      '.vscode/settings.json': JSON.stringify({
        'safesql.connections': [{ name: 'dev', environment: 'development', database: databaseName() }],
      }),
      'one.sql': 'SELECT 1;\n',
    });
    const env = pgEnvironment();
    const run = runCli(['preview', 'one.sql', '--connection', 'dev'], dir, undefined, { SAFESQL_HOME: freshHome(), ...env });
    assert.equal(run.code, 0, run.stderr);
    assert.ok(
      run.stdout.startsWith(`Preview on "dev" (DEVELOPMENT, ${env.PGUSER}@${env.PGHOST}:${env.PGPORT}/${databaseName()})`),
      run.stdout,
    );
    assert.match(run.stdout, /returns 1 row/);
  });

  it('for a --url without host and user (postgres:///database)', () => {
    const dir = workspace({ 'one.sql': 'SELECT 1;\n' });
    const env = pgEnvironment();
    const run = runCli(['preview', 'one.sql', '--url', `postgres:///${databaseName()}`, '--environment', 'local'], dir, undefined, {
      SAFESQL_HOME: freshHome(),
      ...env,
    });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /returns 1 row/);
    assert.ok(run.stdout.includes(`(LOCAL, ${env.PGUSER}@${env.PGHOST}:${env.PGPORT}/${databaseName()})`), run.stdout.split('\n')[0]);
  });
});

describe('what cannot be undone, the preview says before anything is committed', () => {
  it('TRUNCATE, DDL, MERGE, upserts, and UPDATE or INSERT on a table without a primary key; a DELETE there can be undone', async () => {
    const table = 'orders_undo';
    await ordersTable(table);
    await db.client.query(`CREATE TABLE ${s}.notes (body text); INSERT INTO ${s}.notes VALUES ('a'), ('b');`);
    const cases: [string, boolean, RegExp][] = [
      [`TRUNCATE ${s}.${table};`, false, /TRUNCATE removes rows without a before-image/],
      [`ALTER TABLE ${s}.${table} ADD COLUMN extra int;`, false, /schema changes and other commands have no before-image/],
      [
        `MERGE INTO ${s}.${table} AS o USING (VALUES (1)) AS v(id) ON o.id = v.id WHEN MATCHED THEN UPDATE SET status = 'x';`,
        false,
        /its rows are counted but not captured/,
      ],
      [
        `INSERT INTO ${s}.${table} (id, status) VALUES (1, 'x'), (9, 'y') ON CONFLICT (id) DO UPDATE SET status = excluded.status;`,
        false,
        /rows it updated cannot be told from rows it inserted/,
      ],
      [`UPDATE ${s}.notes SET body = 'c' WHERE body = 'a';`, false, /has no primary key to find its rows again/],
      [`INSERT INTO ${s}.notes VALUES ('c');`, false, /has no primary key to find its rows again/],
      [`DELETE FROM ${s}.notes WHERE body = 'a';`, true, /undo would re-insert the deleted row/],
    ];
    const home = freshHome();
    const original = await checksum();
    for (const [sql, possible, reason] of cases) {
      const dir = workspace({ 'one.sql': `${sql}\n` });
      const run = cli(['preview', 'one.sql', '--url', db.url, '--environment', 'local', '--format', 'json'], dir, home);
      assert.equal(run.code, 0, `${sql}: ${run.stderr}`);
      const result = JSON.parse(run.stdout) as PreviewJson & { undo: { possible: boolean; reason: string } };
      assert.equal(result.outcome, 'ok', sql);
      assert.equal(result.undo.possible, possible, `${sql}: ${result.undo.reason}`);
      assert.match(result.undo.reason, reason, sql);
      assert.deepEqual(await checksum(), original, `${sql}: the preview changed the database`);
    }
  });
});

describe('statements PostgreSQL does run inside a transaction', () => {
  it('ANALYZE and REFRESH MATERIALIZED VIEW CONCURRENTLY are previewed and rolled back', async () => {
    await db.client.query(`
        CREATE TABLE ${s}.stats (id int PRIMARY KEY);
        CREATE MATERIALIZED VIEW ${s}.stats_view AS SELECT id FROM ${s}.stats;
        CREATE UNIQUE INDEX ON ${s}.stats_view (id);`);
    const original = await checksum();
    const home = freshHome();
    for (const sql of [`ANALYZE ${s}.stats;`, `REFRESH MATERIALIZED VIEW CONCURRENTLY ${s}.stats_view;`]) {
      const dir = workspace({ 'one.sql': `${sql}\n` });
      const run = cli(['preview', 'one.sql', '--url', db.url, '--environment', 'local'], dir, home);
      assert.deepEqual(await checksum(), original);
      assert.equal(run.code, 0, `${sql}: ${run.stdout}`);
      assert.match(run.stdout, /Rolled back: nothing was changed\./, sql);
    }
  });
});
