import { ruleDocsUrl } from '../protocol';
import { NO_REPORTS, type Rule } from './types';

export const uncommittedTransaction: Rule = {
  id: 'uncommitted-transaction',
  defaultSeverity: 'warning',
  description:
    'A transaction opened and never closed in the file, a BEGIN inside an open transaction, or a COMMIT/ROLLBACK with nothing open.',
  docsUrl: ruleDocsUrl('uncommitted-transaction'),
  check(statement, { transactions }) {
    const open = transactions.openBefore[statement.index];
    if (statement.transaction === 'begin') {
      if (open) {
        return [
          {
            message:
              'BEGIN inside an open transaction does nothing (PostgreSQL only warns): the transaction opened earlier is still the one in force.',
            help: 'Remove this BEGIN, or close the earlier transaction with COMMIT or ROLLBACK first.',
            span: statement.span,
            related: [{ span: open.span, message: 'The transaction opened here is still open.' }],
          },
        ];
      }
      if (transactions.neverClosed.has(statement)) {
        return [
          {
            message:
              'This transaction is never committed or rolled back in this file: its changes wait, holding their locks, until whoever closes the session commits or discards them.',
            help: 'End the block with COMMIT, or with ROLLBACK for a dry run.',
            span: statement.span,
          },
        ];
      }
    }
    if ((statement.transaction === 'commit' || statement.transaction === 'rollback') && !open) {
      const word = statement.transaction.toUpperCase();
      return [
        {
          message: `${word} with no open transaction: the statements before it have already been committed one by one, and this ${word} cannot undo them.`,
          help: 'Start the block with BEGIN before the statements it should cover, or remove this line.',
          span: statement.span,
        },
      ];
    }
    return NO_REPORTS;
  },
};
