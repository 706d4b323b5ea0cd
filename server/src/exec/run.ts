import { ExecError } from './errors';
import {
  describeEffect,
  DIGEST_COLUMNS,
  digestFromColumns,
  digestOf,
  digestOfRows,
  effectsBetween,
  keptVersions,
  tableCounters,
  VERSIONS_KEPT,
  withoutHashes,
} from './guard';
import type { RowImage, StatementOutcome } from './results';
import type { Rows, Session } from './session';
import { captureFor, planStatement, versionsFor, writtenNames, type StatementPlan } from './statementPlan';
import { describeTable, type TableInfo } from './tables';
import type { Statement } from '../sql/statement';
import type { ExecutionUnit } from './units';

/** Everything a commit needs to write the journal: the full before- and after-images. */
export interface StatementCapture {
  outcome: StatementOutcome;
  plan: StatementPlan;
  table?: TableInfo;
  before?: (string | null)[][];
  after?: (string | null)[][];
}

export interface RunOptions {
  /** How many rows a preview keeps per image; a commit keeps them all (for the journal). */
  keepRows: number | 'all';
  explain: boolean;
  /** The transaction the unit must stay in (from `Session.begin`), checked after every statement. */
  transaction: string;
  /** Statements already applied by the engine's BEGIN (a block's leading SET TRANSACTION). */
  folded: ReadonlySet<Statement>;
  /** Digest the values of a preview's rows too, as a commit does (an undo's preview compares them). */
  values?: boolean;
}

/** A failure inside a unit, with the statement it came from. */
export class UnitError extends Error {
  constructor(
    readonly error: ExecError,
    readonly statementIndex: number,
  ) {
    super(error.message);
  }
}

/** The rows a unit changes: what a commit must change again (queries change none). */
export function changedRows(captures: StatementCapture[]): number {
  return captures.reduce((sum, c) => sum + (c.plan.mode === 'read' ? 0 : c.outcome.affectedRows), 0);
}

/**
 * Runs a unit's statements inside the caller's open transaction, capturing what each changes. The
 * caller decides whether the transaction ends in ROLLBACK (preview) or COMMIT (commit).
 */
export async function runUnit(session: Session, unit: ExecutionUnit, options: RunOptions): Promise<StatementCapture[]> {
  const captures: StatementCapture[] = [];
  // Tables the unit has written so far: their rows of this transaction have other versions at every run.
  const written = new Set<string>();
  for (const statement of unit.statements) {
    if (options.folded.has(statement)) continue;
    try {
      const plan = planStatement(statement);
      // The user's own SAVEPOINT, RELEASE and ROLLBACK TO would release or discard safesql's savepoint.
      const guarded = statement.kind !== 'transaction';
      const capture = await runStatement(session, statement.text, statement.index + 1, plan, guarded, { ...options, written });
      captures.push(capture);
      for (const effect of capture.outcome.effects ?? []) if (effect.inserted || effect.updated) written.add(effect.table);
      await session.assertSameTransaction(options.transaction, statement.index + 1);
    } catch (error) {
      if (error instanceof ExecError) throw new UnitError(error, statement.index);
      throw error;
    }
  }
  return captures;
}

/**
 * Runs the statement's final attempt between two readings of the transaction's row counters, so
 * that its outcome says how many rows every table changed (cascades, triggers and rules included).
 */
async function counted<T>(session: Session, outcome: StatementOutcome, run: () => Promise<T>): Promise<T> {
  const before = await tableCounters(session);
  const result = await run();
  outcome.effects = effectsBetween(before, await tableCounters(session));
  return result;
}

/** The tables a statement changed besides its own target, in one note. */
function noteEffects(outcome: StatementOutcome, target: string | undefined): void {
  const others = (outcome.effects ?? []).filter((e) => e.table !== target);
  if (others.length > 0) outcome.notes.push(`also ${others.map(describeEffect).join(', ')} (cascades, triggers or rules)`);
}

/** RunOptions, and the tables the unit wrote before this statement. */
type StatementOptions = RunOptions & { written: ReadonlySet<string> };

