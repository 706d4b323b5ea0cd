import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, it } from 'node:test';
import { runCli, workspace } from '../helpers/cli';

const UNSAFE = 'DELETE FROM orders;\n';
const SAFE = 'BEGIN;\nDELETE FROM orders WHERE id = 1;\nCOMMIT;\n';

describe('safesql lint --cache', () => {
  it('reports the same from the cache as without it, and reads findings from it when nothing changed', () => {
    const dir = workspace({ 'a.sql': UNSAFE, 'b.sql': SAFE });
    const first = runCli(['lint', '--format', 'json', '--cache', '.'], dir);
    assert.equal(first.code, 1, first.stderr);
    const cacheFile = join(dir, '.safesqlcache');
    assert.ok(existsSync(cacheFile));
    const second = runCli(['lint', '--format', 'json', '--cache', '.'], dir);
    assert.equal(second.code, 1);
    assert.equal(second.stdout, first.stdout);

    // Proof that the second run read the cache: what the cache says is what is printed.
    const cache = JSON.parse(readFileSync(cacheFile, 'utf8')) as { entries: Record<string, { findings: { message: string }[] }> };
    const entry = Object.values(cache.entries).find((e) => e.findings.length > 0)!;
    entry.findings[0]!.message = 'from the cache';
    writeFileSync(cacheFile, JSON.stringify(cache));
    const third = runCli(['lint', '--format', 'json', '--cache', '.'], dir);
    assert.ok((JSON.parse(third.stdout) as { message: string }[]).some((f) => f.message === 'from the cache'));
  });

  it('lints again a file whose content changed, and every file when the settings change', () => {
    const dir = workspace({ 'a.sql': UNSAFE, 'b.sql': SAFE });
    runCli(['lint', '--cache', '.'], dir);
    writeFileSync(join(dir, 'b.sql'), 'TRUNCATE orders;\n');
    const changed = runCli(['lint', '--format', 'json', '--cache', '.'], dir);
    assert.deepEqual((JSON.parse(changed.stdout) as { file: string; rule: string }[]).map((f) => `${f.file} ${f.rule}`).sort(), [
      'a.sql missing-transaction',
      'a.sql unbounded-delete',
      'b.sql missing-transaction',
      'b.sql truncate',
    ]);
    writeFileSync(join(dir, '.vscode-settings.json'), JSON.stringify({ 'safesql.rules': { 'unbounded-delete': 'off' } }));
    const configured = runCli(['lint', '--format', 'json', '--cache', '--config', '.vscode-settings.json', '.'], dir);
    assert.equal(configured.code, 0, configured.stderr);
    assert.ok(!(JSON.parse(configured.stdout) as { rule: string }[]).some((f) => f.rule === 'unbounded-delete'));
  });

  it('keeps the entries of files a run did not lint, and forgets the files that are gone', () => {
    const dir = workspace({ 'a.sql': UNSAFE, 'b.sql': SAFE });
    const cacheFile = join(dir, '.safesqlcache');
    const files = (): string[] =>
      Object.keys((JSON.parse(readFileSync(cacheFile, 'utf8')) as { entries: Record<string, unknown> }).entries)
        .map((file) => basename(file))
        .sort();
    runCli(['lint', '--cache', '.'], dir);
    assert.deepEqual(files(), ['a.sql', 'b.sql']);
    runCli(['lint', '--cache', 'a.sql'], dir);
    assert.deepEqual(files(), ['a.sql', 'b.sql']);
    rmSync(join(dir, 'b.sql'));
    runCli(['lint', '--cache', 'a.sql'], dir);
    assert.deepEqual(files(), ['a.sql']);
  });

  it('ignores a damaged cache with a warning, lints as without it, and rewrites it', () => {
    const dir = workspace({ 'a.sql': UNSAFE, 'cache/lint.json': '{"build": "0.1.0", "entries": [' });
    const fresh = runCli(['lint', '--format', 'json', 'a.sql'], dir);
    const run = runCli(['lint', '--format', 'json', '--cache', '--cache-location', 'cache/lint.json', 'a.sql'], dir);
    assert.equal(run.code, 1);
    assert.equal(run.stdout, fresh.stdout);
    assert.match(
      run.stderr,
      /^safesql: warning: the cache .*cache\/lint\.json is not one safesql wrote \(or is damaged\); it is ignored and rewritten\n$/,
    );
    assert.doesNotThrow(() => JSON.parse(readFileSync(join(dir, 'cache/lint.json'), 'utf8')));
    assert.equal(runCli(['lint', '--format', 'json', '--cache', '--cache-location', 'cache/lint.json', 'a.sql'], dir).stderr, '');
  });

  it('warns, and still reports, when the cache cannot be written', () => {
    const dir = workspace({ 'a.sql': UNSAFE });
    const run = runCli(['lint', '--cache', '--cache-location', 'no/such/folder/cache', 'a.sql'], dir);
    assert.equal(run.code, 1);
    assert.match(run.stdout, /error\[unbounded-delete\]/);
    assert.match(run.stderr, /^safesql: warning: cannot write the cache \(ENOENT\); the next run lints everything again\n$/);
  });

  it('refuses --cache-location without --cache', () => {
    const dir = workspace({ 'a.sql': UNSAFE });
    const run = runCli(['lint', '--cache-location', 'x', 'a.sql'], dir);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /^safesql: --cache-location is where --cache keeps its findings: add --cache/);
  });
});
