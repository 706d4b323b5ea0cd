import { parseArgs, type ParseArgsConfig } from 'node:util';
import { resolve } from 'node:path';
import { InputError } from '../config/inputError';
import { commit } from '../exec/commit';
import { planConnection, withoutPassword } from '../exec/connection';
import { Journal, safesqlHome } from '../exec/journal';
import { preview, type ExecContext } from '../exec/preview';
import { commitUndo, previewUndo, undoPlan, undoRefusal } from '../exec/undo';
import { selectUnit, type UnitSelector } from '../exec/units';
import { analyzeDocument } from '../sql/analyze';
import { loadGrammar } from '../sql/grammar';
import { displayPath, readSqlFile } from './files';
import { errorLine, formatCommit, formatEntry, formatJournal, formatPreview } from './execReport';
import type { CommandIo } from './lint';

export { ExecError } from '../exec/errors';
export { InputError } from '../config/inputError';
import { PreviewStore, resolveTarget, TARGET_OPTIONS, TARGET_USAGE, urlWarning, type TargetValues } from './target';

export const PREVIEW_USAGE = `Usage: safesql preview FILE [--statement N | --line L] (--url URL | --connection NAME) [--format text|json]

Runs one statement (or one BEGIN … COMMIT block) of FILE inside a transaction that is always rolled
back, and shows what it would change: the row count, the rows before and after, the plan, who else is
using the database, and whether the change could be undone. Nothing is changed.

${TARGET_USAGE}

Exit codes: 0 previewed, 1 cannot be previewed, 2 error (bad input, connection, SQL error).`;

export const COMMIT_USAGE = `Usage: safesql commit FILE [--statement N | --line L] (--url URL | --connection NAME) --expect-rows K [--confirm NAME]

Runs a previewed statement again and commits it only if it changes exactly K rows — the number its
preview showed — on the same server, from the same text, within the preview's age limit. The rows
before the change and a reversal script go into the undo journal (safesql journal, safesql undo).

  --expect-rows K       the row count the preview showed (required)
  --confirm NAME        the connection's name, typed to confirm a commit on production
  --without-preview     run a statement that cannot be previewed (VACUUM, CREATE INDEX CONCURRENTLY, …)

${TARGET_USAGE}

Exit codes: 0 committed, 1 refused (nothing changed), 2 error (nothing changed).`;

export const UNDO_USAGE = `Usage: safesql undo [JOURNAL-ID] (--url URL | --connection NAME) [--commit --expect-rows K [--confirm NAME]]

Previews the reversal of a journal entry (the latest commit not yet undone, without an id). With
--commit, commits it through the same guard as any commit.

${TARGET_USAGE}

Exit codes: 0 previewed or undone, 1 refused (nothing changed), 2 error (nothing changed).`;

export const JOURNAL_USAGE = `Usage: safesql journal [JOURNAL-ID] [--format text|json]

Lists the undo journal (${'$'}SAFESQL_HOME/journal, default ~/.safesql/journal), or shows one entry with its
reversal script.`;

const UNIT_OPTIONS = {
  ...TARGET_OPTIONS,
  statement: { type: 'string' },
  line: { type: 'string' },
} as const;

type Options = NonNullable<ParseArgsConfig['options']>;

