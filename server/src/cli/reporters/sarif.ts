import { pathToFileURL } from 'node:url';
import type { Log, ReportingDescriptor, Result } from 'sarif';
import { PRODUCT, type Severity } from '../../protocol';
import { RULES } from '../../rules/index';
import { toRecord, type FileResult } from '../results';

const LEVEL: Record<Severity, Result.level> = { error: 'error', warning: 'warning', info: 'note' };

/** SARIF 2.1.0, as GitHub code scanning ingests it. */
export function formatSarif(results: FileResult[]): string {
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

  const sarifResults: Result[] = results.flatMap((result) =>
    result.findings.map((finding) => {
      const r = toRecord(result, finding);
      return {
        ruleId: r.rule,
        ruleIndex: ruleIndex.get(r.rule)!,
        level: LEVEL[r.severity],
        message: { text: `${finding.message} ${finding.help}` },
        locations: [
          {
            physicalLocation: {
              artifactLocation: { uri: encodeURI(r.file), uriBaseId: '%SRCROOT%' },
              region: { startLine: r.line, startColumn: r.column, endLine: r.endLine, endColumn: r.endColumn },
            },
          },
        ],
        ...(finding.related?.length
          ? {
              relatedLocations: finding.related.map((related, id) => {
                const start = result.lines.position(related.span.start);
                const end = result.lines.position(related.span.end);
                return {
                  id,
                  message: { text: related.message },
                  physicalLocation: {
                    artifactLocation: { uri: encodeURI(r.file), uriBaseId: '%SRCROOT%' },
                    region: {
                      startLine: start.line + 1,
                      startColumn: start.character + 1,
                      endLine: end.line + 1,
                      endColumn: end.character + 1,
                    },
                  },
                };
              }),
            }
          : {}),
      };
    }),
  );

  const log: Log = {
    version: '2.1.0',
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    runs: [
      {
        tool: { driver: { name: PRODUCT.name, version: PRODUCT.version, informationUri: PRODUCT.informationUri, rules } },
        originalUriBaseIds: { '%SRCROOT%': { uri: `${pathToFileURL(process.cwd()).href}/` } },
        results: sarifResults,
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}
