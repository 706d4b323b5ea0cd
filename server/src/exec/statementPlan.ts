import { escapeIdentifier } from 'pg';
import { parseWithGrammar } from '../sql/grammar';
import { list, unwrap, type Fields } from '../sql/parseTree';
import { tokenize } from '../sql/lexer';
import { previewRefusal } from '../sql/outsideEffects';
import type { Statement } from '../sql/statement';
import { AFTER_HASH, BEFORE_HASH, valueHash, VERSION_HASH, versionHash, WRITTEN_HASH, type VersionHashing } from './guard';
import { XMIN_COLUMN } from './provenance';
import { transactionControlRefusal } from './transactionControl';

/** The table a DELETE, UPDATE or INSERT changes, as the statement names it. */
export interface TargetTable {
  /** Schema-qualified and quoted as written, e.g. `"public"."orders"`, for `to_regclass`. */
  sql: string;
  /** How the statement's own clauses refer to it: its alias, or its bare name. */
  reference: string;
  /** `schema.name` or `name`, for messages. */
  shownAs: string;
}

export type StatementPlan =
  /** A query: runs in a cursor, so only the shown rows travel while all are counted. */
  | { mode: 'read'; cursor: boolean }
  /** A row change whose before/after images are captured through `RETURNING` (see `captureFor`). */
  | {
      mode: 'rows';
      command: 'delete' | 'update' | 'insert';
      table: TargetTable;
      /** The statement as written, and where its clauses are, for the captures built from it. */
      text: string;
      clauses: Clauses;
      /** DELETE and UPDATE: whether its rows can be read by a query, as they are before it (see `sampleFor`, `versionsFor`). */
      readable: boolean;
      /** UPDATE: the columns its SET assigns. */
      assigned: string[];
      /** DELETE: whether which rows it removes depends only on the data (see `dependsOnDataOnly`). */
      dataOnly: boolean;
      /** The columns it writes with values that depend only on the data (see `writtenColumns`). */
      written: WrittenColumns;
      undoable: boolean;
      note?: string;
    }
  /** Runs as written; only the affected row count is known. */
  | { mode: 'count'; note: string }
  /** TRUNCATE: the rows it removes are counted before it runs. */
  | { mode: 'truncate'; tables: TargetTable[] }
  /** DDL and everything else: runs as written. */
  | { mode: 'other' }
  /** Cannot run through safesql at all, or not inside a transaction: says why. */
  /** `unpreviewable`: it cannot be previewed, but alone it may run unpreviewed after explicit confirmation. */
  | { mode: 'refused'; reason: string; unpreviewable?: boolean };

/** The alias the UPDATE capture gives the table's rows as they were before the statement. */
export const BEFORE_ALIAS = '__safesql_before';

/**
 * Decides how safesql runs one statement, from PostgreSQL's own parse tree. The statement's text is
 * sent as written except for row changes, which get a `RETURNING` list (and, for UPDATE, a join to
 * the table's own earlier row versions) so that the rows they change can be shown and undone.
 */