interface ParsedArgs {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

function parse(args: string[], options: Options, usage: string): ParsedArgs {
  try {
    const { values, positionals } = parseArgs({ args, options, allowPositionals: true, strict: true });
    return { values: values as ParsedArgs['values'], positionals };
  } catch (error) {
    throw new InputError(`${(error as Error).message}\n\n${usage}`);
  }
}

function positiveInteger(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new InputError(`${flag} must be a whole number ≥ 1, not "${value}"`);
  return Number(value);
}

function count(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new InputError(`${flag} must be a whole number of rows, not "${value}"`);
  return Number(value);
}

/** The file, the unit in it, and where to run it: everything preview and commit share. */
async function openUnit(args: string[], extra: Options, usage: string, io: CommandIo) {
  const { values, positionals } = parse(args, { ...UNIT_OPTIONS, ...extra }, usage);
  if (values.help) return { help: true as const };
  if (positionals.length !== 1) throw new InputError(`give exactly one FILE\n\n${usage}`);
  const file = resolve(io.cwd, positionals[0]!);
  const shownAs = displayPath(file, io.cwd);
  const selector: UnitSelector = {};
  const statement = positiveInteger(values.statement as string | undefined, '--statement');
  const line = positiveInteger(values.line as string | undefined, '--line');
  if (statement !== undefined && line !== undefined) throw new InputError('give either --statement or --line, not both');
  if (statement !== undefined) selector.statement = statement;
  if (line !== undefined) selector.line = line;
  const resolved = resolveTarget(values as TargetValues, io.cwd, file);
  const warning = urlWarning(values as TargetValues);
  if (warning) io.stderr(`safesql: warning: ${warning}\n`);
  await loadGrammar();
  const document = analyzeDocument(await readSqlFile(file, shownAs));
  const unit = selectUnit(document, selector, shownAs);
  const context: ExecContext = { target: resolved.target, settings: resolved.execution };
  return { help: false as const, values, positionals, shownAs, document, unit, context };
}

function target(values: Record<string, unknown>): string {
  if (values.connection) return `--connection ${shellWord(String(values.connection))}`;
  // Never repeat a password the user typed: the command is for copying, and may land in a log.
  return `--url ${shellWord(withoutPassword(String(values.url)))}${values.environment ? ` --environment ${values.environment}` : ''}`;
}

function shellWord(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

export async function previewCommand(args: string[], io: CommandIo): Promise<number> {
  const opened = await openUnit(args, {}, PREVIEW_USAGE, io);
  if (opened.help) {
    io.stdout(`${PREVIEW_USAGE}\n`);
    return 0;
  }
  const { values, shownAs, document, unit, context } = opened;
  const result = await preview(document, unit, context);
  await new PreviewStore().save(result);
  const statementNumber = unit.statements[0]?.index ?? unit.begin?.index ?? 0;
  const confirm = result.environment.environment === 'production' ? ` --confirm ${shellWord(result.connection.name)}` : '';
  const commitCommand = `safesql commit ${shellWord(shownAs)} --statement ${statementNumber + 1} ${target(values)} --expect-rows ${result.affectedRows}${confirm}`;
  if (values.format === 'json') io.stdout(`${JSON.stringify(result, null, 2)}\n`);
  else io.stdout(formatPreview(result, commitCommand));
  if (result.outcome === 'error') {
    io.stderr(`safesql: ${errorLine(result.error!, document, shownAs)}\n`);
    return 2;
  }
  return result.outcome === 'not-previewable' ? 1 : 0;
}

export async function commitCommand(args: string[], io: CommandIo): Promise<number> {
  const extra = { 'expect-rows': { type: 'string' }, confirm: { type: 'string' }, 'without-preview': { type: 'boolean' } } as const;
  const opened = await openUnit(args, extra, COMMIT_USAGE, io);
  if (opened.help) {
    io.stdout(`${COMMIT_USAGE}\n`);
    return 0;
  }
  const { values, shownAs, document, unit, context } = opened;
  const expectRows = count(values['expect-rows'] as string | undefined, '--expect-rows');
  const withoutPreview = Boolean(values['without-preview']);
  if (expectRows === undefined && !withoutPreview) {
    throw new InputError('--expect-rows K is required: the row count the preview showed (run safesql preview first)');
  }
  const { identity } = planConnection(context.target);
  const store = new PreviewStore();
  const previewed = await store.find(identity, unit.digest);
  if (!previewed) {
    throw new InputError(
      `${shownAs}: this statement has not been previewed on "${identity.name}" in its current form; run safesql preview first`,
    );
  }
  if (expectRows === undefined && previewed.outcome !== 'not-previewable') {
    throw new InputError('--expect-rows K is required: the row count the preview showed');
  }
  const result = await commit(
    document,
    unit,
    {
      preview: previewed,
      journal: Journal.inDirectory(safesqlHome()),
      source: resolve(io.cwd, shownAs),
      withoutPreview,
      ...(expectRows !== undefined ? { expectRows } : {}),
      ...(values.confirm !== undefined ? { confirmation: values.confirm as string } : {}),
    },
    context,
  );
  // One preview, one commit: committing again needs a new preview.
  if (result.outcome === 'committed') await store.forget(previewed);
  return reportCommit(result, values.format as string, io, document, shownAs);
}

function reportCommit(
  result: Awaited<ReturnType<typeof commit>>,
  format: string,
  io: CommandIo,
  document: Parameters<typeof errorLine>[1],
  shownAs: string,
): number {
  if (format === 'json') io.stdout(`${JSON.stringify(result, null, 2)}\n`);
  else io.stdout(formatCommit(result));
  if (result.outcome === 'error') {
    io.stderr(`safesql: ${result.error ? errorLine(result.error, document, shownAs) : result.reason}\n`);
    return 2;
  }
  return result.outcome === 'committed' ? 0 : 1;
}

export async function undoCommand(args: string[], io: CommandIo): Promise<number> {
  const extra = { commit: { type: 'boolean' }, 'expect-rows': { type: 'string' }, confirm: { type: 'string' } } as const;
  const { values, positionals } = parse(args, { ...TARGET_OPTIONS, ...extra }, UNDO_USAGE);
  if (values.help) {
    io.stdout(`${UNDO_USAGE}\n`);
    return 0;
  }
  if (positionals.length > 1) throw new InputError(`give at most one JOURNAL-ID\n\n${UNDO_USAGE}`);
  const journal = Journal.inDirectory(safesqlHome());
  const entry = await journal.find(positionals[0]);
  if (!entry) {
    throw new InputError(
      positionals[0] ? `no journal entry "${positionals[0]}" (safesql journal lists them)` : 'the journal holds no commit to undo',
    );
  }
  const refusal = undoRefusal(entry);
  if (refusal) throw new InputError(refusal);
  await loadGrammar();
  const resolved = resolveTarget(values as TargetValues, io.cwd);
  const context: ExecContext = { target: resolved.target, settings: resolved.execution };
  const plan = undoPlan(entry);
  const checked = await previewUndo(plan, context);
  const shownAs = `undo of ${entry.id}`;
  if (!values.commit) {
    const confirm =
      checked.preview.environment.environment === 'production' ? ` --confirm ${shellWord(checked.preview.connection.name)}` : '';
    const next = `safesql undo ${entry.id} ${target(values)} --commit --expect-rows ${checked.preview.affectedRows}${confirm}`;
    if (values.format === 'json') io.stdout(`${JSON.stringify({ ...checked.preview, mismatch: checked.mismatch }, null, 2)}\n`);
    else io.stdout(formatPreview(checked.preview, checked.mismatch ? undefined : next));
    if (checked.preview.outcome === 'error') {
      io.stderr(`safesql: ${errorLine(checked.preview.error!, plan.document, shownAs)}\n`);
      return 2;
    }
    if (checked.mismatch) {
      io.stderr(`safesql: ${checked.mismatch}\n`);
      return 1;
    }
    return 0;
  }
  const expectRows = count(values['expect-rows'] as string | undefined, '--expect-rows');
  if (expectRows === undefined) throw new InputError('--commit needs --expect-rows K: the row count the undo preview showed');
  const result = await commitUndo(
    plan,
    checked,
    {
      journal,
      expectRows,
      source: shownAs,
      ...(values.confirm !== undefined ? { confirmation: values.confirm as string } : {}),
    },
    context,
  );
  return reportCommit(result, values.format as string, io, plan.document, shownAs);
}

export async function journalCommand(args: string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parse(
    args,
    { format: { type: 'string', default: 'text' }, help: { type: 'boolean', short: 'h' } },
    JOURNAL_USAGE,
  );
  if (values.help) {
    io.stdout(`${JOURNAL_USAGE}\n`);
    return 0;
  }
  if (values.format !== 'text' && values.format !== 'json') throw new InputError(`--format must be text or json, not "${values.format}"`);
  const journal = Journal.inDirectory(safesqlHome());
  if (positionals.length > 1) throw new InputError(`give at most one JOURNAL-ID\n\n${JOURNAL_USAGE}`);
  if (positionals[0]) {
    const entry = await journal.find(positionals[0]);
    if (!entry) throw new InputError(`no journal entry "${positionals[0]}" (safesql journal lists them)`);
    io.stdout(values.format === 'json' ? `${JSON.stringify(entry, null, 2)}\n` : formatEntry(entry));
    return 0;
  }
  const entries = await journal.list();
  io.stdout(
    values.format === 'json'
      ? `${JSON.stringify(
          entries.map(({ images: _images, ...rest }) => rest),
          null,
          2,
        )}\n`
      : formatJournal(entries),
  );
  return 0;
}
