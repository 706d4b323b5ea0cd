/**
 * What safesql's preview and commit cost on top of the bare statement, on a statement that touches
 * 100,000 rows of a 200,000-row table: preview against BEGIN; … ROLLBACK, commit (with its fsync'd
 * journal) against BEGIN; … COMMIT. Runs against DATABASE_URL when set, else an embedded PGlite.
 * Prints figures; asserts only that the runs did what they claim (row counts, table unchanged).
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from 'pg';
import { DEFAULT_EXECUTION_SETTINGS } from '../server/src/config/executionSettings';
import { commit } from '../server/src/exec/commit';
import { Journal } from '../server/src/exec/journal';
import { preview, type ExecContext } from '../server/src/exec/preview';
import type { PreviewResult } from '../server/src/exec/results';
import { executionUnits, type ExecutionUnit } from '../server/src/exec/units';
import type { Environment } from '../server/src/protocol';
import { analyzeDocument } from '../server/src/sql/analyze';
import { loadGrammar } from '../server/src/sql/grammar';
import type { SqlDocument } from '../server/src/sql/statement';
import { createSchema, openTestDatabase } from '../test/helpers/database';

const TABLE_ROWS = 200_000;
const TOUCHED = 100_000;
const PREVIEW_RUNS = Number(process.env.BENCH_RUNS ?? 7);
const COMMIT_RUNS = Number(process.env.BENCH_COMMIT_RUNS ?? 5);

/** The table under test and the copy of its first half that puts deleted rows back. */
interface Bench {
  client: Client;
  url: string;
  table: string;
  copy: string;
}

