/**
 * Lint throughput on a generated ~1 MB file: in process (front end + rules), and the whole CLI
 * run against squawk-cli (npm) on the same file as the reference. Prints figures; asserts nothing.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DEFAULT_SETTINGS } from '../server/src/config/settings';
import { lintDocument } from '../server/src/rules/lint';
import { analyzeDocument } from '../server/src/sql/analyze';
import { loadGrammar } from '../server/src/sql/grammar';
import { generateSql } from './generate';
import { installSquawk } from './squawk';

const ROOT = resolve(__dirname, '..');
const RUNS = Number(process.env.BENCH_RUNS ?? 5);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function timeCommand(command: string, args: string[]): { ms: number; code: number | null } {
  const times: number[] = [];
  let code: number | null = null;
  for (let i = 0; i < RUNS; i++) {
    const start = process.hrtime.bigint();
    const result = spawnSync(command, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 30 });
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
    code = result.status;
  }
  return { ms: median(times), code };
}

async function main(): Promise<void> {
  const { text, statements } = generateSql(1_000_000);
  const dir = join(ROOT, '.bench');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'mixed-1mb.sql');
  writeFileSync(file, text);
  const megabytes = Buffer.byteLength(text) / 1e6;
  console.log(`# lint benchmark: ${megabytes.toFixed(2)} MB, ${statements} statements, median of ${RUNS} runs`);

  await loadGrammar();
  const inProcess: number[] = [];
  let findings = 0;
  for (let i = 0; i < RUNS; i++) {
    // Vary one byte per run so the per-statement cache does not hide the parsing cost.
    const variant = text.replace('report_', `report${i}_`).replace(/\d+/g, (d) => `${d}${i}`);
    const start = process.hrtime.bigint();
    findings = lintDocument(analyzeDocument(variant), { settings: DEFAULT_SETTINGS }).length;
    inProcess.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  const ms = median(inProcess);
  console.log(
    `in process (split + parse + rules): ${ms.toFixed(0)} ms — ${(megabytes / (ms / 1000)).toFixed(2)} MB/s, ${Math.round(statements / (ms / 1000))} statements/s, ${findings} findings`,
  );

  const { squawkNpm, squawkBinary } = installSquawk();
  const hasSquawk = existsSync(squawkNpm);
  if (!hasSquawk) console.log('squawk-cli could not be installed from npm: no reference figures');
  // The same output format on both sides: machine-readable JSON, and the human-readable default.
  for (const [label, ours, theirs] of [
    ['json', ['--format', 'json'], ['--reporter', 'json']],
    ['text', [], []],
  ] as const) {
    const safesql = timeCommand(process.execPath, [join(ROOT, 'bin/safesql.js'), 'lint', ...ours, file]);
    console.log(
      `safesql lint, ${label} output (whole CLI run): ${safesql.ms.toFixed(0)} ms — ${(megabytes / (safesql.ms / 1000)).toFixed(2)} MB/s, ${Math.round(statements / (safesql.ms / 1000))} statements/s`,
    );
    if (!hasSquawk) continue;
    const npmRun = timeCommand(squawkNpm, [...theirs, file]);
    console.log(
      `squawk (npm squawk-cli), ${label} output: ${npmRun.ms.toFixed(0)} ms — ratio safesql/squawk ${(safesql.ms / npmRun.ms).toFixed(2)}× (goal ≤ 1.5×)`,
    );
    if (existsSync(squawkBinary)) {
      const binaryRun = timeCommand(squawkBinary, [...theirs, file]);
      console.log(
        `squawk (its native binary, no npm wrapper), ${label} output: ${binaryRun.ms.toFixed(0)} ms — ratio ${(safesql.ms / binaryRun.ms).toFixed(2)}×`,
      );
    }
  }
}

void main();