async function runStatement(
  session: Session,
  text: string,
  number: number,
  plan: StatementPlan,
  guarded: boolean,
  options: StatementOptions,
): Promise<StatementCapture> {
  const outcome: StatementOutcome = { statement: number, command: '', mode: plan.mode, affectedRows: 0, notes: [] };
  if (plan.mode === 'refused') throw new ExecError('statement', plan.reason);
  if (!guarded) {
    await counted(session, outcome, async () => record(await session.run(text), outcome));
    noteEffects(outcome, undefined);
    return { outcome, plan };
  }
  // Each statement gets a savepoint, so that safesql's own extras (EXPLAIN, the capture) can fail
  // without aborting the transaction: the statement then runs exactly as written.
  await session.savepoint();
  if (options.explain && plan.mode !== 'other') {
    try {
      outcome.plan = (await session.run(`EXPLAIN ${text}`)).rows.map((row) => row[0] ?? '');
    } catch {
      await session.rollbackToSavepoint();
    }
  }
  const capture: StatementCapture = { outcome, plan };
  switch (plan.mode) {
    case 'read':
      await runRead(session, text, plan.cursor, options, outcome);
      break;
    case 'rows':
      await runRowChange(session, text, plan, options, capture);
      break;
    case 'truncate':
      await runTruncate(session, text, plan, outcome);
      break;
    case 'count':
      await counted(session, outcome, async () => record(await session.run(text), outcome));
      outcome.notes.push(plan.note);
      break;
    case 'other':
      await counted(session, outcome, async () => record(await session.run(text), outcome));
      break;
  }
  await session.releaseSavepoint();
  noteEffects(outcome, capture.table?.qualified);
  return capture;
}

function record(result: Rows, outcome: StatementOutcome): void {
  outcome.command = result.command ?? '';
  outcome.affectedRows = result.rowCount;
}

async function runTruncate(
  session: Session,
  text: string,
  plan: Extract<StatementPlan, { mode: 'truncate' }>,
  outcome: StatementOutcome,
): Promise<void> {
  outcome.table = plan.tables.map((t) => t.shownAs).join(', ');
  let removed: number | undefined = 0;
  try {
    for (const table of plan.tables) removed += Number((await session.run(`SELECT count(*) FROM ${table.sql}`)).rows[0]![0]);
  } catch {
    // The TRUNCATE itself reports what is wrong (a missing table, a permission).
    await session.rollbackToSavepoint();
    removed = undefined;
  }
  await counted(session, outcome, async () => record(await session.run(text), outcome));
  if (removed !== undefined) outcome.affectedRows = removed;
  outcome.notes.push(`removes every row of ${outcome.table}; a TRUNCATE cannot be undone from the journal`);
}

async function runRead(session: Session, text: string, cursor: boolean, options: RunOptions, outcome: StatementOutcome): Promise<void> {
  const limit = options.keepRows === 'all' ? 'ALL' : String(options.keepRows);
  // A query can write through the functions it calls: counted like any statement, so a commit sees it.
  await counted(session, outcome, async () => {
    if (!cursor) {
      const result = await session.run(text);
      outcome.command = result.command;
      outcome.affectedRows = result.rows.length;
      outcome.rows = image(result, result.rows, options.keepRows);
      return;
    }
    // Only the shown rows travel; MOVE counts the rest on the server.
    const declare = 'DECLARE __safesql_read NO SCROLL CURSOR FOR ';
    await session.run(`${declare}${text}`).catch((error: unknown) => {
      // PostgreSQL points into the DECLARE; point into the statement instead.
      if (error instanceof ExecError && error.details.position) error.details.position -= declare.length;
      throw error;
    });
    const shown = await session.run(`FETCH ${limit} FROM __safesql_read`);
    const rest = await session.run('MOVE FORWARD ALL IN __safesql_read');
    await session.run('CLOSE __safesql_read');
    outcome.command = 'SELECT';
    outcome.affectedRows = shown.rows.length + rest.rowCount;
    outcome.rows = { columns: shown.fields.map((f) => f.name), rows: shown.rows, total: outcome.affectedRows };
  });
}

