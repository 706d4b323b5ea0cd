import { stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { DEFAULT_SETTINGS, type LintSettings } from '../config/settings';
import { lintDocument } from '../rules/lint';
import { loadGrammar } from '../sql/grammar';
import { LineIndex } from '../sql/lineIndex';
import { InputError } from '../config/inputError';
import { analyzeForLint } from './analyzer';
import { currentBuild, DEFAULT_CACHE_LOCATION, LintCache } from './cache';
import { FactsPool } from './factsPool';
import { displayPath, expandPaths, readSqlFile } from './files';
import { githubReporter } from './reporters/github';
import { jsonReporter } from './reporters/json';
import type { Reporter } from './reporters/reporter';
import { sarifReporter } from './reporters/sarif';
import { textReporter } from './reporters/text';
import type { FileResult } from './results';
import { loadSettingsFile, SettingsLocator, type LoadedSettings } from '../config/settingsFile';

export const LINT_SYNOPSIS = `safesql lint [paths or globs…] [--format text|json|sarif|github] [--config FILE]
             [--cache] [--cache-location FILE] [--concurrency auto|off|N]`;

export const LINT_USAGE = `Usage: ${LINT_SYNOPSIS.replace(/\n/g, '\n       ')}

Checks SQL files for statements that could destroy data. A directory means every .sql file in it;
no path means the current directory. Severities come from "safesql.rules" in the nearest
.vscode/settings.json (or --config FILE).

Options:
  -f, --format FORMAT      text (default), json, sarif or github; findings are written as they are found
  -c, --config FILE        settings to use for every file instead of the nearest .vscode/settings.json
  --cache                  reuse the findings of files unchanged since the last run (same safesql,
                           same settings, same content)
  --cache-location FILE    where --cache keeps them (default ${DEFAULT_CACHE_LOCATION} in the current directory)
  --concurrency VALUE      worker threads reading SQL: auto (default: one per spare CPU when there is
                           enough SQL to share), off, or a number of threads

Exit codes: 0 no error-severity finding, 1 at least one, 2 usage error or unreadable input.`;

const FORMATS = ['text', 'json', 'sarif', 'github'] as const;
type Format = (typeof FORMATS)[number];

export interface CommandIo {
  cwd: string;
  stdout: (text: string) => void;
  /** Resolves once the reader has taken what was written, so output never piles up in memory. */
  drain?: () => Promise<void>;
  stderr: (text: string) => void;
  color: boolean;
}

/** Below this much SQL in all, starting worker threads costs more than it saves. */
const PARALLEL_MIN_BYTES = 512 * 1024;
/** How much SQL is read ahead of the file being reported, so the pool always has work. */
const READ_AHEAD_BYTES = 8 * 1024 * 1024;
/** Output is handed to stdout in pieces of about this size. */
const OUTPUT_CHUNK_CHARS = 64 * 1024;

type Outcome = { result: FileResult } | { problem: string };

export async function lintCommand(args: string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseLintArgs(args);
  if (values.help) {
    io.stdout(`${LINT_USAGE}\n`);
    return 0;
  }
  const format = values.format as Format;
  const threads = concurrency(values.concurrency!);
  if (values['cache-location'] !== undefined && !values.cache)
    throw new InputError(`--cache-location is where --cache keeps its findings: add --cache\n\n${LINT_USAGE}`);
  const explicit = values.config ? loadSettingsFile(values.config, values.config) : undefined;
  const files = await expandPaths(positionals, io.cwd);
  const sizes = await Promise.all(
    files.map((file) =>
      stat(file).then(
        (s) => s.size,
        () => 0,
      ),
    ),
  );
  const totalBytes = sizes.reduce((sum, size) => sum + size, 0);
  // Compiling all of PostgreSQL's grammar with V8's optimising tier as well costs a lint a good
  // part of its start-up, and measured on 1 and 5 MB files its faster code saves no more than that.
  setFlagsFromString('--liftoff-only');
  await loadGrammar();

  const warned = new Set<string>();
  const warn = (warning: string): void => {
    if (!warned.has(warning)) io.stderr(`safesql: warning: ${warning}\n`);
    warned.add(warning);
  };
  for (const warning of explicit?.warnings ?? []) warn(warning);
  const locator = new SettingsLocator();
  const settingsByFile = new Map<string, LoadedSettings>();
  const settingsFor = (file: string): LintSettings => {
    if (explicit) return explicit.settings;
    const path = locator.find(file);
    if (!path) return DEFAULT_SETTINGS;
    let loaded = settingsByFile.get(path);
    if (!loaded) {
      loaded = loadSettingsFile(path, displayPath(path, io.cwd));
      settingsByFile.set(path, loaded);
      for (const warning of loaded.warnings) warn(warning);
    }
    return loaded.settings;
  };

  const cache = values.cache
    ? LintCache.open(resolve(io.cwd, values['cache-location'] ?? DEFAULT_CACHE_LOCATION), currentBuild(join(__dirname, 'cli.js')), warn)
    : undefined;
  const workers =
    threads > 1 && totalBytes >= PARALLEL_MIN_BYTES && FactsPool.canStart()
      ? Math.min(threads - 1, Math.ceil(totalBytes / PARALLEL_MIN_BYTES))
      : 0;
  // Started at the first file that must be read: a run the cache answers needs no threads.
  let pool: FactsPool | undefined;
  const poolForReading = (): FactsPool | undefined => (workers > 0 ? (pool ??= new FactsPool(workers)) : undefined);

  const lintFile = async (file: string): Promise<Outcome> => {
    const shownAs = displayPath(file, io.cwd);
    try {
      const settings = settingsFor(file);
      const text = await readSqlFile(file, shownAs);
      const key = cache?.key(text, settings);
      const cached = key === undefined ? undefined : cache!.get(file, key);
      if (cached) return { result: { file: shownAs, lines: new LineIndex(text), ...cached } };
      const document = await analyzeForLint(text, poolForReading());
      const findings = lintDocument(document, { settings });
      if (key !== undefined) cache!.set(file, key, { statementCount: document.statements.length, findings });
      return { result: { file: shownAs, lines: document.lines, statementCount: document.statements.length, findings } };
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      return { problem: error.message };
    }
  };

  const output = new Output(io);
  const reporter = reporterFor(format, io.color);
  let errors = false;
  let problems = 0;
  try {
    await output.write(reporter.start());
    // Files are linted ahead of the one being reported, as far as READ_AHEAD_BYTES allows (always
    // at least one), so the pool is never idle while the main thread writes.
    const pending: { outcome: Promise<Outcome>; bytes: number }[] = [];
    let next = 0;
    let aheadBytes = 0;
    for (let reported = 0; reported < files.length; reported++) {
      while (next < files.length && (pending.length === 0 || (workers > 0 && aheadBytes + sizes[next]! <= READ_AHEAD_BYTES))) {
        const outcome = lintFile(files[next]!);
        // Settled here so a failure waits for its turn instead of surfacing as unhandled.
        outcome.catch(() => undefined);
        pending.push({ outcome, bytes: sizes[next]! });
        aheadBytes += sizes[next++]!;
      }
      const { outcome, bytes } = pending.shift()!;
      aheadBytes -= bytes;
      const done = await outcome;
      if ('problem' in done) {
        io.stderr(`safesql: ${done.problem}\n`);
        problems++;
        continue;
      }
      errors ||= done.result.findings.some((f) => f.severity === 'error');
      for (const piece of reporter.file(done.result)) await output.write(piece);
    }
    await output.write(reporter.end());
    await output.flush();
  } finally {
    await pool?.close();
  }
  if (cache) {
    try {
      cache.save();
    } catch (error) {
      warn(
        `cannot write the cache (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); the next run lints everything again`,
      );
    }
  }
  if (problems > 0) return 2;
  return errors ? 1 : 0;
}

/** Gathers small writes into larger pieces, and waits for the reader whenever a piece goes out. */
class Output {
  private buffered: string[] = [];
  private length = 0;

  constructor(private readonly io: CommandIo) {}

  write(text: string): Promise<void> | undefined {
    if (!text) return undefined;
    this.buffered.push(text);
    this.length += text.length;
    return this.length >= OUTPUT_CHUNK_CHARS ? this.flush() : undefined;
  }

  async flush(): Promise<void> {
    if (this.length > 0) this.io.stdout(this.buffered.join(''));
    this.buffered = [];
    this.length = 0;
    await this.io.drain?.();
  }
}

function reporterFor(format: Format, color: boolean): Reporter {
  switch (format) {
    case 'json':
      return jsonReporter();
    case 'sarif':
      return sarifReporter();
    case 'github':
      return githubReporter();
    default:
      return textReporter({ color });
  }
}

/** `--concurrency`: how many threads read SQL, the main thread included. */
function concurrency(value: string): number {
  if (value === 'auto') return availableParallelism();
  if (value === 'off') return 1;
  if (/^\d+$/.test(value) && Number(value) >= 1) return Number(value);
  throw new InputError(`--concurrency must be auto, off or a number of threads (1 or more), not "${value}"\n\n${LINT_USAGE}`);
}

function parseLintArgs(args: string[]) {
  try {
    const parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        format: { type: 'string', short: 'f', default: 'text' },
        config: { type: 'string', short: 'c' },
        cache: { type: 'boolean' },
        'cache-location': { type: 'string' },
        concurrency: { type: 'string', default: 'auto' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (!(FORMATS as readonly string[]).includes(parsed.values.format!)) {
      throw new InputError(`--format must be one of ${FORMATS.join(', ')}, not "${parsed.values.format}"`);
    }
    return parsed;
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(`${(error as Error).message.replace(/\. To specify a positional.*$/, '')}\n\n${LINT_USAGE}`);
  }
}
