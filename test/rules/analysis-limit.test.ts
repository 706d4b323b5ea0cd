import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { MAX_PARSED_STATEMENT_CHARS } from '../../server/src/sql/analyze';
import { loadGrammar } from '../../server/src/sql/grammar';
import { lintSql, ruleFixtures } from '../helpers/lint';

const HUGE_INSERT = `BEGIN;\nINSERT INTO events (id, note) VALUES ${Array.from({ length: 60_000 }, (_, i) => `(${i}, 'note ${i}')`).join(', ')};\nCOMMIT;\n`;

ruleFixtures('analysis-limit', {
  flagged: [HUGE_INSERT],
  ok: ["BEGIN;\nINSERT INTO events (id, note) VALUES (1, 'a'), (2, 'b');\nCOMMIT;\n", 'SELECT 1;'],
});

describe('analysis-limit, beyond the fixtures', () => {
  before(() => loadGrammar());

  it('still reads a statement past the limit from its tokens', () => {
    assert.ok(HUGE_INSERT.length > MAX_PARSED_STATEMENT_CHARS);
    const hugeDelete = `DELETE FROM events WHERE id IN (${Array.from({ length: 200_000 }, (_, i) => i).join(', ')}) OR TRUE;`;
    const { findings } = lintSql(hugeDelete);
    assert.deepEqual(new Set(findings.map((f) => f.rule)), new Set(['missing-transaction', 'analysis-limit', 'unbounded-delete']));
    assert.ok(findings.some((f) => f.rule === 'unbounded-delete'));
    assert.match(findings.find((f) => f.rule === 'analysis-limit')!.message, /it is 1,\d{3},\d{3} characters long/);
  });
});
