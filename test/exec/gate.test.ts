import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, beforeEach, describe, it } from 'node:test';
import { commit } from '../../server/src/exec/commit';
import type { Journal } from '../../server/src/exec/journal';
import { preview, type ExecContext } from '../../server/src/exec/preview';
import { Session, TransactionEscaped } from '../../server/src/exec/session';
import { commitUndo, previewUndo, undoPlan } from '../../server/src/exec/undo';
import { loadGrammar } from '../../server/src/sql/grammar';
import { createSchema, openTestDatabase, schemaChecksum, type TestDatabase } from '../helpers/database';
import { contextFor, temporaryJournal, unitOf } from '../helpers/exec';

/**
 * The gate's mechanisms one by one: transaction control refused before anything runs, the BEGIN
 * built from parsed options, the transaction checked after each statement, output settings pinned,
 * and a commit that compares rows, per-table effects and schema with its preview.
 */
describe('the gate cannot be fooled', () => {
  let db: TestDatabase;
  let schema: Awaited<ReturnType<typeof createSchema>>;
  let s: string;
  let journal: Journal;
  let context: ExecContext;

  before(async () => {
    await loadGrammar();
    db = await openTestDatabase();
    schema = await createSchema(db.client, 'gate');
    s = schema.name;
    context = contextFor(db.url);
  });
  after(async () => {
    await schema?.drop();
    await db?.close();
  });
  beforeEach(async () => {
    journal = temporaryJournal();
    context = { ...contextFor(db.url), journal };
    await db.client.query(`
      DROP TABLE IF EXISTS ${s}.lines, ${s}.orders, ${s}.audit CASCADE;
      CREATE TABLE ${s}.orders (id int PRIMARY KEY, customer text, amount float8);
      CREATE TABLE ${s}.audit (what text);
      INSERT INTO ${s}.orders SELECT g, 'c' || g % 3, g / 7.0 FROM generate_series(1, 30) g;`);
  });

  const previewOf = (sql: string, ctx = context) => {
    const { document, unit } = unitOf(sql);
    return preview(document, unit, ctx);
  };

  async function previewThenCommit(sql: string, interfere: () => Promise<unknown>) {
    const { document, unit } = unitOf(sql);
    const previewed = await preview(document, unit, context);
    assert.equal(previewed.outcome, 'ok', JSON.stringify(previewed.error ?? previewed.notPreviewable));
    await interfere();
    const state = await schemaChecksum(db.client, s);
    const committed = await commit(document, unit, { preview: previewed, journal }, context);
    return { previewed, committed, state };
  }

  it('refuses transaction control inside a unit before anything runs, and changes nothing', async () => {
    const original = await schemaChecksum(db.client, s);
    const hostile = [
      `BEGIN;\nDELETE FROM ${s}.orders WHERE id = 1;\nCOMMIT AND CHAIN;\nDELETE FROM ${s}.orders WHERE id = 2;\nCOMMIT;`,
      `BEGIN;\nDELETE FROM ${s}.orders WHERE id = 1;\nROLLBACK AND CHAIN;\nCOMMIT;`,
      `BEGIN;\nDELETE FROM ${s}.orders WHERE id = 1;\nEND AND CHAIN;\nCOMMIT;`,
      `BEGIN;\nDELETE FROM ${s}.orders WHERE id = 1;\nPREPARE TRANSACTION 'safesql_gate';\nCOMMIT;`,
      `BEGIN;\nDELETE FROM ${s}.orders WHERE id = 1;\nBEGIN;\nDELETE FROM ${s}.orders WHERE id = 2;\nCOMMIT;`,
      `BEGIN;\nDELETE FROM ${s}.orders WHERE id = 1;\nSTART TRANSACTION;\nCOMMIT;`,
      `BEGIN;\nSET TRANSACTION SNAPSHOT '00000003-0000001B-1';\nDELETE FROM ${s}.orders WHERE id = 1;\nCOMMIT;`,
      `BEGIN;\nDELETE FROM ${s}.orders WHERE id = 1;\nSET TRANSACTION ISOLATION LEVEL SERIALIZABLE;\nCOMMIT;`,
      `BEGIN;\nSAVEPOINT __safesql_statement;\nDELETE FROM ${s}.orders WHERE id = 1;\nCOMMIT;`,
      `BEGIN;\nDELETE FROM ${s}.orders WHERE id = 1;\nCOMMIT PREPARED 'x';\nCOMMIT;`,
      `COMMIT AND CHAIN;`,
      `BEGIN;\nDELETE FROM ${s}.orders WHERE id = 1;\nVACUUM ${s}.orders;\nCOMMIT;`,
    ];
    for (const sql of hostile) {
      const result = await previewOf(sql);
      assert.equal(result.outcome, 'not-previewable', `${sql}\n${JSON.stringify(result)}`);
      assert.ok(result.notPreviewable && result.notPreviewable.length > 20, sql);
      assert.deepEqual(await schemaChecksum(db.client, s), original, sql);
    }
  });

  it('hides no statement behind a comment that a carriage return ends', async () => {
    const original = await schemaChecksum(db.client, s);
    // PostgreSQL ends the comment at \r: the DELETE is the block's own statement, in plain sight.
    const { document, unit } = unitOf(`BEGIN -- note\r; DELETE FROM ${s}.orders WHERE id = 1; COMMIT; BEGIN\n;\nSELECT 1;\nCOMMIT;`);
    assert.deepEqual(
      unit.statements.map((st) => st.kind),
      ['delete'],
    );
    const result = await preview(document, unit, context);
    assert.equal(result.outcome, 'ok', JSON.stringify(result.error));
    assert.equal(result.affectedRows, 1);
    assert.deepEqual(await schemaChecksum(db.client, s), original);
    // Were the splitter ever to disagree, the engine reads the BEGIN again: more than one statement is refused.
    const { unit: hidden } = unitOf(`BEGIN;\nSELECT 1;\nCOMMIT;`);
    const forged = { ...hidden, begin: { ...hidden.begin!, text: `BEGIN; DELETE FROM ${s}.orders; COMMIT; BEGIN` } };
    const refused = await preview(document, forged, context);
    assert.equal(refused.outcome, 'not-previewable');
    assert.match(refused.notPreviewable!, /holds 4 statements where one was expected/);
    assert.deepEqual(await schemaChecksum(db.client, s), original);
  });

  it('begins the block’s transaction with its own options, built from the parse tree', async () => {
    const result = await previewOf(
      `BEGIN ISOLATION LEVEL SERIALIZABLE, READ ONLY;\nSHOW transaction_isolation;\nSHOW transaction_read_only;\nCOMMIT;`,
    );
    assert.equal(result.outcome, 'ok', JSON.stringify(result.error));
    assert.deepEqual(
      result.statements.map((st) => st.rows?.rows[0]?.[0]),
      ['serializable', 'on'],
    );
    const folded = await previewOf(`BEGIN;\nSET TRANSACTION ISOLATION LEVEL REPEATABLE READ;\nSHOW transaction_isolation;\nCOMMIT;`);
    assert.equal(folded.outcome, 'ok', JSON.stringify(folded.error));
    assert.deepEqual(
      folded.statements.map((st) => st.rows?.rows[0]?.[0]),
      ['repeatable read'],
    );
  });

  it('notices at once when a statement ends its transaction', async () => {
    const session = await Session.open(context.target);
    try {
      const mark = await session.begin({}, { statementTimeoutMs: 10_000, lockTimeoutMs: 1_000 });
      await session.assertSameTransaction(mark, 1);
      await session.run(`INSERT INTO ${s}.audit VALUES ('committed behind the engine''s back')`);
      // The extended protocol runs COMMIT too: exactly what the check exists to catch.
      await session.run('COMMIT');
      await assert.rejects(session.assertSameTransaction(mark, 2), (error: unknown) => {
        assert.ok(error instanceof TransactionEscaped);
        assert.match(error.message, /statement 2 ended safesql's transaction .* COMMITTED/);
        return true;
      });
    } finally {
      await session.close();
    }
    await db.client.query(`DELETE FROM ${s}.audit`);
  });

  it('refuses a unit that changes the output settings its capture depends on', async () => {
    const original = await schemaChecksum(db.client, s);
    for (const setting of [
      'extra_float_digits = 0',
      "bytea_output = 'escape'",
      "DateStyle = 'SQL, DMY'",
      'standard_conforming_strings = off',
    ]) {
      const result = await previewOf(`BEGIN;\nSET ${setting};\nDELETE FROM ${s}.orders WHERE id = 1;\nCOMMIT;`);
      assert.equal(result.outcome, 'error', setting);
      assert.match(result.error!.message, /safesql keeps/, setting);
    }
    assert.deepEqual(await schemaChecksum(db.client, s), original);
  });

  it('captures exactly whatever the server’s output settings, and undo restores exact values', async () => {
    await db.client.query(`
      CREATE TABLE ${s}.floats (id int PRIMARY KEY, f8 float8, f4 float4, b bytea, t timestamptz, i interval);
      INSERT INTO ${s}.floats VALUES (1, 1.7976931348623157e308, 3.4028235e38, '\\x00ff', '2026-03-29 01:30:00.123456+00', '1 year -2 days 03:04:05.678'),
        (2, 5e-324, 1.4e-45, '\\x5c27', 'infinity', '-1 mon'), (3, 'NaN', '-Infinity', '', '1999-12-31 23:59:59.999999-12', '0'),
        (4, 0.1, 0.1, NULL, NULL, NULL), (5, -0.0, 2.5e-10, '\\x', '2026-01-01 00:00:00+05:45', '100 years')`);
    const lossy = contextFor(
      `${db.url}${db.url.includes('?') ? '&' : '?'}options=${encodeURIComponent('-c extra_float_digits=0 -c bytea_output=escape -c DateStyle=SQL,DMY -c IntervalStyle=sql_standard')}`,
    );
    const original = await schemaChecksum(db.client, s);
    const { document, unit } = unitOf(`DELETE FROM ${s}.floats;`);
    const previewed = await preview(document, unit, { ...lossy, journal });
    assert.equal(previewed.outcome, 'ok', JSON.stringify(previewed.error));
    const committed = await commit(document, unit, { preview: previewed, journal }, lossy);
    assert.equal(committed.outcome, 'committed', committed.reason);
    const entry = (await journal.find())!;
    const plan = undoPlan(entry);
    const checked = await previewUndo(plan, lossy);
    assert.equal(checked.mismatch, undefined);
    const undone = await commitUndo(plan, checked, { journal }, lossy);
    assert.equal(undone.outcome, 'committed', undone.reason ?? JSON.stringify(undone.error));
    assert.deepEqual(await schemaChecksum(db.client, s), original);
    await db.client.query(`DROP TABLE ${s}.floats`);
  });

  it('refuses a commit when other rows or other values would change, even with the same count', async () => {
    const sql = `DELETE FROM ${s}.orders WHERE customer = 'c1';`;
    const swapped = await previewThenCommit(sql, () =>
      db.client.query(`UPDATE ${s}.orders SET customer = 'c1' WHERE id = 2; UPDATE ${s}.orders SET customer = 'c0' WHERE id = 1`),
    );
    assert.equal(swapped.committed.outcome, 'refused');
    assert.match(swapped.committed.reason!, /1 of the 10 rows it changes now are not as previewed .* for example \(id=2/);
    assert.deepEqual(await schemaChecksum(db.client, s), swapped.state);

    const revalued = await previewThenCommit(`UPDATE ${s}.orders SET amount = 0 WHERE id <= 3;`, () =>
      db.client.query(`UPDATE ${s}.orders SET amount = 99 WHERE id = 3`),
    );
    assert.equal(revalued.committed.outcome, 'refused');
    assert.deepEqual(await schemaChecksum(db.client, s), revalued.state);
  });

  it('refuses a commit whose statement would now cascade, fire a new trigger or meet another schema', async () => {
    const cascade = await previewThenCommit(`DELETE FROM ${s}.orders WHERE id <= 2;`, () =>
      db.client.query(
        `CREATE TABLE ${s}.lines (order_id int REFERENCES ${s}.orders ON DELETE CASCADE); INSERT INTO ${s}.lines VALUES (1), (1), (2)`,
      ),
    );
    assert.equal(cascade.committed.outcome, 'refused');
    assert.match(cascade.committed.reason!, /schema/);
    assert.deepEqual(await schemaChecksum(db.client, s), cascade.state);

    const trigger = await previewThenCommit(`DELETE FROM ${s}.orders WHERE id = 5;`, () =>
      db.client.query(`
        CREATE FUNCTION ${s}.wipe() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN DELETE FROM ${s}.audit; RETURN OLD; END $$;
        INSERT INTO ${s}.audit VALUES ('kept');
        CREATE TRIGGER wipe BEFORE DELETE ON ${s}.orders FOR EACH ROW EXECUTE FUNCTION ${s}.wipe()`),
    );
    assert.equal(trigger.committed.outcome, 'refused');
    assert.deepEqual(await schemaChecksum(db.client, s), trigger.state);
    await db.client.query(`DROP TRIGGER wipe ON ${s}.orders; DROP FUNCTION ${s}.wipe()`);

    const altered = await previewThenCommit(`UPDATE ${s}.orders SET amount = 1 WHERE id = 6;`, () =>
      db.client.query(`ALTER TABLE ${s}.orders ADD COLUMN note text DEFAULT 'x'`),
    );
    assert.equal(altered.committed.outcome, 'refused');
    assert.deepEqual(await schemaChecksum(db.client, s), altered.state);
  });

  it('counts every table a statement changes and refuses a commit when any count differs', async () => {
    await db.client.query(
      `CREATE TABLE ${s}.lines (order_id int REFERENCES ${s}.orders ON DELETE CASCADE); INSERT INTO ${s}.lines SELECT g % 4 + 1 FROM generate_series(1, 12) g`,
    );
    const { previewed, committed, state } = await previewThenCommit(`DELETE FROM ${s}.orders WHERE id <= 2;`, () =>
      db.client.query(`INSERT INTO ${s}.lines VALUES (1)`),
    );
    const [statement] = previewed.statements;
    assert.deepEqual(
      statement!.effects?.map((e) => [e.table, e.deleted]),
      [
        [`${s}.lines`, 6],
        [`${s}.orders`, 2],
      ],
    );
    assert.ok(statement!.notes.some((n) => n.includes(`also deletes 6 rows in ${s}.lines`)));
    assert.equal(committed.outcome, 'refused');
    assert.match(committed.reason!, /lines/);
    assert.deepEqual(await schemaChecksum(db.client, s), state);
  });

  it('an undo verifies what it restored and refuses when a trigger rewrites it', async () => {
    const original = await schemaChecksum(db.client, s);
    const { committed } = await previewThenCommit(`DELETE FROM ${s}.orders WHERE id <= 3;`, async () => undefined);
    assert.equal(committed.outcome, 'committed', committed.reason);
    await db.client.query(`
      CREATE FUNCTION ${s}.rewrite() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.amount := 0; RETURN NEW; END $$;
      CREATE TRIGGER rewrite BEFORE INSERT ON ${s}.orders FOR EACH ROW EXECUTE FUNCTION ${s}.rewrite()`);
    const afterCommit = await schemaChecksum(db.client, s);
    const plan = undoPlan((await journal.find())!);
    const checked = await previewUndo(plan, context);
    assert.match(checked.mismatch ?? '', /would not restore exactly/);
    const undone = await commitUndo(plan, checked, { journal }, context);
    assert.equal(undone.outcome, 'refused');
    assert.deepEqual(await schemaChecksum(db.client, s), afterCommit);
    // Without the trigger the same entry undoes exactly.
    await db.client.query(`DROP TRIGGER rewrite ON ${s}.orders`);
    const again = await previewUndo(plan, context);
    assert.equal(again.mismatch, undefined);
    assert.equal((await commitUndo(plan, again, { journal }, context)).outcome, 'committed');
    assert.deepEqual(await schemaChecksum(db.client, s), original);
  });

  it('says which sequences a preview advanced and which volatile functions it called', async () => {
    await db.client.query(`
      CREATE TABLE ${s}.tickets (id serial PRIMARY KEY, note text);
      CREATE FUNCTION ${s}.stamp() RETURNS text LANGUAGE sql VOLATILE AS $$ SELECT 'x' $$;`);
    const result = await previewOf(`INSERT INTO ${s}.tickets (note) SELECT ${s}.stamp() FROM generate_series(1, 2);`);
    assert.equal(result.outcome, 'ok', JSON.stringify(result.error));
    assert.ok(
      result.cautions?.some((c) => c === `sequence ${s}.tickets_id_seq advanced by 2 (from unused to 2); sequences are not rolled back`),
      JSON.stringify(result.cautions),
    );
    assert.ok(
      result.cautions?.some((c) => c.includes(`volatile function ${s}.stamp()`)),
      JSON.stringify(result.cautions),
    );
    const quiet = await previewOf(`DELETE FROM ${s}.orders WHERE id = 1;`);
    assert.deepEqual(quiet.cautions, []);
    await db.client.query(`DROP TABLE ${s}.tickets; DROP FUNCTION ${s}.stamp()`);
  });

  it('does not preview what a rollback cannot take back: programs, files, other sessions, session locks, foreign tables', async () => {
    const marker = `/tmp/safesql-gate-${process.pid}-${Date.now()}`;
    const original = await schemaChecksum(db.client, s);
    for (const sql of [
      `COPY (SELECT 1) TO PROGRAM 'touch ${marker}';`,
      `BEGIN;\nDELETE FROM ${s}.orders WHERE id = 1;\nCOPY ${s}.orders TO PROGRAM 'touch ${marker}';\nCOMMIT;`,
      `COPY ${s}.orders TO '${marker}';`,
      `WITH x AS (SELECT 1) SELECT lo_export(0, '${marker}') FROM x;`,
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'nobody';`,
      `SELECT Public.DBLINK_EXEC('dbname=test', 'DELETE FROM ${s}.orders');`,
      `SELECT pg_advisory_lock(42);`,
      `DO $$ BEGIN PERFORM pg_reload_conf(); END $$;`,
    ]) {
      const result = await previewOf(sql);
      assert.equal(result.outcome, 'not-previewable', `${sql}: ${JSON.stringify(result.error ?? result.statements)}`);
      assert.doesNotMatch(result.notPreviewable!, /^not previewable/i);
    }
    assert.deepEqual(await schemaChecksum(db.client, s), original);
    assert.equal(existsSync(marker), false);
  });

  it('does not preview a call of a function whose body acts outside the transaction', async () => {
    const marker = `/tmp/safesql-gate-fn-${process.pid}-${Date.now()}`;
    await db.client.query(`
      CREATE FUNCTION ${s}.export_all() RETURNS void LANGUAGE plpgsql AS $$ BEGIN COPY ${s}.orders TO PROGRAM 'touch ${marker}'; END $$;
      CREATE FUNCTION ${s}.kill(int) RETURNS boolean LANGUAGE sql AS $$ SELECT pg_terminate_backend($1) $$;
      CREATE FUNCTION ${s}.harmless() RETURNS int LANGUAGE plpgsql AS $$ BEGIN RETURN 1; END $$;`);
    const original = await schemaChecksum(db.client, s);
    for (const [sql, reason] of [
      [`SELECT ${s}.export_all();`, /export_all\(\), which runs a program on the database server/],
      [
        `BEGIN;\nDELETE FROM ${s}.orders WHERE id = 1;\nSELECT ${s}.kill(0);\nCOMMIT;`,
        /kill\(integer\), which acts on|kill\(integer\), which .*session/,
      ],
    ] as const) {
      const result = await previewOf(sql);
      assert.equal(result.outcome, 'not-previewable', `${sql}: ${JSON.stringify(result.error ?? result.statements)}`);
      assert.match(result.notPreviewable!, reason);
    }
    assert.equal((await previewOf(`SELECT ${s}.harmless();`)).outcome, 'ok');
    assert.deepEqual(await schemaChecksum(db.client, s), original);
    assert.equal(existsSync(marker), false);
    await db.client.query(`DROP FUNCTION ${s}.export_all(), ${s}.kill(int), ${s}.harmless()`);
  });
});
