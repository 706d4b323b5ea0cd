import { ruleFixtures } from '../helpers/lint';

const COPY_DATA = 'COPY orders (id, status) FROM stdin;\n1\tnew\n2\tpaid\n\\.\n';
const MERGE =
  'MERGE INTO orders o USING staged_orders s ON o.id = s.id\n' +
  'WHEN MATCHED THEN UPDATE SET status = s.status\n' +
  'WHEN NOT MATCHED THEN INSERT (id, status) VALUES (s.id, s.status);';

ruleFixtures('missing-transaction', {
  flagged: [
    { sql: "INSERT INTO orders (id, status) VALUES (1, 'new');", marked: "INSERT INTO orders (id, status) VALUES (1, 'new');" },
    "UPDATE orders SET status = 'paid' WHERE id = 1;",
    'DELETE FROM orders WHERE id = 1;',
    MERGE,
    'TRUNCATE events;',
    COPY_DATA,
    "COPY orders FROM '/tmp/orders.csv' WITH (FORMAT csv);",
    'DROP TABLE orders;',
    'DROP INDEX orders_status_idx;',
    'ALTER TABLE orders ADD COLUMN note text;',
    'ALTER TABLE orders RENAME TO orders_old;',
    "INSERT INTO customers (id, name) VALUES (1, 'a') ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name;",
    'WITH d AS (DELETE FROM events WHERE id < 10 RETURNING *) SELECT count(*) FROM d;',
    'EXPLAIN ANALYZE DELETE FROM events WHERE id = 1;',
    "EXPLAIN (ANALYZE, BUFFERS) UPDATE orders SET status = 'x' WHERE id = 1;",
    // After the block is closed, statements are outside again.
    {
      sql: "BEGIN;\nUPDATE orders SET status = 'paid' WHERE id = 1;\nCOMMIT;\nDELETE FROM orders WHERE id = 2;",
      marked: 'DELETE FROM orders WHERE id = 2;',
    },
    {
      sql: 'BEGIN;\nDELETE FROM orders WHERE id = 1;\nROLLBACK;\nINSERT INTO orders (id) VALUES (3);',
      marked: 'INSERT INTO orders (id) VALUES (3);',
    },
    { sql: 'START TRANSACTION;\nDELETE FROM orders WHERE id = 1;\nEND;\nTRUNCATE events;', marked: 'TRUNCATE events;' },
    { sql: 'BEGIN;\nDELETE FROM orders WHERE id = 1;\nABORT;\nDROP TABLE events;', marked: 'DROP TABLE events;' },
    // Before the block opens.
    {
      sql: "UPDATE orders SET status = 'x' WHERE id = 1;\nBEGIN;\nSELECT 1;\nCOMMIT;",
      marked: "UPDATE orders SET status = 'x' WHERE id = 1;",
    },
    // PREPARE TRANSACTION ends the session's transaction.
    {
      sql: "BEGIN;\nUPDATE orders SET status = 'x' WHERE id = 1;\nPREPARE TRANSACTION 'tx1';\nDELETE FROM orders WHERE id = 2;",
      marked: 'DELETE FROM orders WHERE id = 2;',
    },
    // After COMMIT AND CHAIN the chained transaction is closed by the final COMMIT.
    { sql: 'BEGIN;\nSELECT 1;\nCOMMIT AND CHAIN;\nCOMMIT;\nDELETE FROM orders WHERE id = 2;', marked: 'DELETE FROM orders WHERE id = 2;' },
    // Lower case, and a statement the grammar rejects while it is being typed.
    "insert into events (kind) values ('x');",
    'INSERT INTO orders (id) VALUES (1',
  ],
  ok: [
    // PostgreSQL refuses these inside a transaction block: no transaction can protect them.
    'VACUUM ANALYZE orders;',
    'DROP DATABASE old_shop;',
    'CREATE INDEX CONCURRENTLY orders_note_idx ON orders (note);',
    'DROP INDEX CONCURRENTLY orders_note_idx;',
    'REINDEX INDEX CONCURRENTLY orders_pkey;',
    "ALTER SYSTEM SET work_mem = '64MB';",
    'DROP TABLESPACE archive;',
    "BEGIN;\nINSERT INTO orders (id, status) VALUES (1, 'new');\nCOMMIT;",
    "START TRANSACTION;\nUPDATE orders SET status = 'paid' WHERE id = 1;\nCOMMIT;",
    'BEGIN;\nDELETE FROM orders WHERE id = 1;\nROLLBACK;',
    'BEGIN;\nTRUNCATE events;\nEND;',
    'START TRANSACTION;\nDROP TABLE events;\nABORT;',
    'BEGIN;\nALTER TABLE orders ADD COLUMN note text;\nCOMMIT;',
    `BEGIN;\n${MERGE}\nCOMMIT;`,
    `BEGIN;\n${COPY_DATA}COMMIT;`,
    'BEGIN;\nWITH d AS (DELETE FROM events WHERE id < 10 RETURNING *) SELECT count(*) FROM d;\nCOMMIT;',
    'BEGIN;\nEXPLAIN ANALYZE DELETE FROM events WHERE id = 1;\nROLLBACK;',
    // Read-only and non-data statements outside a block.
    'SELECT * FROM orders;',
    'SELECT * FROM orders WHERE id = 1 FOR UPDATE;',
    'CREATE TABLE audit_log (id bigint PRIMARY KEY, note text);',
    'CREATE INDEX orders_status_idx ON orders (status);',
    'SET search_path TO app;',
    'SHOW search_path;',
    'EXPLAIN DELETE FROM orders WHERE id = 1;',
    'EXPLAIN (ANALYZE false) DELETE FROM orders WHERE id = 1;',
    'EXPLAIN ANALYZE SELECT * FROM orders;',
    // Still inside after ROLLBACK TO SAVEPOINT and after COMMIT AND CHAIN.
    'BEGIN;\nSAVEPOINT s;\nUPDATE orders SET status = 1 WHERE id = 1;\nROLLBACK TO SAVEPOINT s;\nDELETE FROM orders WHERE id = 2;\nCOMMIT;',
    'BEGIN;\nUPDATE orders SET status = 1 WHERE id = 1;\nCOMMIT AND CHAIN;\nDELETE FROM orders WHERE id = 2;\nCOMMIT;',
    'BEGIN;\nUPDATE orders SET status = 1 WHERE id = 1;\nROLLBACK AND CHAIN;\nDELETE FROM orders WHERE id = 2;\nCOMMIT;',
    // Inside a block never closed: uncommitted-transaction's business, not this rule's.
    'BEGIN;\nDELETE FROM orders WHERE id = 1;',
    // Writes inside function bodies do not run when the function is created.
    'CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $$ BEGIN DELETE FROM orders WHERE id = 1; END $$;',
    // The rule turned off.
    { sql: 'DELETE FROM orders WHERE id = 1;', settings: { rules: { 'missing-transaction': 'off' }, connections: [] } },
  ],
});
