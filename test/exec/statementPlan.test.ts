import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import {
  captureFor,
  planStatement,
  sampleFor,
  versionsFor,
  writtenNames,
  type CaptureParts,
  type StatementPlan,
} from '../../server/src/exec/statementPlan';
import { analyzeDocument } from '../../server/src/sql/analyze';
import { loadGrammar } from '../../server/src/sql/grammar';

function plan(sql: string): StatementPlan {
  const [statement] = analyzeDocument(sql).statements;
  return planStatement(statement!);
}

describe('how each statement is run', () => {
  before(loadGrammar);

  it('queries run in a cursor; statements with side effects do not count as queries', () => {
    assert.deepEqual(plan('SELECT * FROM t;'), { mode: 'read', cursor: true });
    assert.deepEqual(plan('SHOW search_path;'), { mode: 'read', cursor: false });
    assert.deepEqual(plan('EXPLAIN SELECT 1;'), { mode: 'read', cursor: false });
    assert.equal(plan('EXPLAIN ANALYZE DELETE FROM t;').mode, 'other');
    assert.equal(plan('SELECT * INTO copy FROM t;').mode, 'other');
    assert.equal(plan('SELECT * FROM t FOR UPDATE;').mode, 'count');
    assert.equal(plan('WITH gone AS (DELETE FROM t RETURNING *) SELECT count(*) FROM gone;').mode, 'count');
  });

  it('row changes capture their rows; what cannot be captured is counted, with the reason', () => {
    const upsert = plan('INSERT INTO t VALUES (1) ON CONFLICT (id) DO UPDATE SET n = t.n + 1;');
    assert.equal(upsert.mode, 'rows');
    assert.equal((upsert as { undoable: boolean }).undoable, false);
    assert.equal(plan('INSERT INTO t VALUES (1) ON CONFLICT DO NOTHING;').mode, 'rows');
    assert.match((plan('MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN DELETE;') as { note: string }).note, /MERGE/);
    assert.equal(plan('UPDATE t SET n = 1 WHERE CURRENT OF c;').mode, 'count');
    assert.equal(plan('WITH moved AS (DELETE FROM a RETURNING *) INSERT INTO b SELECT * FROM moved;').mode, 'count');
    assert.deepEqual(plan('TRUNCATE a, public.b;'), {
      mode: 'truncate',
      tables: [
        { sql: '"a"', reference: '"a"', shownAs: 'a' },
        { sql: '"public"."b"', reference: '"b"', shownAs: 'public.b' },
      ],
    });
  });

  it('the capture keeps the statement’s own clauses and only adds safesql’s', () => {
    type RowsPlan = Extract<StatementPlan, { mode: 'rows' }>;
    const rows = (sql: string) => plan(sql) as RowsPlan;
    const capture = (sql: string, parts: Partial<CaptureParts> = {}) =>
      captureFor(rows(sql), { images: true, values: true, versions: { ownRows: false, tidHash: false }, written: [], ...parts });
    const version = (ref: string) =>
      `pg_catalog.hashtextextended(${ref}.tableoid::pg_catalog.text || ':' || ${ref}.ctid::pg_catalog.text || ':' || ${ref}.xmin::pg_catalog.text, 0) AS __safesql_version`;
    const none = (name: string) => `NULL::pg_catalog.int8 AS __safesql_${name}`;
    assert.equal(
      capture('DELETE FROM public.orders o WHERE o.id = 1 RETURNING o.id;'),
      `DELETE FROM public.orders o WHERE o.id = 1 RETURNING "o".*, ${version('"o"')}, pg_catalog.hashtextextended(ROW("o".*)::pg_catalog.text, 0) AS __safesql_before_hash, ${none('after_hash')}, ${none('written_hash')}`,
    );
    assert.equal(
      capture('INSERT INTO t (a) VALUES (1) -- note\n;', { values: false, written: ['a'] }),
      `INSERT INTO t (a) VALUES (1) RETURNING "t".*, ${none('version')}, ${none('before_hash')}, ${none('after_hash')}, pg_catalog.hashtextextended(ROW("t"."a")::pg_catalog.text, 0) AS __safesql_written_hash`,
    );
    assert.equal(
      versionsFor(rows('DELETE FROM t WHERE id = 1;'), { ownRows: false, tidHash: false }),
      `SELECT ${version('"t"')}, ${none('before_hash')}, ${none('after_hash')}, ${none('written_hash')}, "t".xmin AS __safesql_xmin FROM t WHERE id = 1`,
    );
    assert.match(
      versionsFor(rows('DELETE FROM t WHERE id = 1;'), { ownRows: true, tidHash: true })!,
      /^SELECT CASE WHEN .*txid_status.* THEN NULL ELSE pg_catalog\.hashtidextended\("t"\.ctid, /,
    );
    const update = capture('UPDATE t SET flag = a IS DISTINCT FROM b WHERE id = 1 -- why\n;');
    assert.match(update, /^UPDATE t SET flag = a IS DISTINCT FROM b FROM \(SELECT ctid AS __safesql_ctid/);
    assert.match(
      update,
      /WHERE \(id = 1\) AND __safesql_before\.__safesql_ctid = "t"\.ctid AND __safesql_before\.__safesql_tableoid = "t"\.tableoid RETURNING \(__safesql_before\.__safesql_row\)\.\*, "t"\.\*, pg_catalog\.hashtextextended\(__safesql_before\.__safesql_tableoid.* AS __safesql_version, pg_catalog\.hashtextextended\(ROW\(\(__safesql_before\.__safesql_row\)\.\*\)::pg_catalog\.text, 0\) AS __safesql_before_hash, pg_catalog\.hashtextextended\(ROW\("t"\.\*\)::pg_catalog\.text, 0\) AS __safesql_after_hash, NULL::pg_catalog\.int8 AS __safesql_written_hash$/,
    );
    // The columns written from the data alone: not from functions, DEFAULT or a multiple assignment.
    assert.deepEqual(rows('UPDATE t SET a = b + 1, c = now(), d = (SELECT x FROM s LIMIT 1), (e, f) = (SELECT 1, 2);').written, {
      names: ['a', 'd'],
      positions: [],
      all: false,
    });
    assert.deepEqual(rows("INSERT INTO t (a, b, c) VALUES (1, now(), 'x'), (2, 3, DEFAULT);").written, {
      names: ['a'],
      positions: [],
      all: false,
    });
    assert.deepEqual(rows('INSERT INTO p SELECT id + 200, random(), v FROM p;').written, { names: [], positions: [0, 2], all: false });
    assert.deepEqual(rows('INSERT INTO p SELECT * FROM q;').written, { names: [], positions: [], all: true });
    assert.deepEqual(writtenNames({ names: [], positions: [0, 2, 7], all: false }, ['id', 'k', 'v']), ['id', 'v']);
    const sample = (sql: string, columns: { name: string; type: string }[] = []) => sampleFor(rows(sql), columns);
    assert.equal(
      sample('DELETE FROM ONLY t AS a USING s WHERE s.id = a.id RETURNING a.id;'),
      'SELECT "a".* FROM ONLY t AS a, s WHERE s.id = a.id',
    );
    assert.equal(sample('WITH old AS (SELECT 1) DELETE FROM t -- all\n;'), 'WITH old AS (SELECT 1) SELECT "t".* FROM t');
    // An UPDATE's target, then its FROM items as a join, then its WHERE; its SET and RETURNING are not read.
    assert.equal(
      sample('UPDATE ONLY t AS a SET n = s.n, flag = x IS DISTINCT FROM y FROM s, u WHERE s.id = a.id RETURNING a.id;'),
      'SELECT "a".* FROM ONLY t AS a, s, u WHERE s.id = a.id',
    );
    assert.equal(sample('UPDATE t SET flag = a IS NOT DISTINCT FROM b WHERE id = 1;'), 'SELECT "t".* FROM t WHERE id = 1');
    assert.equal(sample('WITH x AS (SELECT 1) UPDATE t SET a = 1 -- all\n;'), 'WITH x AS (SELECT 1) SELECT "t".* FROM t');
    // Columns whose output is lossy are read as text, as every image reads them.
    assert.equal(
      sample('DELETE FROM t WHERE id = 1;', [
        { name: 'id', type: 'integer' },
        { name: 'doc', type: 'xml' },
      ]),
      'SELECT "t"."id", "t"."doc"::pg_catalog.text FROM t WHERE id = 1',
    );
    assert.equal(rows('INSERT INTO t VALUES (1);').readable, false);
    assert.deepEqual(rows('UPDATE t SET a = 1, (b, c) = (SELECT 1, 2) WHERE id = 1;').assigned, ['a', 'b', 'c']);
    const joined = capture('UPDATE t SET n = s.n FROM s WHERE s.id = t.id;');
    assert.match(joined, /^UPDATE t SET n = s\.n FROM \(SELECT .* AS __safesql_before, s WHERE \(s\.id = t\.id\) AND /);
  });

  it('refuses what only psql can run, and what cannot run in a transaction', () => {
    assert.match((plan('DELETE FROM t WHERE id = :id;') as { reason: string }).reason, /psql variable :id/);
    assert.match((plan('COPY t FROM stdin;\n1\n\\.\n') as { reason: string }).reason, /COPY … FROM STDIN/);
    assert.deepEqual(plan('VACUUM t;'), {
      mode: 'refused',
      unpreviewable: true,
      reason: 'PostgreSQL cannot run this statement inside a transaction, so it cannot be previewed or rolled back',
    });
    assert.match((plan('DELETE FROM;') as { reason: string }).reason, /^PostgreSQL would reject it: syntax error at or near ";"$/);
  });
});
