import { plural } from '../../plural';
import { ruleMetadata } from '../../rules/index';
import type { Finding } from '../../rules/types';
import type { Severity } from '../../protocol';
import type { FileResult } from '../results';
import type { Reporter } from './reporter';

export interface TextOptions {
  color: boolean;
}

const MAX_SOURCE_LINES = 4;

/** Compiler-style output: the location, the consequence, the statement with the span marked, the remedy. */
export function textReporter(options: TextOptions): Reporter {
  const paint = painter(options.color);
  const counts: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
  let statements = 0;
  let files = 0;
  return {
    start: () => '',
    *file(result: FileResult) {
      files++;
      statements += result.statementCount;
      for (const finding of result.findings) {
        counts[finding.severity]++;
        yield `${formatFinding(result, finding, paint)}\n`;
      }
    },
    end: () => {
      const summary = `${plural(counts.error, 'error')}, ${plural(counts.warning, 'warning')}, ${counts.info} info in ${plural(files, 'file')} (${plural(statements, 'statement')})`;
      return `${counts.error > 0 ? paint.red(summary) : counts.warning > 0 ? paint.yellow(summary) : paint.green(summary)}\n`;
    },
  };
}

function formatFinding(result: FileResult, finding: Finding, paint: Painter): string {
  const { lines } = result;
  const start = lines.position(finding.span.start);
  const end = lines.position(Math.max(finding.span.start, finding.span.end - 1));
  const severity =
    finding.severity === 'error' ? paint.red('error') : finding.severity === 'warning' ? paint.yellow('warning') : paint.blue('info');
  const header = `${paint.bold(`${result.file}:${start.line + 1}:${start.character + 1}`)}: ${severity}[${finding.rule}] ${paint.bold(finding.message)}`;
  const gutterWidth = String(end.line + 1).length;
  const gutter = (label: string): string => paint.blue(`${label.padStart(gutterWidth)} | `);
  const body: string[] = [];
  const lastShown = Math.min(end.line, start.line + MAX_SOURCE_LINES - 1);
  for (let line = start.line; line <= lastShown; line++) {
    const text = lines.lineText(line);
    const from = line === start.line ? start.character : firstNonBlank(text);
    const to = line === end.line ? end.character + 1 : text.length;
    body.push(`${gutter(String(line + 1))}${text}`);
    if (to > from) body.push(`${gutter('')}${whitespaceLike(text.slice(0, from))}${paint.red('^'.repeat(Math.max(1, to - from)))}`);
  }
  if (lastShown < end.line) body.push(`${gutter('')}${paint.dim(`… ${end.line - lastShown} more line(s)`)}`);
  const help = `${' '.repeat(gutterWidth)} = ${paint.bold('help')}: ${finding.help}`;
  const docs = `${' '.repeat(gutterWidth)} = ${paint.bold('docs')}: ${ruleMetadata(finding.rule).docsUrl}`;
  const related = (finding.related ?? []).map((r) => {
    const at = lines.position(r.span.start);
    return `${' '.repeat(gutterWidth)} = ${paint.bold('note')}: ${result.file}:${at.line + 1}:${at.character + 1}: ${r.message}`;
  });
  return [header, ...body, ...related, help, docs, ''].join('\n');
}

function firstNonBlank(text: string): number {
  const match = /\S/.exec(text);
  return match ? match.index : 0;
}

/** Keeps tabs as tabs so the markers line up under the source whatever the tab width. */
function whitespaceLike(prefix: string): string {
  return prefix.replace(/[^\t]/g, ' ');
}

type Painter = Record<'red' | 'yellow' | 'green' | 'blue' | 'bold' | 'dim', (s: string) => string>;

function painter(color: boolean): Painter {
  const wrap = (open: number, close: number) => (s: string) => (color ? `\u001b[${open}m${s}\u001b[${close}m` : s);
  return { red: wrap(31, 39), yellow: wrap(33, 39), green: wrap(32, 39), blue: wrap(34, 39), bold: wrap(1, 22), dim: wrap(2, 22) };
}
