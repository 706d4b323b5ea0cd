import type { SqlDocument, Statement } from '../sql/statement';
import type { IgnoreDirective } from './directives';
import type { Report } from './types';
import type { RuleId } from '../protocol';

/**
 * Applies `safesql-ignore` directives: one on a statement's line (or inside it) covers that
 * statement; one alone on its line covers the next statement; `safesql-ignore-file` covers the
 * file. Unused ones, and ids that are not rules, are reported.
 */
export class Suppressions {
  private readonly used = new Set<string>();
  private readonly byStatement = new Map<number, IgnoreDirective[]>();
  private readonly fileWide: IgnoreDirective[];

  constructor(
    private readonly document: SqlDocument,
    private readonly ignores: IgnoreDirective[],
  ) {
    this.fileWide = ignores.filter((d) => d.scope === 'file');
    for (const directive of ignores) {
      if (directive.scope !== 'statement') continue;
      const statement = this.statementFor(directive);
      if (!statement) continue;
      const list = this.byStatement.get(statement.index) ?? [];
      list.push(directive);
      this.byStatement.set(statement.index, list);
    }
  }

  /** Whether a finding of `rule` on `statement` is suppressed; marks the directive used. */
  suppresses(rule: RuleId, statement: Statement | undefined): boolean {
    if (this.ignores.length === 0) return false;
    const candidates = [...(statement ? (this.byStatement.get(statement.index) ?? []) : []), ...this.fileWide];
    const directive = candidates.find((d) => d.rules.includes(rule));
    if (directive) this.used.add(`${directive.span.start}:${rule}`);
    return directive !== undefined;
  }

  /** Reports for directives (or ids within them) that suppressed nothing. */
  unused(): Report[] {
    const reports: Report[] = [];
    for (const directive of this.ignores) {
      for (const id of directive.unknown) {
        reports.push({
          message: `"${id}" is not a safesql rule id, so this directive suppresses nothing.`,
          help: 'Use one of the rule ids listed in the safesql README, separated by commas.',
          span: directive.span,
          unusedIds: [id],
        });
      }
      if (directive.rules.length === 0 && directive.unknown.length === 0) {
        reports.push({
          message: 'This directive names no rule, so it suppresses nothing.',
          help: 'Write `-- safesql-ignore <rule-id> -- <reason>`.',
          span: directive.span,
          unusedIds: [],
        });
      }
      for (const rule of directive.rules) {
        if (this.used.has(`${directive.span.start}:${rule}`)) continue;
        reports.push({
          message: `Nothing here is flagged by ${rule}, so this suppression is unused: it would silently hide a future finding.`,
          help: 'Remove it (or the rule id from it).',
          span: directive.span,
          unusedIds: [rule],
        });
      }
    }
    return reports;
  }

  private statementFor(directive: IgnoreDirective): Statement | undefined {
    const statements = this.document.statements;
    const lines = this.document.lines;
    const line = lines.position(directive.span.start).line;
    // Inside a statement, or trailing on the line where one ends: that statement (the last one
    // ending there, when several share the line).
    let covered: Statement | undefined;
    for (const statement of statements) {
      if (statement.span.start > directive.span.start) break;
      if (directive.span.start < statement.span.end || lines.position(statement.span.end).line === line) covered = statement;
    }
    // Alone on its line: the next statement.
    return covered ?? statements.find((s) => s.span.start > directive.span.start);
  }
}
