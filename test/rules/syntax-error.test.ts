import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { loadGrammar } from '../../server/src/sql/grammar';
import { lintSql, ruleFixtures } from '../helpers/lint';

ruleFixtures('syntax-error', {
  flagged: [
    { sql: 'DELETE FRM orders;', marked: 'FRM' },
    { sql: 'SELEC * FROM orders;', marked: 'SELEC' },
    { sql: 'SELECT * FORM orders;', marked: 'FORM' },
    { sql: 'UPDATE orders SET WHERE id = 1;', marked: 'WHERE' },
    { sql: 'INSERT INTO orders (id VALUES (1);', marked: 'VALUES' },
    { sql: 'CREATE TABLE events (id int,);', marked: ')' },
    { sql: "UPDATE orders SET status = 'x' WHERE id = ;", marked: ';' },
    { sql: 'ALTER TABLE orders ADD COLUMN;', marked: ';' },
    { sql: 'DROP TABLE;', marked: ';' },
    "SELECT 'unterminated",
    "SELECT 'unterminated;\nSELECT 1;",
    'SELECT "unterminated identifier',
    'SELECT $tag$ never closed',
    'SELECT 1 /* unclosed comment',
    'SELECT * FROM orders WHERE;',
    'SELECT * FROM orders ORDER BY;',
    'DELETE FROM orders WHERE',
    // Non-ASCII text before the error must not shift the mark.
    { sql: "SELECT 'café' FRM orders;", marked: 'orders' },
    { sql: "SELECT '🧾', 'ok' FRM orders;", marked: 'orders' },
    // The bad statement is the one marked, in the middle of a file.
    { sql: 'SELECT 1;\nDELETE FRM orders;\nSELECT 2;', marked: 'FRM' },
  ],
  ok: [
    'DELETE FROM a USING b WHERE a.id = b.id;',
    'MERGE INTO orders o USING staged s ON o.id = s.id\nWHEN MATCHED THEN UPDATE SET status = s.status\nWHEN NOT MATCHED THEN INSERT (id, status) VALUES (s.id, s.status);',
    'CREATE TABLE orders (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, status text NOT NULL);',
    'COPY orders (id, status) FROM stdin;\n1\tnew\n2\tpaid; or not\n\\.\nSELECT 1;',
    'COPY orders FROM stdin WITH (FORMAT csv);\n1,"a, b"\n2,\'x\n\\.\nSELECT 2;',
    '\\set ON_ERROR_STOP on\nSELECT 1;\n\\echo done\n',
    '\\timing\n\\c shop\nSELECT count(*) FROM orders;',
    "SELECT E'it\\'s';",
    "SELECT U&'d\\0061t\\+000061';",
    "SELECT $tag$ it's; fine $tag$;",
    'SELECT $$a;b$$, $x$nested $$ inside$x$;',
    'SELECT 1 /* outer /* inner; */ still; */ + 1;',
    'SELECT "weird;name" FROM "order;items";',
    'SELECT 1 FROM orders WHERE id = ANY($1);',
    'SELECT id, sum(total) OVER (PARTITION BY customer_id ORDER BY created_at) FROM orders;',
    "INSERT INTO orders (id, status) VALUES (1, 'new') ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status;",
    "SELECT payload->>'customer', payload #>> '{a,b}' FROM events;",
    'CREATE FUNCTION add(a int, b int) RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT a + b; END;',
    "CREATE FUNCTION sign_of(x int) RETURNS text LANGUAGE sql\nBEGIN ATOMIC\n  SELECT CASE WHEN x > 0 THEN 'pos' ELSE 'neg' END;\n  SELECT 'done';\nEND;\nSELECT 1;",
    'CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n  NEW.updated_at := now();\n  RETURN NEW;\nEND\n$$;',
    "SELECT * FROM events WHERE created_at > now() - interval '1 day' LIMIT 10;",
    'SELECT 1',
    '',
    '-- only a comment\n',
    'SELECT 1;;',
  ],
});

describe('syntax-error: one bad statement does not hide the others', () => {
  before(() => loadGrammar());
  it('still reports an unbounded DELETE after a statement the grammar rejects', () => {
    const sql = 'SELECT 1;\nUPDATE orders SET WHERE id = 1;\nDELETE FROM customers;\n';
    const { findings, marked } = lintSql(sql);
    const at = (rule: string): string[] => marked.filter((_, i) => findings[i]!.rule === rule);
    assert.deepEqual(at('syntax-error'), ['WHERE']);
    assert.deepEqual(at('unbounded-delete'), ['DELETE FROM customers']);
  });
});
