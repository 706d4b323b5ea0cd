import { toRecord, type FileResult } from '../results';
import type { Reporter } from './reporter';

/** One JSON array of finding records, laid out as `JSON.stringify(records, null, 2)` would. */
export function jsonReporter(): Reporter {
  let first = true;
  return {
    start: () => '[',
    *file(result: FileResult) {
      for (const finding of result.findings) {
        const record = JSON.stringify(toRecord(result, finding), null, 2).replace(/\n/g, '\n  ');
        yield `${first ? '' : ','}\n  ${record}`;
        first = false;
      }
    },
    end: () => (first ? ']\n' : '\n]\n'),
  };
}
