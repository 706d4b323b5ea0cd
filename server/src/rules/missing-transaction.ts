import { ruleDocsUrl } from '../protocol';
import { NO_REPORTS, type Rule } from './types';

export const missingTransaction: Rule = {
  id: 'missing-transaction',
  defaultSeverity: 'warning',
  description: 'A statement that changes data or schema outside an explicit BEGIN … COMMIT block.',
  docsUrl: ruleDocsUrl('missing-transaction'),
  check(statement, { transactions }) {
    // A statement PostgreSQL refuses inside a transaction block cannot be protected by one.
    if (!statement.modifiesData || statement.cannotRunInTransaction || transactions.openBefore[statement.index]) return NO_REPORTS;
    return [
      {
        message:
          'This statement changes data outside a transaction: run from this file elsewhere (psql, a migration tool, a colleague’s client), it commits the moment it runs, and nothing can roll it back. (safesql’s Preview → Commit always runs it inside one.)',
        help: 'Wrap it in `BEGIN; … COMMIT;` (or end with ROLLBACK for a dry run) and check the affected row count before committing.',
        span: statement.span,
      },
    ];
  },
};
