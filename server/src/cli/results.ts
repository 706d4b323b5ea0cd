import type { RuleId, Severity } from '../protocol';
import type { Finding } from '../rules/types';
import type { LineIndex } from '../sql/lineIndex';

/** One linted file: what the reporters print (not the whole analysis, which may be large). */
export interface FileResult {
  /** The path as the user sees it: relative to the working directory, with `/` separators. */
  file: string;
  lines: LineIndex;
  statementCount: number;
  findings: Finding[];
}

/** A finding as the stable JSON contract prints it: 1-based lines and columns, end exclusive. */
export interface FindingRecord {
  file: string;
  rule: RuleId;
  severity: Severity;
  message: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

export function toRecord(result: FileResult, finding: Finding): FindingRecord {
  const start = result.lines.position(finding.span.start);
  const end = result.lines.position(finding.span.end);
  return {
    file: result.file,
    rule: finding.rule,
    severity: finding.severity,
    message: finding.message,
    line: start.line + 1,
    column: start.character + 1,
    endLine: end.line + 1,
    endColumn: end.character + 1,
  };
}
