import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { analyzeDocument, analyzeDocumentInSlices } from '../../server/src/sql/analyze';
import { loadGrammar } from '../../server/src/sql/grammar';
import { reanalyzeDocument } from '../../server/src/sql/incremental';
import { comparableAnalysis } from '../helpers/comparable';
import { seededRandom } from '../helpers/random';

/** Edits that change how text splits: quotes, comment openers, semicolons, dollar tags, words. */
const INSERTIONS = [
  "'",
  '"',
  ';',
  '/*',
  '*/',
  '--',
  '\n',
  '$$',
  '$x$',
  '(',
  ')',
  'x',
  ' WHERE id = 1',
  'BEGIN;',
  'COMMIT;',
  'DELETE FROM t',
  '\\.\n',
  'COPY t FROM stdin;\n',
  'COPY t FROM stdin; SELECT 1; ',
  '\\set x 1\n',
  '\\:',
  '\\echo x \\\\ ',
  '\r',
  "E'\\'",
  'é',
];

describe('incremental re-analysis', () => {
  before(() => loadGrammar());

  const corpus = join(__dirname, '../corpus');
  const texts = readdirSync(corpus)
    .filter((f) => f.endsWith('.sql'))
    .map((f) => readFileSync(join(corpus, f), 'utf8'));
  texts.push(readFileSync(join(__dirname, '../../examples/cleanup-bad-rows.sql'), 'utf8'));

  it('after any edit, equals a full analysis of the new text (3,000 random edits)', () => {
    const random = seededRandom(20261127);
    for (let round = 0; round < 3000; round++) {
      const original = texts[random(texts.length)]!;
      let document = analyzeDocument(original);
      // A few edits in a row, each applied to the previous incremental result.
      for (let step = 0; step < 3; step++) {
        const text = document.text;
        const at = random(text.length + 1);
        const removed = random(4) === 0 ? random(Math.min(40, text.length - at) + 1) : 0;
        const inserted = random(3) === 0 ? '' : INSERTIONS[random(INSERTIONS.length)]!;
        const next = text.slice(0, at) + inserted + text.slice(at + removed);
        const incremental = reanalyzeDocument(document, next);
        const full = analyzeDocument(next);
        assert.deepEqual(
          comparableAnalysis(incremental),
          comparableAnalysis(full),
          `round ${round} step ${step}: ${JSON.stringify({ at, removed, inserted })}`,
        );
        document = incremental;
      }
    }
  });

  it('reuses the statements before the edit and moves those after it', () => {
    const text = 'SELECT 1;\nDELETE FROM a;\nUPDATE b SET x = 1;\nSELECT 4;\n';
    const before = analyzeDocument(text);
    const after = reanalyzeDocument(before, text.replace('UPDATE b SET x = 1;', 'UPDATE b SET x = 1 WHERE id = 7;'));
    assert.equal(after.statements[0], before.statements[0]);
    assert.equal(after.statements[2]!.rowChanges[0]!.reach.bounded, true);
    assert.deepEqual(after.statements[3]!.span, { start: before.statements[3]!.span.start + 13, end: before.statements[3]!.span.end + 13 });
    assert.equal(after.statements[3]!.text, 'SELECT 4;');
  });
});

describe('analysis in slices', () => {
  before(() => loadGrammar());

  it('equals the one-pass analysis, whatever the slice size', async () => {
    const corpus = join(__dirname, '../corpus');
    for (const file of readdirSync(corpus).filter((f) => f.endsWith('.sql'))) {
      const text = readFileSync(join(corpus, file), 'utf8');
      for (const slice of [1, 97, 4096]) {
        const sliced = await analyzeDocumentInSlices(text, () => true, slice);
        assert.deepEqual(comparableAnalysis(sliced!), comparableAnalysis(analyzeDocument(text)), `${file}, slices of ${slice}`);
      }
    }
  });

  it('stops when the result is no longer wanted', async () => {
    let asked = 0;
    const result = await analyzeDocumentInSlices('SELECT 1;\n'.repeat(100), () => ++asked < 3, 10);
    assert.equal(result, undefined);
    assert.equal(asked, 3);
  });
});
