import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { generateSql } from '../../bench/generate';
import { DEFAULT_SETTINGS } from '../../server/src/config/settings';
import { lintDocument } from '../../server/src/rules/lint';
import { analyzeDocument } from '../../server/src/sql/analyze';
import { loadGrammar } from '../../server/src/sql/grammar';
import { runCli, workspace } from '../helpers/cli';

const BIN = resolve(__dirname, '../../bin/safesql.js');
const MAX_RSS = resolve(__dirname, '../helpers/reportMaxRss.cjs');

/**
 * Before the reports streamed, `lint` on a large file held its tokens, its parse trees and the
 * whole report at once: 40 to 70 bytes of memory per byte of SQL. Generous for a streaming lint
 * (which holds the statements' facts and one file's findings), far below what that took.
 */
const MEGABYTES = 10;
const CEILING_MB = 400;

describe('safesql lint on a large file', () => {
  const dir = workspace({});
  const file = join(dir, 'large.sql');
  const { text } = generateSql(MEGABYTES * 1e6);
  writeFileSync(file, text);

  for (const format of ['json', 'text']) {
    it(`stays under ${CEILING_MB} MB of peak memory on ${MEGABYTES} MB of SQL (--format ${format}), and reports every finding`, async () => {
      const run = spawnSync(process.execPath, ['--require', MAX_RSS, BIN, 'lint', '--format', format, file], {
        cwd: dir,
        encoding: 'utf8',
        maxBuffer: 1 << 30,
        env: { ...process.env, NO_COLOR: '1' },
      });
      assert.equal(run.status, 1, run.stderr);
      const peakMb = Number(/maxRSS (\d+)/.exec(run.stderr)![1]) / 1024;
      assert.ok(peakMb < CEILING_MB, `peak RSS ${peakMb.toFixed(0)} MB`);

      await loadGrammar();
      const expected = lintDocument(analyzeDocument(text), { settings: DEFAULT_SETTINGS });
      if (format === 'json') {
        const records = JSON.parse(run.stdout) as { rule: string; line: number }[];
        assert.equal(records.length, expected.length);
        assert.deepEqual(
          records.slice(0, 3).map((r) => r.rule),
          expected.slice(0, 3).map((f) => f.rule),
        );
      } else {
        const errors = expected.filter((f) => f.severity === 'error').length;
        assert.match(run.stdout, new RegExp(`\\n${errors.toLocaleString('en').replace(/,/g, ',?')} errors?, `));
        assert.equal(run.stdout.match(/^large\.sql:\d+:\d+: /gm)!.length, expected.length);
      }
    });
  }
});

describe('safesql lint --concurrency', () => {
  // Enough SQL, in enough files, that the worker threads are started and share the reading.
  const files: Record<string, string> = {};
  for (let i = 0; i < 24; i++) files[`f${String(i).padStart(2, '0')}.sql`] = generateSql(25_000, i).text;
  const dir = workspace(files);

  it('reports exactly what a single thread reports, in the same order', () => {
    const single = runCli(['lint', '--format', 'json', '--concurrency', 'off', '.'], dir);
    const parallel = runCli(['lint', '--format', 'json', '--concurrency', '3', '.'], dir);
    assert.equal(single.code, 1, single.stderr);
    assert.equal(parallel.code, 1, parallel.stderr);
    assert.ok((JSON.parse(single.stdout) as unknown[]).length > 1000);
    assert.equal(parallel.stdout, single.stdout);
  });

  it('refuses a value that is not auto, off or a number of threads', () => {
    for (const value of ['0', 'many', '1.5']) {
      const run = runCli(['lint', '--concurrency', value, '.'], dir);
      assert.equal(run.code, 2, value);
      assert.match(run.stderr, /^safesql: --concurrency must be auto, off or a number of threads/);
    }
  });
});
