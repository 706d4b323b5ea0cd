import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { readFileSync, writeFileSync } from 'node:fs';
import { Client } from 'pg';
import { commit } from '../../server/src/exec/commit';
import type { Journal, JournalEntry } from '../../server/src/exec/journal';
import { checkLiveness } from '../../server/src/exec/liveness';
import { preview, type ExecContext } from '../../server/src/exec/preview';
import type { CommitResult, PreviewResult, StatementOutcome } from '../../server/src/exec/results';
import { Session } from '../../server/src/exec/session';
import { SnapshotReader } from '../../server/src/exec/snapshotReader';
import { commitUndo, previewUndo, undoPlan, undoRefusal } from '../../server/src/exec/undo';
import { loadGrammar } from '../../server/src/sql/grammar';
import { createSchema, openTestDatabase, type TestDatabase } from '../helpers/database';
import { contextFor, temporaryJournal, unitOf } from '../helpers/exec';
import { assertExactOrNothing, rowsOf, snapshot, textClient } from '../helpers/expectation';

/**
 * Hostile cases for a DELETE's or UPDATE's preview that reads its rows apart from the statement (on
 * a second session at the transaction's exported snapshot, or before it on the same one), finds an
 * UPDATE's rows again by primary key, and for the undo built from the journal's images at undo
 * time. Every case asserts the gate's promises: a preview changes nothing; a commit changes exactly
 * the previewed rows or nothing (the state the interference left); no wait is unbounded.
 */

const REAL = process.env.DATABASE_URL ? false : 'needs a real PostgreSQL: PGlite has one backend, so no second session and no concurrency';

/** A preview's time limits, short, so that every wait in these cases is bounded. */
const LIMITS = { statementTimeoutMs: 5_000, lockTimeoutMs: 400 };

