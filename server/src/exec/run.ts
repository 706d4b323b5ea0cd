import { escapeIdentifier } from 'pg';
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
  writtenByThisTransaction,
  type VersionHashing,
} from './guard';
import { groupsQuery, groupTotals, provenanceOf, smallGroupRowsQuery, type Provenance } from './provenance';
import type { RowImage, StatementOutcome } from './results';
import type { Rows, Session } from './session';
import {
  captureFor,
  deletedVersionsText,
  imageOf,
  planStatement,
  sampleFor,
  versionsFor,
  writtenDigestText,
  writtenNames,
  type StatementPlan,
} from './statementPlan';
import type { SnapshotReader } from './snapshotReader';
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
  /** A second session for the reads a preview's first statement needs of the rows before it (see `readsRowsApart`). */
  reader?: SnapshotReader;
  /**
   * False when the unit calls volatile functions: a query over the rows then need not see the ones
   * the statement changes (random(), clock_timestamp() answer anew), so the statement captures them itself.
   */
  readsApart?: boolean;
  /**
   * The preview's cancel: it stops the statement on the session, but while only the reader still
   * reads beside a finished statement there is no statement to stop, so the wait checks it too.
   */
  signal?: AbortSignal;
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
      // Only the first statement: a later one would see this transaction's own rows, which the reader does not.
      const reader = captures.length === 0 ? options.reader : undefined;
      const capture = await runStatement(session, statement.text, statement.index + 1, plan, guarded, { ...options, written, reader });
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

/** The reader, and the snapshot of the transaction it is to read at. */
interface Beside {
  reader: SnapshotReader;
  snapshot: { id: string; visible: string };
  options: Pick<RunOptions, 'signal'>;
}

