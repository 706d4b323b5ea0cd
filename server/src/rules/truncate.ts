import { ruleDocsUrl } from '../protocol';
import { NO_REPORTS, type Rule } from './types';

export const truncate: Rule = {
  id: 'truncate',
  defaultSeverity: 'warning',
  description: 'TRUNCATE, which removes every row of its tables at once.',
  docsUrl: ruleDocsUrl('truncate'),
  check(statement) {
    if (statement.destructions.length === 0) return NO_REPORTS;
    return statement.destructions
      .filter((d) => d.kind === 'truncate')
      .map((d) => ({
        message: `TRUNCATE empties ${d.object} at once: every row goes, without ON DELETE triggers and without a row-by-row record.`,
        help: 'Check which database this runs on, and run it inside BEGIN … COMMIT so it can still be rolled back. If it is intended, say so: `-- safesql-ignore truncate -- <reason>`.',
        span: d.span,
      }));
  },
};
