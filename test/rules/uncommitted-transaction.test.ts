import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { lintSql, ruleFixtures } from '../helpers/lint';
import { loadGrammar } from '../../server/src/sql/grammar';

ruleFixtures('uncommitted-transaction', {
  flagged: [
    // Never closed: the BEGIN statement is marked.
    { sql: "BEGIN;\nUPDATE orders SET status = 'x' WHERE id = 1;", marked: 'BEGIN;' },
    { sql: 'START TRANSACTION;\nDELETE FROM orders WHERE id = 1;', marked: 'START TRANSACTION;' },
    { sql: 'BEGIN WORK;\nINSERT INTO events (kind) VALUES (1);', marked: 'BEGIN WORK;' },
    { sql: 'begin;\ninsert into events (kind) values (1);', marked: 'begin;' },
    {
      sql: 'BEGIN ISOLATION LEVEL SERIALIZABLE;\nUPDATE customers SET tier = 2 WHERE id = 9;',
      marked: 'BEGIN ISOLATION LEVEL SERIALIZABLE;',
    },
    {
      sql: 'BEGIN;\nDELETE FROM orders WHERE id = 1;\nCOMMIT;\nBEGIN TRANSACTION;\nDELETE FROM orders WHERE id = 2;',
      marked: 'BEGIN TRANSACTION;',
    },
    { sql: 'BEGIN;\nSAVEPOINT s;\nDELETE FROM orders WHERE id = 1;\nROLLBACK TO SAVEPOINT s;', marked: 'BEGIN;' },
    // COMMIT AND CHAIN starts a new transaction that is still open at the end.
    { sql: 'BEGIN;\nDELETE FROM orders WHERE id = 1;\nCOMMIT AND CHAIN;', marked: 'BEGIN;' },
    // Read from tokens: the second statement has a syntax error.
    { sql: 'BEGIN;\nUPDATE orders SET WHERE id = 1;', marked: 'BEGIN;' },
    // BEGIN inside an open transaction.
    { sql: 'BEGIN;\nINSERT INTO events (kind) VALUES (1);\nBEGIN TRANSACTION;\nCOMMIT;', marked: 'BEGIN TRANSACTION;' },
    { sql: 'START TRANSACTION;\nSTART TRANSACTION READ WRITE;\nCOMMIT;', marked: 'START TRANSACTION READ WRITE;' },
    // COMMIT/ROLLBACK with nothing open.
    { sql: 'COMMIT;', marked: 'COMMIT;' },
    { sql: 'ROLLBACK;', marked: 'ROLLBACK;' },
    { sql: 'END;', marked: 'END;' },
    { sql: 'ABORT;', marked: 'ABORT;' },
    { sql: "UPDATE orders SET status = 'x' WHERE id = 1;\nCOMMIT;", marked: 'COMMIT;' },
    { sql: 'BEGIN;\nDELETE FROM orders WHERE id = 1;\nCOMMIT;\nCOMMIT WORK;', marked: 'COMMIT WORK;' },
    { sql: 'BEGIN;\nDELETE FROM orders WHERE id = 1;\nEND;\nROLLBACK;', marked: 'ROLLBACK;' },
    // A BEGIN ATOMIC function body is not a transaction, so this COMMIT has nothing to close.
    { sql: 'CREATE FUNCTION one() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; END;\nCOMMIT;', marked: 'COMMIT;' },
    // PREPARE TRANSACTION closed the block.
    { sql: "BEGIN;\nUPDATE orders SET status = 'x' WHERE id = 1;\nPREPARE TRANSACTION 'tx1';\nCOMMIT;", marked: 'COMMIT;' },
  ],
  ok: [
    "BEGIN;\nUPDATE orders SET status = 'x' WHERE id = 1;\nCOMMIT;",
    'BEGIN;\nDELETE FROM orders WHERE id = 1;\nEND;',
    'START TRANSACTION;\nDELETE FROM orders WHERE id = 1;\nABORT;',
    'BEGIN WORK;\nINSERT INTO events (kind) VALUES (1);\nROLLBACK WORK;',
    'BEGIN TRANSACTION ISOLATION LEVEL REPEATABLE READ;\nSELECT 1;\nCOMMIT TRANSACTION;',
    'BEGIN;\nSAVEPOINT s;\nDELETE FROM orders WHERE id = 1;\nROLLBACK TO SAVEPOINT s;\nCOMMIT;',
    'BEGIN;\nSAVEPOINT s;\nDELETE FROM orders WHERE id = 1;\nROLLBACK TO s;\nRELEASE SAVEPOINT s;\nCOMMIT;',
    'BEGIN;\nDELETE FROM orders WHERE id = 1;\nCOMMIT;\nBEGIN;\nDELETE FROM orders WHERE id = 2;\nROLLBACK;',
    'BEGIN;\nDELETE FROM orders WHERE id = 1;\nCOMMIT AND CHAIN;\nDELETE FROM orders WHERE id = 2;\nCOMMIT;',
    'BEGIN;\nDELETE FROM orders WHERE id = 1;\nROLLBACK AND CHAIN;\nROLLBACK;',
    "BEGIN;\nUPDATE orders SET status = 'x' WHERE id = 1;\nPREPARE TRANSACTION 'tx1';",
    "COMMIT PREPARED 'tx1';",
    "ROLLBACK PREPARED 'tx1';",
    // Function bodies.
    'CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; END;',
    "CREATE FUNCTION g(x int) RETURNS text LANGUAGE sql\nBEGIN ATOMIC\n  SELECT CASE WHEN x > 0 THEN 'pos' ELSE 'neg' END;\nEND;\nSELECT g(1);",
    'CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n  NEW.updated_at := now();\n  RETURN NEW;\nEND\n$$;',
    "DO $$ BEGIN UPDATE orders SET status = 'x' WHERE id = 1; END $$;",
    'CREATE PROCEDURE batch() LANGUAGE plpgsql AS $$ BEGIN COMMIT; END $$;',
    // Look-alikes.
    'SELECT 1;',
    '-- BEGIN;\nSELECT 1;',
    "SELECT 'BEGIN;' AS a, 'COMMIT;' AS b;",
    'SELECT "begin", "commit" FROM events;',
  ],
});

describe('uncommitted-transaction: nested BEGIN', () => {
  before(() => loadGrammar());
  it('points the related information at the BEGIN that is still open', () => {
    const sql = 'BEGIN;\nINSERT INTO events (kind) VALUES (1);\nBEGIN TRANSACTION;\nCOMMIT;';
    const { findings } = lintSql(sql);
    const mine = findings.filter((f) => f.rule === 'uncommitted-transaction');
    assert.equal(mine.length, 1);
    const related = mine[0]!.related ?? [];
    assert.equal(related.length, 1);
    assert.equal(sql.slice(related[0]!.span.start, related[0]!.span.end), 'BEGIN;');
    assert.equal(related[0]!.span.start, 0);
  });
});
