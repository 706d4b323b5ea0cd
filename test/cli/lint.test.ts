import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runCli, workspace } from '../helpers/cli';

const UNSAFE = 'BEGIN;\nDELETE FROM orders;\nCOMMIT;\n';
const SAFE = 'BEGIN;\nDELETE FROM orders WHERE id = 42;\nCOMMIT;\n';
const WARNING_ONLY = 'TRUNCATE staging_orders;\n';

interface JsonFinding {
  file: string;
  rule: string;
  severity: string;
  message: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

function json(stdout: string): JsonFinding[] {
  return JSON.parse(stdout) as JsonFinding[];
}

describe('safesql lint: exit codes', () => {
  it('exits 0 when nothing is flagged at error severity', () => {
    const dir = workspace({ 'safe.sql': SAFE, 'warn.sql': WARNING_ONLY });
    const run = runCli(['lint', '.'], dir);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /0 errors, 2 warnings, 0 info in 2 files/);
  });

  it('exits 1 when at least one error-severity finding exists', () => {
    const dir = workspace({ 'a.sql': UNSAFE });
    const run = runCli(['lint', 'a.sql'], dir);
    assert.equal(run.code, 1);
    assert.match(run.stdout, /a\.sql:2:1: error\[unbounded-delete\]/);
  });

  it('exits 2 with one clear line for a path that does not exist, without a stack trace', () => {
    const dir = workspace({ 'a.sql': SAFE });
    const run = runCli(['lint', 'missing.sql'], dir);
    assert.equal(run.code, 2);
    assert.equal(run.stderr.trim(), 'safesql: missing.sql: no such file, directory or matching glob');
    assert.doesNotMatch(run.stderr, /\n\s+at /);
  });

  it('exits 2 on an unknown option, an unknown format and an unknown command', () => {
    const dir = workspace({ 'a.sql': SAFE });
    for (const args of [['lint', '--nope'], ['lint', '--format', 'xml', 'a.sql'], ['frobnicate']]) {
      const run = runCli(args, dir);
      assert.equal(run.code, 2, args.join(' '));
      assert.match(run.stderr, /^safesql: /);
      assert.doesNotMatch(run.stderr, /\n\s+at /);
    }
  });

  it('exits 2 for undecodable or binary input but still reports the readable files', () => {
    const dir = workspace({
      'latin1.sql': Buffer.from([0x53, 0x45, 0x4c, 0x45, 0x43, 0x54, 0x20, 0x27, 0xe9, 0x27, 0x3b]),
      'binary.sql': Buffer.from([0x00, 0x01, 0x02, 0xff]),
      'good.sql': UNSAFE,
    });
    const run = runCli(['lint', '--format', 'json', '.'], dir);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /latin1\.sql: is not valid UTF-8/);
    assert.match(run.stderr, /binary\.sql: contains NUL bytes/);
    assert.deepEqual([...new Set(json(run.stdout).map((f) => f.file))], ['good.sql']);
  });

  it('exits 2 when the settings file is not valid JSONC or holds a bad severity', () => {
    const broken = workspace({ '.vscode/settings.json': '{ "safesql.rules": { ', 'a.sql': SAFE });
    const run = runCli(['lint', 'a.sql'], broken);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /\.vscode\/settings\.json:1:\d+: invalid JSON/);

    const badSeverity = workspace({ '.vscode/settings.json': '{ "safesql.rules": { "truncate": "fatal" } }', 'a.sql': SAFE });
    const second = runCli(['lint', 'a.sql'], badSeverity);
    assert.equal(second.code, 2);
    assert.match(second.stderr, /"safesql\.rules\.truncate" is "fatal"; use one of off, error, warning, info/);
  });

  it('refuses a connection with a password in settings, without echoing the password', () => {
    const dir = workspace({
      '.vscode/settings.json': '{ "safesql.connections": [{ "name": "main", "environment": "production", "password": "hunter2" }] }',
      'a.sql': SAFE,
    });
    const run = runCli(['lint', 'a.sql'], dir);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /passwords never belong in settings/);
    assert.doesNotMatch(run.stderr + run.stdout, /hunter2/);
  });
});

