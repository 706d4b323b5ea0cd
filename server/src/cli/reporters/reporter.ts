import type { FileResult } from '../results';

/**
 * A report written as it is produced: `start` before the first file, `file` as soon as a file is
 * linted (one piece per finding, so no file's report is ever one string), `end` after the last.
 * Together the pieces make one valid document in every format.
 */
export interface Reporter {
  start(): string;
  file(result: FileResult): Iterable<string>;
  end(): string;
}