export function planStatement(statement: Statement): StatementPlan {
  if (statement.syntaxError) return { mode: 'refused', reason: `PostgreSQL would reject it: ${statement.syntaxError.message}` };
  const tokens = tokenize(statement.text);
  const variable = tokens.find((t) => t.type === 'psql-variable');
  if (variable) {
    return {
      mode: 'refused',
      reason: `uses the psql variable ${statement.text.slice(variable.start, variable.end)}, which only psql substitutes; write the value instead`,
    };
  }
  if (statement.kind === 'copy-from')
    return { mode: 'refused', reason: 'COPY … FROM STDIN needs the data stream psql sends; run it with psql' };
  const outside = previewRefusal(statement);
  if (outside) return { mode: 'refused', unpreviewable: true, reason: outside };
  if (statement.cannotRunInTransaction) {
    return {
      mode: 'refused',
      unpreviewable: true,
      reason: 'PostgreSQL cannot run this statement inside a transaction, so it cannot be previewed or rolled back',
    };
  }
  const parsed = parseWithGrammar(statement.text);
  // Each statement reaches the server alone; one the grammar rejects or reads as several never runs.
  if (!parsed.ok) return { mode: 'refused', reason: `PostgreSQL's grammar rejects it (${parsed.message})` };
  if (parsed.statements.length !== 1) {
    return { mode: 'refused', reason: `it reads as ${parsed.statements.length} statements, and safesql runs exactly one at a time` };
  }
  const node = unwrap(parsed.statements[0]);
  if (!node) return { mode: 'other' };
  const [type, fields] = node;
  const control = transactionControlRefusal(type, fields);
  if (control) return { mode: 'refused', reason: control };
  switch (type) {
    case 'SelectStmt':
      if (fields.intoClause) return { mode: 'other' }; // SELECT … INTO creates a table
      if (hasDataModifyingCte(fields) || list(fields.lockingClause).length > 0) return { mode: 'count', note: 'runs as written' };
      return { mode: 'read', cursor: true };
    case 'VariableShowStmt':
      return { mode: 'read', cursor: false };
    case 'ExplainStmt':
      return list(fields.options).some((o) => unwrap(o)?.[1].defname === 'analyze') ? { mode: 'other' } : { mode: 'read', cursor: false };
    case 'TransactionStmt':
      return { mode: 'other' }; // the user's own SAVEPOINT, RELEASE, ROLLBACK TO inside a block
    case 'TruncateStmt':
      return { mode: 'truncate', tables: list(fields.relations).flatMap((r) => targetOf(r) ?? []) };
    case 'MergeStmt':
      return { mode: 'count', note: 'MERGE reports how many rows it changed, but not which (no row images, no undo)' };
    case 'DeleteStmt':
    case 'UpdateStmt':
    case 'InsertStmt':
      return planRowChange(statement.text, type, fields);
    default:
      return { mode: 'other' };
  }
}

/** Struct fields (`withClause`, `onConflictClause`) come unwrapped, unlike Node fields. */
function hasDataModifyingCte(fields: Fields): boolean {
  const withClause = fields.withClause as Fields | undefined;
  return list(withClause?.ctes).some((cte) => {
    const query = unwrap(unwrap(cte)?.[1].ctequery)?.[0];
    return query === 'InsertStmt' || query === 'UpdateStmt' || query === 'DeleteStmt' || query === 'MergeStmt';
  });
}

/** A RangeVar, which the tree wraps (`{ RangeVar: … }`) in lists but not in a statement's `relation`. */
function targetOf(node: unknown): TargetTable | undefined {
  const wrapped = unwrap(node);
  const range = wrapped?.[0] === 'RangeVar' ? wrapped[1] : (node as Fields | undefined);
  const { schemaname, relname, alias } = (range ?? {}) as { schemaname?: string; relname?: string; alias?: { aliasname?: string } };
  if (typeof relname !== 'string') return undefined;
  const aliasName = alias?.aliasname;
  return {
    sql: schemaname ? `${escapeIdentifier(schemaname)}.${escapeIdentifier(relname)}` : escapeIdentifier(relname),
    reference: escapeIdentifier(typeof aliasName === 'string' ? aliasName : relname),
    shownAs: schemaname ? `${schemaname}.${relname}` : relname,
  };
}

const COMMAND_KEYWORD = { DeleteStmt: 'delete', UpdateStmt: 'update', InsertStmt: 'insert' } as const;

function planRowChange(text: string, type: keyof typeof COMMAND_KEYWORD, fields: Fields): StatementPlan {
  const command = COMMAND_KEYWORD[type];
  const table = targetOf(fields.relation);
  if (!table) return { mode: 'count', note: 'the target is not a plain table name, so its rows cannot be shown' };
  if (hasDataModifyingCte(fields)) {
    return { mode: 'count', note: 'its WITH clause changes rows too; only the main statement’s count is known (no row images, no undo)' };
  }
  if (type === 'UpdateStmt' && unwrap(fields.whereClause)?.[0] === 'CurrentOfExpr') {
    return { mode: 'count', note: 'WHERE CURRENT OF runs as written' };
  }
  const upsert = (fields.onConflictClause as Fields | undefined)?.action === 'ONCONFLICT_UPDATE';
  const clauses: Clauses = {
    hasFrom: list(fields.fromClause).length > 0,
    hasWhere: fields.whereClause !== undefined,
    hasUsing: list(fields.usingClause).length > 0,
  };
  if (
    !captureText(text, command, table, clauses, { images: true, values: true, versions: { ownRows: true, tidHash: true }, written: [] })
  ) {
    return { mode: 'count', note: 'its clauses could not be located to capture the changed rows' };
  }
  const readable = command !== 'insert' && sampleText(text, command, clauses, '*') !== undefined;
  return {
    mode: 'rows',
    command,
    table,
    text,
    clauses,
    readable,
    written: writtenColumns(type, fields),
    dataOnly: type === 'DeleteStmt' && dependsOnDataOnly(fields),
    assigned:
      type === 'UpdateStmt'
        ? list(fields.targetList).flatMap((item) => (typeof unwrap(item)?.[1].name === 'string' ? [unwrap(item)![1].name as string] : []))
        : [],
    undoable: !upsert,
    ...(upsert
      ? { note: 'INSERT … ON CONFLICT DO UPDATE: rows it updated cannot be told from rows it inserted, so it cannot be undone' }
      : {}),
  };
}

