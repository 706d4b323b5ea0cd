import { records, type FileResult } from '../results';

export function formatJson(results: FileResult[]): string {
  return `${JSON.stringify(records(results), null, 2)}\n`;
}
