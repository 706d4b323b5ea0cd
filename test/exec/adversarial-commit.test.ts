import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { Client } from 'pg';
import { commit } from '../../server/src/exec/commit';
import type { Journal } from '../../server/src/exec/journal';
import { preview } from '../../server/src/exec/preview';
import { loadGrammar } from '../../server/src/sql/grammar';
import { createSchema, openTestDatabase, type TestDatabase } from '../helpers/database';
import { contextFor, temporaryJournal, unitOf } from '../helpers/exec';
import { assertExactOrNothing, snapshot, textClient } from '../helpers/expectation';

/**
 * Gate invariant 3: a commit changes exactly the previewed rows, or nothing. Each case previews a
 * unit, interferes from another session, commits, and then checks the database against either the
 * state the interference left (refused) or that state with exactly the previewed rows changed as
 * previewed (committed). Row identity is the full row value, primary key included; ctid and xmin
 * are not identities (a VACUUM FULL changes them): a row deleted and re-inserted with the same
 * values may be committed against.
 */

const REAL = process.env.DATABASE_URL ? false : 'needs a real PostgreSQL: PGlite has one session, one database and no roles to switch to';

describe('adversarial commit: exactly the previewed rows, or nothing', () => {
  let db: TestDatabase;
  let text: Client;
  let schema: Awaited<ReturnType<typeof createSchema>>;
  let s: string;
  let journal: Journal;
  let tables: string[];

  before(async () => {
    await loadGrammar();
    db = await openTestDatabase();
    text = await textClient(db.url);
    schema = await createSchema(db.client, 'advcommit');
    s = schema.name;
    tables = [`${s}.t`, `${s}.log`, `${s}.other`];
  });
  after(async () => {
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
      CREATE TABLE ${s}.other (id int PRIMARY KEY, v text);
      INSERT INTO ${s}.t SELECT g, CASE WHEN g <= 3 THEN 'x' ELSE 'y' END, g FROM generate_series(1, 10) g;
      INSERT INTO ${s}.other SELECT g, 'o' || g FROM generate_series(1, 5) g;`);
  });

  const shownAs = (name: string) => name;

  interface Scenario {
    sql: string;
    interfere?: string;
    /** The commit must refuse even if the rows match (the design's schema fingerprint, identity checks). */
    mustRefuse?: string;
    request?: { expectRows?: number; staleSeconds?: number };
    /** Must it commit? (no interference) */
    mustCommit?: boolean;
    url?: string;
    watch?: string[];
    /** The table a statement's `shownAs` name means (as the preview resolved it). */
    tableName?: (shownAs: string) => string;
    /** A refusal before anything runs (not previewable) is a right answer too. */
    refusedBeforeRunning?: boolean;
  }

  async function scenario(c: Scenario) {
    const sql = c.sql.replaceAll('S.', `${s}.`);
    const context = contextFor(c.url ?? db.url, { environment: 'local' });
    const { document, unit } = unitOf(sql);
    const previewed = await preview(document, unit, context);
    if (previewed.outcome === 'not-previewable' && c.refusedBeforeRunning) {
      // Refused before anything ran: nothing can have been committed.
      const before = await snapshot(text, c.watch ?? tables);
      assert.equal((await commit(document, unit, { preview: previewed, journal }, context)).outcome, 'refused');
      assert.deepEqual(await snapshot(text, c.watch ?? tables), before);
      return { previewed, result: undefined };
    }
    assert.equal(previewed.outcome, 'ok', JSON.stringify(previewed.error ?? previewed.notPreviewable));
    if (c.interfere) await db.client.query(c.interfere.replaceAll('S.', `${s}.`));
    const watch = c.watch ?? tables;
    const start = await snapshot(text, watch);
    const at = c.request?.staleSeconds ? new Date(Date.now() - c.request.staleSeconds * 1000).toISOString() : previewed.at;
    const result = await commit(
      document,
      unit,
      { preview: { ...previewed, at }, journal, ...(c.request?.expectRows !== undefined ? { expectRows: c.request.expectRows } : {}) },
      context,
    );
    await assertExactOrNothing(text, watch, start, previewed, result, c.tableName ?? shownAs, c.mustRefuse);
    if (c.mustCommit) assert.equal(result.outcome, 'committed', result.reason ?? JSON.stringify(result.error));
    return { previewed, result };
  }

  const exact = async (c: Scenario): Promise<void> => void (await scenario(c));

  describe('no interference, and plain refusals', () => {
    it('no interference: a DELETE commits exactly', () => exact({ sql: `DELETE FROM S.t WHERE v = 'x';`, mustCommit: true }));
    it('no interference: an UPDATE commits exactly', () => exact({ sql: `UPDATE S.t SET n = n * 10 WHERE id > 7;`, mustCommit: true }));
    it('no interference: an INSERT commits exactly', () =>
      exact({ sql: `INSERT INTO S.t VALUES (100, 'new', 0), (101, 'new', 1);`, mustCommit: true }));
    it('no interference: a block commits exactly', () =>
      exact({
        sql: `BEGIN;\nUPDATE S.t SET v = 'z' WHERE id = 4;\nDELETE FROM S.t WHERE v = 'z';\nINSERT INTO S.other VALUES (9, 'nine');\nCOMMIT;`,
        mustCommit: true,
      }));
    it('one preview committed twice (a double click, a replayed request)', async () => {
      const context = contextFor(db.url, { environment: 'local' });
      const { document, unit } = unitOf(`UPDATE ${s}.t SET n = n + 1 WHERE v = 'x';`);
      const previewed = await preview(document, unit, context);
      const first = await commit(document, unit, { preview: previewed, journal }, context);
      assert.equal(first.outcome, 'committed', first.reason);
      const start = await snapshot(text, tables);
      const second = await commit(document, unit, { preview: previewed, journal }, context);
      await assertExactOrNothing(text, tables, start, previewed, second, shownAs);
    });
    it('expect-rows mismatch refuses and changes nothing', async () => {
      const { result } = await scenario({ sql: `DELETE FROM S.t WHERE v = 'x';`, request: { expectRows: 2 } });
      assert.notEqual(result?.outcome, 'committed');
    });
    it('a stale preview refuses and changes nothing', async () => {
      const { result } = await scenario({ sql: `DELETE FROM S.t WHERE v = 'x';`, request: { staleSeconds: 3600 } });
      assert.notEqual(result?.outcome, 'committed');
    });
    it('a preview from the future (clock skew) is not a licence', async () => {
      const { result } = await scenario({ sql: `DELETE FROM S.t WHERE v = 'x';`, request: { staleSeconds: -86_400 * 365 } });
      assert.notEqual(result?.outcome, 'committed', 'a preview dated a year ahead was accepted as fresh');
    });
  });

  describe('another row swapped in with the same count', () => {
    it('DELETE: one previewed row leaves the predicate, another enters', () =>
      exact({
        sql: `DELETE FROM S.t WHERE v = 'x';`,
        interfere: `UPDATE S.t SET v = 'y' WHERE id = 2; UPDATE S.t SET v = 'x' WHERE id = 9;`,
      }));
    it('DELETE: a previewed row is deleted and a new matching row inserted', () =>
      exact({
        sql: `DELETE FROM S.t WHERE v = 'x';`,
        interfere: `DELETE FROM S.t WHERE id = 1; INSERT INTO S.t VALUES (50, 'x', 50);`,
      }));
    it('UPDATE: the same count of different rows', () =>
      exact({
        sql: `UPDATE S.t SET n = -1 WHERE n < 4;`,
        interfere: `UPDATE S.t SET n = 100 WHERE id = 3; UPDATE S.t SET n = 0 WHERE id = 8;`,
      }));
    it('DELETE by range: the whole set replaced', () =>
      exact({
        sql: `DELETE FROM S.t WHERE id <= 3;`,
        interfere: `UPDATE S.t SET id = id + 1000 WHERE id <= 3; INSERT INTO S.t VALUES (1, 'a', 1), (2, 'b', 2), (3, 'c', 3);`,
      }));
  });

  describe('new values in the previewed rows', () => {
    it('UPDATE: a previewed row got a new value', () =>
      exact({ sql: `UPDATE S.t SET n = n + 1 WHERE v = 'x';`, interfere: `UPDATE S.t SET n = 500 WHERE id = 1;` }));
    it('DELETE: a previewed row got a new value (still matching)', () =>
      exact({ sql: `DELETE FROM S.t WHERE v = 'x';`, interfere: `UPDATE S.t SET n = 999 WHERE id = 2;` }));
    it('UPDATE setting a constant: an untouched column changed', () =>
      exact({ sql: `UPDATE S.t SET v = 'done' WHERE id IN (1, 2);`, interfere: `UPDATE S.t SET n = 7777 WHERE id = 2;` }));
    it('a non-deterministic SET (random(), clock_timestamp()): the preview says its values are its own', async () => {
      // The rows are the previewed ones; the values a volatile expression computes are the statement's
      // own at every run (as now() or a sequence), so the commit goes through and the preview warns.
      const sql = `UPDATE ${s}.t SET v = md5(random()::text || clock_timestamp()::text) WHERE v = 'x';`;
      const { document, unit } = unitOf(sql);
      const context = contextFor(db.url, { environment: 'local' });
      const previewed = await preview(document, unit, context);
      assert.ok(
        previewed.cautions?.some((c) => /volatile functions? .*random\(\)/.test(c)),
        JSON.stringify(previewed.cautions),
      );
      const result = await commit(document, unit, { preview: previewed, journal }, context);
      assert.equal(result.outcome, 'committed', result.reason);
      assert.equal(result.affectedRows, previewed.affectedRows);
    });
    it('deleted and re-inserted with the same values (new ctid/xmin): committing is right', () =>
      exact({
        sql: `DELETE FROM S.t WHERE v = 'x';`,
        interfere: `CREATE TEMP TABLE keep AS SELECT * FROM S.t WHERE v = 'x'; DELETE FROM S.t WHERE v = 'x'; INSERT INTO S.t SELECT * FROM keep; DROP TABLE keep;`,
      }));
  });

  describe('schema and rule changes under the preview', () => {
    it('a new ON DELETE CASCADE table referencing the target', () =>
      exact({
        sql: `DELETE FROM S.t WHERE v = 'x';`,
        interfere: `CREATE TABLE S.child (id int PRIMARY KEY, t_id int REFERENCES S.t ON DELETE CASCADE); INSERT INTO S.child SELECT g, g FROM generate_series(1, 5) g;`,
        watch: [`${s}.t`, `${s}.log`, `${s}.other`, `${s}.child`],
      }));
    it('a new ON UPDATE CASCADE table referencing an updated key', () =>
      exact({
        sql: `UPDATE S.t SET id = id + 100 WHERE v = 'x';`,
        interfere: `CREATE TABLE S.child (id int PRIMARY KEY, t_id int REFERENCES S.t ON UPDATE CASCADE); INSERT INTO S.child SELECT g, g FROM generate_series(1, 5) g;`,
        watch: [`${s}.t`, `${s}.log`, `${s}.other`, `${s}.child`],
      }));
    it('a new trigger that deletes elsewhere', () =>
      exact({
        sql: `DELETE FROM S.t WHERE v = 'x';`,
        interfere: `CREATE FUNCTION S.wipe() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN DELETE FROM S.other; RETURN OLD; END $$;
                    CREATE TRIGGER wipe AFTER DELETE ON S.t FOR EACH ROW EXECUTE FUNCTION S.wipe();`,
      }));
    it('a new BEFORE UPDATE trigger that rewrites the new row', () =>
      exact({
        sql: `UPDATE S.t SET n = 0 WHERE v = 'x';`,
        interfere: `CREATE FUNCTION S.rewrite() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.v := 'rewritten'; RETURN NEW; END $$;
                    CREATE TRIGGER rewrite BEFORE UPDATE ON S.t FOR EACH ROW EXECUTE FUNCTION S.rewrite();`,
      }));
    it('a new deferred constraint trigger that writes elsewhere at COMMIT time (after every check)', () =>
      exact({
        sql: `DELETE FROM S.t WHERE v = 'x';`,
        interfere: `CREATE FUNCTION S.late() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN UPDATE S.other SET v = 'late'; RETURN NULL; END $$;
                    CREATE CONSTRAINT TRIGGER late AFTER DELETE ON S.t DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION S.late();`,
      }));
    it('a deferred foreign key that fails at COMMIT: nothing changed, journal entry aborted', async () => {
      await db.client.query(`CREATE TABLE ${s}.child (id int PRIMARY KEY, t_id int REFERENCES ${s}.t DEFERRABLE INITIALLY DEFERRED);
        INSERT INTO ${s}.child VALUES (1, 1);`);
      const { result } = await scenario({ sql: `DELETE FROM S.t WHERE v = 'x';`, watch: [`${s}.t`, `${s}.other`, `${s}.child`] });
      assert.notEqual(result?.outcome, 'committed');
      const entries = await journal.list();
      assert.ok(
        entries.every((e) => e.status !== 'committed'),
        'the journal says committed for a COMMIT that failed',
      );
    });
    it('ALTER TABLE ADD COLUMN', () =>
      exact({
        sql: `DELETE FROM S.t WHERE v = 'x';`,
        interfere: `ALTER TABLE S.t ADD COLUMN extra text DEFAULT 'e';`,
        mustRefuse: 'the table changed shape since the preview',
      }));
    it('ALTER TABLE DROP COLUMN', () =>
      exact({
        sql: `DELETE FROM S.t WHERE v = 'x';`,
        interfere: `ALTER TABLE S.t DROP COLUMN n;`,
        mustRefuse: 'the table changed shape since the preview',
      }));
    it('ALTER TABLE retype a column (same text values)', () =>
      exact({
        sql: `DELETE FROM S.t WHERE v = 'x';`,
        interfere: `ALTER TABLE S.t ALTER COLUMN n TYPE bigint;`,
        mustRefuse: 'a column changed type since the preview (schema fingerprint)',
      }));
    it('ALTER TABLE retype a column (different text values)', () =>
      exact({ sql: `UPDATE S.t SET v = 'w' WHERE v = 'x';`, interfere: `ALTER TABLE S.t ALTER COLUMN n TYPE numeric(10,2);` }));
    it('ALTER TABLE add a default the INSERT relies on', () =>
      exact({ sql: `INSERT INTO S.t (id, v) VALUES (200, 'new');`, interfere: `ALTER TABLE S.t ALTER COLUMN n SET DEFAULT 42;` }));
    it('ALTER TABLE add a generated column', () =>
      exact({
        sql: `INSERT INTO S.t (id, v, n) VALUES (201, 'new', 1);`,
        interfere: `ALTER TABLE S.t ADD COLUMN g int GENERATED ALWAYS AS (n * 2) STORED;`,
      }));
    it('a new rule DO ALSO INSERT INTO log', () =>
      exact({
        sql: `DELETE FROM S.t WHERE v = 'x';`,
        interfere: `CREATE RULE also_log AS ON DELETE TO S.t DO ALSO INSERT INTO S.log VALUES ('deleted ' || OLD.id);`,
      }));
    it('a new rule DO INSTEAD that writes elsewhere', () =>
      exact({
        sql: `UPDATE S.t SET n = 0 WHERE v = 'x';`,
        interfere: `CREATE RULE instead AS ON UPDATE TO S.t DO INSTEAD UPDATE S.other SET v = 'hijacked' WHERE id = OLD.id;`,
      }));
    it('the target table swapped for a view with the same rows', () =>
      exact({
        sql: `DELETE FROM S.t WHERE v = 'x';`,
        interfere: `ALTER TABLE S.t RENAME TO t_real; CREATE TABLE S.t_shadow (LIKE S.t_real INCLUDING ALL); INSERT INTO S.t_shadow SELECT * FROM S.t_real;
                    CREATE VIEW S.t AS SELECT * FROM S.t_shadow;`,
        watch: [`${s}.t`, `${s}.t_real`, `${s}.t_shadow`, `${s}.log`, `${s}.other`],
        mustRefuse: 'the name now resolves to another relation',
      }));
    it('the target table dropped and recreated with the same rows', () =>
      exact({
        sql: `DELETE FROM S.t WHERE v = 'x';`,
        interfere: `CREATE TABLE S.t2 AS SELECT * FROM S.t; DROP TABLE S.t; ALTER TABLE S.t2 RENAME TO t; ALTER TABLE S.t ADD PRIMARY KEY (id);`,
      }));
  });

  describe('transaction control smuggled into the commit', () => {
    // The preview of these units already leaks (see adversarial-preview); here the commit must not
    // change anything when it refuses: a count mismatch in the last statement must leave no trace.
    it('COMMIT AND CHAIN inside the block commits the first part even though the commit refuses', async () => {
      const { result } = await scenario({
        sql: `BEGIN;\nDELETE FROM S.other WHERE id = 1;\nCOMMIT AND CHAIN;\nDELETE FROM S.t WHERE v = 'x';\nCOMMIT;`,
        interfere: `INSERT INTO S.t VALUES (77, 'x', 77); INSERT INTO S.other VALUES (1, 'o1') ON CONFLICT DO NOTHING;`,
        refusedBeforeRunning: true,
      });
      assert.notEqual(result?.outcome, 'committed');
    });
    it('a BEGIN line whose -- comment ends at a lone \\r runs no hidden statement: the unit is what PostgreSQL reads', async () => {
      // Split as PostgreSQL splits it, the first unit is BEGIN; DELETE …; COMMIT, in plain sight: the
      // scenario checks that whatever the commit does is exactly what was previewed, or nothing.
      await scenario({
        sql: `BEGIN -- note\r; DELETE FROM S.other WHERE id = 2; COMMIT; BEGIN\n;\nDELETE FROM S.t WHERE v = 'x';\nCOMMIT;`,
        interfere: `INSERT INTO S.t VALUES (78, 'x', 78); INSERT INTO S.other VALUES (2, 'o2') ON CONFLICT DO NOTHING;`,
        refusedBeforeRunning: true,
      });
    });
  });

  describe('identity: roles, search_path, databases (real PostgreSQL only)', () => {
    const tag = () => `redteam_${process.pid}_${randomBytes(3).toString('hex')}`;
    const urlAs = (user: string, database?: string) => {
      const url = new URL(db.url);
      url.username = user;
      if (database) url.pathname = `/${database}`;
      return url.toString();
    };

    it('a row-level security policy hides a previewed row and shows another', { skip: REAL }, async () => {
      const role = tag();
      await db.client.query(
        `CREATE ROLE ${role} LOGIN; GRANT USAGE ON SCHEMA ${s} TO ${role}; GRANT ALL ON ALL TABLES IN SCHEMA ${s} TO ${role};`,
      );
      try {
        await scenario({
          sql: `DELETE FROM S.t WHERE id % 2 = 0 AND id <= 6;`,
          url: urlAs(role),
          interfere: `ALTER TABLE S.t ENABLE ROW LEVEL SECURITY;
                      CREATE POLICY hide ON S.t USING (id <> 2);
                      INSERT INTO S.t VALUES (0, 'zero', 0);`,
        });
      } finally {
        await db.client.query(`DROP OWNED BY ${role}; DROP ROLE ${role}`).catch(() => undefined);
      }
    });

    it('search_path: the same text resolves to another schema’s table at commit', { skip: REAL }, async () => {
      const role = tag();
      const first = `${s}_first`;
      await db.client.query(`
        CREATE ROLE ${role} LOGIN; CREATE SCHEMA ${first};
        GRANT USAGE, CREATE ON SCHEMA ${s}, ${first} TO ${role}; GRANT ALL ON ALL TABLES IN SCHEMA ${s} TO ${role};
        ALTER ROLE ${role} SET search_path = ${first}, ${s};`);
      try {
        await scenario({
          sql: `DELETE FROM t WHERE v = 'x';`,
          url: urlAs(role),
          interfere: `CREATE TABLE ${first}.t (LIKE ${s}.t INCLUDING ALL); INSERT INTO ${first}.t SELECT * FROM ${s}.t; GRANT ALL ON ${first}.t TO ${role};`,
          watch: [`${s}.t`, `${first}.t`, `${s}.log`, `${s}.other`],
          // The preview resolved the bare name to the schema that had a t then.
          tableName: (name) => (name === 't' ? `${s}.t` : name),
        });
      } finally {
        await db.client.query(`DROP SCHEMA ${first} CASCADE; DROP OWNED BY ${role}; DROP ROLE ${role}`).catch(() => undefined);
      }
    });

    it('another database renamed into the previewed database’s name', { skip: REAL }, async () => {
      const name = tag();
      const impostor = `${name}_impostor`;
      const setup = `CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t SELECT g, 'x' FROM generate_series(1, 3) g;`;
      await db.client.query(`CREATE DATABASE ${name}`);
      await db.client.query(`CREATE DATABASE ${impostor}`);
      const inDatabase = async (database: string, sql: string) => {
        const client = await textClient(urlAs(new URL(db.url).username, database));
        try {
          return await client.query(sql);
        } finally {
          await client.end();
        }
      };
      try {
        await inDatabase(name, setup);
        await inDatabase(impostor, setup + ` UPDATE t SET v = 'x' || id; UPDATE t SET v = 'x';`);
        const url = urlAs(new URL(db.url).username, name);
        const context = contextFor(url, { environment: 'local' });
        const { document, unit } = unitOf(`DELETE FROM t WHERE v = 'x';`);
        const previewed = await preview(document, unit, context);
        assert.equal(previewed.outcome, 'ok');
        await db.client.query(`ALTER DATABASE ${name} RENAME TO ${name}_orig`);
        await db.client.query(`ALTER DATABASE ${impostor} RENAME TO ${name}`);
        const result = await commit(document, unit, { preview: previewed, journal }, context);
        const left = await inDatabase(name, `SELECT count(*)::int AS n FROM t`);
        const original = await inDatabase(`${name}_orig`, `SELECT count(*)::int AS n FROM t`);
        assert.notEqual(result?.outcome, 'committed', 'the commit ran on another database that took the previewed one’s name');
        assert.equal(Number(left.rows[0].n), 3);
        assert.equal(Number(original.rows[0].n), 3);
      } finally {
        for (const d of [name, `${name}_orig`, impostor]) await db.client.query(`DROP DATABASE IF EXISTS ${d}`).catch(() => undefined);
      }
    });
  });
});
