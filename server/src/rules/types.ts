import type { Environment, RuleId, Severity } from '../protocol';
import type { SqlDocument, Span, Statement } from '../sql/statement';
import type { TransactionTimeline } from './transactions';

/** What a rule says about one place: the consequence, and the remedy. */
export interface Report {
  message: string;
  help: string;
  span: Span;
  related?: { span: Span; message: string }[];
  /** The most severe this finding may be, whatever the rule's severity: a fact worth knowing rather than a danger. */
  atMost?: Severity;
  /** For unknown-connection: the names configured, which its quick fixes offer. */
  configuredNames?: string[];
  /** For unused-suppression: the ids of the directive (at `span`) that suppress nothing; empty when it names none. */
  unusedIds?: string[];
}

export interface Finding extends Report {
  rule: RuleId;
  severity: Severity;
}

/** The connection a document is bound to, after environment resolution. */
export interface ConnectionBinding {
  name: string;
  environment: Environment;
  /** Why the environment is production although the declaration did not say so. */
  escalation?: string;
  /** Where the binding comes from: a `-- safesql:connection` line, or the editor. */
  source: 'directive' | 'editor';
  /** The directive's span, when it comes from one. */
  directiveSpan?: Span;
}

export interface RuleContext {
  document: SqlDocument;
  transactions: TransactionTimeline;
  binding: ConnectionBinding | undefined;
}

export interface RuleMetadata {
  id: RuleId;
  defaultSeverity: Severity;
  /** One sentence: what the rule flags. */
  description: string;
  docsUrl: string;
}

/** What a check returns when it has nothing to say: shared, so the common case allocates nothing. */
export const NO_REPORTS: readonly Report[] = Object.freeze([]);

export interface Rule extends RuleMetadata {
  check(statement: Statement, context: RuleContext): readonly Report[];
}
