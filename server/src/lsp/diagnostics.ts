import { DiagnosticSeverity, type Diagnostic, type Range } from 'vscode-languageserver';
import type { Severity } from '../protocol';
import { ruleMetadata } from '../rules/index';
import type { Finding } from '../rules/types';
import type { LineIndex } from '../sql/lineIndex';
import type { Span } from '../sql/statement';

const SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
};

export function toRange(lines: LineIndex, span: Span): Range {
  return { start: lines.position(span.start), end: lines.position(span.end) };
}

/** LSP diagnostics for a document's findings: the rule id as code, its docs page, related places. */
export function toDiagnostics(uri: string, lines: LineIndex, findings: readonly Finding[]): Diagnostic[] {
  return findings.map((finding) => ({
    range: toRange(lines, finding.span),
    severity: SEVERITY[finding.severity],
    code: finding.rule,
    codeDescription: { href: ruleMetadata(finding.rule).docsUrl },
    source: 'safesql',
    message: finding.message,
    ...(finding.related?.length
      ? { relatedInformation: finding.related.map((r) => ({ location: { uri, range: toRange(lines, r.span) }, message: r.message })) }
      : {}),
  }));
}
