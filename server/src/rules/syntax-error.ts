import { ruleDocsUrl } from '../protocol';
import { NO_REPORTS, type Rule } from './types';

export const syntaxError: Rule = {
  id: 'syntax-error',
  defaultSeverity: 'error',
  description: 'A statement that PostgreSQL’s own parser rejects.',
  docsUrl: ruleDocsUrl('syntax-error'),
  check(statement) {
    if (!statement.syntaxError) return NO_REPORTS;
    return [
      {
        message: `PostgreSQL would reject this statement: ${statement.syntaxError.message}.`,
        help: 'Fix the statement; until then safesql reads it from its tokens only, and may miss what it does.',
        span: statement.syntaxError.span,
      },
    ];
  },
};
