import { RULE_IDS, ruleDocsUrl, type RuleId } from '../protocol';
import { analysisLimit } from './analysis-limit';
import { dropObject } from './drop-object';
import { irreversibleEffect } from './irreversible-effect';
import { missingTransaction } from './missing-transaction';
import { productionWrite } from './production-write';
import { syntaxError } from './syntax-error';
import { transactionControlInBlock } from './transaction-control-in-block';
import { truncate } from './truncate';
import type { Rule, RuleMetadata } from './types';
import { unboundedDelete } from './unbounded-delete';
import { unboundedUpdate } from './unbounded-update';
import { uncommittedTransaction } from './uncommitted-transaction';

/** The rules that check statements, in reporting order. */
export const STATEMENT_RULES: readonly Rule[] = [
  unboundedDelete,
  unboundedUpdate,
  missingTransaction,
  uncommittedTransaction,
  truncate,
  dropObject,
  productionWrite,
  syntaxError,
  analysisLimit,
  irreversibleEffect,
  transactionControlInBlock,
];

/** Reported by the suppression pass rather than a statement check. */
export const unusedSuppression: RuleMetadata = {
  id: 'unused-suppression',
  defaultSeverity: 'warning',
  description: 'A safesql-ignore directive that suppresses nothing, or names an id that is not a rule.',
  docsUrl: ruleDocsUrl('unused-suppression'),
};

/** Reported for the file's `-- safesql:connection` line rather than a statement. */
export const unknownConnection: RuleMetadata = {
  id: 'unknown-connection',
  defaultSeverity: 'warning',
  description: 'A `-- safesql:connection` line that names none of the configured connections.',
  docsUrl: ruleDocsUrl('unknown-connection'),
};

/** Every rule, in the order of RULE_IDS (the public list). */
export const RULES: readonly RuleMetadata[] = RULE_IDS.map((id) =>
  [...STATEMENT_RULES, unusedSuppression, unknownConnection].find((r) => r.id === id)!,
);

const byId = new Map<RuleId, RuleMetadata>(RULES.map((r) => [r.id, r]));

export function ruleMetadata(id: RuleId): RuleMetadata {
  return byId.get(id)!;
}
