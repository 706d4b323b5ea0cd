import { DIRECTIVES, isRuleId, type RuleId } from '../protocol';
import type { SqlDocument, Span } from '../sql/statement';

export interface IgnoreDirective {
  /** `safesql-ignore` applies to one statement; `safesql-ignore-file` to the whole file. */
  scope: 'statement' | 'file';
  rules: RuleId[];
  /** Ids written in the directive that are not rule ids. */
  unknown: string[];
  reason?: string;
  span: Span;
}

export interface ConnectionDirective {
  name: string;
  span: Span;
}

export interface Directives {
  ignores: IgnoreDirective[];
  connection?: ConnectionDirective;
}

const IGNORE = new RegExp(`^--\\s*(${DIRECTIVES.ignoreFile}|${DIRECTIVES.ignore})\\b(.*)$`);
const CONNECTION = new RegExp(`^--\\s*${DIRECTIVES.connection}\\s+(\\S.*?)\\s*$`);

/**
 * The text of an ignore directive without the ids in `drop`, its reason kept; '' when no id would
 * be left (the directive should go).
 */
export function directiveWithout(commentText: string, drop: readonly string[]): string {
  const ignore = IGNORE.exec(commentText.replace(/\r$/, ''));
  if (!ignore) return commentText;
  const [idsPart, ...reasonParts] = ignore[2]!.split('--');
  const kept = idsPart!.split(/[\s,]+/).filter((id) => id && !drop.includes(id));
  if (kept.length === 0) return '';
  const reason = reasonParts.join('--').trim();
  return `-- ${ignore[1]} ${kept.join(', ')}${reason ? ` -- ${reason}` : ''}`;
}

/** Reads safesql's `--` comment directives. The first connection directive wins. */
export function readDirectives(document: SqlDocument): Directives {
  const directives: Directives = { ignores: [] };
  for (const comment of document.comments) {
    if (comment.type !== 'line-comment') continue;
    const text = document.text.slice(comment.start, comment.end).replace(/\r$/, '');
    const span = { start: comment.start, end: comment.start + text.length };
    const connection = CONNECTION.exec(text);
    if (connection) {
      directives.connection ??= { name: connection[1]!, span };
      continue;
    }
    const ignore = IGNORE.exec(text);
    if (!ignore) continue;
    const [idsPart, ...reasonParts] = ignore[2]!.split('--');
    const ids = idsPart!.split(/[\s,]+/).filter(Boolean);
    const reason = reasonParts.join('--').trim();
    directives.ignores.push({
      scope: ignore[1] === DIRECTIVES.ignoreFile ? 'file' : 'statement',
      rules: ids.filter(isRuleId),
      unknown: ids.filter((id) => !isRuleId(id)),
      ...(reason ? { reason } : {}),
      span,
    });
  }
  return directives;
}
