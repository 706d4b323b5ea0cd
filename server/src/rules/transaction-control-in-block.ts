import { ruleDocsUrl } from '../protocol';
import type { TransactionControl } from '../sql/statement';
import { NO_REPORTS, type Report, type Rule } from './types';

type Escape = Exclude<TransactionControl, 'begin' | 'commit' | 'rollback'>;

const SUPPRESS = 'If it is intended, say so: `-- safesql-ignore transaction-control-in-block -- <reason>`.';

/** What each statement does to the transaction around it, and what to write instead. */
const REPORTS: Record<Escape, Pick<Report, 'message' | 'help'>> = {
  'commit-and-chain': {
    message:
      'COMMIT AND CHAIN commits everything before it for real and carries on in a new transaction: a final ROLLBACK no longer undoes that part, and a preview of the block would commit it.',
    help: `End the block with COMMIT and start the next with BEGIN, so that each block is previewed and committed as one unit. ${SUPPRESS}`,
  },
  'rollback-and-chain': {
    message:
      'ROLLBACK AND CHAIN discards the work before it and carries on in a new transaction: the block no longer runs as one transaction, so its preview would not show what it does.',
    help: `Use SAVEPOINT and ROLLBACK TO SAVEPOINT to discard part of the work, or end the block with ROLLBACK. ${SUPPRESS}`,
  },
  'prepare-transaction': {
    message:
      'PREPARE TRANSACTION takes the transaction out of the session: it stays on the server, holding its locks, until some session runs COMMIT PREPARED or ROLLBACK PREPARED, and a ROLLBACK here no longer reaches it.',
    help: `End the block with COMMIT (or ROLLBACK); two-phase commit belongs to a transaction manager, not to a script. ${SUPPRESS}`,
  },
  'commit-prepared': {
    message:
      'COMMIT PREPARED commits a transaction prepared earlier, by any session: its changes were never part of this script, and no preview can show or undo them.',
    help: `Inspect pg_prepared_xacts first and run it deliberately, outside a preview. ${SUPPRESS}`,
  },
  'rollback-prepared': {
    message:
      'ROLLBACK PREPARED discards a transaction prepared earlier, by any session: that work is gone for good, and no preview can show it.',
    help: `Inspect pg_prepared_xacts first and run it deliberately, outside a preview. ${SUPPRESS}`,
  },
  'set-snapshot': {
    message:
      "SET TRANSACTION SNAPSHOT makes the transaction see the data as another session's exported snapshot does: a preview or commit sees what that session saw, not the database as it is, and fails once that session's transaction ends.",
    help: `Remove it, so that the block reads the current data. ${SUPPRESS}`,
  },
};

/** Where no BEGIN is open, PostgreSQL refuses `… AND CHAIN`; inside a transaction a preview wraps around it, it would not. */
function outsideABlock(word: 'COMMIT' | 'ROLLBACK'): Pick<Report, 'message' | 'help'> {
  return {
    message: `${word} AND CHAIN with no open transaction is an error in PostgreSQL, and inside a transaction wrapped around it (a preview, a migration tool) it would end that transaction early.`,
    help: `Remove it, or move it into the BEGIN … COMMIT block it was meant for. ${SUPPRESS}`,
  };
}

export const transactionControlInBlock: Rule = {
  id: 'transaction-control-in-block',
  defaultSeverity: 'error',
  description:
    'Transaction control other than a block’s own BEGIN and COMMIT/ROLLBACK: COMMIT/ROLLBACK AND CHAIN, PREPARE TRANSACTION, COMMIT/ROLLBACK PREPARED, SET TRANSACTION SNAPSHOT.',
  docsUrl: ruleDocsUrl('transaction-control-in-block'),
  check(statement, { transactions }) {
    const control = statement.transaction;
    if (!control || control === 'begin' || control === 'commit' || control === 'rollback') return NO_REPORTS;
    if ((control === 'commit-and-chain' || control === 'rollback-and-chain') && !transactions.openBefore[statement.index]) {
      return [{ ...outsideABlock(control === 'commit-and-chain' ? 'COMMIT' : 'ROLLBACK'), span: statement.span }];
    }
    return [{ ...REPORTS[control], span: statement.span }];
  },
};
