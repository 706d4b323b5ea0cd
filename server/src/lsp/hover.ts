import { MarkupKind, type Hover } from 'vscode-languageserver';
import { ruleMetadata } from '../rules/index';
import type { Finding } from '../rules/types';
import type { LineIndex } from '../sql/lineIndex';
import { toRange } from './diagnostics';

/**
 * One paragraph per finding under the cursor: the remedy and the rule's docs. Not the finding's
 * message: editors show the diagnostic's own message beside the hover, and it would read twice.
 */
export function hoverAt(lines: LineIndex, findings: readonly Finding[], offset: number): Hover | null {
  // The most specific finding first: a WHERE clause before the statement around it.
  const here = findings
    .filter((f) => f.span.start <= offset && offset <= f.span.end)
    .sort((a, b) => a.span.end - a.span.start - (b.span.end - b.span.start));
  if (here.length === 0) return null;
  const value = here
    .map((f) => {
      const rule = ruleMetadata(f.rule);
      return `**safesql · ${f.rule}** (${f.severity}) — ${f.help}\n\n${rule.description} [Rule documentation](${rule.docsUrl})`;
    })
    .join('\n\n---\n\n');
  const span = { start: Math.min(...here.map((f) => f.span.start)), end: Math.max(...here.map((f) => f.span.end)) };
  return { contents: { kind: MarkupKind.Markdown, value }, range: toRange(lines, span) };
}
