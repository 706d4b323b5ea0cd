-- safesql:connection client-prod
--
-- Clean up after the broken partner-feed import of 2024-03-14 (batch 4711).
-- The feed was loaded twice and half of the rows came in with NULL prices.
-- Remove everything that batch created; the feed gets re-imported tonight.
--
-- Nobody is using this database yet (the client goes live next month),
-- so just run it top to bottom.

-- How bad is it?
SELECT id, source, loaded_at, row_count
FROM import_batches
WHERE loaded_at >= '2024-03-14' AND loaded_at < '2024-03-15';

SELECT count(*) FROM customers WHERE import_batch_id = 4711;
SELECT count(*) FROM orders WHERE import_batch_id = 4711;

SELECT o.id, o.customer_id, o.total, o.created_at
FROM orders o
WHERE o.import_batch_id = 4711
  AND o.total IS NULL
ORDER BY o.created_at
LIMIT 50;

-- Items first, because of the foreign key to orders.
DELETE FROM order_items
USING orders
WHERE orders.import_batch_id = 4711;

DELETE FROM orders
WHERE import_batch_id = 4711;

-- Customers the import created, unless they have orders of their own.
DELETE FROM customers c
WHERE c.import_batch_id = 4711
  AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.id);

DELETE FROM import_batches
WHERE id = 4711;
