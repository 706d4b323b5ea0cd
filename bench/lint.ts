/**
 * `safesql lint` as users meet it, side by side with its peers in one run: throughput in process,
 * the whole CLI on ~1 MB against squawk and postgres-language-server, the start-up floor, a
 * repeated run with --cache, peak memory and time per format on a large file, and the parser
 * decision (libpg_query against pgsql-ast-parser). Prints figures; asserts nothing.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DEFAULT_SETTINGS } from '../server/src/config/settings';
import { lintDocument } from '../server/src/rules/lint';
import { analyzeDocument } from '../server/src/sql/analyze';
import { loadGrammar, parseWithGrammar } from '../server/src/sql/grammar';
import { splitStatements } from '../server/src/sql/splitter';
import { generateSql } from './generate';
import { installPgsqlAstParser, installPostgresLanguageServer } from './peers';
import { installSquawk } from './squawk';

const ROOT = resolve(__dirname, '..');
const BIN = join(ROOT, 'bin/safesql.js');
const MAX_RSS = join(ROOT, 'test/helpers/reportMaxRss.cjs');
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
/** The large-file figures, in MB (`BENCH_LARGE_MB=10,50`); the goal is stated at 50 MB. */
const LARGE_MB = (process.env.BENCH_LARGE_MB ?? '10,50').split(',').map(Number);
const CORPUS = join(ROOT, 'test/corpus');

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function timeOnce(command: string, args: string[]): number {
  const start = process.hrtime.bigint();
  spawnSync(command, args, { cwd: join(ROOT, '.bench'), stdio: ['ignore', 'ignore', 'ignore'] });
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** Median wall time of whole runs; the runs of the commands compared are interleaved, so a busy machine slows all alike. */
function timeSideBySide(commands: Record<string, [string, string[]] | undefined>): Record<string, number> {
  const times: Record<string, number[]> = {};
  for (let i = 0; i < RUNS; i++) {
    for (const [label, command] of Object.entries(commands)) {
      if (command) (times[label] ??= []).push(timeOnce(...command));
    }
  }
  return Object.fromEntries(Object.entries(times).map(([label, values]) => [label, median(values)]));
}

function ms(value: number | undefined): string {
  return value === undefined ? 'n/a' : `${value.toFixed(0)} ms`;
}

function ratio(ours: number | undefined, theirs: number | undefined): string {
  return ours === undefined || theirs === undefined ? 'n/a' : `${(ours / theirs).toFixed(2)}×`;
}

async function inProcess(text: string, statements: number, megabytes: number): Promise<void> {
  await loadGrammar();
  const times: number[] = [];
  let findings = 0;
  for (let i = 0; i < RUNS; i++) {
    // Vary the literals per run so the per-statement cache does not hide the parsing cost.
    const variant = text.replace('report_', `report${i}_`).replace(/\d+/g, (d) => `${d}${i}`);
    const start = process.hrtime.bigint();
    findings = lintDocument(analyzeDocument(variant), { settings: DEFAULT_SETTINGS }).length;
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  const time = median(times);
  console.log(
    `in process (split + parse + rules): ${ms(time)} — ${(megabytes / (time / 1000)).toFixed(2)} MB/s, ${Math.round(statements / (time / 1000))} statements/s, ${findings} findings`,
  );
}

function wholeRuns(file: string, megabytes: number): void {
  const { squawkNpm, squawkBinary } = installSquawk();
  const pgls = installPostgresLanguageServer();
  const squawk = existsSync(squawkNpm) ? squawkNpm : undefined;
  if (!squawk) console.log('squawk-cli could not be installed from npm: no squawk figures');
  if (!pgls) console.log('@postgres-language-server/cli could not be installed from npm (no build for this platform?): no figures');
  // The peers' defaults otherwise skip a file over 1 MiB and connect to DATABASE_URL for type checks.
  const pglsArgs = ['check', '--disable-db', '--files-max-size=1000000000'];
  for (const [label, ours, squawkArgs] of [
    ['json', ['--format', 'json'], ['--reporter', 'json']],
    ['text', [], []],
  ] as const) {
    const t = timeSideBySide({
      safesql: [process.execPath, [BIN, 'lint', ...ours, file]],
      'safesql --concurrency off': [process.execPath, [BIN, 'lint', '--concurrency', 'off', ...ours, file]],
      squawk: squawk ? [squawk, [...squawkArgs, file]] : undefined,
      'squawk binary': existsSync(squawkBinary) ? [squawkBinary, [...squawkArgs, file]] : undefined,
      // Its JSON reporter took a minute and 8 GB on this file (0.25.5), so it is timed with its
      // default reporter, which prints the first 20 diagnostics and the count.
      'postgres-language-server': pgls ? [pgls, [...pglsArgs, file]] : undefined,
    });
    console.log(`## ${megabytes.toFixed(2)} MB, ${label} output, whole process, median of ${RUNS}`);
    console.log(`safesql lint: ${ms(t.safesql)} — ${(megabytes / (t.safesql! / 1000)).toFixed(2)} MB/s`);
    console.log(`safesql lint --concurrency off: ${ms(t['safesql --concurrency off'])}`);
    console.log(`squawk (npm squawk-cli): ${ms(t.squawk)} — safesql/squawk ${ratio(t.safesql, t.squawk)} (goal ≤ 1.0×)`);
    console.log(`squawk (its native binary, no npm wrapper): ${ms(t['squawk binary'])} — ratio ${ratio(t.safesql, t['squawk binary'])}`);
    console.log(
      `postgres-language-server check (default reporter): ${ms(t['postgres-language-server'])} — safesql/postgres-language-server ${ratio(t.safesql, t['postgres-language-server'])} (goal < 1.0×)`,
    );
  }
}

function startUp(dir: string): void {
  const file = join(dir, 'one.sql');
  writeFileSync(file, 'DELETE FROM orders WHERE id = 1;\n');
  const grammar = join(dir, 'grammar-only.js');
  const floor = join(dir, 'floor.js');
  const instantiate = `require('v8').setFlagsFromString('--liftoff-only');\nrequire(${JSON.stringify(require.resolve('libpg-query'))}).loadModule().then(() => {});\n`;
  writeFileSync(grammar, instantiate);
  // What no lint can avoid, in one process: node, the CLI's bundle loaded (it prints its version),
  // and PostgreSQL's grammar instantiated as the CLI does it.
  writeFileSync(
    floor,
    `process.argv = [process.argv[0], ${JSON.stringify(BIN)}, '--version'];\nrequire(${JSON.stringify(BIN)});\n${instantiate}`,
  );
  const t = timeSideBySide({
    node: [process.execPath, ['-e', '0']],
    bundle: [process.execPath, [BIN, '--version']],
    grammar: [process.execPath, [grammar]],
    floor: [process.execPath, [floor]],
    lint: [process.execPath, [BIN, 'lint', file]],
  });
  console.log(`## start-up: one safesql lint process on a one-statement file, median of ${RUNS}`);
  console.log(
    `floor ${ms(t.floor)} (node alone ${ms(t.node)}, node + the CLI bundle ${ms(t.bundle)}, node + the grammar instantiated ${ms(t.grammar)}); safesql lint ${ms(t.lint)} = ${ratio(t.lint, t.floor)} the floor`,
  );
}

function cached(file: string, dir: string): void {
  const location = join(dir, 'lint-cache');
  const args = [BIN, 'lint', '--format', 'json', '--cache', '--cache-location', location, file];
  const times: { cold: number[]; warm: number[] } = { cold: [], warm: [] };
  for (let i = 0; i < RUNS; i++) {
    rmSync(location, { force: true });
    times.cold.push(timeOnce(process.execPath, args));
    times.warm.push(timeOnce(process.execPath, args));
  }
  console.log(`## --cache, the same file again: ${ms(median(times.warm))} (first run, writing it: ${ms(median(times.cold))})`);
}

/** Peak RSS (KB, the whole process with its worker threads) and wall time of one lint. */
function measured(file: string, format: string): { rssMb: number; seconds: number } {
  const start = process.hrtime.bigint();
  const run = spawnSync(process.execPath, ['--require', MAX_RSS, BIN, 'lint', '--format', format, file], {
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const kb = Number(/maxRSS (\d+)/.exec(run.stderr)?.[1] ?? NaN);
  return { rssMb: kb / 1024, seconds };
}

function large(dir: string): void {
  for (const mb of LARGE_MB) {
    const file = join(dir, `mixed-${mb}mb.sql`);
    if (!existsSync(file)) writeFileSync(file, generateSql(mb * 1e6).text);
    console.log(`## ${mb} MB file, peak RSS and time per format (goal ≤ 1024 MB in every format, time linear in size)`);
    for (const format of ['json', 'text', 'sarif', 'github']) {
      const { rssMb, seconds } = measured(file, format);
      console.log(`${format}: ${rssMb.toFixed(0)} MB peak RSS, ${seconds.toFixed(1)} s (${((seconds / mb) * 1000).toFixed(0)} ms/MB)`);
    }
  }
}

/** The parser decision, measured: speed per statement, and what each rejects of the corpus. */
async function parsers(text: string): Promise<void> {
  const astParser = installPgsqlAstParser();
  if (!astParser) {
    console.log('pgsql-ast-parser could not be installed from npm: no parser comparison');
    return;
  }
  await loadGrammar();
  const statementsOf = (sql: string): string[] => splitStatements(sql).statements.map((s) => sql.slice(s.start, s.end));
  const timed = (statements: string[], parse: (sql: string) => unknown): number => {
    const start = process.hrtime.bigint();
    for (const statement of statements) {
      try {
        parse(statement);
      } catch {
        // A rejection costs its time like an acceptance does.
      }
    }
    return Number(process.hrtime.bigint() - start) / 1e3 / statements.length;
  };
  // Enough statements for a steady figure: pgsql-ast-parser takes about a second and a half per thousand.
  const generated = statementsOf(text).slice(0, 2000);
  const ours = median(Array.from({ length: RUNS }, () => timed(generated, parseWithGrammar)));
  const theirs = median(Array.from({ length: RUNS }, () => timed(generated, astParser.parse)));
  console.log(`## parsers: the first ${generated.length} generated statements, median of ${RUNS}`);
  console.log(
    `libpg_query ${ours.toFixed(1)} µs/statement, pgsql-ast-parser ${theirs.toFixed(1)} µs/statement (${(theirs / ours).toFixed(1)}× slower)`,
  );

  const corpus = readdirSync(CORPUS)
    .filter((name) => name.endsWith('.sql'))
    .flatMap((name) => statementsOf(readFileSync(join(CORPUS, name), 'utf8')));
  const rejects = (parse: (sql: string) => unknown): Set<string> =>
    new Set(
      corpus.filter((statement) => {
        try {
          parse(statement);
          return false;
        } catch {
          return true;
        }
      }),
    );
  const byGrammar = new Set(corpus.filter((statement) => !parseWithGrammar(statement).ok));
  const byAstParser = rejects(astParser.parse);
  const onlyAstParser = [...byAstParser].filter((statement) => !byGrammar.has(statement)).length;
  console.log(
    `test/corpus, ${corpus.length} statements: libpg_query rejects ${byGrammar.size}, pgsql-ast-parser rejects ${byAstParser.size} (${onlyAstParser} of them valid PostgreSQL, accepted by libpg_query)`,
  );
}

async function main(): Promise<void> {
  const { text, statements } = generateSql(1_000_000);
  const dir = join(ROOT, '.bench');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'mixed-1mb.sql');
  writeFileSync(file, text);
  const megabytes = Buffer.byteLength(text) / 1e6;
  console.log(`# lint benchmark: ${megabytes.toFixed(2)} MB, ${statements} statements, median of ${RUNS} runs`);
  await inProcess(text, statements, megabytes);
  wholeRuns(file, megabytes);
  startUp(dir);
  cached(file, dir);
  large(dir);
  await parsers(text);
}

void main();
