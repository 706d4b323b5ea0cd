import { ruleFixtures } from '../helpers/lint';

ruleFixtures('unbounded-update', {
  flagged: [
    // No WHERE at all: the command head is marked.
    { sql: "UPDATE orders SET status = 'cancelled';", marked: 'UPDATE orders' },
    { sql: "UPDATE public.orders SET status = 'cancelled';", marked: 'UPDATE public.orders' },
    { sql: "UPDATE orders SET status = 'cancelled'", marked: 'UPDATE orders' },
    // A correlated subquery in SET does not bound the UPDATE.
    { sql: 'UPDATE orders SET total = (SELECT sum(amount) FROM order_items i WHERE i.order_id = orders.id);', marked: 'UPDATE orders' },
    { sql: 'WITH gone AS (DELETE FROM carts WHERE id = 1 RETURNING *) UPDATE customers SET cart = NULL;', marked: 'UPDATE customers' },
    // Always-true WHERE: the WHERE clause is marked.
    { sql: "UPDATE orders SET status = 'x' WHERE 1 = 1;", marked: 'WHERE 1 = 1' },
    { sql: "UPDATE orders SET status = 'x' WHERE TRUE;", marked: 'WHERE TRUE' },
    { sql: "UPDATE orders SET status = 'x' WHERE 'a' = 'a';", marked: "WHERE 'a' = 'a'" },
    { sql: "UPDATE orders SET status = 'x' WHERE NOT FALSE;", marked: 'WHERE NOT FALSE' },
    { sql: "UPDATE orders SET status = 'x' WHERE id = id;", marked: 'WHERE id = id' },
    { sql: "UPDATE orders SET status = 'x' WHERE status = 'open' OR TRUE;", marked: "WHERE status = 'open' OR TRUE" },
    { sql: 'UPDATE customers SET note = NULL WHERE note IS NULL OR note IS NOT NULL;' },
    { sql: "UPDATE orders SET status = 'x' WHERE TRUE IS TRUE;", marked: 'WHERE TRUE IS TRUE' },
    { sql: "UPDATE orders SET status = 'x' WHERE 't'::boolean;", marked: "WHERE 't'::boolean" },
    { sql: "UPDATE orders SET status = 'x' WHERE 1 = 1 RETURNING id;", marked: 'WHERE 1 = 1' },
    // Inside CTEs.
    { sql: "WITH u AS (UPDATE orders SET status = 'x' RETURNING id) SELECT count(*) FROM u;", marked: 'UPDATE orders' },
    {
      sql: "WITH u AS (UPDATE customers SET tier = 'gold' RETURNING id)\nINSERT INTO audit_log (customer_id) SELECT id FROM u;",
      marked: 'UPDATE customers',
    },
    // FROM whose WHERE never restricts the target, or whose OR branch escapes.
    { sql: 'UPDATE orders SET total = 0 FROM customers c WHERE c.vip;', marked: 'WHERE c.vip' },
    { sql: "UPDATE orders o SET status = 'vip' FROM customers c WHERE o.customer_id = c.id OR c.vip;" },
    // A WHERE that mentions no column at all.
    { sql: "UPDATE events SET archived = true WHERE now() > '2020-01-01';", marked: "WHERE now() > '2020-01-01'" },
    // EXPLAIN ANALYZE executes the UPDATE.
    { sql: "EXPLAIN ANALYZE UPDATE orders SET status = 'x';", marked: 'UPDATE orders' },
    { sql: "UPDATE orders SET note = 'café' WHERE TRUE;", marked: 'WHERE TRUE' },
    // Statements the grammar rejects: read from their tokens.
    "UPDATE orders SET status = 'x' WHERE TRUE RETURNIN *",
    { sql: "UPDATE orders SET status = 'x' RETURNIN *", marked: 'UPDATE orders' },
    { sql: "UPDATE orders SET status = 'x' WHERE 1 = 1 RETURNING", marked: 'WHERE 1 = 1' },
  ],
  ok: [
    "UPDATE orders SET status = 'x' WHERE id = 1;",
    'UPDATE orders SET updated_at = now() WHERE id = $1;',
    "UPDATE orders SET status = 'x' WHERE id IN (SELECT order_id FROM refunds);",
    "UPDATE orders SET status = 'x' WHERE CURRENT OF order_cursor;",
    // FROM related to the target.
    'UPDATE orders SET total = c.credit FROM customers c WHERE orders.customer_id = c.id;',
    'UPDATE orders o SET status = c.tier FROM customers c WHERE o.customer_id = c.id;',
    // Unqualified column in a FROM query: benefit of the doubt.
    "UPDATE orders SET status = 'vip' FROM customers WHERE vip;",
    // Matches nothing.
    "UPDATE orders SET status = 'x' WHERE 1 = 0;",
    "UPDATE orders SET status = 'x' WHERE FALSE;",
    "UPDATE orders SET status = 'x' WHERE id = 1 OR 1 = 0;",
    // Look-alikes that are no UPDATE statement.
    "INSERT INTO orders (id, status) VALUES (1, 'new') ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status;",
    'SELECT * FROM orders WHERE id = 1 FOR UPDATE;',
    'SELECT * FROM orders FOR UPDATE OF orders NOWAIT garbage;',
    "SELECT 'UPDATE orders SET status = 1' AS hint;",
    "-- UPDATE orders SET status = 'x';\nSELECT 1;",
    "CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $$ BEGIN UPDATE orders SET status = 'x'; END $$;",
    "EXPLAIN UPDATE orders SET status = 'x';",
    "EXPLAIN (ANALYZE false) UPDATE orders SET status = 'x';",
    'EXPLAIN UPDATE orders SET status =',
    'CREATE TRIGGER orders_audit AFTER UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION audit();',
    'GRANT UPDATE ON orders TO app;',
    // Still being typed (the grammar rejects them): UPDATE here is a trigger event / a privilege.
    'CREATE TRIGGER orders_audit AFTER UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION',
    'GRANT UPDATE ON orders TO',
    // A WHERE still being typed.
    "UPDATE orders SET status = 'x' WHERE",
    "UPDATE orders SET status = 'x' WHERE id = 5 RETURNIN *",
  ],
});
