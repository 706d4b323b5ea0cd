import type { Statement, SqlDocument } from '../../server/src/sql/statement';

/** The fields of a statement that an analysis decides (each compared as plain data). */
const STATEMENT_FIELDS = [
  'index',
  'span',
  'text',
  'kind',
  'transaction',
  'modifiesData',
  'rowChanges',
  'destructions',
  'outsideEffects',
  'syntaxError',
  'notParsed',
  'openEnded',
  'cannotRunInTransaction',
] as const satisfies readonly (keyof Statement)[];

/** What an analysis says about a document, as plain data for deep comparison. */
export function comparableAnalysis(document: SqlDocument): unknown {
  return {
    statements: document.statements.map((statement) => Object.fromEntries(STATEMENT_FIELDS.map((field) => [field, statement[field]]))),
    comments: document.comments.map(({ type, start, end, unterminated }) => ({ type, start, end, unterminated })),
    lineStarts: Array.from({ length: document.lines.lineCount }, (_, line) => document.lines.lineStart(line)),
  };
}
