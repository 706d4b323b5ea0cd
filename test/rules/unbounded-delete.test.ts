import { ruleFixtures } from '../helpers/lint';

ruleFixtures('unbounded-delete', {
  flagged: [
    // No WHERE at all: the command head is marked.
    { sql: 'DELETE FROM orders;', marked: 'DELETE FROM orders' },
    { sql: 'DELETE FROM public.orders;', marked: 'DELETE FROM public.orders' },
    { sql: 'DELETE FROM "Sales"."Orders";', marked: 'DELETE FROM "Sales"."Orders"' },
    { sql: 'delete\n  from customers\n;', marked: 'delete\n  from customers' },
    { sql: 'DELETE FROM events', marked: 'DELETE FROM events' },
    // Always-true WHERE: the WHERE clause is marked.
    { sql: 'DELETE FROM orders WHERE 1 = 1;', marked: 'WHERE 1 = 1' },
    { sql: 'DELETE FROM orders WHERE TRUE;', marked: 'WHERE TRUE' },
    { sql: "DELETE FROM orders WHERE 'a' = 'a';", marked: "WHERE 'a' = 'a'" },
    { sql: 'DELETE FROM orders WHERE NOT FALSE;', marked: 'WHERE NOT FALSE' },
    { sql: 'DELETE FROM orders WHERE id = id;', marked: 'WHERE id = id' },
    { sql: "DELETE FROM orders WHERE status = 'open' OR TRUE;", marked: "WHERE status = 'open' OR TRUE" },
    {
      sql: 'DELETE FROM orders WHERE shipped_at IS NULL OR shipped_at IS NOT NULL;',
      marked: 'WHERE shipped_at IS NULL OR shipped_at IS NOT NULL',
    },
    { sql: 'DELETE FROM orders WHERE TRUE IS TRUE;', marked: 'WHERE TRUE IS TRUE' },
    { sql: "DELETE FROM orders WHERE 't'::boolean;", marked: "WHERE 't'::boolean" },
    // Inside CTEs.
    { sql: 'WITH d AS (DELETE FROM events RETURNING *) SELECT count(*) FROM d;', marked: 'DELETE FROM events' },
    {
      sql: 'WITH moved AS (DELETE FROM events RETURNING *)\nINSERT INTO events_archive SELECT * FROM moved;',
      marked: 'DELETE FROM events',
    },
    // USING whose WHERE never restricts the target, or whose OR branch escapes.
    { sql: 'DELETE FROM orders USING customers WHERE customers.blocked;', marked: 'WHERE customers.blocked' },
    { sql: 'DELETE FROM orders USING customers WHERE orders.customer_id = customers.id OR customers.vip = true;' },
    { sql: "DELETE FROM orders o USING orders o2 WHERE o2.status = 'duplicate';", marked: "WHERE o2.status = 'duplicate'" },
    // A WHERE that mentions no column at all.
    { sql: "DELETE FROM events WHERE now() > '2020-01-01';", marked: "WHERE now() > '2020-01-01'" },
    // EXPLAIN ANALYZE executes the DELETE.
    { sql: 'EXPLAIN ANALYZE DELETE FROM events;', marked: 'DELETE FROM events' },
    // Non-ASCII text before the target must not shift the marks.
    { sql: "WITH x AS (SELECT 'café' AS c) DELETE FROM orders WHERE TRUE;", marked: 'WHERE TRUE' },
    // Statements the grammar rejects: read from their tokens.
    'DELETE FROM orders WHERE TRUE RETURNIN *',
    { sql: 'DELETE FROM orders RETURNIN *', marked: 'DELETE FROM orders' },
    // A syntax error in one statement does not hide the next.
    { sql: 'SELECT 1;\nDELETE FRM orders;\nDELETE FROM customers;', marked: 'DELETE FROM customers' },
  ],
  ok: [
    'DELETE FROM orders WHERE id = 1;',
    "DELETE FROM events WHERE created_at < now() - interval '90 days';",
    'DELETE FROM orders WHERE customer_id = $1;',
    'DELETE FROM events WHERE id = ANY($1);',
    'DELETE FROM orders WHERE id IN (SELECT order_id FROM refunds);',
    'DELETE FROM orders WHERE CURRENT OF order_cursor;',
    // USING related to the target.
    'DELETE FROM orders USING customers WHERE orders.customer_id = customers.id AND customers.blocked;',
    'DELETE FROM orders o USING customers c WHERE o.customer_id = c.id;',
    // Unqualified column in a USING query: benefit of the doubt.
    'DELETE FROM orders USING customers WHERE blocked;',
    // Matches nothing.
    'DELETE FROM orders WHERE 1 = 0;',
    'DELETE FROM orders WHERE FALSE;',
    'DELETE FROM orders WHERE id = 1 OR 1 = 0;',
    // Look-alikes that are no DELETE statement.
    'SELECT * FROM orders WHERE id = 1 FOR UPDATE;',
    "SELECT 'DELETE FROM orders;' AS hint;",
    '-- DELETE FROM orders;\nSELECT 1;',
    '/* DELETE FROM orders; */ SELECT 1;',
    'CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $$ BEGIN DELETE FROM orders; END $$;',
    'EXPLAIN DELETE FROM orders;',
    // EXPLAIN whose ANALYZE option is false does not execute either.
    'EXPLAIN (ANALYZE false) DELETE FROM orders;',
    'EXPLAIN (ANALYZE off, COSTS off) DELETE FROM orders;',
    // …nor does a plain EXPLAIN the grammar rejects (read from its tokens).
    'EXPLAIN DELETE FROM orders RETURNIN *',
    'WITH d AS (DELETE FROM events WHERE id < 100 RETURNING *) SELECT count(*) FROM d;',
    // A WHERE still being typed.
    'DELETE FROM orders WHERE',
    'DELETE FROM orders WHERE id =',
    'DELETE FROM orders WHERE id = 5 RETURNIN *',
  ],
});
