import { pathToFileURL } from 'node:url';
import type { Log, ReportingDescriptor, Result } from 'sarif';
import { PRODUCT, type Severity } from '../../protocol';
import { RULES } from '../../rules/index';
import type { Span } from '../../sql/statement';
import { toRecord, type FileResult } from '../results';
import type { Reporter } from './reporter';

const LEVEL: Record<Severity, Result.level> = { error: 'error', warning: 'warning', info: 'note' };

/** SARIF 2.1.0, as GitHub code scanning ingests it. */
export function sarifReporter(): Reporter {
  const rules: ReportingDescriptor[] = RULES.map((rule) => ({
    id: rule.id,
    name: rule.id.replace(/(^|-)([a-z])/g, (_, __, c: string) => c.toUpperCase()),
    shortDescription: { text: rule.description },
    fullDescription: { text: rule.description },
    helpUri: rule.docsUrl,
    help: { text: `${rule.description} See ${rule.docsUrl}`, markdown: `${rule.description} [Documentation](${rule.docsUrl})` },
    defaultConfiguration: { level: LEVEL[rule.defaultSeverity] },
    properties: { tags: ['postgresql', 'data-safety'] },
  }));
  const ruleIndex = new Map(rules.map((r, i) => [r.id, i]));
  const log: Log = {
    version: '2.1.0',
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    runs: [
      {
        tool: { driver: { name: PRODUCT.name, version: PRODUCT.version, informationUri: PRODUCT.informationUri, rules } },
        originalUriBaseIds: { '%SRCROOT%': { uri: `${pathToFileURL(process.cwd()).href}/` } },
        results: [],
      },
    ],
  };
  // The log is printed once with no results, and the results are streamed into the gap where its
  // empty array was: `results` is the last key of the only run, so that gap is the last `[]`.
  const shell = JSON.stringify(log, null, 2);
  const gap = shell.lastIndexOf('[]');
  const indent = '\n        ';
  let first = true;

  return {
    start: () => shell.slice(0, gap + 1),
    *file(result: FileResult) {
      for (const finding of result.findings) {
        const r = toRecord(result, finding);
        const uri = encodeURI(r.file);
        const sarifResult: Result = {
          ruleId: r.rule,
          ruleIndex: ruleIndex.get(r.rule)!,
          level: LEVEL[r.severity],
          message: { text: `${finding.message} ${finding.help}` },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri, uriBaseId: '%SRCROOT%' },
                region: { startLine: r.line, startColumn: r.column, endLine: r.endLine, endColumn: r.endColumn },
              },
            },
          ],
          ...(finding.related?.length
            ? {
                relatedLocations: finding.related.map((related, id) => ({
                  id,
                  message: { text: related.message },
                  physicalLocation: { artifactLocation: { uri, uriBaseId: '%SRCROOT%' }, region: region(result, related.span) },
                })),
              }
            : {}),
        };
        yield `${first ? '' : ','}${indent}${JSON.stringify(sarifResult, null, 2).replace(/\n/g, indent)}`;
        first = false;
      }
    },
    end: () => `${first ? '' : '\n      '}${shell.slice(gap + 1)}\n`,
  };
}

function region(result: FileResult, span: Span) {
  const start = result.lines.position(span.start);
  const end = result.lines.position(span.end);
  return { startLine: start.line + 1, startColumn: start.character + 1, endLine: end.line + 1, endColumn: end.character + 1 };
}
