import type { Token } from './lexer';
import type { LineIndex } from './lineIndex';

/** A range of UTF-16 offsets, end exclusive. */
export interface Span {
  start: number;
  end: number;
}

export type StatementKind =
  'select' | 'insert' | 'update' | 'delete' | 'merge' | 'truncate' | 'drop' | 'alter' | 'create' | 'copy-from' | 'transaction' | 'other';

export type TransactionControl = 'begin' | 'commit' | 'rollback';

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
      by === 0 || facts.rowChanges.length === 0
        ? facts.rowChanges
        : facts.rowChanges.map((c) => ({
            ...c,
            span: shiftSpan(c.span, by),
            ...(c.whereSpan ? { whereSpan: shiftSpan(c.whereSpan, by) } : {}),
          })),
    destructions:
      by === 0 || facts.destructions.length === 0
        ? facts.destructions
        : facts.destructions.map((d) => ({ ...d, span: shiftSpan(d.span, by) })),
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
