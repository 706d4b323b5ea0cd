import { ruleDocsUrl } from '../protocol';
import type { Rule } from './types';
import { unboundedChanges } from './unboundedChange';

export const unboundedUpdate: Rule = {
  id: 'unbounded-update',
  defaultSeverity: 'error',
  description: 'An UPDATE without a WHERE clause, or with one that matches every row (always true, or a cross join over the target).',
  docsUrl: ruleDocsUrl('unbounded-update'),
  check: (statement) => unboundedChanges(statement, 'update'),
};
