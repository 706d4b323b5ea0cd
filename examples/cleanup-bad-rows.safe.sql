-- safesql:connection client-staging
--
-- Clean up after the broken partner-feed import of 2024-03-14 (batch 4711).
-- The feed was loaded twice and half of the rows came in with NULL prices.
-- Remove everything that batch created, children first; the feed gets
-- re-imported tonight.
--
-- Rehearse on staging before touching production. Everything below runs in
-- one transaction: note the count from each preview SELECT and compare it
-- with the row count PostgreSQL reports for the DELETE that follows
-- ("DELETE 212"). COMMIT only if every count matches its preview;
-- otherwise ROLLBACK and nothing has changed.

BEGIN;

-- The batch to remove: expect exactly one row, id 4711.
SELECT id, source, loaded_at, row_count
FROM import_batches
WHERE loaded_at >= '2024-03-14' AND loaded_at < '2024-03-15';

-- 1. Items of the batch's orders.
SELECT count(*)
FROM order_items oi
JOIN orders o ON o.id = oi.order_id
WHERE o.import_batch_id = 4711;

DELETE FROM order_items oi
USING orders o
WHERE oi.order_id = o.id
  AND o.import_batch_id = 4711;

-- 2. The batch's orders.
SELECT count(*) FROM orders WHERE import_batch_id = 4711;

DELETE FROM orders
WHERE import_batch_id = 4711;

-- 3. Customers the import created, unless they have orders of their own.
SELECT count(*)
FROM customers c
WHERE c.import_batch_id = 4711
  AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.id);

DELETE FROM customers c
WHERE c.import_batch_id = 4711
  AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.id);

-- 4. The batch itself.
SELECT count(*) FROM import_batches WHERE id = 4711;

DELETE FROM import_batches
WHERE id = 4711;

-- Preview before committing: every DELETE above must report the count its
-- SELECT showed. If one does not, run ROLLBACK instead of COMMIT.
COMMIT;