describe('adversarial reads apart: the rows a preview reads beside or before its statement', () => {
  let db: TestDatabase;
  let text: Client;
  let schema: Awaited<ReturnType<typeof createSchema>>;
  let s: string;
  let context: ExecContext;
  let journal: Journal;
  const others: Client[] = [];

  before(async () => {
    await loadGrammar();
    db = await openTestDatabase();
    text = await textClient(db.url);
    schema = await createSchema(db.client, 'advreads');
    s = schema.name;
    context = contextFor(db.url, { environment: 'local' }, LIMITS);
    // A case that fails while another session holds its locks must not hang the next one's setup.
    await db.client.query("SET lock_timeout = '5s'");
  });
  after(async () => {
    for (const client of others) await client.end().catch(() => undefined);
    await text?.end();
    await schema?.drop();
    await db?.close();
  });
  beforeEach(async () => {
    journal = temporaryJournal();
    await db.client.query(`
      DROP SCHEMA ${s} CASCADE;
      CREATE SCHEMA ${s};
      CREATE TABLE ${s}.t (id int PRIMARY KEY, v text, n int);
      CREATE TABLE ${s}.log (line text);
      INSERT INTO ${s}.t SELECT g, CASE WHEN g <= 3 THEN 'x' ELSE 'y' END, g FROM generate_series(1, 6) g;
      -- Answers differently in the read-only second session than in the transaction that writes.
      CREATE FUNCTION ${s}.in_writer() RETURNS boolean STABLE LANGUAGE sql AS $$ SELECT current_setting('transaction_read_only') = 'off' $$;
      CREATE VIEW ${s}.writer_half AS SELECT id FROM ${s}.t WHERE (id <= 3) = ${s}.in_writer();`);
  });

  const sqlOf = (sql: string) => sql.replaceAll('S.', `${s}.`);

  async function previewOf(sql: string, options: { values?: boolean; context?: ExecContext } = {}): Promise<PreviewResult> {
    const { document, unit } = unitOf(sqlOf(sql));
    return preview(document, unit, options.context ?? context, { values: Boolean(options.values) });
  }

  const rowSet = (image: StatementOutcome['before']) => (image ? image.rows.map((row) => JSON.stringify(row)).sort() : undefined);

  /** What a preview shows and what its commit compares (see reads-apart.test.ts). */
  const essentials = (result: PreviewResult) => {
    if (result.outcome !== 'ok') return { outcome: result.outcome, error: result.error?.message };
    return result.statements.map((o) => ({
      command: o.command,
      affectedRows: o.affectedRows,
      rows: o.digest?.rows,
      versions: o.digest?.versions,
      written: o.digest?.written,
      before: rowSet(o.before),
      after: rowSet(o.after),
    }));
  };

  /** The preview reading apart shows what the general capture (through RETURNING, as an undo's preview runs) shows, and changes nothing. */
  async function sameAsCapture(sql: string, tables = [`${s}.t`, `${s}.log`]): Promise<PreviewResult> {
    const state = await snapshot(text, tables);
    const apart = await previewOf(sql);
    const general = await previewOf(sql, { values: true });
    assert.deepEqual(essentials(apart), essentials(general), sqlOf(sql));
    assert.deepEqual(await snapshot(text, tables), state, `the previews of ${sql} changed nothing`);
    return apart;
  }

  /** Preview, interfere, commit: refused with the database as the interference left it, or exactly the previewed rows changed. */
  async function exactOrNothing(
    sql: string,
    interfere?: string,
    tables = [`${s}.t`, `${s}.log`],
  ): Promise<{ previewed: PreviewResult; result: CommitResult }> {
    const { document, unit } = unitOf(sqlOf(sql));
    const before = await snapshot(text, tables);
    const previewed = await preview(document, unit, context);
    assert.deepEqual(await snapshot(text, tables), before, 'the preview changed nothing');
    assert.equal(previewed.outcome, 'ok', JSON.stringify(previewed.error ?? previewed.notPreviewable));
    if (interfere) await db.client.query(sqlOf(interfere));
    const start = await snapshot(text, tables);
    const result = await commit(document, unit, { preview: previewed, journal }, context);
    await assertExactOrNothing(text, tables, start, previewed, result, (name) => name);
    return { previewed, result };
  }

  /** Every shown UPDATE row is one the statement wrote: the after-image has the same key and the SET applied. */
  function shownRowsAreUpdated(outcome: StatementOutcome, apply: (row: (string | null)[]) => (string | null)[]): void {
    assert.ok(outcome.before && outcome.after, 'both images shown');
    assert.deepEqual(outcome.after.rows, outcome.before.rows.map(apply), 'the after-image is the before-image with the SET applied');
  }

  async function connect(): Promise<Client> {
    const client = new Client({ connectionString: db.url });
    client.on('error', () => undefined);
    await client.connect();
    others.push(client);
    return client;
  }

  const within = async <T>(ms: number, work: Promise<T>, what: string): Promise<T> => {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
    });
    try {
      return await Promise.race([work, late]);
    } finally {
      clearTimeout(timer);
    }
  };

  describe('a WHERE that answers differently in another session (found: the reader showed rows the statement did not change)', () => {
    it('DELETE … WHERE current_setting(transaction_read_only): shows the rows it removes, and commits them', async () => {
      const previewed = await sameAsCapture(`DELETE FROM S.t WHERE (id <= 3) = (current_setting('transaction_read_only') = 'off')`);
      assert.deepEqual(previewed.statements[0]!.before!.rows.map((r) => r[0]).sort(), ['1', '2', '3']);
      const { result } = await exactOrNothing(`DELETE FROM S.t WHERE (id <= 3) = (current_setting('transaction_read_only') = 'off')`);
      assert.equal(result.outcome, 'committed', result.reason);
    });

    it('UPDATE … WHERE a STABLE function of the session: the rows shown are the ones it updates', async () => {
      const previewed = await sameAsCapture(`UPDATE S.t SET v = v || '!' WHERE (id <= 3) = S.in_writer()`);
      shownRowsAreUpdated(previewed.statements[0]!, ([id, v, n]) => [id!, `${v}!`, n!]);
      assert.deepEqual(previewed.statements[0]!.before!.rows.map((r) => r[0]).sort(), ['1', '2', '3']);
      const { result } = await exactOrNothing(`UPDATE S.t SET v = v || '!' WHERE (id <= 3) = S.in_writer()`);
      assert.equal(result.outcome, 'committed', result.reason);
    });

    it('DELETE … USING a view whose rows depend on the session', async () => {
      await sameAsCapture(`DELETE FROM S.t USING S.writer_half w WHERE w.id = S.t.id`);
      await exactOrNothing(`DELETE FROM S.t USING S.writer_half w WHERE w.id = S.t.id`);
    });

    it('UPDATE … FROM a view whose rows depend on the session', async () => {
      const previewed = await sameAsCapture(`UPDATE S.t SET n = n + 100 FROM S.writer_half w WHERE w.id = S.t.id`);
      shownRowsAreUpdated(previewed.statements[0]!, ([id, v, n]) => [id!, v!, String(Number(n) + 100)]);
      await exactOrNothing(`UPDATE S.t SET n = n + 100 FROM S.writer_half w WHERE w.id = S.t.id`);
    });

    it('UPDATE … WHERE pg_backend_pid(): whatever rows it picks, the shown ones are the updated ones; the commit is exact or refused', async () => {
      const sql = `UPDATE S.t SET v = v || '?' WHERE (id % 2 = 0) = (pg_backend_pid() % 2 = 0)`;
      const previewed = await previewOf(sql);
      assert.equal(previewed.outcome, 'ok');
      shownRowsAreUpdated(previewed.statements[0]!, ([id, v, n]) => [id!, `${v}?`, n!]);
      await exactOrNothing(sql);
    });
  });

  describe('volatile functions in WHERE (found: the reads before the statement drew other values than the statement)', () => {
    beforeEach(async () => {
      // A counter in the session's settings: each call answers the next number.
      await db.client.query(`CREATE FUNCTION ${s}.tick() RETURNS int VOLATILE LANGUAGE sql AS
        $$ SELECT set_config('advreads.n', (coalesce(nullif(current_setting('advreads.n', true), ''), '0')::int + 1)::text, false)::int $$`);
    });

    it('DELETE … WHERE tick() > 6 previews what one run of it removes', async () => {
      const previewed = await sameAsCapture(`DELETE FROM S.t WHERE S.tick() > 6`);
      assert.equal(previewed.statements[0]!.affectedRows, 0, 'one run of the statement sees ticks 1 to 6');
    });

    it('UPDATE … WHERE tick() % 2 = 0 shows the rows it updates', async () => {
      const previewed = await previewOf(`UPDATE S.t SET n = -n WHERE S.tick() % 2 = 0`);
      assert.equal(previewed.outcome, 'ok');
      const outcome = previewed.statements[0]!;
      assert.equal(outcome.before!.rows.length, outcome.affectedRows, 'every changed row is shown (fewer than the limit)');
      shownRowsAreUpdated(outcome, ([id, v, n]) => [id!, v!, String(-Number(n))]);
    });
  });

  describe('the shapes of statement the reads are built from', () => {
    beforeEach(async () => {
      await db.client.query(`
        CREATE TABLE ${s}."from" ("where" int PRIMARY KEY, "set" text, "using" text);
        INSERT INTO ${s}."from" SELECT g, 's' || g, 'u' || g FROM generate_series(1, 5) g;
        CREATE TABLE ${s}.kinds (k numeric, q text, at timestamptz, f float8, b bytea, x xml, PRIMARY KEY (k, q, at));
        INSERT INTO ${s}.kinds VALUES
          (1.0, 'it''s', '2024-01-01 00:00:00+00', 0.1, '\\x00ff', '<a>1</a>'),
          (1.00000000000000000001, 'a "quoted" key', '2024-01-01 00:00:00.000001+00', -0.0, '\\x', '<a/>'),
          (2, E'back\\\\slash', 'infinity', 'NaN', NULL, NULL);
        CREATE DOMAIN ${s}.ci AS text CHECK (VALUE = lower(VALUE));
        CREATE TABLE ${s}.dom (id ${s}.ci PRIMARY KEY, v int, g int GENERATED ALWAYS AS (v * 2) STORED);
        INSERT INTO ${s}.dom (id, v) VALUES ('a', 1), ('b''c', 2), ('d e', 3);
        CREATE TABLE ${s}.tree (id int PRIMARY KEY, parent int REFERENCES ${s}.tree ON DELETE CASCADE ON UPDATE CASCADE, v int);
        INSERT INTO ${s}.tree VALUES (1, NULL, 1), (2, 1, 2), (3, 2, 3), (4, NULL, 4);
        CREATE TABLE ${s}.parent (id int PRIMARY KEY, v text);
        CREATE TABLE ${s}.child () INHERITS (${s}.parent);
        INSERT INTO ${s}.parent VALUES (1, 'p1'), (2, 'p2');
        INSERT INTO ${s}.child VALUES (1, 'c1'), (3, 'c3');
        CREATE TABLE ${s}.part (id int, region text, v int, PRIMARY KEY (id, region)) PARTITION BY LIST (region);
        CREATE TABLE ${s}.part_e PARTITION OF ${s}.part FOR VALUES IN ('e');
        CREATE TABLE ${s}.part_w PARTITION OF ${s}.part FOR VALUES IN ('w');
        INSERT INTO ${s}.part SELECT g, CASE WHEN g % 2 = 0 THEN 'e' ELSE 'w' END, g FROM generate_series(1, 6) g;`);
    });
    const all = () => [
      `${s}.t`,
      `${s}.log`,
      `${s}."from"`,
      `${s}.kinds`,
      `${s}.dom`,
      `${s}.tree`,
      `${s}.parent`,
      `${s}.child`,
      `${s}.part`,
    ];

    for (const sql of [
      `UPDATE S."from" SET "set" = 'from ' || "using" WHERE "where" IN (SELECT "where" FROM S."from" WHERE "set" IS DISTINCT FROM 's1')`,
      `UPDATE S."from" AS "where" SET "using" = (SELECT max(t.v) FROM S.t t WHERE t.id = "where"."where") WHERE "where"."where" < 4`,
      `DELETE FROM S."from" /* where from using */ WHERE "where" = 2 -- set from\n`,
      `UPDATE S."from" SET "set" = $$ FROM WHERE $$ WHERE "using" = 'u3' RETURNING "where"`,
      `WITH k AS (SELECT 1 AS id) UPDATE S.t SET n = n + (SELECT id FROM k) WHERE v = 'x' RETURNING *`,
      `UPDATE S.kinds SET f = f * 2, x = '<b/>' WHERE k >= 1`,
      `DELETE FROM S.kinds WHERE q <> 'nothing'`,
      `UPDATE S.dom SET v = v + 10 WHERE id <> 'a'`,
      `UPDATE S.tree SET v = v * 10 WHERE parent IS NOT NULL`,
      `DELETE FROM S.tree WHERE id = 2`,
      `UPDATE S.tree SET id = id + 10 WHERE id = 1`,
      `UPDATE S.parent SET v = v || '!' WHERE id = 1`,
      `UPDATE ONLY S.parent SET v = v || '!' WHERE id = 1`,
      `DELETE FROM S.parent WHERE id <= 2`,
      `UPDATE S.part SET v = v + 1 WHERE id > 2`,
      `UPDATE S.part SET region = 'e' WHERE id = 1`,
      `DELETE FROM S.part WHERE v % 3 = 0`,
      `UPDATE S.t SET n = o.n FROM S.t o WHERE o.id = S.t.id % 3 + 1`,
    ]) {
      it(`previews as the capture does, and commits exactly: ${sql.slice(0, 90)}`, async () => {
        await sameAsCapture(sql, all());
        const { document, unit } = unitOf(sqlOf(sql));
        const previewed = await preview(document, unit, context);
        if (previewed.outcome !== 'ok') return;
        const start = await snapshot(text, all());
        const result = await commit(document, unit, { preview: previewed, journal }, context);
        const name = (shownAs: string) => (shownAs.endsWith('.from') ? `${s}."from"` : shownAs);
        // A parent's rows include its child's, and a cascade changes rows no image shows: those are checked as committed or untouched.
        if (!/parent|part|tree/.test(sql)) await assertExactOrNothing(text, all(), start, previewed, result, name);
        else if (result.outcome !== 'committed') assert.deepEqual(await snapshot(text, all()), start);
      });
    }

    it('a DELETE with a data-modifying CTE: the read-only reader cannot run it, and the preview still changes nothing', async () => {
      const sql = `WITH w AS (INSERT INTO S.log VALUES ('written') RETURNING line) DELETE FROM S.t WHERE v = (SELECT 'x' FROM w)`;
      const previewed = await sameAsCapture(sql);
      assert.equal(previewed.outcome, 'ok');
    });
  });

  describe('rules, isolation levels, row security, collations', () => {
    it('a DO ALSO rule on the table: the reads cannot stand for a rewritten statement, and nothing changes', async () => {
      await db.client.query(`CREATE RULE keep AS ON DELETE TO ${s}.t DO ALSO INSERT INTO ${s}.log VALUES ('deleted ' || OLD.id)`);
      await sameAsCapture(`DELETE FROM S.t WHERE v = 'x'`);
      await exactOrNothing(`DELETE FROM S.t WHERE v = 'x'`);
    });

    it('a DO INSTEAD rule that updates instead of deleting: counted as the updates it does, committed as previewed', async () => {
      await db.client.query(`CREATE RULE soft AS ON DELETE TO ${s}.t DO INSTEAD UPDATE ${s}.t SET v = 'gone' WHERE id = OLD.id`);
      const previewed = await sameAsCapture(`DELETE FROM S.t WHERE n > 4`);
      assert.deepEqual(previewed.statements[0]!.effects, [{ table: `${s}.t`, inserted: 0, updated: 2, deleted: 0 }]);
      const { document, unit } = unitOf(sqlOf(`DELETE FROM S.t WHERE n > 4`));
      const start = await rowsOf(text, `${s}.t`);
      const result = await commit(document, unit, { preview: previewed, journal }, context);
      const expected = result.outcome === 'committed' ? start.map((row) => row.replace(/^\["([56])","y"/, '["$1","gone"')).sort() : start;
      assert.deepEqual(await rowsOf(text, `${s}.t`), expected);
    });

    for (const level of ['SERIALIZABLE', 'REPEATABLE READ', 'READ COMMITTED']) {
      it(`a ${level} block previews as the capture does, and commits exactly`, async () => {
        const sql = `BEGIN ISOLATION LEVEL ${level};\nUPDATE S.t SET n = n + 1 WHERE v = 'y';\nDELETE FROM S.t WHERE id = 1;\nCOMMIT;`;
        await sameAsCapture(sql);
        const { result } = await exactOrNothing(sql);
        assert.equal(result.outcome, 'committed', result.reason);
      });
    }

    for (const sql of [
      `BEGIN;\nINSERT INTO S.t VALUES (7, 'x', 7);\nDELETE FROM S.t WHERE v = 'x';\nCOMMIT;`,
      `BEGIN;\nUPDATE S.t SET n = 0 WHERE id = 1;\nUPDATE S.t SET n = n + 1 WHERE id <= 2;\nDELETE FROM S.t WHERE n = 1;\nCOMMIT;`,
      `BEGIN;\nDELETE FROM S.t WHERE id = 6;\nUPDATE S.t SET v = 'w' WHERE v = 'y';\nCOMMIT;`,
    ]) {
      it(`a block whose later statements read rows the block wrote: ${sql.replaceAll('\n', ' ').slice(0, 80)}`, async () => {
        await sameAsCapture(sql);
        const { result } = await exactOrNothing(sql);
        assert.equal(result.outcome, 'committed', result.reason);
      });
    }

    it('row security: a DELETE policy narrower than the SELECT policy', async (t) => {
      if (REAL) return t.skip(REAL);
      const role = `advreads_${process.pid}`;
      await db.client.query(`
        DROP ROLE IF EXISTS ${role};
        CREATE ROLE ${role} LOGIN;
        GRANT USAGE ON SCHEMA ${s} TO ${role};
        GRANT SELECT, UPDATE, DELETE ON ${s}.t TO ${role};
        ALTER TABLE ${s}.t ENABLE ROW LEVEL SECURITY;
        CREATE POLICY everyone_reads ON ${s}.t FOR SELECT USING (true);
        CREATE POLICY even_deletes ON ${s}.t FOR DELETE USING (id % 2 = 0);
        CREATE POLICY odd_updates ON ${s}.t FOR UPDATE USING (id % 2 = 1);`);
      const url = new URL(db.url);
      url.username = role;
      const restricted = contextFor(url.toString(), { environment: 'local' }, LIMITS);
      try {
        for (const sql of [`DELETE FROM S.t WHERE v = 'x'`, `UPDATE S.t SET n = 0 WHERE v = 'y'`]) {
          const state = await snapshot(text, [`${s}.t`]);
          const apart = await previewOf(sql, { context: restricted });
          const general = await previewOf(sql, { context: restricted, values: true });
          assert.deepEqual(essentials(apart), essentials(general), sql);
          assert.deepEqual(await snapshot(text, [`${s}.t`]), state);
          assert.equal(apart.statements[0]!.affectedRows, 1, 'only the rows the policy lets it change');
          const { document, unit } = unitOf(sqlOf(sql));
          const result = await commit(document, unit, { preview: apart, journal }, restricted);
          await assertExactOrNothing(text, [`${s}.t`], state, apart, result, (n) => n);
          assert.equal(result.outcome, 'committed', result.reason);
        }
      } finally {
        await db.client.query(`DROP OWNED BY ${role}; DROP ROLE ${role}`);
      }
    });

    it('a primary key under a nondeterministic collation', async (t) => {
      const made = await db.client
        .query(`CREATE COLLATION ${s}.ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false)`)
        .then(() => true)
        .catch(() => false);
      if (!made) return t.skip('this server has no ICU collations');
      await db.client.query(`
        CREATE TABLE ${s}.names (name text COLLATE ${s}.ci PRIMARY KEY, v int);
        INSERT INTO ${s}.names VALUES ('Alice', 1), ('bob', 2), ('CAROL', 3);`);
      const tables = [`${s}.names`];
      await sameAsCapture(`UPDATE S.names SET v = v * 10 WHERE name IN ('alice', 'BOB')`, tables);
      const { result } = await exactOrNothing(`UPDATE S.names SET v = v * 10 WHERE name IN ('alice', 'BOB')`, undefined, tables);
      assert.equal(result.outcome, 'committed', result.reason);
    });
  });

  describe('concurrent sessions (real PostgreSQL)', () => {
    it('a row locked by another session, changed and committed while the statement waits: shown as the statement found it', async (t) => {
      if (REAL) return t.skip(REAL);
      const other = await connect();
      await other.query('BEGIN');
      await other.query(`UPDATE ${s}.t SET n = n + 100 WHERE id = 2`);
      const previewing = previewOf(`DELETE FROM S.t WHERE v = 'x'`);
      // The reader reads at once; the statement waits for the row lock, then sees the committed version.
      setTimeout(() => void other.query('COMMIT'), 150);
      const previewed = await within(5_000, previewing, 'the preview');
      assert.equal(previewed.outcome, 'ok', JSON.stringify(previewed.error));
      const two = previewed.statements[0]!.before!.rows.find((row) => row[0] === '2');
      assert.deepEqual(two, ['2', 'x', '102'], 'the row as the DELETE removes it, not as it was before the other commit');
      const { document, unit } = unitOf(sqlOf(`DELETE FROM S.t WHERE v = 'x'`));
      const start = await snapshot(text, [`${s}.t`]);
      const result = await commit(document, unit, { preview: previewed, journal }, context);
      await assertExactOrNothing(text, [`${s}.t`], start, previewed, result, (n) => n);
      assert.equal(result.outcome, 'committed', 'nothing changed between the preview and the commit');
    });

    it('an UPDATE whose row is changed by another session while it waits: exact or refused', async (t) => {
      if (REAL) return t.skip(REAL);
      const other = await connect();
      await other.query('BEGIN');
      await other.query(`UPDATE ${s}.t SET n = n + 100 WHERE id = 3`);
      const { document, unit } = unitOf(sqlOf(`UPDATE S.t SET n = n * 2 WHERE v = 'x'`));
      const previewing = preview(document, unit, context);
      setTimeout(() => void other.query('COMMIT'), 150);
      const previewed = await within(5_000, previewing, 'the preview');
      assert.equal(previewed.outcome, 'ok', JSON.stringify(previewed.error));
      const outcome = previewed.statements[0]!;
      for (const [i, row] of outcome.after!.rows.entries()) assert.equal(row[0], outcome.before!.rows[i]![0], 'the same rows');
      const start = await snapshot(text, [`${s}.t`]);
      const result = await commit(document, unit, { preview: previewed, journal }, context);
      await assertExactOrNothing(text, [`${s}.t`], start, previewed, result, (n) => n);
    });

    it('REPEATABLE READ block, a row changed by another session while it waits: an error, nothing changed', async (t) => {
      if (REAL) return t.skip(REAL);
      const other = await connect();
      await other.query('BEGIN');
      await other.query(`UPDATE ${s}.t SET n = n + 100 WHERE id = 1`);
      const afterOther = (await rowsOf(text, `${s}.t`)).length;
      const previewing = previewOf(`BEGIN ISOLATION LEVEL REPEATABLE READ;\nDELETE FROM S.t WHERE v = 'x';\nCOMMIT;`);
      setTimeout(() => void other.query('COMMIT'), 150);
      const previewed = await within(5_000, previewing, 'the preview');
      assert.equal(previewed.outcome, 'error');
      assert.match(previewed.error!.message, /serialize/);
      assert.equal((await rowsOf(text, `${s}.t`)).length, afterOther);
    });

    it('between preview and commit: a column the UPDATE does not write changes on a previewed row; refused', async () => {
      const { result } = await exactOrNothing(`UPDATE S.t SET v = 'z' WHERE n <= 2`, `UPDATE S.t SET n = n WHERE id = 2`);
      assert.equal(result.outcome, 'refused');
    });

    it('between preview and commit: a previewed row deleted and inserted again as it was; exact', async () => {
      await exactOrNothing(`DELETE FROM S.t WHERE v = 'x'`, `DELETE FROM S.t WHERE id = 1; INSERT INTO S.t VALUES (1, 'x', 1)`);
    });

    it('between preview and commit: a new row enters the UPDATE; refused', async () => {
      const { result } = await exactOrNothing(`UPDATE S.t SET n = 0 WHERE v = 'x'`, `INSERT INTO S.t VALUES (7, 'x', 7)`);
      assert.equal(result.outcome, 'refused');
    });

    it('an ACCESS EXCLUSIVE request queued behind another reader: the preview stops at its lock limit, the reader does not wait forever', async (t) => {
      if (REAL) return t.skip(REAL);
      const holder = await connect();
      const ddl = await connect();
      await holder.query('BEGIN');
      await holder.query(`SELECT 1 FROM ${s}.t LIMIT 1`);
      await ddl.query("SET statement_timeout = '10s'");
      const altering = ddl.query(`ALTER TABLE ${s}.t ADD COLUMN z int`).catch((error: Error) => error);
      await new Promise((done) => setTimeout(done, 100));
      const started = Date.now();
      const previewed = await within(5_000, previewOf(`DELETE FROM S.t WHERE v = 'x'`), 'the preview');
      assert.ok(Date.now() - started < 3_000, `the preview took ${Date.now() - started} ms`);
      assert.equal(previewed.outcome, 'error');
      await holder.query('COMMIT');
      assert.ok(!((await altering) instanceof Error), 'the ALTER went ahead once the holder let go');
      assert.equal((await rowsOf(text, `${s}.t`)).length, 6);
    });

    it('liveness: the second session is not counted as somebody else', async (t) => {
      if (REAL) return t.skip(REAL);
      // A shared server has other users coming and going: the two counts are read back to back, and one of a few tries must differ by exactly the reader.
      const main = await Session.open(context.target);
      const reader = await SnapshotReader.open(main, context.target, undefined, LIMITS);
      try {
        assert.ok(reader);
        const differences: number[] = [];
        for (let attempt = 0; attempt < 5 && !differences.includes(1); attempt++) {
          const counted = (await checkLiveness(main, [])).sessions.others;
          const without = (await checkLiveness(main, [], [reader.backendPid])).sessions.others;
          differences.push(counted - without);
        }
        assert.ok(differences.includes(1), `counted minus not counted: ${differences.join(', ')}`);
        // And a development preview that opened a reader reports the check.
        const previewed = await previewOf(`DELETE FROM S.t WHERE id = 1`, {
          context: contextFor(db.url, { environment: 'development' }, LIMITS),
        });
        assert.equal(previewed.outcome, 'ok');
        assert.ok(previewed.liveness && previewed.liveness.sessions.others >= 1, "the test's own connections are others");
      } finally {
        await reader?.close();
        await main.close();
      }
    });

    it('cancelling while only the second session still reads stops the preview at once', async (t) => {
      if (REAL) return t.skip(REAL);
      // Slow only in the read-only reader: the statement is done long before the reads beside it.
      await db.client.query(`CREATE FUNCTION ${s}.slow_reader(id int) RETURNS boolean STABLE LANGUAGE sql AS
        $$ SELECT CASE WHEN current_setting('transaction_read_only') = 'on' THEN (SELECT true FROM pg_sleep(0.4)) ELSE true END AND id <= 3 $$`);
      const controller = new AbortController();
      const started = Date.now();
      setTimeout(() => controller.abort(), 300);
      const { document, unit } = unitOf(sqlOf(`DELETE FROM S.t WHERE S.slow_reader(id)`));
      const previewed = await within(8_000, preview(document, unit, { ...context, signal: controller.signal }), 'the preview');
      const took = Date.now() - started;
      assert.equal(previewed.outcome, 'error', 'a cancelled preview reports it');
      assert.equal(previewed.error!.kind, 'cancelled');
      assert.ok(took < 1_500, `cancel took ${took} ms`);
      assert.equal((await rowsOf(text, `${s}.t`)).length, 6);
    });

    it('cancelling while the statement runs and the reader reads beside it stops both', async (t) => {
      if (REAL) return t.skip(REAL);
      // Slow only in the transaction that writes.
      await db.client.query(`CREATE FUNCTION ${s}.slow_writer(id int) RETURNS boolean STABLE LANGUAGE sql AS
        $$ SELECT CASE WHEN current_setting('transaction_read_only') = 'off' THEN (SELECT true FROM pg_sleep(0.5)) ELSE true END AND id <= 3 $$`);
      const controller = new AbortController();
      const started = Date.now();
      setTimeout(() => controller.abort(), 300);
      const { document, unit } = unitOf(sqlOf(`DELETE FROM S.t WHERE S.slow_writer(id)`));
      const previewed = await within(8_000, preview(document, unit, { ...context, signal: controller.signal }), 'the preview');
      assert.equal(previewed.outcome, 'error');
      assert.equal(previewed.error!.kind, 'cancelled');
      assert.ok(Date.now() - started < 2_000, `cancel took ${Date.now() - started} ms`);
      assert.equal((await rowsOf(text, `${s}.t`)).length, 6);
    });

    it('the reader past its time limit: the reads run again in the transaction, and the preview is right', async (t) => {
      if (REAL) return t.skip(REAL);
      await db.client.query(`CREATE FUNCTION ${s}.slow_reader2(id int) RETURNS boolean STABLE LANGUAGE sql AS
        $$ SELECT CASE WHEN current_setting('transaction_read_only') = 'on' THEN (SELECT true FROM pg_sleep(0.3)) ELSE true END AND id <= 3 $$`);
      const started = Date.now();
      const tight = contextFor(db.url, { environment: 'local' }, { statementTimeoutMs: 700, lockTimeoutMs: 400 });
      const previewed = await within(8_000, previewOf(`DELETE FROM S.t WHERE S.slow_reader2(id)`, { context: tight }), 'the preview');
      assert.ok(Date.now() - started < 4_000, `the preview took ${Date.now() - started} ms`);
      assert.equal(previewed.outcome, 'ok', JSON.stringify(previewed.error));
      assert.deepEqual(previewed.statements[0]!.before!.rows.map((row) => row[0]).sort(), ['1', '2', '3']);
      assert.equal((await rowsOf(text, `${s}.t`)).length, 6);
    });
  });

  describe('undo built from the images at undo time', () => {
    async function undo(): Promise<CommitResult | { outcome: 'refused'; reason: string }> {
      const entry = (await journal.find())!;
      const refusal = undoRefusal(entry);
      if (refusal) return { outcome: 'refused', reason: refusal };
      const plan = undoPlan(entry);
      const checked = await previewUndo(plan, context);
      if (checked.preview.outcome !== 'ok') return { outcome: 'refused', reason: JSON.stringify(checked.preview.error) };
      return commitUndo(plan, checked, { journal }, context);
    }

    async function roundTrip(table: string, sql: string): Promise<void> {
      const original = await rowsOf(text, table);
      const { result } = await exactOrNothing(sql, undefined, [table]);
      assert.equal(result.outcome, 'committed', result.reason);
      const undone = await undo();
      if (undone.outcome === 'committed') assert.deepEqual(await rowsOf(text, table), original, 'the undo restored exactly what was there');
      else
        assert.notDeepEqual(
          await rowsOf(text, table),
          original,
          `refused (${'reason' in undone ? undone.reason : ''}), and nothing restored`,
        );
    }

    beforeEach(async () => {
      await db.client.query(`
        CREATE TABLE ${s}.ident (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, v text, g text GENERATED ALWAYS AS (upper(v)) STORED);
        INSERT INTO ${s}.ident (v) SELECT 'v' || g FROM generate_series(1, 5) g;`);
    });

    it('DELETE of rows with an identity and a generated column is undone exactly', async () => {
      const original = await rowsOf(text, `${s}.ident`);
      const { document, unit } = unitOf(`DELETE FROM ${s}.ident WHERE id IN (2, 4)`);
      const previewed = await preview(document, unit, context);
      const committed = await commit(document, unit, { preview: previewed, journal }, context);
      assert.equal(committed.outcome, 'committed', committed.reason);
      const undone = await undo();
      assert.equal(undone.outcome, 'committed', 'reason' in undone ? undone.reason : '');
      assert.deepEqual(await rowsOf(text, `${s}.ident`), original);
    });

    it('UPDATE through the reads apart, undone exactly', () => roundTrip(`${s}.t`, `UPDATE S.t SET v = v || '!', n = n * 3 WHERE v = 'x'`));

    it('UPDATE of a generated column source, undone exactly', () =>
      roundTrip(`${s}.ident`, `UPDATE S.ident SET v = v || 'w' WHERE id > 3`));

    it('UPDATE of the primary key, undone exactly or refused', () => roundTrip(`${s}.t`, `UPDATE S.t SET id = id + 100 WHERE id > 4`));

    for (const [sql, change] of [
      [
        `DELETE FROM S.t WHERE id <= 2`,
        `ALTER TABLE S.t RENAME COLUMN v TO tmp; ALTER TABLE S.t RENAME COLUMN n TO v; ALTER TABLE S.t RENAME COLUMN tmp TO n`,
      ],
      [
        `UPDATE S.t SET n = n + 100 WHERE id <= 2`,
        `ALTER TABLE S.t ALTER COLUMN v TYPE int USING length(v); ALTER TABLE S.t RENAME COLUMN v TO tmp; ALTER TABLE S.t RENAME COLUMN n TO v; ALTER TABLE S.t RENAME COLUMN tmp TO n`,
      ],
      [`DELETE FROM S.t WHERE id <= 2`, `ALTER TABLE S.t DROP COLUMN n`],
      [`DELETE FROM S.t WHERE id <= 2`, `ALTER TABLE S.t ADD COLUMN z int DEFAULT 7`],
      [
        `DELETE FROM S.t WHERE id <= 2`,
        `DROP TABLE S.t CASCADE; CREATE TABLE S.t (id int PRIMARY KEY, n int, v text); INSERT INTO S.t VALUES (3, 3, 'x')`,
      ],
      [`UPDATE S.t SET n = n + 100 WHERE id <= 2`, `ALTER TABLE S.t ADD COLUMN g int GENERATED ALWAYS AS (n * 2) STORED`],
    ]) {
      it(`an undo built from the images after the table changed shape is refused: ${change.slice(0, 70)}`, async () => {
        const { result } = await exactOrNothing(sql!);
        assert.equal(result.outcome, 'committed', result.reason);
        await db.client.query(sqlOf(change!));
        const state = await rowsOf(text, `${s}.t`);
        const undone = await undo();
        assert.notEqual(undone.outcome, 'committed', 'the rows cannot be put back as they were');
        assert.deepEqual(await rowsOf(text, `${s}.t`), state, 'a refused undo changes nothing');
      });
    }

    it('an entry that holds neither a reversal nor the table layout is refused, not guessed', async () => {
      const { result } = await exactOrNothing(`UPDATE S.t SET n = n * 7 WHERE id <= 3`);
      assert.equal(result.outcome, 'committed', result.reason);
      const [line, outcome] = readFileSync(journal.path, 'utf8').trim().split('\n');
      const entry = JSON.parse(line!) as JournalEntry & { type: 'entry' };
      const written = { ...entry, images: entry.images.map(({ layout: _layout, ...image }) => image) };
      writeFileSync(journal.path, `${JSON.stringify(written)}\n${outcome}\n`);
      const state = await rowsOf(text, `${s}.t`);
      const undone = await undo().catch((error: Error) => ({ outcome: 'refused' as const, reason: error.message }));
      if (undone.outcome === 'committed') {
        // Built without the layout, it may only have restored exactly what was there.
        assert.deepEqual(
          await rowsOf(text, `${s}.t`),
          state
            .map((row) => row.replace(/^\["([123])","x","(\d+)"\]$/, (_, id: string, n: string) => `["${id}","x","${Number(n) / 7}"]`))
            .sort(),
        );
      } else assert.deepEqual(await rowsOf(text, `${s}.t`), state);
    });

    it('an undo after another session changed an undone row is refused and changes nothing', async () => {
      const { result } = await exactOrNothing(`UPDATE S.t SET n = 0 WHERE v = 'x'`);
      assert.equal(result.outcome, 'committed');
      await db.client.query(`UPDATE ${s}.t SET v = 'moved' WHERE id = 2`);
      const state = await rowsOf(text, `${s}.t`);
      const undone = await undo();
      assert.notEqual(undone.outcome, 'committed');
      assert.deepEqual(await rowsOf(text, `${s}.t`), state);
    });
  });
});
