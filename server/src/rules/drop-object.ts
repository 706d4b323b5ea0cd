import { ruleDocsUrl } from '../protocol';
import { NO_REPORTS, type Rule } from './types';

export const dropObject: Rule = {
  id: 'drop-object',
  defaultSeverity: 'warning',
  description: 'DROP of a table, schema, database, view or other object, and ALTER TABLE … DROP COLUMN.',
  docsUrl: ruleDocsUrl('drop-object'),
  check(statement) {
    if (statement.destructions.length === 0) return NO_REPORTS;
    return statement.destructions
      .filter((d) => d.kind === 'drop' || d.kind === 'drop-column')
      .map((d) => ({
        message: `This drops ${d.object}: its data is gone and every client that still uses it breaks.`,
        help: 'Make sure nothing uses it any more and a backup exists; run it inside BEGIN … COMMIT where PostgreSQL allows. If it is intended, say so: `-- safesql-ignore drop-object -- <reason>`.',
        span: d.span,
      }));
  },
};