async function runRowChange(
  session: Session,
  text: string,
  plan: Extract<StatementPlan, { mode: 'rows' }>,
  options: StatementOptions,
  capture: StatementCapture,
): Promise<void> {
  const { outcome } = capture;
  outcome.table = plan.table.shownAs;
  if (plan.note) outcome.notes.push(plan.note);
  const table = await describeTable(session, plan.table);
  if (table?.kind === 'f') {
    // Whether the foreign server rolls back with this transaction depends on its wrapper.
    throw new ExecError(
      'statement',
      `${table.qualified} is a foreign table, and whether its server takes the change back with this transaction's rollback depends on its foreign-data wrapper`,
    );
  }
  if (!table || (table.kind !== 'r' && table.kind !== 'p')) {
    await counted(session, outcome, async () => record(await session.run(text), outcome));
    outcome.notes.push(`${plan.table.shownAs} is not a table, so the rows it changes are counted but not shown`);
    return;
  }
  capture.table = table;
  if (table.triggers.length > 0) {
    outcome.notes.push(
      `triggers fire on ${table.qualified} (${table.triggers.join(', ')}): the rows they change are counted per table, but an undo would not reverse them`,
    );
  }
  const columns = table.columns.map((c) => c.name);
  const hashing = { ownRows: options.written.has(table.qualified), tidHash: session.server.versionNumber >= 140000 };
  if (options.keepRows !== 'all' && !options.values && plan.sample) {
    const versions = versionsFor(plan, hashing);
    if (versions && (await previewDelete(session, text, plan.sample, versions, options.keepRows, table, outcome))) return;
  }
  const width = table.columns.length;
  const statement = captureFor(plan, {
    images: true,
    columns: table.columns,
    values: options.keepRows === 'all' || Boolean(options.values),
    versions: hashing,
    written: writtenNames(plan.written, columns),
  });
  let result: Rows;
  try {
    result = await counted(session, outcome, () =>
      options.keepRows === 'all'
        ? session.run(statement)
        : session.run(
            `WITH __safesql_changed AS (${statement}) SELECT __safesql_digest.*, shown.* FROM ${digestOf('__safesql_changed')} LEFT JOIN (SELECT * FROM __safesql_changed LIMIT ${options.keepRows}) AS shown ON true`,
          ),
    );
  } catch (error) {
    // A cancel or a time limit stops the statement itself: never run it again.
    if (error instanceof ExecError && error.kind !== 'statement') throw error;
    // Otherwise either the statement itself fails (its own error is then the one to report) or
    // the capture does not suit it; either way, run it exactly as written.
    await session.rollbackToSavepoint();
    await counted(session, outcome, async () => record(await session.run(text), outcome));
    outcome.notes.push(`its rows could not be captured (${(error as Error).message}), so they are counted but not shown`);
    capture.table = undefined;
    return;
  }
  let rows = result.rows;
  if (options.keepRows === 'all') {
    outcome.affectedRows = result.rowCount;
    outcome.digest = digestOfRows(rows);
    rows = rows.map(withoutHashes);
  } else {
    outcome.digest = digestFromColumns(rows[0]!.slice(0, DIGEST_COLUMNS));
    outcome.affectedRows = outcome.digest.rows;
    rows = outcome.affectedRows === 0 ? [] : rows.map((row) => withoutHashes(row.slice(DIGEST_COLUMNS)));
  }
  outcome.command = plan.command.toUpperCase();
  const keep = (image: (string | null)[][]) => (options.keepRows === 'all' ? image : image.slice(0, options.keepRows));
  if (plan.command === 'update') {
    capture.before = rows.map((row) => row.slice(0, width));
    capture.after = rows.map((row) => row.slice(width));
    outcome.before = { columns, rows: keep(capture.before), total: outcome.affectedRows };
    outcome.after = { columns, rows: keep(capture.after), total: outcome.affectedRows };
  } else if (plan.command === 'delete') {
    capture.before = rows;
    outcome.before = { columns, rows: keep(rows), total: outcome.affectedRows };
  } else {
    capture.after = rows;
    outcome.after = { columns, rows: keep(rows), total: outcome.affectedRows };
  }
}

/**
 * A DELETE's preview: the first rows it removes and the versions of all of them, from queries,
 * then the statement bare, which counts them. Returns false (having undone its attempt) when the
 * queries fail or do not see the rows the DELETE removes (a join that repeats them), for the
 * general capture to try.
 */
async function previewDelete(
  session: Session,
  text: string,
  sample: string,
  versions: string,
  keep: number,
  table: TableInfo,
  outcome: StatementOutcome,
): Promise<boolean> {
  try {
    const shown = await session.run(`${sample} LIMIT ${keep}`);
    const [digest] = (await session.run(`SELECT * FROM ${digestOf(`(${versions}) AS __safesql_versions`, 'not listed')}`)).rows;
    if (Number(digest![0]) <= VERSIONS_KEPT) digest![DIGEST_COLUMNS - 1] = (await session.run(keptVersions(versions))).rows[0]![0] ?? '';
    await counted(session, outcome, async () => record(await session.run(text), outcome));
    outcome.digest = digestFromColumns(digest!);
    if (outcome.digest.rows === outcome.affectedRows) {
      outcome.before = {
        columns: table.columns.map((c) => c.name),
        rows: shown.rows.slice(0, outcome.affectedRows),
        total: outcome.affectedRows,
      };
      return true;
    }
  } catch (error) {
    if (error instanceof ExecError && error.kind !== 'statement') throw error;
  }
  await session.rollbackToSavepoint();
  delete outcome.digest;
  delete outcome.effects;
  return false;
}

function image(result: Rows, rows: (string | null)[][], keep: number | 'all'): RowImage {
  return { columns: result.fields.map((f) => f.name), rows: keep === 'all' ? rows : rows.slice(0, keep), total: rows.length };
}
