import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { loadGrammar } from '../../server/src/sql/grammar';
import { lintSql } from '../helpers/lint';

/**
 * Real SQL that nobody here wrote (see test/corpus/SOURCES.md), with a hand-made oracle in
 * expected.json: every top-level and CTE DELETE/UPDATE and whether its reach is bounded.
 */

interface Expected {
  file: string;
  line: number;
  command: 'delete' | 'update';
  target: string;
  bounded: boolean;
}

const CORPUS = join(__dirname, '../corpus');
const FILES = readdirSync(CORPUS)
  .filter((f) => f.endsWith('.sql'))
  .sort();
const EXPECTED = JSON.parse(readFileSync(join(CORPUS, 'expected.json'), 'utf8')) as Expected[];

function key(e: Pick<Expected, 'file' | 'line' | 'command'>): string {
  return `${e.file}:${e.line} ${e.command.toUpperCase()}`;
}

describe('real-world corpus', () => {
  before(() => loadGrammar());

  it('holds a substantial amount of SQL with an oracle for every file', () => {
    assert.ok(FILES.length >= 8, `${FILES.length} files`);
    assert.ok(EXPECTED.length >= 40, `${EXPECTED.length} expected DELETE/UPDATE entries`);
    for (const e of EXPECTED) assert.ok(FILES.includes(e.file), `expected.json names a missing file ${e.file}`);
  });

  for (const file of FILES) {
    it(`${file}: no crash, no syntax-error, every DELETE/UPDATE classified as the oracle says`, () => {
      const { document, findings } = lintSql(readFileSync(join(CORPUS, file), 'utf8'));
      assert.deepEqual(
        findings.filter((f) => f.rule === 'syntax-error').map((f) => `${document.lines.position(f.span.start).line + 1}: ${f.message}`),
        [],
      );
      const actual = new Map<string, { target: string; bounded: boolean; reason: string }>();
      for (const statement of document.statements) {
        for (const change of statement.rowChanges) {
          const line = document.lines.position(change.span.start).line + 1;
          actual.set(key({ file, line, command: change.command }), {
            target: change.target,
            bounded: change.reach.bounded,
            reason: change.reach.reason,
          });
        }
      }
      const expected = EXPECTED.filter((e) => e.file === file);
      assert.deepEqual([...actual.keys()].sort(), expected.map(key).sort(), 'the DELETE/UPDATE statements found');
      for (const e of expected) {
        const found = actual.get(key(e))!;
        assert.equal(
          found.bounded,
          e.bounded,
          `${key(e)} on ${e.target}: expected ${e.bounded ? 'bounded' : 'unbounded'}, got ${found.reason}`,
        );
        assert.equal(found.target.toLowerCase(), e.target.toLowerCase(), `${key(e)} target`);
      }
      // Unbounded ones are reported by the matching rule.
      for (const e of expected.filter((x) => !x.bounded)) {
        const rule = e.command === 'delete' ? 'unbounded-delete' : 'unbounded-update';
        assert.ok(
          findings.some((f) => f.rule === rule && document.lines.position(f.span.start).line + 1 >= e.line),
          `${key(e)} reported by ${rule}`,
        );
      }
    });
  }

  // Checked by reading the corpus: three COPY … TO a server file named by a psql variable (PostgreSQL's
  // COPY regression test) and pg_dump's setval calls; no transaction control escapes a block anywhere.
  it('reports exactly the effects outside the transaction that are there', () => {
    const found = FILES.flatMap((file) => {
      const { document, findings } = lintSql(readFileSync(join(CORPUS, file), 'utf8'));
      return findings
        .filter((f) => f.rule === 'irreversible-effect' || f.rule === 'transaction-control-in-block')
        .map(
          (f) => `${file}:${document.lines.position(f.span.start).line + 1} ${f.severity} ${document.text.slice(f.span.start, f.span.end)}`,
        );
    });
    assert.deepEqual(found, [
      "postgres-regress-copy.sql:23 warning to :'filename'",
      "postgres-regress-copy.sql:35 warning to :'filename'",
      "postgres-regress-copy.sql:89 warning to :'filename'",
      'postgrest-data.sql:81 info pg_catalog.setval',
      'postgrest-data.sql:178 info pg_catalog.setval',
      'postgrest-data.sql:207 info pg_catalog.setval',
    ]);
  });
});
