import { ruleDocsUrl } from '../protocol';
import type { Rule } from './types';

export const productionWrite: Rule = {
  id: 'production-write',
  defaultSeverity: 'error',
  description: 'A statement that changes data or schema in a file bound to a production connection.',
  docsUrl: ruleDocsUrl('production-write'),
  check(statement, { binding }) {
    if (!statement.modifiesData || binding?.environment !== 'production') return [];
    const why = binding.escalation ? ` (${binding.escalation})` : '';
    return [
      {
        message: `This statement changes data on "${binding.name}", a production connection${why}: a live application may depend on every row it touches.`,
        help: 'Preview it and commit it through safesql, which checks the row count and keeps a copy of what changed; or bind this file to a non-production connection.',
        span: statement.span,
        ...(binding.directiveSpan ? { related: [{ span: binding.directiveSpan, message: `The file is bound to "${binding.name}" here.` }] } : {}),
      },
    ];
  },
};
