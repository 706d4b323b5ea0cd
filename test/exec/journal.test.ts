import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { jsonPieces } from '../../server/src/exec/journal';

/** A seeded generator, so that a failure names the case that found it. */
function random(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
}

const ODD_TEXT = ['', 'plain', 'it\'s "quoted" \\ back', 'tab\there', 'line\nbreak', '\u2028\u2029', '\ud800', '😀', '</script>', '\u0000'];

function value(next: () => number, depth: number): unknown {
  const pick = next();
  if (depth > 3 || pick < 0.3) {
    const leaf = next();
    if (leaf < 0.2) return null;
    if (leaf < 0.3) return undefined;
    if (leaf < 0.5) return Math.floor(next() * 1e6) - 5e5;
    if (leaf < 0.6) return next() < 0.5;
    return ODD_TEXT[Math.floor(next() * ODD_TEXT.length)]! + String(Math.floor(next() * 100));
  }
  if (pick < 0.6) {
    // Mostly short arrays, sometimes longer than a piece, as the journal's images are.
    const length = next() < 0.1 ? 1_000 + Math.floor(next() * 2_500) : Math.floor(next() * 5);
    return Array.from({ length }, () =>
      length > 100 ? [String(next()), null, ODD_TEXT[length % ODD_TEXT.length]!] : value(next, depth + 1),
    );
  }
  const object: Record<string, unknown> = {};
  for (let i = Math.floor(next() * 5); i > 0; i--) object[ODD_TEXT[Math.floor(next() * ODD_TEXT.length)]! + i] = value(next, depth + 1);
  return object;
}

describe('the journal writes an entry in pieces', () => {
  it('joins into exactly what JSON.stringify writes, for 300 seeded records', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const record = { type: 'entry', id: `e${seed}`, images: [value(random(seed), 0), value(random(seed * 7919), 0)], skipped: undefined };
      assert.equal([...jsonPieces(record)].join(''), JSON.stringify(record), `seed ${seed}`);
    }
  });

  it('writes a long image a slice at a time', () => {
    const rows = Array.from({ length: 2_500 }, (_, i) => [String(i), i % 3 === 0 ? null : `row ${i}`]);
    const pieces = [...jsonPieces({ before: rows })];
    assert.ok(pieces.length > 3, 'more than one piece for 2,500 rows');
    assert.ok(Math.max(...pieces.map((p) => p.length)) < JSON.stringify(rows).length / 2);
    assert.deepEqual(JSON.parse(pieces.join('')), { before: rows });
  });
});
