import { ruleDocsUrl } from '../protocol';
import type { Rule } from './types';
import { unboundedChanges } from './unboundedChange';

export const unboundedDelete: Rule = {
  id: 'unbounded-delete',
  defaultSeverity: 'error',
  description: 'A DELETE without a WHERE clause, or with one that matches every row (always true, or a cross join over the target).',
  docsUrl: ruleDocsUrl('unbounded-delete'),
  check: (statement) => unboundedChanges(statement, 'delete'),
};
