import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client } from 'pg';
import { commit } from '../../server/src/exec/commit';
import { preview, type ExecContext } from '../../server/src/exec/preview';
import { alsoChanged, type CommitResult, type PreviewResult, type StatementOutcome } from '../../server/src/exec/results';
import { formatCommit } from '../../server/src/cli/execReport';
import { renderCommit } from '../../client/src/preview/render';
import { Session } from '../../server/src/exec/session';
import { SnapshotReader } from '../../server/src/exec/snapshotReader';
import { loadGrammar } from '../../server/src/sql/grammar';
import { createSchema, openTestDatabase, schemaChecksum, type TestDatabase } from '../helpers/database';
import { contextFor, temporaryJournal, unitOf } from '../helpers/exec';

/**
 * A DELETE's or UPDATE's preview reads the rows it changes apart from the statement (beside it on a
 * second session at the transaction's snapshot, or before it), rather than capturing them through
 * RETURNING. It must show and digest exactly what the general capture does, for every shape of
 * statement, and fall back to that capture wherever its reads cannot stand for the statement.
 */
describe('previews that read the changed rows apart from the statement', () => {
  let db: TestDatabase;
  let schema: Awaited<ReturnType<typeof createSchema>>;
  let s: string;
  let context: ExecContext;

  before(async () => {
    await loadGrammar();
    db = await openTestDatabase();
    schema = await createSchema(db.client, 'apart');
    s = schema.name;
    context = contextFor(db.url, { environment: 'local' });
    await db.client.query(`
      CREATE TABLE ${s}.orders (id int PRIMARY KEY, customer text, amount numeric, flag boolean, doc xml);
      CREATE TABLE ${s}.lines (order_id int REFERENCES ${s}.orders ON DELETE CASCADE, n int, PRIMARY KEY (order_id, n));
      CREATE TABLE ${s}.loose (a int, b text);
      CREATE TABLE ${s}.tree (id int PRIMARY KEY, code text UNIQUE, parent text REFERENCES ${s}.tree (code) ON UPDATE CASCADE);
      CREATE TABLE ${s}.stamped (id int PRIMARY KEY, v int, at text);
      CREATE FUNCTION ${s}.stamp() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.at := 'stamped ' || NEW.v; RETURN NEW; END $$;
      CREATE TRIGGER stamp BEFORE UPDATE ON ${s}.stamped FOR EACH ROW EXECUTE FUNCTION ${s}.stamp();
      INSERT INTO ${s}.orders SELECT g, 'c' || g % 3, g * 1.5, g % 2 = 0, '<?xml version="1.0"?><a/>' FROM generate_series(1, 30) g;
      INSERT INTO ${s}.lines SELECT o, n FROM generate_series(1, 30) o, generate_series(1, 3) n;
      INSERT INTO ${s}.loose SELECT g, 'b' || g FROM generate_series(1, 10) g;
      INSERT INTO ${s}.tree VALUES (1, 'root', NULL), (2, 'left', 'root'), (3, 'right', 'root'), (4, 'leaf', 'left');
      INSERT INTO ${s}.stamped SELECT g, g, '' FROM generate_series(1, 10) g;`);
  });
  after(async () => {
    await schema?.drop();
    await db?.close();
  });

  const previewOf = (sql: string, values = false) => {
    const { document, unit } = unitOf(sql);
    return preview(document, unit, context, { values });
  };

  /** A row image as a sorted list of its rows' text, so that two captures compare whatever order they read in. */
  const rowSet = (image: StatementOutcome['before']) => (image ? image.rows.map((row) => JSON.stringify(row)).sort() : undefined);

  /** What a preview shows and what its commit compares, without what each run has of its own (ids, times, value hashes). */
  const essentials = (result: PreviewResult) => {
    if (result.outcome !== 'ok') return { outcome: result.outcome, error: result.error?.message };
    return result.statements.map((outcome) => ({
      command: outcome.command,
      affectedRows: outcome.affectedRows,
      rows: outcome.digest?.rows,
      versions: outcome.digest?.versions,
      kept: outcome.digest?.kept,
      written: outcome.digest?.written,
      effects: outcome.effects,
      before: rowSet(outcome.before),
      after: rowSet(outcome.after),
    }));
  };

  const statements = () => [
    `DELETE FROM ${s}.orders WHERE id <= 10`,
    `DELETE FROM ${s}.orders AS o USING ${s}.lines l WHERE l.order_id = o.id AND l.n = 1 AND o.id > 20`,
    // The join repeats each order three times: the reads see 3 rows per order, the DELETE removes one.
    `DELETE FROM ${s}.orders o USING ${s}.lines l WHERE l.order_id = o.id AND o.id < 4`,
    `WITH picked AS (SELECT 3 AS id UNION SELECT 4) DELETE FROM ${s}.orders WHERE id IN (SELECT id FROM picked)`,
    `DELETE FROM ${s}.orders WHERE id = 5 RETURNING id, customer`,
    `DELETE FROM ${s}.orders WHERE false`,
    `DELETE FROM ${s}.loose WHERE a % 2 = 0`,
    `UPDATE ${s}.orders SET amount = amount * 2 WHERE customer = 'c1'`,
    `UPDATE ${s}.orders AS o SET customer = l.n::text FROM ${s}.lines l WHERE l.order_id = o.id AND l.n = 2 AND o.id < 12`,
    // The FROM item repeats every order: the UPDATE changes each once, the reads see each three times.
    `UPDATE ${s}.orders SET customer = 'many' FROM ${s}.lines l WHERE l.order_id = ${s}.orders.id AND ${s}.orders.id < 6`,
    `UPDATE ${s}.orders SET flag = amount IS DISTINCT FROM 3 WHERE id BETWEEN 2 AND 9`,
    `UPDATE ${s}.orders SET amount = 0, customer = customer || '!' RETURNING id`,
    `UPDATE ONLY ${s}.orders SET (amount, customer) = (1, 'one') WHERE id = 1`,
    `UPDATE ${s}.orders SET amount = amount + 1, customer = upper(customer) WHERE id IN (SELECT order_id FROM ${s}.lines WHERE n = 3) AND id > 25`,
    `WITH bump AS (SELECT 2 AS by) UPDATE ${s}.orders SET amount = amount + (SELECT by FROM bump) WHERE id < 3`,
    `UPDATE ${s}.orders SET id = id + 1000 WHERE id > 27`,
    `UPDATE ${s}.lines SET n = n + 10 WHERE order_id = 3`,
    `UPDATE ${s}.loose SET b = b || '+' WHERE a < 4`,
    `UPDATE ${s}.stamped SET v = v * 10 WHERE id < 4`,
    `UPDATE ${s}.orders SET amount = 7 WHERE id = -1`,
    // The cascade updates the children in the same table: more rows change there than the statement counts.
    `UPDATE ${s}.tree SET code = code || '!' WHERE id <= 2`,
  ];

  it('shows and digests what the general capture does, for every shape of DELETE and UPDATE', async () => {
    let okay = 0;
    const failed: unknown[] = [];
    for (const sql of statements()) {
      const state = await schemaChecksum(db.client, s);
      // `values` makes the preview capture through RETURNING, as an undo's preview must.
      const general = essentials(await previewOf(sql, true));
      const apart = essentials(await previewOf(sql));
      assert.deepEqual(apart, general, sql);
      okay += Array.isArray(apart) ? 1 : 0;
      if (!Array.isArray(apart)) failed.push(apart);
      assert.deepEqual(await schemaChecksum(db.client, s), state, `the previews of ${sql} changed nothing`);
    }
    // One of them fails alike in both (a foreign key refuses the new ids); the rest preview.
    assert.equal(okay, statements().length - 1, JSON.stringify(failed));
  });

  it('previews that its commit then accepts, and commits exactly the previewed rows', async () => {
    const committed: CommitResult[] = [];
    for (const sql of [
      `UPDATE ${s}.orders SET amount = amount + 100 WHERE id BETWEEN 10 AND 14`,
      `DELETE FROM ${s}.orders WHERE id BETWEEN 15 AND 16`,
    ]) {
      const { document, unit } = unitOf(sql);
      const previewed = await preview(document, unit, context);
      const result = await commit(document, unit, { preview: previewed, journal: temporaryJournal() }, context);
      committed.push(result);
      assert.equal(result.outcome, 'committed', JSON.stringify(result.error ?? result.reason));
      assert.equal(result.affectedRows, previewed.affectedRows);
    }
    // The two orders' lines went with them: every count says so, not only the orders'.
    const [, deleted] = committed;
    assert.equal(alsoChanged(deleted!.statements), `, and 6 rows in ${s}.lines (cascades, triggers or rules)`);
    assert.match(formatCommit(deleted!), /: 2 rows changed, and 6 rows in \S+\.lines \(cascades, triggers or rules\)\./);
    assert.match(renderCommit(deleted!, 'cleanup.sql'), /Committed: 2 rows changed, and 6 rows in \S+\.lines/);
  });

  it('refuses the commit when a row the UPDATE would write from changed after its preview', async () => {
    const sql = `UPDATE ${s}.orders SET amount = amount + 1 WHERE id BETWEEN 20 AND 22`;
    const { document, unit } = unitOf(sql);
    const previewed = await preview(document, unit, context);
    assert.equal(previewed.statements[0]?.affectedRows, 3);
    await db.client.query(`UPDATE ${s}.orders SET amount = amount + 0.5 WHERE id = 21`);
    const state = await schemaChecksum(db.client, s);
    const committed = await commit(document, unit, { preview: previewed, journal: temporaryJournal() }, context);
    assert.equal(committed.outcome, 'refused');
    assert.deepEqual(await schemaChecksum(db.client, s), state, 'a refused commit changes nothing');
  });

  it('reads, on a second session, exactly what the transaction saw when it exported its snapshot', async (t) => {
    if (db.embedded) {
      // PGlite multiplexes one backend: the reader must be found out before the transaction begins.
      const main = await Session.open(context.target);
      try {
        assert.equal(
          await SnapshotReader.open(main, context.target, undefined, { statementTimeoutMs: 5_000, lockTimeoutMs: 1_000 }),
          undefined,
        );
      } finally {
        await main.close();
      }
      return t.skip('the rest needs a server with a backend per connection');
    }
    const main = await Session.open(context.target);
    const other = new Client({ connectionString: db.url });
    await other.connect();
    try {
      const reader = await SnapshotReader.open(main, context.target, undefined, { statementTimeoutMs: 5_000, lockTimeoutMs: 1_000 });
      assert.ok(reader, 'a real server gives the second connection its own backend');
      try {
        await main.begin({}, { statementTimeoutMs: 5_000, lockTimeoutMs: 1_000 });
        const snapshot = await main.exportSnapshot();
        await other.query(`INSERT INTO ${s}.loose VALUES (100, 'committed after the export')`);
        const count = `SELECT count(*) FROM ${s}.loose`;
        const seen = await reader.read(snapshot.id, async (run) => (await run(count)).rows[0]![0]);
        const now = (await main.run(count)).rows[0]![0];
        assert.equal(Number(now), Number(seen) + 1, 'the reader sees the snapshot, the read-committed transaction the later commit');
        await assert.rejects(
          reader.read(snapshot.id, (run) => run(`DELETE FROM ${s}.loose`)),
          /read-only|invalid snapshot|snapshot/,
          'the reader never writes (and a snapshot is not imported twice into one transaction)',
        );
      } finally {
        await main.rollback();
        await reader.close();
      }
    } finally {
      await other.query(`DELETE FROM ${s}.loose WHERE a = 100`);
      await other.end();
      await main.close();
    }
  });
});
