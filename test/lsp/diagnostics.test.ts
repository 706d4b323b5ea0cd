import assert from 'node:assert/strict';
import { it } from 'node:test';
import { toDiagnostics } from '../../server/src/lsp/diagnostics';
import type { Severity } from '../../server/src/protocol';
import type { Finding } from '../../server/src/rules/types';
import { LineIndex } from '../../server/src/sql/lineIndex';
import { seededRandom } from '../helpers/random';

const SEVERITIES: Severity[] = ['error', 'warning', 'info'];
const RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

it('past maxProblems keeps the most severe, earliest first, in document order (500 random cases)', () => {
  const random = seededRandom(7);
  const lines = new LineIndex('x\n'.repeat(100));
  for (let round = 0; round < 500; round++) {
    const findings: Finding[] = Array.from({ length: 1 + random(40) }, (_, i) => ({
      rule: 'missing-transaction',
      severity: SEVERITIES[random(3)]!,
      message: `finding ${i}`,
      help: '',
      span: { start: i, end: i + 1 },
    }));
    const limit = 1 + random(findings.length);
    const expected = findings
      .map((finding, order) => ({ finding, order }))
      .sort((a, b) => RANK[a.finding.severity] - RANK[b.finding.severity] || a.order - b.order)
      .slice(0, limit)
      .sort((a, b) => a.order - b.order)
      .map(({ finding }) => finding.message);
    const shown = toDiagnostics('file:///x.sql', lines, findings, limit).map((d) => d.message);
    if (limit < findings.length) expected.push(shown[shown.length - 1]!);
    assert.deepEqual(shown, expected, `round ${round}`);
    if (limit < findings.length) assert.match(shown[shown.length - 1]!, new RegExp(`^${findings.length - limit} more safesql findings`));
  }
});
