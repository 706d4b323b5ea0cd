import type { SqlDocument, Statement } from '../sql/statement';

/** Where each statement stands relative to explicit transactions, in file order. */
export interface TransactionTimeline {
  /** The BEGIN open when each statement runs (by statement index), if any. */
  openBefore: (Statement | undefined)[];
  /** BEGINs never closed before the end of the file. */
  neverClosed: Set<Statement>;
}

export function transactionTimeline(document: SqlDocument): TransactionTimeline {
  const openBefore: (Statement | undefined)[] = [];
  const neverClosed = new Set<Statement>();
  let open: Statement | undefined;
  for (const statement of document.statements) {
    openBefore.push(open);
    if (statement.transaction === 'begin') open ??= statement;
    else if (endsBlock(statement)) open = undefined;
  }
  if (open) neverClosed.add(open);
  return { openBefore, neverClosed };
}

/**
 * COMMIT, ROLLBACK and PREPARE TRANSACTION leave the session with no transaction; after
 * `… AND CHAIN` the block goes on in a new one.
 */
function endsBlock(statement: Statement): boolean {
  return statement.transaction === 'commit' || statement.transaction === 'rollback' || statement.transaction === 'prepare-transaction';
}
