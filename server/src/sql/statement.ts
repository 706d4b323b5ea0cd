import type { Token } from './lexer';
import type { LineIndex } from './lineIndex';

/** A range of UTF-16 offsets, end exclusive. */
export interface Span {
  start: number;
  end: number;
}

export type StatementKind =
  'select' | 'insert' | 'update' | 'delete' | 'merge' | 'truncate' | 'drop' | 'alter' | 'create' | 'copy-from' | 'transaction' | 'other';

/**
 * Transaction control, and which kind. Only `begin`, `commit` and `rollback` are the edges of a
 * block; every other kind commits part of the work, or reaches outside the block's transaction.
 */
export type TransactionControl =
  | 'begin'
  | 'commit'
  | 'rollback'
  /** `COMMIT AND CHAIN` (or `END AND CHAIN`): commits, and the block goes on in a new transaction. */
  | 'commit-and-chain'
  /** `ROLLBACK AND CHAIN` (or `ABORT AND CHAIN`): discards the work so far, and the block goes on. */
  | 'rollback-and-chain'
  /** `PREPARE TRANSACTION`: ends the block, whose transaction survives the session, waiting for COMMIT PREPARED. */
  | 'prepare-transaction'
  /** `COMMIT PREPARED` / `ROLLBACK PREPARED`: finishes a transaction prepared earlier, by any session. */
  | 'commit-prepared'
  | 'rollback-prepared'
  /** `SET TRANSACTION SNAPSHOT`: the transaction sees the data as another session's exported snapshot does. */
  | 'set-snapshot';

/** How far a DELETE or UPDATE reaches into its target table. */
export type Reach =
  | { bounded: true; reason: 'where' | 'current-of' }
  | { bounded: false; reason: 'no-where' | 'always-true' | 'unrelated-join' | 'row-independent' };

/** One DELETE or UPDATE, top-level or inside a CTE. */
export interface RowChange {
  command: 'delete' | 'update';
  /** The target table as written, e.g. `public.orders`. */
  target: string;
  inCte: boolean;
  reach: Reach;
  /** The command head, e.g. `DELETE FROM orders`. */
  span: Span;
  /** The WHERE clause, when there is one. */
  whereSpan?: Span;
}

/** A statement that destroys data or schema wholesale. */
export interface Destruction {
  kind: 'truncate' | 'drop' | 'drop-column';
  /** What goes, in words: `table orders`, `column note of orders`. */
  object: string;
  span: Span;
}

/**
 * What a statement does that a rollback does not undo: `program`, `file`, `other-session` (dblink,
 * ending or cancelling a backend), `server` (configuration, WAL, replication slots, statistics),
 * `session-lock`, `foreign` (a write to a foreign table: only the engine can tell, from the
 * table's relkind, so the front end never reports it) and `sequence` (which the engine reports
 * rather than refuses).
 */
export type OutsideEffectKind = 'program' | 'file' | 'other-session' | 'server' | 'session-lock' | 'foreign' | 'sequence';

export interface OutsideEffect {
  kind: OutsideEffectKind;
  /** What happens for real, e.g. `runs a program on the database server`. */
  reason: string;
  /** What does it, as a reader knows it: `COPY … TO PROGRAM`, `pg_terminate_backend()`. */
  what: string;
  span: Span;
}

export interface SyntaxError {
  message: string;
  /** Where PostgreSQL's parser stopped, when it says. */
  span: Span;
}

/** What the front end knows about one statement, with spans relative to the statement's text. */
export interface StatementFacts {
  kind: StatementKind;
  transaction?: TransactionControl;
  /** Changes rows or schema: the statements that belong in a transaction and worry production. */
  modifiesData: boolean;
  rowChanges: RowChange[];
  destructions: Destruction[];
  /** Effects outside the transaction, in text order; shared and empty for nearly every statement. */
  outsideEffects: readonly OutsideEffect[];
  syntaxError?: SyntaxError;
  /** PostgreSQL refuses to run it inside a transaction block (VACUUM, DROP DATABASE, … CONCURRENTLY). */
  cannotRunInTransaction?: boolean;
  /** Why the grammar did not read a statement it was not asked to judge (e.g. its size). */
  notParsed?: string;
  /** Which reader produced these facts: PostgreSQL's own grammar, or the token stream. */
  source: 'grammar' | 'tokens';
}

export interface Statement extends StatementFacts {
  index: number;
  /** Its extent depends on the text after it (an unclosed quote or comment, COPY data without `\.`). */
  openEnded: boolean;
  /** The statement's range in the document (first token to terminating `;`). */
  span: Span;
  text: string;
}

export interface SqlDocument {
  text: string;
  lines: LineIndex;
  statements: Statement[];
  /** Every comment in the document, for directives. */
  comments: Token[];
}

/** The `outsideEffects` of the statements that have none: one frozen array, so they allocate nothing. */
export const NO_OUTSIDE_EFFECTS: readonly OutsideEffect[] = Object.freeze([]);

/**
 * The `rowChanges` and `destructions` of a placed statement that has none: most statements, and
 * a document holds up to hundreds of thousands of them. Frozen: nothing adds to a placed statement.
 */
const NO_ROW_CHANGES = Object.freeze([]) as unknown as RowChange[];
const NO_DESTRUCTIONS = Object.freeze([]) as unknown as Destruction[];

export function shiftSpan(span: Span, by: number): Span {
  return { start: span.start + by, end: span.end + by };
}

/**
 * A statement built from facts whose spans are `by` characters off (relative facts from the cache,
 * or a statement moved by an edit). Always the same object shape, which keeps this path fast.
 */
export function positioned(facts: StatementFacts, by: number, index: number, span: Span, text: string, openEnded: boolean): Statement {
  return {
    kind: facts.kind,
    transaction: facts.transaction,
    modifiesData: facts.modifiesData,
    rowChanges:
      facts.rowChanges.length === 0 ? NO_ROW_CHANGES : by === 0 ? facts.rowChanges : facts.rowChanges.map((c) => movedRowChange(c, by)),
    destructions:
      facts.destructions.length === 0
        ? NO_DESTRUCTIONS
        : by === 0
          ? facts.destructions
          : facts.destructions.map((d) => ({ ...d, span: shiftSpan(d.span, by) })),
    outsideEffects:
      by === 0 || facts.outsideEffects.length === 0
        ? facts.outsideEffects
        : facts.outsideEffects.map((e) => ({ ...e, span: shiftSpan(e.span, by) })),
    syntaxError:
      facts.syntaxError && (by === 0 ? facts.syntaxError : { ...facts.syntaxError, span: shiftSpan(facts.syntaxError.span, by) }),
    cannotRunInTransaction: facts.cannotRunInTransaction,
    notParsed: facts.notParsed,
    source: facts.source,
    index,
    openEnded,
    span,
    text,
  };
}

/** Spelled out rather than spread: every edit moves the row changes of all the statements after it. */
function movedRowChange({ command, target, inCte, reach, span, whereSpan }: RowChange, by: number): RowChange {
  return whereSpan
    ? { command, target, inCte, reach, span: shiftSpan(span, by), whereSpan: shiftSpan(whereSpan, by) }
    : { command, target, inCte, reach, span: shiftSpan(span, by) };
}