/** One statement, analysed as the editor would before showing its Preview lens. */
interface Runnable {
  sql: string;
  document: SqlDocument;
  unit: ExecutionUnit;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function timed(action: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await action();
  return performance.now() - start;
}

function runnable(sql: string): Runnable {
  const document = analyzeDocument(sql);
  const [unit] = executionUnits(document);
  if (!unit) throw new Error(`no runnable unit in: ${sql}`);
  return { sql, document, unit };
}

function contextFor(bench: Bench, environment: Environment): ExecContext {
  return { target: { name: 'bench', environment, url: bench.url }, settings: DEFAULT_EXECUTION_SETTINGS };
}

function check(condition: boolean, message: string): void {
  if (!condition) throw new Error(`sanity check failed: ${message}`);
}

async function count(bench: Bench): Promise<number> {
  const { rows } = await bench.client.query<{ n: string }>(`SELECT count(*) AS n FROM ${bench.table}`);
  return Number(rows[0]!.n);
}

/** A checksum of the column the UPDATE changes: a preview that leaked its UPDATE would move it. */
async function amountSum(bench: Bench): Promise<string> {
  const { rows } = await bench.client.query<{ s: string }>(`SELECT sum(amount)::text AS s FROM ${bench.table}`);
  return rows[0]!.s;
}

/** Text with and without NULLs, numeric and a timestamp, so that the captured rows are not trivially small. */
async function createTable(client: Client, schema: string): Promise<{ table: string; copy: string }> {
  const table = `${schema}.items`;
  const copy = `${schema}.items_deleted`;
  await client.query(`CREATE TABLE ${table} (
    id bigint PRIMARY KEY,
    name text NOT NULL,
    amount numeric(12, 2) NOT NULL,
    note text,
    created_at timestamptz NOT NULL)`);
  await client.query(`INSERT INTO ${table}
    SELECT g, 'item ' || g, (g % 1000) * 1.25, CASE WHEN g % 10 = 0 THEN NULL ELSE repeat(md5(g::text), 2) END,
           timestamptz '2024-01-01 00:00:00+00' + g * interval '1 minute'
      FROM generate_series(1, ${TABLE_ROWS}) AS g`);
  await client.query(`CREATE TABLE ${copy} AS SELECT * FROM ${table} WHERE id <= ${TOUCHED}`);
  await client.query(`VACUUM ANALYZE ${table}`);
  return { table, copy };
}

/**
 * Before each timed preview: the table must be exactly as created (a preview that leaked its change
 * fails here, rather than being repaired by a restore), and VACUUM clears what earlier runs left
 * behind (a rolled-back UPDATE leaves 100,000 dead row versions, a rolled-back DELETE unset hint
 * bits that the next scan would pay for), so that every run starts from the same table.
 */
async function settleTable(bench: Bench): Promise<void> {
  check((await count(bench)) === TABLE_ROWS, `the table still has ${TABLE_ROWS} rows`);
  await bench.client.query(`VACUUM ${bench.table}`);
}

/** Before each timed commit: the rows the previous commit deleted are put back, then as above. */
async function restoreTable(bench: Bench): Promise<void> {
  if ((await count(bench)) < TABLE_ROWS) await bench.client.query(`INSERT INTO ${bench.table} SELECT * FROM ${bench.copy}`);
  await settleTable(bench);
}

/** The statement as a user would run it by hand, on a connection already open. */
async function bare(bench: Bench, sql: string, end: 'ROLLBACK' | 'COMMIT'): Promise<void> {
  await bench.client.query('BEGIN');
  let rows: number | null = null;
  try {
    rows = (await bench.client.query(sql)).rowCount;
  } finally {
    // A failed statement must not leave the shared connection inside a transaction.
    await bench.client.query(rows === null ? 'ROLLBACK' : end);
  }
  check(rows === TOUCHED, `the bare statement touched ${rows} rows, not ${TOUCHED}`);
}

async function previewOf(bench: Bench, statement: Runnable, environment: Environment): Promise<PreviewResult> {
  const result = await preview(statement.document, statement.unit, contextFor(bench, environment));
  check(result.outcome === 'ok', `preview (${environment}) ran: ${result.error?.message ?? result.notPreviewable ?? result.outcome}`);
  check(result.affectedRows === TOUCHED, `preview (${environment}) reports ${result.affectedRows} affected rows, not ${TOUCHED}`);
  check(environment === 'local' || result.liveness !== undefined, `preview (${environment}) includes the live-database check`);
  return result;
}

/**
 * Runs every series `runs` times after one untimed warm-up each, round-robin with the order rotated
 * each round, so that drift (caches, WAL, autovacuum) falls on all of them alike; times in ms.
 */
async function measure(bench: Bench, runs: number, series: Record<string, () => Promise<void>>): Promise<Record<string, number[]>> {
  const names = Object.keys(series);
  for (const name of names) {
    await settleTable(bench);
    await series[name]!();
  }
  const times: Record<string, number[]> = Object.fromEntries(names.map((name) => [name, []]));
  for (let round = 0; round < runs; round++) {
    for (let k = 0; k < names.length; k++) {
      const name = names[(round + k) % names.length]!;
      await settleTable(bench);
      times[name]!.push(await timed(series[name]!));
    }
  }
  await settleTable(bench);
  return times;
}

/** The median, with the spread, which says how far to trust the ratio on a busy machine. */
function summary(times: number[]): string {
  return `${median(times).toFixed(0)} ms (runs ${Math.min(...times).toFixed(0)}–${Math.max(...times).toFixed(0)})`;
}

function ratio(measured: number[], baseline: number[]): string {
  return `${(median(measured) / median(baseline)).toFixed(2)}×`;
}

async function benchPreview(bench: Bench, label: string, sql: string, withDevelopment: boolean): Promise<void> {
  const statement = runnable(sql);
  const sumBefore = await amountSum(bench);
  const series: Record<string, () => Promise<void>> = {
    bare: () => bare(bench, sql, 'ROLLBACK'),
    local: async () => void (await previewOf(bench, statement, 'local')),
  };
  if (withDevelopment) series.development = async () => void (await previewOf(bench, statement, 'development'));
  const { bare: bareTimes, local, development } = await measure(bench, PREVIEW_RUNS, series);
  check((await amountSum(bench)) === sumBefore, 'the previews left the amounts as they were');

  console.log(`\n${label} — ${sql}`);
  console.log(`  bare BEGIN; …; ROLLBACK (plain pg, connection already open): ${summary(bareTimes!)}`);
  console.log(`  safesql preview, environment local: ${summary(local!)} — ratio ${ratio(local!, bareTimes!)} (goal ≤ 1.5×)`);
  if (development) {
    console.log(
      `  safesql preview, environment development (adds the live-database check): ${summary(development)} — ratio ${ratio(development, bareTimes!)}`,
    );
  }
}

/**
 * A commit needs a fresh preview, which is made before the clock starts; the table is then settled
 * again, so the commit does not pay for the hint bits the preview's rolled-back DELETE left.
 */
async function timedCommit(bench: Bench, statement: Runnable): Promise<{ ms: number; journalBytes: number }> {
  const previewed = await previewOf(bench, statement, 'local');
  await settleTable(bench);
  const directory = mkdtempSync(join(tmpdir(), 'safesql-bench-journal-'));
  try {
    const journal = Journal.inDirectory(directory);
    let outcome = '';
    let affectedRows = 0;
    const elapsed = await timed(async () => {
      ({ outcome, affectedRows } = await commit(
        statement.document,
        statement.unit,
        { preview: previewed, journal },
        contextFor(bench, 'local'),
      ));
    });
    check(outcome === 'committed', `the commit went through (it was ${outcome})`);
    check(affectedRows === TOUCHED, `the commit changed ${affectedRows} rows, not ${TOUCHED}`);
    check((await count(bench)) === TABLE_ROWS - TOUCHED, `the commit left ${TABLE_ROWS - TOUCHED} rows`);
    return { ms: elapsed, journalBytes: statSync(journal.path).size };
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

async function benchCommit(bench: Bench, sql: string): Promise<void> {
  const statement = runnable(sql);
  const bareTimes: number[] = [];
  const commitTimes: number[] = [];
  let journalBytes = 0;
  // One untimed warm-up of each (round -1), then alternate; every run starts from the full table.
  for (let round = -1; round < COMMIT_RUNS; round++) {
    await restoreTable(bench);
    const bareMs = await timed(() => bare(bench, sql, 'COMMIT'));
    check((await count(bench)) === TABLE_ROWS - TOUCHED, `the bare commit left ${TABLE_ROWS - TOUCHED} rows`);
    await restoreTable(bench);
    const run = await timedCommit(bench, statement);
    if (round < 0) continue;
    bareTimes.push(bareMs);
    commitTimes.push(run.ms);
    journalBytes = run.journalBytes;
  }
  await restoreTable(bench);
  console.log(`\nCOMMIT — ${sql} (median of ${COMMIT_RUNS} after a warm-up)`);
  console.log(`  bare BEGIN; …; COMMIT (plain pg, connection already open): ${summary(bareTimes)}`);
  console.log(
    `  safesql commit, environment local (fetches every deleted row, writes and fsyncs the journal): ${summary(commitTimes)} — ratio ${ratio(commitTimes, bareTimes)}`,
  );
  console.log(`  journal entry: ${(journalBytes / 1e6).toFixed(1)} MB for ${TOUCHED} rows`);
}

async function main(): Promise<void> {
  const started = performance.now();
  if (!(PREVIEW_RUNS >= 1 && COMMIT_RUNS >= 1)) throw new Error('BENCH_RUNS and BENCH_COMMIT_RUNS must be at least 1');
  await loadGrammar();
  const db = await openTestDatabase();
  let schema: { name: string; drop(): Promise<void> } | undefined;
  try {
    const { rows } = await db.client.query<{ version: string }>('SELECT version()');
    console.log(`# exec benchmark: ${db.description}; embedded: ${db.embedded ? 'yes' : 'no'}`);
    console.log(`# ${rows[0]!.version}`);
    console.log(`# table of ${TABLE_ROWS} rows, statements touch ${TOUCHED}; previews: median of ${PREVIEW_RUNS} after a warm-up`);

    schema = await createSchema(db.client, 'bench_exec');
    const bench: Bench = { client: db.client, url: db.url, ...(await createTable(db.client, schema.name)) };
    await benchPreview(bench, 'DELETE preview', `DELETE FROM ${bench.table} WHERE id <= ${TOUCHED}`, true);
    // A DELETE preview runs the statement bare plus a LIMITed query for the rows it shows; UPDATE captures
    // both row versions (a self-join on ctid), a different cost.
    await benchPreview(bench, 'UPDATE preview', `UPDATE ${bench.table} SET amount = amount + 1 WHERE id <= ${TOUCHED}`, false);
    await benchCommit(bench, `DELETE FROM ${bench.table} WHERE id <= ${TOUCHED}`);
  } finally {
    await schema?.drop().catch((error: unknown) => console.error(`could not drop schema ${schema?.name}: ${(error as Error).message}`));
    await db.close();
  }
  console.log(`\ntotal: ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