describe('safesql lint: paths, globs and team settings', () => {
  it('expands directories to .sql files and globs relative to the working directory', () => {
    const dir = workspace({ 'db/a.sql': UNSAFE, 'db/nested/b.sql': UNSAFE, 'db/notes.txt': 'DELETE FROM x;', 'other/c.sql': UNSAFE });
    const files = (args: string[]) =>
      [...new Set(json(runCli(['lint', '--format', 'json', ...args], dir).stdout).map((f) => f.file))].sort();
    assert.deepEqual(files(['db']), ['db/a.sql', 'db/nested/b.sql']);
    assert.deepEqual(files(['db/*.sql']), ['db/a.sql']);
    assert.deepEqual(files(['**/c.sql']), ['other/c.sql']);
    assert.deepEqual(files([]), ['db/a.sql', 'db/nested/b.sql', 'other/c.sql']);
  });

  it('reads severities from the nearest .vscode/settings.json (JSONC, comments and trailing commas)', () => {
    const dir = workspace({
      '.git/HEAD': 'ref: refs/heads/main\n',
      '.vscode/settings.json':
        '{\n  // the team agreed\n  "safesql.rules": { "unbounded-delete": "warning", "missing-transaction": "off", },\n}',
      'sql/a.sql': 'DELETE FROM orders;\n',
    });
    const run = runCli(['lint', '--format', 'json', 'sql'], dir);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(
      json(run.stdout).map((f) => [f.rule, f.severity]),
      [['unbounded-delete', 'warning']],
    );
  });

  it('uses --config FILE instead of the workspace settings', () => {
    const dir = workspace({
      '.vscode/settings.json': '{ "safesql.rules": { "unbounded-delete": "off" } }',
      'ci.json': '{ "safesql.rules": { "unbounded-delete": "error", "missing-transaction": "off" } }',
      'a.sql': 'DELETE FROM orders;\n',
    });
    const run = runCli(['lint', '--format', 'json', '--config', 'ci.json', 'a.sql'], dir);
    assert.equal(run.code, 1);
    assert.deepEqual(
      json(run.stdout).map((f) => f.rule),
      ['unbounded-delete'],
    );
  });

  it('warns about unknown rule ids in settings but still lints', () => {
    const dir = workspace({ '.vscode/settings.json': '{ "safesql.rules": { "future-rule": "off" } }', 'a.sql': SAFE });
    const run = runCli(['lint', 'a.sql'], dir);
    assert.equal(run.code, 0);
    assert.match(run.stderr, /unknown rule "future-rule"; it is ignored/);
  });

  it('binds a file to a production connection declared in settings', () => {
    const dir = workspace({
      '.vscode/settings.json':
        '{ "safesql.connections": [{ "name": "client-prod", "environment": "production" }, { "name": "scratch", "environment": "local" }] }',
      'prod.sql': "-- safesql:connection client-prod\nBEGIN;\nUPDATE orders SET status = 'void' WHERE id = 7;\nCOMMIT;\n",
      'local.sql': "-- safesql:connection scratch\nBEGIN;\nUPDATE orders SET status = 'void' WHERE id = 7;\nCOMMIT;\n",
    });
    const findings = json(runCli(['lint', '--format', 'json', '.'], dir).stdout);
    assert.deepEqual(
      findings.map((f) => [f.file, f.rule, f.line]),
      [['prod.sql', 'production-write', 3]],
    );
  });
});

describe('safesql lint: output formats', () => {
  it('prints the JSON contract with 1-based positions and an exclusive end column', () => {
    const dir = workspace({ 'a.sql': '\nBEGIN;\n  DELETE FROM orders;\nCOMMIT;\n' });
    const [finding, ...rest] = json(runCli(['lint', '--format', 'json', 'a.sql'], dir).stdout);
    assert.equal(rest.length, 0);
    assert.deepEqual(Object.keys(finding!).sort(), ['column', 'endColumn', 'endLine', 'file', 'line', 'message', 'rule', 'severity']);
    assert.deepEqual(
      {
        file: finding!.file,
        rule: finding!.rule,
        severity: finding!.severity,
        line: finding!.line,
        column: finding!.column,
        endLine: finding!.endLine,
        endColumn: finding!.endColumn,
      },
      { file: 'a.sql', rule: 'unbounded-delete', severity: 'error', line: 3, column: 3, endLine: 3, endColumn: 21 },
    );
  });

  it('prints an empty JSON array for a clean file', () => {
    const dir = workspace({ 'a.sql': SAFE });
    const run = runCli(['lint', '--format', 'json', 'a.sql'], dir);
    assert.equal(run.code, 0);
    assert.deepEqual(json(run.stdout), []);
  });

  it('shows the statement with the span marked, like a compiler', () => {
    const dir = workspace({ 'a.sql': 'BEGIN;\n\tDELETE FROM orders WHERE 1 = 1;\nCOMMIT;\n' });
    const run = runCli(['lint', 'a.sql'], dir);
    const lines = run.stdout.split('\n');
    const at = lines.findIndex((l) => l.startsWith('a.sql:2:'));
    assert.equal(
      lines[at],
      'a.sql:2:21: error[unbounded-delete] The WHERE clause of this DELETE is always true: it deletes every row of "orders".',
    );
    assert.equal(lines[at + 1], '2 | \tDELETE FROM orders WHERE 1 = 1;');
    assert.equal(lines[at + 2], '  | \t                   ^^^^^^^^^^^');
    assert.match(lines[at + 3]!, /^ {2}= help: Add a WHERE clause/);
    assert.match(lines[at + 4]!, /^ {2}= docs: https:\/\/.*unbounded-delete\.md$/);
  });

  it('prints GitHub workflow annotations with escaped properties', () => {
    const dir = workspace({ 'dir,1/a:b.sql': 'TRUNCATE t;\nDELETE FROM orders;\n' });
    const run = runCli(['lint', '--format', 'github', '.'], dir);
    const lines = run.stdout.trim().split('\n');
    assert.ok(
      lines.every((l) =>
        /^::(error|warning|notice) file=dir%2C1\/a%3Ab\.sql,line=\d+,endLine=\d+,col=\d+,endColumn=\d+,title=safesql [a-z-]+::\S/.test(l),
      ),
      run.stdout,
    );
    assert.ok(
      lines.some((l) =>
        l.startsWith('::error file=dir%2C1/a%3Ab.sql,line=2,endLine=2,col=1,endColumn=19,title=safesql unbounded-delete::'),
      ),
    );
    assert.ok(lines.every((l) => !l.includes('\n')));
  });
});
