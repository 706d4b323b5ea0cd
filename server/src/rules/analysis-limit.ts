import { MAX_PARSED_STATEMENT_CHARS } from '../sql/analyze';
import { ruleDocsUrl } from '../protocol';
import { NO_REPORTS, type Rule } from './types';

export const analysisLimit: Rule = {
  id: 'analysis-limit',
  defaultSeverity: 'info',
  description: 'A statement longer than safesql parses in full, so it was read from its tokens only.',
  docsUrl: ruleDocsUrl('analysis-limit'),
  check(statement) {
    if (!statement.notParsed) return NO_REPORTS;
    return [
      {
        message: `safesql could not fully analyse this statement (${statement.notParsed}): it was read from its tokens only, so a finding may be missed.`,
        help: `Split the statement, or review it by hand. Statements up to ${MAX_PARSED_STATEMENT_CHARS.toLocaleString('en')} characters are parsed in full.`,
        span: { start: statement.span.start, end: Math.min(statement.span.end, statement.span.start + 200) },
      },
    ];
  },
};
