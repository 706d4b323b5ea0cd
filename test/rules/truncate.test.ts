import { ruleFixtures } from '../helpers/lint';

ruleFixtures('truncate', {
  flagged: [
    { sql: 'TRUNCATE orders;', marked: 'TRUNCATE orders' },
    { sql: 'TRUNCATE TABLE orders, order_items CASCADE;', marked: 'TRUNCATE TABLE' },
    'TRUNCATE TABLE orders RESTART IDENTITY;',
    'TRUNCATE events CONTINUE IDENTITY RESTRICT;',
    'TRUNCATE ONLY events;',
    'truncate table public.events;',
    'TRUNCATE "Orders";',
    'TRUNCATE orders',
    '-- clean up before the import\nTRUNCATE staging_orders;',
    { sql: 'SELECT count(*) FROM orders;\nTRUNCATE customers;', marked: 'TRUNCATE customers' },
    // Still flagged inside a transaction.
    { sql: 'BEGIN;\nTRUNCATE TABLE events;\nCOMMIT;', marked: 'TRUNCATE TABLE' },
    'START TRANSACTION;\nTRUNCATE orders, customers;\nROLLBACK;',
    // Statements the grammar rejects: read from their tokens.
    { sql: 'TRUNCATE TABLE orders CASCAD;', marked: 'TRUNCATE' },
    'TRUNCATE TABLE orders, ;',
    // Unsuppressed by an unrelated directive.
    '-- safesql-ignore drop-object -- not this rule\nTRUNCATE events;',
  ],
  ok: [
    'SELECT truncate_table_name FROM t;',
    'SELECT trunc(total) FROM orders;',
    "SELECT date_trunc('day', created_at) FROM events;",
    'UPDATE orders SET total = trunc(total, 2) WHERE id = 1;',
    '-- TRUNCATE orders;\nSELECT 1;',
    '/* TRUNCATE orders; */ SELECT 1;',
    "SELECT 'TRUNCATE orders' AS hint;",
    'SELECT * FROM "truncate";',
    'CREATE TABLE truncate_log (id bigint, truncated_at timestamptz);',
    'INSERT INTO truncate_log (id) VALUES (1);',
    'GRANT TRUNCATE ON orders TO admin;',
    'CREATE TRIGGER orders_truncated AFTER TRUNCATE ON orders FOR EACH STATEMENT EXECUTE FUNCTION log_truncate();',
    'CREATE FUNCTION reset_events() RETURNS void LANGUAGE plpgsql AS $$ BEGIN TRUNCATE events; END $$;',
    'DELETE FROM orders WHERE id = 1;',
    'DROP TABLE orders;',
  ],
});
