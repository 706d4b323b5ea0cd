import { seededRandom } from '../test/helpers/random';

/**
 * A deterministic SQL file of mixed, realistic statements for benchmarks: literals vary so no
 * cache sees the same statement twice.
 */
export function generateSql(targetBytes: number, seed = 42): { text: string; statements: number } {
  const random = seededRandom(seed);
  const tables = ['orders', 'customers', 'order_items', 'invoices', 'events', 'payments', 'shipments', 'audit_log'];
  const table = (): string => tables[random(tables.length)]!;
  const makers: (() => string)[] = [
    () =>
      `INSERT INTO ${table()} (id, customer_id, total, note, created_at) VALUES (${random(1e6)}, ${random(1e4)}, ${random(1e5) / 100}, 'note ${random(1e6)}', now() - interval '${random(90)} days');`,
    () => `UPDATE ${table()} SET status = 'shipped', updated_at = now() WHERE id = ${random(1e6)} AND status = 'paid';`,
    () => `DELETE FROM ${table()} WHERE created_at < now() - interval '${random(365)} days' AND batch_id = ${random(1e4)};`,
    () =>
      `SELECT o.id, c.name, sum(i.amount) AS total\n  FROM orders o\n  JOIN customers c ON c.id = o.customer_id\n  JOIN order_items i ON i.order_id = o.id\n WHERE o.created_at > '2024-0${1 + random(9)}-1${random(9)}'\n GROUP BY o.id, c.name\n ORDER BY total DESC\n LIMIT ${1 + random(100)};`,
    () =>
      `-- clean-up for batch ${random(1e4)}\nDELETE FROM order_items i USING orders o WHERE i.order_id = o.id AND o.batch_id = ${random(1e4)};`,
    () => `WITH moved AS (\n  DELETE FROM events WHERE id < ${random(1e6)} RETURNING *\n)\nINSERT INTO events_archive SELECT * FROM moved;`,
    () => `BEGIN;\nUPDATE payments SET amount = amount * 1.0${random(9)} WHERE invoice_id = ${random(1e5)};\nCOMMIT;`,
    () =>
      `CREATE TABLE IF NOT EXISTS report_${random(1e6)} (id bigserial PRIMARY KEY, label text NOT NULL, amount numeric(12,2), created_at timestamptz DEFAULT now());`,
    () => `ALTER TABLE ${table()} ADD COLUMN IF NOT EXISTS extra_${random(1e4)} text;`,
    () =>
      `CREATE OR REPLACE FUNCTION touch_${random(1e6)}() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n  NEW.updated_at := now();\n  RETURN NEW;\nEND;\n$$;`,
    () => `UPDATE ${table()} SET flagged = true;`,
    () => `SELECT count(*) FROM ${table()} WHERE note ILIKE '%${random(1e4)}%';`,
  ];
  const parts: string[] = [];
  let bytes = 0;
  while (bytes < targetBytes) {
    const statement = makers[random(makers.length)]!();
    parts.push(statement);
    bytes += statement.length + 1;
  }
  const text = `${parts.join('\n')}\n`;
  const statements = (text.match(/;\n/g) ?? []).length;
  return { text, statements };
}
