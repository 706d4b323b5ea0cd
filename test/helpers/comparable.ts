import type { SqlDocument } from '../../server/src/sql/statement';

/** What an analysis says about a document, as plain data for deep comparison. */
export function comparableAnalysis(document: SqlDocument): unknown {
  return {
    statements: document.statements.map(
      ({
        index,
        span,
        text,
        kind,
        transaction,
        modifiesData,
        rowChanges,
        destructions,
        syntaxError,
        notParsed,
        openEnded,
        cannotRunInTransaction,
      }) => ({
        index,
        span,
        text,
        kind,
        transaction,
        modifiesData,
        rowChanges,
        destructions,
        syntaxError,
        notParsed,
        openEnded,
        cannotRunInTransaction,
      }),
    ),
    comments: document.comments.map(({ type, start, end, unterminated }) => ({ type, start, end, unterminated })),
  };
}