interface Clauses {
  hasFrom: boolean;
  hasWhere: boolean;
  hasUsing: boolean;
}

/**
 * The columns a statement writes with values computed from constants and the data alone: by name
 * (an UPDATE's SET, an INSERT's column list), by position (an INSERT without one), or all of them
 * (`INSERT … SELECT *`). A value from a function (now(), random(), nextval) or a DEFAULT may rightly
 * differ between a preview and its commit; these may not, so a commit compares them.
 */
export interface WrittenColumns {
  names: string[];
  positions: number[];
  all: boolean;
}

/** A date/time literal whose value is the moment it is read ('now', 'today'). */
const MOMENT = /^\s*(now|today|tomorrow|yesterday)\s*$/i;

/**
 * Whether a DELETE's rows are the same whichever session of the database reads them at the same
 * snapshot: its only table is its target, and its WHERE compares columns with constants (no
 * function call, which may read the session — `pg_backend_pid()`, `current_setting()`, `now()` —
 * no subquery, no `CURRENT_USER`-like value, no 'now' literal). Operators are taken to be what they
 * are for the built-in types: functions of their operands.
 */
function dependsOnDataOnly(fields: Fields): boolean {
  if (fields.withClause || list(fields.usingClause).length > 0 || list(fields.returningList).length > 0) return false;
  return !containsNode(
    fields.whereClause,
    (key, value) =>
      key === 'FuncCall' ||
      key === 'SQLValueFunction' ||
      key === 'SubLink' ||
      key === 'MinMaxExpr' ||
      (key === 'sval' && typeof value === 'string' && MOMENT.test(value)),
  );
}

function fixedValue(node: unknown): boolean {
  return !containsNode(
    node,
    (key) => key === 'FuncCall' || key === 'SQLValueFunction' || key === 'SetToDefault' || key === 'MultiAssignRef',
  );
}

/** Whether any node of a parse tree (at any depth) is one `matches` picks, by its key and value. */
function containsNode(node: unknown, matches: (key: string, value: unknown) => boolean): boolean {
  if (Array.isArray(node)) return node.some((item) => containsNode(item, matches));
  if (!node || typeof node !== 'object') return false;
  return Object.entries(node as Fields).some(([key, value]) => matches(key, value) || containsNode(value, matches));
}

function writtenColumns(type: keyof typeof COMMAND_KEYWORD, fields: Fields): WrittenColumns {
  const written: WrittenColumns = { names: [], positions: [], all: false };
  const target = (node: unknown) => unwrap(node)?.[1] ?? {};
  if (type === 'UpdateStmt') {
    for (const item of list(fields.targetList)) {
      const { name, val } = target(item);
      if (typeof name === 'string' && fixedValue(val)) written.names.push(name);
    }
    return written;
  }
  if (type !== 'InsertStmt') return written;
  const select = unwrap(fields.selectStmt)?.[1];
  if (!select) return written;
  const rows: unknown[][] = list(select.valuesLists).map((row) => list(unwrap(row)?.[1].items));
  if (rows.length === 0) {
    const values = list(select.targetList).map((item) => target(item).val);
    const star = values.some((value) => list(unwrap(value)?.[1].fields).some((f) => unwrap(f)?.[0] === 'A_Star'));
    if (star) return { ...written, all: values.length === 1 && list(fields.cols).length === 0 };
    rows.push(values);
  }
  const width = Math.min(...rows.map((row) => row.length));
  const names = list(fields.cols).map((col) => target(col).name);
  for (let i = 0; i < width; i++) {
    if (!rows.every((row) => fixedValue(row[i]))) continue;
    if (names.length > 0) {
      if (typeof names[i] === 'string') written.names.push(names[i] as string);
    } else written.positions.push(i);
  }
  return written;
}

