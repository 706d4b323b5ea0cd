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

const SEVERITY_RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/**
 * LSP diagnostics for a document's findings: the rule id as code, its docs page, related places.
 * Past `maxProblems` (0: no limit) the most severe are kept, and one more diagnostic says how many
 * were left out: thousands of warnings help nobody, and they slow every keystroke.
 */
export function toDiagnostics(uri: string, lines: LineIndex, findings: readonly Finding[], maxProblems = 0): Diagnostic[] {
  const shown = maxProblems > 0 && findings.length > maxProblems ? mostSevere(findings, maxProblems) : findings;
  const diagnostics = shown.map((finding) => toDiagnostic(uri, lines, finding));
  if (shown.length < findings.length) {
    diagnostics.push({
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      severity: DiagnosticSeverity.Information,
      source: 'safesql',
      message: `${findings.length - shown.length} more safesql findings are not shown (the limit is ${maxProblems} per file, setting safesql.maxProblems); \`safesql lint\` lists them all.`,
    });
  }
  return diagnostics;
}

/**
 * The first `limit` findings by severity, then position, back in document order: every finding
 * more severe than the last kept, and the earliest of that severity. Linear, as it runs on every keystroke.
 */
function mostSevere(findings: readonly Finding[], limit: number): Finding[] {
  const counts = [0, 0, 0];
  for (const finding of findings) counts[SEVERITY_RANK[finding.severity]]!++;
  let cutoff = 0;
  let room = limit;
  while (room > counts[cutoff]!) room -= counts[cutoff++]!;
  const kept: Finding[] = [];
  for (const finding of findings) {
    const rank = SEVERITY_RANK[finding.severity];
    if (rank < cutoff) kept.push(finding);
    else if (rank === cutoff && room > 0) {
      kept.push(finding);
      room--;
    }
  }
  return kept;
}

function toDiagnostic(uri: string, lines: LineIndex, finding: Finding): Diagnostic {
  return {
    range: toRange(lines, finding.span),
    severity: SEVERITY[finding.severity],
    code: finding.rule,
    codeDescription: { href: ruleMetadata(finding.rule).docsUrl },
    source: 'safesql',
    message: finding.message,
    ...(finding.related?.length
      ? { relatedInformation: finding.related.map((r) => ({ location: { uri, range: toRange(lines, r.span) }, message: r.message })) }
      : {}),
  };
}
