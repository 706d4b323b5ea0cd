import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client } from 'pg';
import { preview } from '../../server/src/exec/preview';
import { loadGrammar } from '../../server/src/sql/grammar';
import { createSchema, openTestDatabase, schemaChecksum, type TestDatabase } from '../helpers/database';
import { contextFor, unitOf } from '../helpers/exec';
import { seededRandom } from '../helpers/random';

const ROWS = 200;

describe('preview runs in a transaction that is always rolled back', () => {
  let db: TestDatabase;
  let schema: Awaited<ReturnType<typeof createSchema>>;
  let s: string;
  let original: Record<string, string>;

  before(async () => {
    await loadGrammar();
    db = await openTestDatabase();
    schema = await createSchema(db.client, 'preview');
    s = schema.name;
    await db.client.query(`
      CREATE TABLE ${s}.customers (id int PRIMARY KEY, name text NOT NULL);
      CREATE TABLE ${s}.orders (
        id int PRIMARY KEY, customer int REFERENCES ${s}.customers, status text, amount numeric(10,2),
        tags text[], payload jsonb, created timestamptz, flag boolean);
      CREATE TABLE ${s}.events (at timestamptz, what text);
      CREATE SEQUENCE ${s}.tickets;
      INSERT INTO ${s}.customers SELECT g, 'customer ' || g FROM generate_series(1, 20) g;
      INSERT INTO ${s}.orders
        SELECT g, 1 + g % 20, (ARRAY['new','paid','bad','shipped'])[1 + g % 4], g * 1.25,
               ARRAY['t' || g % 3], jsonb_build_object('n', g), timestamptz '2026-01-01 00:00:00+00' + g * interval '1 hour', g % 2 = 0
          FROM generate_series(1, ${ROWS}) g;
      INSERT INTO ${s}.events SELECT now(), 'e' || g FROM generate_series(1, 10) g;`);
    original = await schemaChecksum(db.client, s);
  });
  after(async () => {
    await schema?.drop();
    await db?.close();
  });

  const run = (sql: string, settings = {}) => {
    const { document, unit } = unitOf(sql);
    return preview(document, unit, contextFor(db.url, { environment: 'local' }, settings));
  };

  it('shows the rows a DELETE would remove, counted in full and capped for display', async () => {
    const result = await run(`DELETE FROM ${s}.orders WHERE status = 'bad';`, { previewRowLimit: 5 });
    assert.equal(result.outcome, 'ok', JSON.stringify(result.error));
    assert.equal(result.affectedRows, ROWS / 4);
    const [statement] = result.statements;
    assert.equal(statement!.command, 'DELETE');
    assert.equal(statement!.before!.total, ROWS / 4);
    assert.equal(statement!.before!.rows.length, 5);
    assert.deepEqual(statement!.before!.columns, ['id', 'customer', 'status', 'amount', 'tags', 'payload', 'created', 'flag']);
    for (const row of statement!.before!.rows) assert.equal(row[2], 'bad');
    assert.ok(
      statement!.plan!.some((line) => /Delete on orders/.test(line)),
      statement!.plan!.join('\n'),
    );
    assert.equal(result.undo.possible, true);
    assert.deepEqual(await schemaChecksum(db.client, s), original);
  });

  it('shows an UPDATE’s rows before and after, also with FROM, aliases, comments and an own RETURNING', async () => {
    const cases = [
      `UPDATE ${s}.orders SET amount = amount * 2 WHERE id <= 3;`,
      `UPDATE ${s}.orders o SET amount = o.amount * 2 FROM ${s}.customers c WHERE c.id = o.customer AND o.id <= 3 RETURNING o.id;`,
      `UPDATE ${s}.orders AS o SET flag = flag IS DISTINCT FROM true FROM (SELECT 1) x WHERE id <= 3 -- three rows\n;`,
      `WITH small AS (SELECT id FROM ${s}.orders WHERE id <= 3) UPDATE ${s}.orders SET amount = amount * 2 WHERE id IN (SELECT id FROM small);`,
    ];
    for (const sql of cases) {
      const result = await run(sql);
      assert.equal(result.outcome, 'ok', `${sql}: ${JSON.stringify(result.error)}`);
      const [statement] = result.statements;
      assert.equal(statement!.affectedRows, 3, sql);
      assert.deepEqual(statement!.notes, [], `${sql}: the rows were not captured`);
      assert.equal(statement!.before!.rows.length, 3, sql);
      const before = new Map(statement!.before!.rows.map((row) => [row[0], row]));
      for (const row of statement!.after!.rows) {
        const old = before.get(row[0])!;
        assert.ok(old, `${sql}: row ${row[0]} has an after-image but no before-image`);
        assert.notDeepEqual(row, old, `${sql}: before and after are the same`);
      }
    }
    assert.deepEqual(await schemaChecksum(db.client, s), original);
  });

  it('shows an INSERT’s new rows', async () => {
    const result = await run(`INSERT INTO ${s}.customers (id, name) SELECT 100 + g, 'new ' || g FROM generate_series(1, 3) g;`);
    assert.equal(result.affectedRows, 3);
    assert.deepEqual(
      result.statements[0]!.after!.rows.map((r) => r[1]),
      ['new 1', 'new 2', 'new 3'],
    );
    assert.deepEqual(await schemaChecksum(db.client, s), original);
  });

  it('previews a BEGIN … COMMIT block as one unit, later statements seeing earlier ones', async () => {
    const result = await run(
      `BEGIN;\nINSERT INTO ${s}.customers VALUES (500, 'temp');\nUPDATE ${s}.orders SET customer = 500 WHERE id <= 10;\nDELETE FROM ${s}.orders WHERE customer = 500;\nCOMMIT;`,
    );
    assert.equal(result.outcome, 'ok', JSON.stringify(result.error));
    assert.deepEqual(
      result.statements.map((st) => [st.command, st.affectedRows]),
      [
        ['INSERT', 1],
        ['UPDATE', 10],
        ['DELETE', 10],
      ],
    );
    assert.equal(result.affectedRows, 21);
    assert.deepEqual(await schemaChecksum(db.client, s), original);
  });

  it('runs a query read-only, counting every row but sending only the shown ones', async () => {
    const result = await run(`SELECT * FROM ${s}.orders ORDER BY id;`, { previewRowLimit: 7 });
    assert.equal(result.readOnly, true);
    assert.equal(result.statements[0]!.rows!.total, ROWS);
    assert.equal(result.statements[0]!.rows!.rows.length, 7);
    const sideEffect = await run(`SELECT nextval('${s}.tickets');`);
    assert.equal(sideEffect.outcome, 'error');
    assert.match(sideEffect.error!.message, /read-only transaction/);
    const { rows } = await db.client.query(`SELECT last_value, is_called FROM ${s}.tickets`);
    assert.deepEqual(rows[0], { last_value: '1', is_called: false });
  });

  it('says a statement PostgreSQL refuses inside a transaction cannot be previewed, and does not run it', async () => {
    for (const sql of [`VACUUM ${s}.orders;`, `CREATE INDEX CONCURRENTLY orders_status ON ${s}.orders (status);`]) {
      const result = await run(sql);
      assert.equal(result.outcome, 'not-previewable', sql);
      assert.match(result.notPreviewable!, /cannot run this statement inside a transaction/);
      assert.equal(result.undo.possible, false);
    }
    const { rows } = await db.client.query(
      `SELECT count(*)::int AS n FROM pg_indexes WHERE schemaname = $1 AND indexname = 'orders_status'`,
      [s],
    );
    assert.equal(rows[0].n, 0);
  });

  it('refuses transaction control that would commit part of a block or leave its transaction, and changes nothing', async () => {
    for (const control of ['COMMIT AND CHAIN', 'end and chain', 'ROLLBACK AND CHAIN', "SET TRANSACTION SNAPSHOT '00000003-0000001B-1'"]) {
      const sql = `BEGIN;\nDELETE FROM ${s}.orders WHERE id <= 10;\n${control};\nDELETE FROM ${s}.orders WHERE id <= 20;\nCOMMIT;`;
      const result = await run(sql);
      assert.equal(result.outcome, 'not-previewable', control);
      assert.match(result.notPreviewable!, /^statement 3: /, control);
      assert.deepEqual(await schemaChecksum(db.client, s), original, control);
    }
  });

  it('reports PostgreSQL’s error with its position mapped into the document, and changes nothing', async () => {
    const sql = `-- first\nDELETE FROM ${s}.orders WHERE id < 5;\n\nUPDATE ${s}.orders SET amount = amount * 2 WHERE nosuch = 1;`;
    const { document, unit } = unitOf(sql, 1);
    const result = await preview(document, unit, contextFor(db.url, { environment: 'local' }));
    assert.equal(result.outcome, 'error');
    assert.equal(result.error!.code, '42703');
    assert.match(result.error!.message, /column "nosuch" does not exist/);
    assert.equal(result.error!.statement, 2);
    assert.equal(sql.slice(result.error!.offset, result.error!.offset! + 6), 'nosuch');
    const missing = await run(`SELECT * FROM ${s}.nosuch;`);
    assert.equal(missing.error!.code, '42P01');
    assert.equal(`SELECT * FROM ${s}.nosuch;`.slice(missing.error!.offset, missing.error!.offset! + s.length), s);
    assert.deepEqual(await schemaChecksum(db.client, s), original);
  });

  it('says when the change could not be undone: no primary key, TRUNCATE, DDL', async () => {
    const noKey = await run(`UPDATE ${s}.events SET what = 'x';`);
    assert.equal(noKey.affectedRows, 10);
    assert.equal(noKey.undo.possible, false);
    assert.match(noKey.undo.reason, /has no primary key/);
    const truncate = await run(`TRUNCATE ${s}.events;`);
    assert.equal(truncate.affectedRows, 10, 'TRUNCATE counts the rows it removes');
    assert.equal(truncate.undo.possible, false);
    const ddl = await run(`ALTER TABLE ${s}.orders DROP COLUMN payload;`);
    assert.equal(ddl.outcome, 'ok');
    assert.equal(ddl.undo.possible, false);
    assert.deepEqual(await schemaChecksum(db.client, s), original);
  });

  it('after any number of random previews, nothing has changed', async () => {
    const random = seededRandom(20261127);
    const columns = ['id', 'customer', 'amount'];
    const operators = ['<', '<=', '=', '>', '<>'];
    const condition = () =>
      `${columns[random(columns.length)]} ${operators[random(operators.length)]} ${random(ROWS)}` +
      (random(3) === 0 ? ` OR status = '${['new', 'paid', 'bad'][random(3)]}'` : '');
    for (let i = 0; i < 40; i++) {
      const where = condition();
      const kind = random(3);
      const sql =
        kind === 0
          ? `DELETE FROM ${s}.orders WHERE ${where};`
          : kind === 1
            ? `UPDATE ${s}.orders SET amount = amount + 1, status = 'changed' WHERE ${where};`
            : `INSERT INTO ${s}.orders (id, customer, status) SELECT id + 10000, customer, 'copy' FROM ${s}.orders WHERE ${where};`;
      const result = await run(sql);
      assert.equal(result.outcome, 'ok', `${sql}: ${JSON.stringify(result.error)}`);
      const { rows } = await db.client.query(`SELECT count(*)::int AS n FROM ${s}.orders WHERE ${where}`);
      assert.equal(result.affectedRows, rows[0].n, `${sql}: the preview's count differs from the rows the WHERE matches`);
    }
    assert.deepEqual(await schemaChecksum(db.client, s), original);
  });

  it('a statement past its time limit is stopped and rolled back', async (t) => {
    if (db.embedded) return t.skip('PGlite does not enforce statement_timeout');
    const result = await run(`BEGIN;\nDELETE FROM ${s}.orders;\nSELECT pg_sleep(5);\nCOMMIT;`, { statementTimeoutMs: 200 });
    assert.equal(result.outcome, 'error');
    assert.equal(result.error!.kind, 'timeout');
    assert.equal(result.error!.statement, 3);
    assert.deepEqual(await schemaChecksum(db.client, s), original);
  });

  it('cancelling stops the backend at once and rolls back', async (t) => {
    if (db.embedded) return t.skip('PGlite ignores cancel requests');
    const controller = new AbortController();
    const { document, unit } = unitOf(`BEGIN;\nDELETE FROM ${s}.orders;\nSELECT pg_sleep(30);\nCOMMIT;`);
    const started = Date.now();
    setTimeout(() => controller.abort(), 500);
    const result = await preview(document, unit, { ...contextFor(db.url, { environment: 'local' }), signal: controller.signal });
    assert.equal(result.outcome, 'error');
    assert.equal(result.error!.kind, 'cancelled');
    assert.ok(Date.now() - started < 5000, `cancel took ${Date.now() - started} ms`);
    assert.deepEqual(await schemaChecksum(db.client, s), original);
  });

  it('reports who else is using the database, except for local connections', async () => {
    const { document, unit } = unitOf(`DELETE FROM ${s}.orders WHERE id = 1;`);
    const result = await preview(document, unit, contextFor(db.url, { environment: 'staging' }));
    assert.ok(result.liveness, 'a staging preview carries the live-database check');
    // The test's own connection is another client session on this database.
    assert.ok(result.liveness.sessions.others >= (db.embedded ? 0 : 1));
    assert.deepEqual(
      result.liveness.tables.map((t) => t.table),
      [`${s}.orders`],
    );
    assert.ok(result.liveness.summary.length >= 2);
    const local = await run(`DELETE FROM ${s}.orders WHERE id = 1;`);
    assert.equal(local.liveness, undefined);
  });

  it('names the sessions that hold or wait for locks on the tables right now, and never its own', async (t) => {
    if (db.embedded) return t.skip('PGlite has one session, which holds no locks between statements');
    const billing = new Client({ connectionString: db.url, application_name: 'billing-app' });
    await billing.connect();
    try {
      // A transaction left open on another row of the table: a live user of it, though idle.
      await billing.query(`BEGIN; UPDATE ${s}.orders SET amount = amount WHERE id = 2`);
      const { document, unit } = unitOf(`DELETE FROM ${s}.orders WHERE id = 1;`);
      const result = await preview(document, unit, contextFor(db.url, { environment: 'staging' }));
      assert.equal(result.outcome, 'ok', JSON.stringify(result.error));
      const locks = result.liveness?.locks ?? [];
      assert.deepEqual(
        locks.map((lock) => [lock.table, lock.application, lock.mode, lock.granted, lock.state]),
        [[`${s}.orders`, 'billing-app', 'RowExclusiveLock', true, 'idle in transaction']],
      );
      const said = result.liveness!.summary.join('\n');
      assert.match(
        said,
        new RegExp(
          `^${s}\\.orders: billing-app \\(user \\w+, pid \\d+, idle in transaction for \\d+ s\\) holds RowExclusiveLock on it now\\.$`,
          'm',
        ),
      );
    } finally {
      await billing.query('ROLLBACK').catch(() => undefined);
      await billing.end();
    }
  });
});