/** The written columns' names, given the table's columns in order. */
export function writtenNames(written: WrittenColumns, columns: string[]): string[] {
  if (written.all) return columns;
  return [...written.names, ...written.positions.flatMap((i) => (columns[i] === undefined ? [] : [columns[i]!]))];
}

/** What a capture computes besides the statement's own work. */
export interface CaptureParts {
  /** The changed rows themselves (for display and the journal). */
  images: boolean;
  /** The table's columns with their types, when known: those whose output is lossy are read as `::text` (see LOSSY_OUTPUT). */
  columns?: readonly { name: string; type: string }[];
  /** The hashes of the rows' values before and after, which an undo's verification compares. */
  values: boolean;
  /** How row versions are hashed. */
  versions: VersionHashing;
  /** The columns whose written values a commit compares with its preview (see WrittenColumns). */
  written: string[];
}

/**
 * The statement with `RETURNING` the target's rows (when `images`), then always four hashes: the
 * version of the row it changes (which row version it was: table, ctid, xmin), the values before and
 * after (when `values`; NULL otherwise), and the written columns' values. DELETE returns what it
 * removed, INSERT what it added, UPDATE both versions, the old one through a self-join on (tableoid,
 * ctid), which reads the row as the statement's snapshot saw it (a TID scan per row). Returns
 * undefined if the clauses are not where the parse tree says they are, so a surprise degrades to
 * counting rather than to a wrong statement.
 */
export function captureText(
  text: string,
  command: 'delete' | 'update' | 'insert',
  table: TargetTable,
  clauses: Clauses,
  parts: CaptureParts,
): string | undefined {
  const { topLevel, bodyEnd: endOf } = topLevelWords(text);
  const main = topLevel.findIndex((t) => t.word === command);
  if (main < 0) return undefined;
  const after = topLevel.slice(main + 1);
  const bodyEnd = endOf(after.find((t) => t.word === 'returning'));
  const body = text.slice(0, bodyEnd).trimEnd();
  const returned = `${table.reference}.*`;
  const none = 'NULL::pg_catalog.int8';
  const values = (row: string) => (parts.values ? valueHash(row) : none);
  const ref = table.reference;
  const written = (row: string) =>
    parts.written.length === 0 ? none : valueHash(parts.written.map((column) => `${row}.${escapeIdentifier(column)}`).join(', '));
  const hashes = (version: string, before: string, after: string, wrote: string) =>
    `${version} AS ${VERSION_HASH}, ${before} AS ${BEFORE_HASH}, ${after} AS ${AFTER_HASH}, ${wrote} AS ${WRITTEN_HASH}`;
  const image = parts.images ? `${imageOf(ref, parts)}, ` : '';
  if (command === 'delete') {
    const version = versionHash(`${ref}.tableoid`, `${ref}.ctid`, `${ref}.xmin`, parts.versions);
    return `${body} RETURNING ${image}${hashes(version, values(returned), none, none)}`;
  }
  if (command === 'insert') return `${body} RETURNING ${image}${hashes(none, none, values(returned), written(ref))}`;

  const where = after.find((t) => t.word === 'where' && t.start < bodyEnd);
  const from = after.find((t) => t.word === 'from' && t.previous !== 'distinct' && (!where || t.start < where.start));
  if (Boolean(from) !== clauses.hasFrom || Boolean(where) !== clauses.hasWhere) return undefined;
  // Only oddly named columns come into scope, so the statement's own column references stay unambiguous.
  const sameRow = `${BEFORE_ALIAS}.__safesql_ctid = ${ref}.ctid AND ${BEFORE_ALIAS}.__safesql_tableoid = ${ref}.tableoid`;
  const beforeTable = `(SELECT ctid AS __safesql_ctid, tableoid AS __safesql_tableoid, xmin AS __safesql_xmin, __safesql_old AS __safesql_row FROM ${table.sql} AS __safesql_old) AS ${BEFORE_ALIAS}`;
  let rewritten: string;
  if (from && where) {
    rewritten = `${text.slice(0, from.end)} ${beforeTable},${text.slice(from.end, where.end)} (${text.slice(where.end, bodyEnd).trim()}) AND ${sameRow}`;
  } else if (from) {
    rewritten = `${text.slice(0, from.end)} ${beforeTable},${text.slice(from.end, bodyEnd).trimEnd()} WHERE ${sameRow}`;
  } else if (where) {
    rewritten = `${text.slice(0, where.start)}FROM ${beforeTable} WHERE (${text.slice(where.end, bodyEnd).trim()}) AND ${sameRow}`;
  } else {
    rewritten = `${body} FROM ${beforeTable} WHERE ${sameRow}`;
  }
  const old = `${BEFORE_ALIAS}.__safesql_`;
  return `${rewritten} RETURNING ${parts.images ? `${imageOf(`(${old}row)`, parts)}, ${imageOf(ref, parts)}, ` : ''}${hashes(
    versionHash(`${old}tableoid`, `${old}ctid`, `${old}xmin`, parts.versions),
    values(`(${old}row).*`),
    values(returned),
    written(ref),
  )}`;
}