/** Whether a preview reads the rows a statement changes apart from it (beside it, or before it): a DELETE's or UPDATE's first rows and versions. */
export function readsRowsApart(
  plan: StatementPlan,
  options: { keepRows: number | 'all'; values?: boolean; readsApart?: boolean },
): boolean {
  return plan.mode === 'rows' && plan.readable && options.keepRows !== 'all' && !options.values && options.readsApart !== false;
}

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
  // A snapshot cannot be exported inside a savepoint, so it is taken now, for the reads beside the statement.
  const beside =
    options.reader && readsRowsApart(plan, options)
      ? { reader: options.reader, snapshot: await session.exportSnapshot(), options }
      : undefined;
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
      await runRowChange(session, text, plan, { ...options, beside }, capture);
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
  options: StatementOptions & { beside?: Beside },
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
  outcome.target = table.qualified;
  if (table.triggers.length > 0) {
    outcome.notes.push(
      `triggers fire on ${table.qualified} (${table.triggers.join(', ')}): the rows they change are counted per table, but an undo would not reverse them`,
    );
  }
  const columns = table.columns.map((c) => c.name);
  const hashing = { ownRows: options.written.has(table.qualified), tidHash: session.server.versionNumber >= 140000 };
  if (options.keepRows !== 'all' && readsRowsApart(plan, options)) {
    const change = changeFor(plan, table, hashing, options.beside);
    const versions = versionsFor(plan, hashing);
    const sample = sampleFor(plan, table.columns);
    const sampleWithWriter = sampleFor(plan, table.columns, true);
    const reads = versions && sample && sampleWithWriter && { sample, sampleWithWriter, versions, keep: options.keepRows };
    if (change && reads && (await previewFromReads(session, change, reads, table, capture, options.beside))) return;
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

/** What a preview reads of the rows a statement changes, as they are before it: queries over them (see `sampleFor`, `versionsFor`). */
interface Reads {
  sample: string;
  /** The sample's rows with their writers, for the rows of the smaller groups of origin. */
  sampleWithWriter: string;
  versions: string;
  keep: number;
}

/** The rows a statement changes as they are before it: the first ones to show, the digest of all their versions, where they came from. */
interface RowsBefore {
  shown: Rows;
  digest: (string | null)[];
  provenance?: Provenance;
}

/**
 * How a statement whose rows are read apart from it runs: a DELETE bare when its rows depend on the
 * data alone (checked by the snapshot, see `quietFrom`), else returning the versions it removes; an
 * UPDATE returning only the digest of the values it writes, its rows after it found again by primary
 * key. Undefined when an UPDATE's rows cannot be found that way: no primary key, a SET that assigns
 * one of its columns, or triggers, which may change any column (the general capture then pairs the
 * rows by place).
 */
interface Change {
  command: 'delete' | 'update';
  text: string;
  /**
   * What `text` returns besides PostgreSQL's row count: nothing (it runs bare), or one row of the
   * count and the sum of the hashes of the values it writes (`writtenDigestText`) or of the versions
   * it removes (`deletedVersionsText`).
   */
  returns: 'count' | 'written' | 'versions';
  /**
   * DELETE, bare: its rows depend on the data alone, so the reader beside it, at the snapshot
   * `quietFrom` (`xmin:xmax:xip`), saw exactly them unless another transaction ended meanwhile — a
   * commit in between can add, remove or change rows, or end a lock the statement waited for. The
   * snapshot after it tells: any transaction that ends moves it. If one did, `otherwise` runs instead.
   */
  quietFrom?: string;
  otherwise?: Change;
}

function changeFor(
  plan: Extract<StatementPlan, { mode: 'rows' }>,
  table: TableInfo,
  hashing: VersionHashing,
  beside: Beside | undefined,
): Change | undefined {
  const { text } = plan;
  if (plan.command === 'delete') {
    if (beside && plan.dataOnly && !table.rewritten && table.triggers.length === 0) {
      const otherwise = verifiedDelete(plan, hashing);
      return otherwise && { command: 'delete', text, returns: 'count', quietFrom: beside.snapshot.visible, otherwise };
    }
    return verifiedDelete(plan, hashing);
  }
  if (plan.command !== 'update' || table.primaryKey.length === 0 || table.triggers.length > 0) return undefined;
  if (plan.assigned.some((column) => table.primaryKey.includes(column))) return undefined;
  const written = writtenNames(
    plan.written,
    table.columns.map((c) => c.name),
  );
  if (written.length === 0) return { command: 'update', text, returns: 'count' };
  const digesting = writtenDigestText(plan, written);
  return digesting ? { command: 'update', text: digesting, returns: 'written' } : undefined;
}

function verifiedDelete(plan: Extract<StatementPlan, { mode: 'rows' }>, hashing: VersionHashing): Change | undefined {
  const counting = deletedVersionsText(plan, hashing);
  return counting ? { command: 'delete', text: counting, returns: 'versions' } : undefined;
}

async function rowsBefore(run: (text: string) => Promise<Rows>, reads: Reads): Promise<RowsBefore> {
  const shown = await run(`${reads.sample} LIMIT ${reads.keep}`);
  // One pass gives both the digest and the groups of origin.
  const groups = await run(groupsQuery(reads.versions));
  const { rows, versions } = groupTotals(groups);
  const digest: (string | null)[] = [String(rows), versions, null, null, null, null];
  if (rows <= VERSIONS_KEPT) digest[DIGEST_COLUMNS - 1] = (await run(keptVersions(reads.versions))).rows[0]![0] ?? '';
  const largest = groups.rows[0]?.[0];
  const smaller = groups.rows.length > 1 ? await run(smallGroupRowsQuery(reads.sampleWithWriter, largest!, reads.keep)) : undefined;
  const provenance = provenanceOf(groups, smaller);
  return { shown, digest, ...(provenance ? { provenance } : {}) };
}

/**
 * A DELETE's or UPDATE's preview from queries over its rows (the first ones, and the versions of
 * all of them) and the statement run without capturing them, which counts them; with a reader, the
 * queries run beside the statement, at the snapshot it starts from. Returns false (having undone its
 * attempt) when the queries fail or do not see the rows the statement changes (a join that repeats
 * them), or an UPDATE's rows are not found again after it, for the general capture to try.
 */
async function previewFromReads(
  session: Session,
  change: Change,
  reads: Reads,
  table: TableInfo,
  capture: StatementCapture,
  beside: Beside | undefined,
): Promise<boolean> {
  const { outcome } = capture;
  let written = '0';
  let removed: string | undefined;
  const runChange = (how: Change) =>
    counted(session, outcome, async () => {
      const result = await session.run(how.text);
      record(result, outcome);
      if (how.returns === 'count') return;
      const [rows, sum] = result.rows[0]!;
      outcome.affectedRows = Number(rows);
      if (how.returns === 'written') written = sum ?? '0';
      else removed = sum ?? '0';
    });
  try {
    let before = beside ? await readWhileChanging(session, beside, reads, outcome, () => runChange(change)) : undefined;
    if (!before) {
      // Read in the transaction after all (the reader failed): a bare DELETE after them would go unchecked.
      before = await rowsBefore((query) => session.run(query), reads);
      await runChange(change.otherwise ?? change);
    } else if (change.otherwise && (await session.currentSnapshot()) !== change.quietFrom) {
      // Another transaction ended while the DELETE ran: it runs again, saying which versions it removes.
      await session.rollbackToSavepoint();
      delete outcome.effects;
      await runChange(change.otherwise);
    }
    outcome.command = change.command.toUpperCase();
    outcome.digest = { ...digestFromColumns(before.digest), written };
    if (before.provenance) outcome.provenance = before.provenance;
    // The reads stand for the statement only if they saw the rows it changed: a DELETE says which
    // versions it removed; an UPDATE's rows shown must be ones it wrote (see `rowsAgain`).
    if (outcome.digest.rows === outcome.affectedRows && (removed === undefined || removed === outcome.digest.versions)) {
      const columns = table.columns.map((c) => c.name);
      const shown = before.shown.rows.slice(0, outcome.affectedRows);
      outcome.before = { columns, rows: shown, total: outcome.affectedRows };
      if (change.command === 'delete') return true;
      // A cascade back into the table (a foreign key to itself) could move other rows onto the keys shown.
      const own = outcome.effects?.find((effect) => effect.table === table.qualified);
      const alone = !own || (own.updated === outcome.affectedRows && own.inserted === 0 && own.deleted === 0);
      const after = alone ? await rowsAgain(session, table, shown) : undefined;
      if (after) {
        outcome.after = { columns, rows: after, total: outcome.affectedRows };
        return true;
      }
    }
  } catch (error) {
    if (error instanceof ExecError && error.kind !== 'statement') throw error;
  }
  await session.rollbackToSavepoint();
  for (const key of ['digest', 'effects', 'before', 'after', 'provenance'] as const) delete outcome[key];
  return false;
}

/**
 * The statement, and its reads on the reader at the same time. The statement's failure is the one
 * that counts (the reader is then stopped); if only the reader fails, the statement is undone and
 * undefined returned, for the reads to run in the transaction before it.
 */
async function readWhileChanging(
  session: Session,
  { reader, snapshot, options }: Beside,
  reads: Reads,
  outcome: StatementOutcome,
  run: () => Promise<void>,
): Promise<RowsBefore | undefined> {
  // Settled at once: the reads may fail while the statement still runs, which is not an unhandled rejection.
  const reading = reader.read(snapshot.id, (query) => rowsBefore(query, reads)).catch(() => undefined);
  try {
    await run();
  } catch (error) {
    reader.destroy();
    await reading;
    throw error;
  }
  const before = await reading;
  // A cancel while only the reader read (which the preview then stopped) ends the preview, as it would the statement.
  if (options.signal?.aborted) throw new ExecError('cancelled', 'cancelled');
  if (!before) {
    await session.rollbackToSavepoint();
    delete outcome.effects;
  }
  return before;
}

/**
 * The rows `shown` (as they were before an UPDATE) as they are after it, found by primary key, in
 * the same order; undefined unless every one is found exactly once.
 */
async function rowsAgain(session: Session, table: TableInfo, shown: (string | null)[][]): Promise<(string | null)[][] | undefined> {
  if (shown.length === 0) return [];
  const positions = table.primaryKey.map((key) => table.columns.findIndex((c) => c.name === key));
  if (positions.some((p) => p < 0)) return undefined;
  const keys = positions.map((p) => shown.map((row) => row[p] ?? null));
  const join = positions.map((p, i) => `t.${escapeIdentifier(table.columns[p]!.name)} = k.k${i}::${table.columns[p]!.type}`).join(' AND ');
  const unnest = keys.map((_, i) => `$${i + 1}::pg_catalog.text[]`).join(', ');
  const names = keys.map((_, i) => `k${i}`).join(', ');
  const { rows } = await session.run(
    `SELECT k.n, (${writtenByThisTransaction('t.xmin')})::pg_catalog.text, ${imageOf('t', table)} FROM pg_catalog.unnest(${unnest}) WITH ORDINALITY AS k(${names}, n) JOIN ${table.qualified} AS t ON ${join} ORDER BY k.n`,
    keys,
  );
  // Every row found must be one the statement wrote (the unit's first statement: nothing else of this transaction's is there).
  if (rows.length !== shown.length || rows.some((row, i) => Number(row[0]) !== i + 1 || row[1] !== 'true')) return undefined;
  return rows.map((row) => row.slice(2));
}

function image(result: Rows, rows: (string | null)[][], keep: number | 'all'): RowImage {
  return { columns: result.fields.map((f) => f.name), rows: keep === 'all' ? rows : rows.slice(0, keep), total: rows.length };
}
