import { ruleDocsUrl } from '../protocol';
import { NO_REPORTS, type Rule } from './types';

export const productionWrite: Rule = {
  id: 'production-write',
  defaultSeverity: 'error',
  description: 'A statement that changes data or schema in a file bound to a production connection.',
  docsUrl: ruleDocsUrl('production-write'),
  check(statement, { binding }) {
    if (!statement.modifiesData || binding?.environment !== 'production') return NO_REPORTS;
    const why = binding.escalation ? ` (${binding.escalation})` : '';
    return [
      {
        message: `This statement changes data on "${binding.name}", a production connection${why}: a live application may depend on every row it touches.`,
        help: 'Make sure this change is meant for production: run it inside BEGIN … COMMIT, check the affected row count before committing, and keep a copy of the rows it changes. If the file is not meant for production, bind it to another connection.',
        span: statement.span,
        ...(binding.directiveSpan
          ? { related: [{ span: binding.directiveSpan, message: `The file is bound to "${binding.name}" here.` }] }
          : {}),
      },
    ];
  },
};