/** Types whose output function loses what `::text` keeps: xml drops a stored `<?xml version="1.0"?>` declaration. */
const LOSSY_OUTPUT = /^xml(\[\])*$/;

/** A row's columns for an image: `row.*`, or, when a column's output is lossy, each column, those as text. */
export function imageOf(row: string, parts: Pick<CaptureParts, 'columns'>): string {
  const columns = parts.columns ?? [];
  if (!columns.some((column) => LOSSY_OUTPUT.test(column.type))) return `${row}.*`;
  return columns
    .map(({ name, type }) => `${row}.${escapeIdentifier(name)}${LOSSY_OUTPUT.test(type) ? '::pg_catalog.text' : ''}`)
    .join(', ');
}

/** A row change's capture (its clauses were located when it was planned). */
export function captureFor(plan: Extract<StatementPlan, { mode: 'rows' }>, parts: CaptureParts): string {
  return captureText(plan.text, plan.command, plan.table, plan.clauses, parts)!;
}

/**
 * A DELETE's or UPDATE's query for the rows it changes, as an image shows them (see `imageOf`);
 * `withWriter`: with each row's xmin too (as XMIN_COLUMN), for the rows of its smaller groups of origin.
 */
export function sampleFor(
  plan: Extract<StatementPlan, { mode: 'rows' }>,
  columns: CaptureParts['columns'],
  withWriter = false,
): string | undefined {
  if (plan.command === 'insert') return undefined;
  const image = imageOf(plan.table.reference, { columns });
  return sampleText(plan.text, plan.command, plan.clauses, withWriter ? `${image}, ${plan.table.reference}.xmin AS ${XMIN_COLUMN}` : image);
}

/** A DELETE's or UPDATE's query for the versions of the rows it changes (and their hashes of values, none) and their writers (xmin), for a preview's digest and provenance. */
export function versionsFor(plan: Extract<StatementPlan, { mode: 'rows' }>, how: VersionHashing): string | undefined {
  if (plan.command === 'insert') return undefined;
  const ref = plan.table.reference;
  const none = 'NULL::pg_catalog.int8';
  const version = versionHash(`${ref}.tableoid`, `${ref}.ctid`, `${ref}.xmin`, how);
  return sampleText(
    plan.text,
    plan.command,
    plan.clauses,
    `${version} AS ${VERSION_HASH}, ${none} AS ${BEFORE_HASH}, ${none} AS ${AFTER_HASH}, ${none} AS ${WRITTEN_HASH}, ${ref}.xmin AS ${XMIN_COLUMN}`,
  );
}

/**
 * A DELETE or UPDATE as a query over the rows it would change, selecting `columns`: the first rows
 * for a preview to show, and the versions of all of them for its digest, while the statement itself
 * runs without capturing them (through RETURNING, that would cost as much again). Its target and
 * USING or FROM items are joined as the statement joins them; a join that repeats a row shows in
 * the count, which the caller compares with the statement's.
 */
export function sampleText(text: string, command: 'delete' | 'update', clauses: Clauses, columns: string): string | undefined {
  const { topLevel, bodyEnd: endOf } = topLevelWords(text);
  const main = topLevel.findIndex((t) => t.word === command);
  if (main < 0) return undefined;
  const after = topLevel.slice(main + 1);
  const bodyEnd = endOf(after.find((t) => t.word === 'returning'));
  let source: string;
  if (command === 'delete') {
    const from = after[0];
    if (from?.word !== 'from') return undefined;
    const using = after.find((t) => t.word === 'using' && t.start < bodyEnd);
    if (Boolean(using) !== clauses.hasUsing) return undefined;
    source = using ? `${text.slice(from.end, using.start).trimEnd()},${text.slice(using.end, bodyEnd)}` : text.slice(from.end, bodyEnd);
  } else {
    const set = after.find((t) => t.word === 'set');
    if (!set) return undefined;
    const where = after.find((t) => t.word === 'where' && t.start > set.start && t.start < bodyEnd);
    const from = after.find(
      (t) => t.word === 'from' && t.previous !== 'distinct' && t.start > set.start && (!where || t.start < where.start),
    );
    if (Boolean(from) !== clauses.hasFrom || Boolean(where) !== clauses.hasWhere) return undefined;
    const target = text.slice(topLevel[main]!.end, set.start).trimEnd();
    source = from ? `${target},${text.slice(from.end, bodyEnd)}` : where ? `${target} ${text.slice(where.start, bodyEnd)}` : target;
  }
  return `${text.slice(0, topLevel[main]!.start)}SELECT ${columns} FROM${source}`;
}

