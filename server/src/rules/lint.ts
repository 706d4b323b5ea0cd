import { resolveEnvironment } from '../config/environment';
import type { LintSettings } from '../config/settings';
import { RULE_IDS, SEVERITIES, type BoundConnection, type RuleId, type Severity } from '../protocol';
import type { SqlDocument, Statement } from '../sql/statement';
import { readDirectives, type ConnectionDirective } from './directives';
import { ruleMetadata, STATEMENT_RULES } from './index';
import { Suppressions } from './suppressions';
import { transactionTimeline } from './transactions';
import type { ConnectionBinding, Finding, Report, RuleContext } from './types';

export interface LintOptions {
  settings: LintSettings;
  /** The connection the editor has bound this document to; a directive in the file overrides it. */
  editorConnection?: BoundConnection;
}

/** Runs every rule over a document, applies severities and suppressions, and orders the findings. */
export function lintDocument(document: SqlDocument, options: LintOptions): Finding[] {
  const directives = readDirectives(document);
  const context: RuleContext = {
    document,
    transactions: transactionTimeline(document),
    binding: bindConnection(directives.connection, options),
  };
  const suppressions = new Suppressions(document, directives.ignores);
  const severities = new Map(RULE_IDS.map((id) => [id, severityOf(id, options.settings)]));
  const findings: Finding[] = [];
  const add = (rule: RuleId, report: Report, statement: Statement | undefined): void => {
    if (suppressions.suppresses(rule, statement)) return;
    const configured = severities.get(rule);
    if (!configured) return;
    const severity = report.atMost && SEVERITIES.indexOf(report.atMost) > SEVERITIES.indexOf(configured) ? report.atMost : configured;
    findings.push({ rule, severity, ...report });
  };

  for (const statement of document.statements) {
    for (const rule of STATEMENT_RULES) {
      const reports = rule.check(statement, context);
      for (let i = 0; i < reports.length; i++) add(rule.id, reports[i]!, statement);
    }
  }
  for (const report of suppressions.unused()) add('unused-suppression', report, undefined);
  const unknown = unknownConnection(directives.connection, options.settings);
  if (unknown) add('unknown-connection', unknown, undefined);
  return findings.sort((a, b) => a.span.start - b.span.start || a.span.end - b.span.end);
}

function severityOf(rule: RuleId, settings: LintSettings): Severity | undefined {
  const configured = settings.rules[rule];
  if (configured === 'off') return undefined;
  return configured ?? ruleMetadata(rule).defaultSeverity;
}

/**
 * A `-- safesql:connection` line that names none of the configured connections: most likely a typo,
 * and the file then counts as production. Said only when some are configured (a name defined twice
 * is reported where the definitions are): with none, as in a CI run without the team's connections,
 * every name is unknown and none is a mistake.
 */
function unknownConnection(directive: ConnectionDirective | undefined, settings: LintSettings): Report | undefined {
  if (!directive || settings.connections.length === 0 || settings.conflicts?.[directive.name]) return undefined;
  if (settings.connections.some((c) => c.name === directive.name)) return undefined;
  const names = settings.connections.map((c) => c.name);
  return {
    message: `No connection named "${directive.name}" is configured (configured: ${names.join(', ')}), so the file counts as production, and nothing in it can run until the line names a configured one.`,
    help: 'Correct the name on this line, or add the connection to safesql.connections.',
    span: directive.span,
    configuredNames: names,
  };
}

function bindConnection(directive: ConnectionDirective | undefined, options: LintOptions): ConnectionBinding | undefined {
  if (directive) {
    const connection = options.settings.connections.find((c) => c.name === directive.name);
    const resolved = connection
      ? resolveEnvironment(connection)
      : {
          environment: 'production' as const,
          escalation: `connection "${directive.name}" is not configured in safesql.connections, so it counts as production`,
        };
    return { name: directive.name, ...resolved, source: 'directive', directiveSpan: directive.span };
  }
  if (options.editorConnection) {
    return { name: options.editorConnection.name, ...resolveEnvironment(options.editorConnection), source: 'editor' };
  }
  return undefined;
}
