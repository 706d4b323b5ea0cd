import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_EXECUTION_SETTINGS, type ExecutionSettings } from '../../server/src/config/executionSettings';
import type { ConnectionTarget } from '../../server/src/exec/connection';
import { Journal } from '../../server/src/exec/journal';
import type { ExecContext } from '../../server/src/exec/preview';
import { executionUnits, type ExecutionUnit } from '../../server/src/exec/units';
import { analyzeDocument } from '../../server/src/sql/analyze';
import type { SqlDocument } from '../../server/src/sql/statement';

/** One runnable unit of `sql` (the first, unless `index` says otherwise), with its document. */
export function unitOf(sql: string, index = 0): { document: SqlDocument; unit: ExecutionUnit } {
  const document = analyzeDocument(sql);
  const unit = executionUnits(document)[index];
  if (!unit) throw new Error(`no unit ${index} in: ${sql}`);
  return { document, unit };
}

export function contextFor(url: string, target: Partial<ConnectionTarget> = {}, settings: Partial<ExecutionSettings> = {}): ExecContext {
  return {
    target: { name: 'test', environment: 'development', url, ...target },
    settings: { ...DEFAULT_EXECUTION_SETTINGS, ...settings },
  };
}

export function temporaryJournal(): Journal {
  return Journal.inDirectory(mkdtempSync(join(tmpdir(), 'safesql-journal-')));
}