/**
 * A DELETE that returns only the number of the rows it removes and the sum of the hashes of their
 * versions, as `versionsFor` hashes them: what its reads apart saw must be what it removed (a
 * function that answers differently in another session, pg_backend_pid() or
 * current_setting('transaction_read_only'), or a row another session changed in between, would
 * otherwise show rows it does not remove). Undefined when its clauses are not where the parse tree says.
 */
export function deletedVersionsText(plan: Extract<StatementPlan, { mode: 'rows' }>, how: VersionHashing): string | undefined {
  const body = plan.command === 'delete' ? bodyBeforeReturning(plan.text, plan.command) : undefined;
  const ref = plan.table.reference;
  return body && summedReturning(body, versionHash(`${ref}.tableoid`, `${ref}.ctid`, `${ref}.xmin`, how), VERSION_HASH);
}

/**
 * An UPDATE that returns only what a preview's digest needs of the rows it writes: their number and
 * the sum of the hashes of the values it sets from the data (see WrittenColumns); the rows it
 * changes are read beside or before it (see `sampleText`). Undefined when its clauses are not
 * where the parse tree says they are.
 */
export function writtenDigestText(plan: Extract<StatementPlan, { mode: 'rows' }>, written: string[]): string | undefined {
  const body = bodyBeforeReturning(plan.text, plan.command);
  const hash =
    written.length === 0
      ? 'NULL::pg_catalog.int8'
      : valueHash(written.map((column) => `${plan.table.reference}.${escapeIdentifier(column)}`).join(', '));
  return body && summedReturning(body, hash, WRITTEN_HASH);
}

/** A row change (`body`, without RETURNING) that returns only how many rows it changed and the sum of `hash` over them. */
function summedReturning(body: string, hash: string, column: string): string {
  return `WITH __safesql_changed AS (${body} RETURNING ${hash} AS ${column})
    SELECT pg_catalog.count(*), COALESCE(pg_catalog.sum(${column}), 0)::pg_catalog.text FROM __safesql_changed`;
}

/** The statement up to its own RETURNING (or its end), for a RETURNING of safesql's; undefined when `command` is not where it should be. */
function bodyBeforeReturning(text: string, command: string): string | undefined {
  const { topLevel, bodyEnd } = topLevelWords(text);
  const main = topLevel.findIndex((t) => t.word === command);
  if (main < 0) return undefined;
  return text.slice(0, bodyEnd(topLevel.slice(main + 1).find((t) => t.word === 'returning'))).trimEnd();
}

interface Word {
  word: string;
  start: number;
  end: number;
  previous?: string;
}

/** The words outside parentheses, and where the statement's body ends before a given clause. */
function topLevelWords(text: string): { topLevel: Word[]; bodyEnd: (before?: Word) => number } {
  const topLevel: Word[] = [];
  let depth = 0;
  let previous: string | undefined;
  const ends: number[] = [];
  for (const token of tokenize(text)) {
    if (token.type === 'line-comment' || token.type === 'block-comment') continue;
    const value = text.slice(token.start, token.end);
    if (value === ';' && depth === 0) break;
    ends.push(token.end);
    if (value === '(' || value === '[') depth++;
    else if (value === ')' || value === ']') depth--;
    else if (depth === 0 && token.type === 'word')
      topLevel.push({ word: value.toLowerCase(), start: token.start, end: token.end, previous });
    previous = token.type === 'word' ? value.toLowerCase() : value;
  }
  // Up to the last token before the clause (or the end), so that no trailing comment swallows what is appended.
  return { topLevel, bodyEnd: (before) => ends.filter((e) => !before || e <= before.start).pop() ?? 0 };
}
