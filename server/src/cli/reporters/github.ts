import { ruleMetadata } from '../../rules/index';
import { toRecord, type FileResult } from '../results';
import type { Reporter } from './reporter';

const COMMAND_BY_SEVERITY = { error: 'error', warning: 'warning', info: 'notice' } as const;

/** GitHub Actions workflow commands: one annotation line per finding. */
export function githubReporter(): Reporter {
  return {
    start: () => '',
    *file(result: FileResult) {
      for (const finding of result.findings) {
        const r = toRecord(result, finding);
        const properties = [
          `file=${escapeProperty(r.file)}`,
          `line=${r.line}`,
          `endLine=${r.endLine}`,
          // Columns are only meaningful to GitHub on a single line.
          ...(r.line === r.endLine ? [`col=${r.column}`, `endColumn=${r.endColumn}`] : []),
          `title=${escapeProperty(`safesql ${r.rule}`)}`,
        ];
        const body = `${finding.message}\n${finding.help}\n${ruleMetadata(finding.rule).docsUrl}`;
        yield `::${COMMAND_BY_SEVERITY[r.severity]} ${properties.join(',')}::${escapeData(body)}\n`;
      }
    },
    end: () => '',
  };
}

function escapeData(value: string): string {
  return value.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function escapeProperty(value: string): string {
  return escapeData(value).replace(/:/g, '%3A').replace(/,/g, '%2C');
}
