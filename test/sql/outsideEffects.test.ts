import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { analyzeDocument } from '../../server/src/sql/analyze';
import { factsFromTokens } from '../../server/src/sql/fromTokens';
import { loadGrammar } from '../../server/src/sql/grammar';
import { NO_OUTSIDE_EFFECTS } from '../../server/src/sql/statement';
import { previewRefusal } from '../../server/src/sql/outsideEffects';

function only(sql: string) {
  const [statement] = analyzeDocument(sql).statements;
  return statement!;
}

describe('outsideEffects', () => {
  before(() => loadGrammar());

  it('is the one shared empty array for a statement without any', () => {
    assert.equal(only('SELECT * FROM orders WHERE id = 1;').outsideEffects, NO_OUTSIDE_EFFECTS);
    assert.equal(only("SELECT 'nextval(1)';").outsideEffects, NO_OUTSIDE_EFFECTS);
    assert.equal(only('DELETE FROM orders WHERE;').outsideEffects, NO_OUTSIDE_EFFECTS);
  });

  it('gives kind, reason and place, relative to the document', () => {
    const sql = "SELECT 1;\nCOPY orders TO PROGRAM 'gzip > /tmp/o.gz';";
    const [, copy] = analyzeDocument(sql).statements;
    assert.deepEqual(
      copy!.outsideEffects.map((e) => ({ kind: e.kind, reason: e.reason, what: e.what, marked: sql.slice(e.span.start, e.span.end) })),
      [
        {
          kind: 'program',
          reason: 'runs a program on the database server',
          what: 'COPY … TO PROGRAM',
          marked: "TO PROGRAM 'gzip > /tmp/o.gz'",
        },
      ],
    );
  });

  it('places what a DO block calls in the document', () => {
    const sql = "SELECT 1;\nDO $x$\nDECLARE n bigint;\nBEGIN\n  n := public.nextval('s');\n  PERFORM pg_cancel_backend(42);\nEND $x$;";
    const [, block] = analyzeDocument(sql).statements;
    assert.deepEqual(
      block!.outsideEffects.map((e) => [e.kind, sql.slice(e.span.start, e.span.end)]),
      [
        ['sequence', 'public.nextval'],
        ['other-session', 'pg_cancel_backend'],
      ],
    );
  });

  it('names the file COPY writes and the sequence a call moves', () => {
    assert.equal(only("COPY orders TO '/tmp/o.csv';").outsideEffects[0]!.reason, 'writes the file /tmp/o.csv on the database server');
    assert.equal(
      only("SELECT setval('public.orders_id_seq'::regclass, 1);").outsideEffects[0]!.reason,
      'sets the sequence public.orders_id_seq',
    );
    assert.equal(only('SELECT nextval(seq_name) FROM sequences;').outsideEffects[0]!.reason, 'advances a sequence');
    // psql substitutes the variable; the name the parser sees is a placeholder.
    assert.equal(only("\\set out '/tmp/o.csv'\nCOPY orders TO :'out';").outsideEffects[0]!.reason, 'writes a file on the database server');
  });

  it('reads the same effects from tokens as from the grammar', () => {
    for (const sql of [
      "COPY orders TO PROGRAM 'gzip > /tmp/o.gz'",
      "COPY orders FROM PROGRAM 'cat /tmp/o'",
      "COPY orders TO '/tmp/o.csv'",
      "SELECT public.dblink_exec('c', 'x'), pg_catalog.pg_terminate_backend(1), nextval('s')",
      "LOAD 'auto_explain'",
    ]) {
      const fromGrammar = only(sql).outsideEffects;
      const fromTokens = factsFromTokens(sql, { notParsed: 'test' }).outsideEffects;
      assert.deepEqual(fromTokens, fromGrammar, sql);
    }
  });

  it('reads no calls from tokens of definitions and references', () => {
    for (const sql of [
      'CREATE FUNCTION f() RETURNS bigint LANGUAGE sql BEGIN ATOMIC SELECT nextval(1)',
      'GRANT EXECUTE ON FUNCTION pg_terminate_backend(int) TO ops',
      'EXPLAIN SELECT pg_terminate_backend(1)',
      'COPY orders TO STDOUT',
      "COPY orders FROM '/tmp/o.csv'",
    ]) {
      assert.equal(factsFromTokens(sql, { notParsed: 'test' }).outsideEffects.length, 0, sql);
    }
  });
});

describe('previewRefusal', () => {
  before(() => loadGrammar());

  it('refuses what a rollback leaves behind, saying what and why', () => {
    assert.equal(
      previewRefusal(only("COPY orders TO PROGRAM 'gzip > /tmp/o.gz';")),
      'runs a program on the database server (COPY … TO PROGRAM)',
    );
    assert.equal(
      previewRefusal(only("SELECT dblink_exec('c', 'x'), pg_advisory_lock(1), nextval('s');")),
      'runs SQL through another connection, which commits on its own (dblink_exec()); takes a session-level lock that outlives the rollback (pg_advisory_lock())',
    );
  });

  it('says each reason once', () => {
    assert.equal(
      previewRefusal(only('SELECT pg_cancel_backend(1), pg_cancel_backend(2);')),
      "cancels another session's query (pg_cancel_backend())",
    );
  });

  it('lets sequences through (the engine reports them), and everything without effects', () => {
    assert.equal(previewRefusal(only("SELECT nextval('orders_id_seq'), setval('s', 1);")), undefined);
    assert.equal(previewRefusal(only('DELETE FROM orders WHERE id = 1;')), undefined);
    assert.equal(previewRefusal(only('SELECT pg_advisory_xact_lock(1);')), undefined);
  });

  it('refuses a foreign-table write the engine found', () => {
    assert.equal(
      previewRefusal({
        outsideEffects: [{ kind: 'foreign', reason: 'writes to a foreign table', what: 'remote_orders', span: { start: 0, end: 1 } }],
      }),
      'writes to a foreign table (remote_orders)',
    );
  });
});
