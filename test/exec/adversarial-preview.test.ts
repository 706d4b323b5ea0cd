import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { after, before, beforeEach, describe, it } from 'node:test';
import { Client } from 'pg';
import { preview } from '../../server/src/exec/preview';
import type { PreviewResult } from '../../server/src/exec/results';
import { executionUnits } from '../../server/src/exec/units';
import { analyzeDocument } from '../../server/src/sql/analyze';
import { loadGrammar } from '../../server/src/sql/grammar';
import { createSchema, openTestDatabase, type TestDatabase } from '../helpers/database';
import { contextFor } from '../helpers/exec';
import { databaseState, stateDelta } from '../helpers/state';

/**
 * Gate invariant 1: a preview never changes data. Every case checksums the schema's tables and
 * sequences, previews one unit, and checks that nothing changed; a case marked `refuse` could have
 * committed something, so its preview must not claim success either.
 */

interface Case {
  name: string;
  /** `S` is replaced by the test schema's name. */
  sql: string;
  /** Which unit of the text to preview (default 0). */
  unit?: number;
  /** The preview could have committed something: its outcome must not be 'ok'. */
  refuse?: boolean;
  /** Needs a second session, a file system or an extension: skipped on PGlite. */
  realServerOnly?: boolean;
  /** Extra check of the result (and of the world outside the schema). */
  check?: (result: PreviewResult | undefined) => Promise<void> | void;
}

describe('adversarial preview: a preview never changes data', () => {
  let db: TestDatabase;
  let schema: Awaited<ReturnType<typeof createSchema>>;
  let s: string;

  before(async () => {
    await loadGrammar();
    db = await openTestDatabase();
    schema = await createSchema(db.client, 'advprev');
    s = schema.name;
  });
  after(async () => {
    await schema?.drop();
    await db?.close();
  });
  beforeEach(async () => {
    await db.client.query(`
      DROP TABLE IF EXISTS ${s}.t, ${s}.log, ${s}.counter, ${s}.child CASCADE;
      DROP VIEW IF EXISTS ${s}.tv;
      DROP SEQUENCE IF EXISTS ${s}.seq;
      CREATE TABLE ${s}.t (id int PRIMARY KEY, v text);
      CREATE TABLE ${s}.log (line text);
      CREATE TABLE ${s}.counter (id serial PRIMARY KEY, v text);
      CREATE TABLE ${s}.child (id int PRIMARY KEY, t_id int REFERENCES ${s}.t ON DELETE CASCADE);
      CREATE SEQUENCE ${s}.seq;
      CREATE VIEW ${s}.tv AS SELECT * FROM ${s}.t;
      INSERT INTO ${s}.t SELECT g, 'v' || g FROM generate_series(1, 10) g;
      INSERT INTO ${s}.child SELECT g, g FROM generate_series(1, 5) g;
      INSERT INTO ${s}.counter (v) VALUES ('a'), ('b');
      CREATE OR REPLACE FUNCTION ${s}.logit() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN INSERT INTO ${s}.log VALUES (TG_OP || ' ' || coalesce(OLD.id, NEW.id)); RETURN coalesce(NEW, OLD); END $$;
      CREATE TRIGGER logit AFTER INSERT OR UPDATE OR DELETE ON ${s}.t FOR EACH ROW EXECUTE FUNCTION ${s}.logit();
      CREATE OR REPLACE FUNCTION ${s}.side() RETURNS int LANGUAGE sql AS $$ INSERT INTO ${s}.log VALUES ('side'); SELECT 1 $$;
      CREATE OR REPLACE PROCEDURE ${s}.p() LANGUAGE plpgsql AS $$ BEGIN DELETE FROM ${s}.t WHERE id = 1; COMMIT; END $$;`);
  });

  const run = async (sql: string, index = 0): Promise<PreviewResult | undefined> => {
    const document = analyzeDocument(sql);
    const unit = executionUnits(document)[index];
    // No unit at all: nothing can run, which is safe.
    if (!unit) return undefined;
    return preview(document, unit, contextFor(db.url, { environment: 'local' }));
  };

  function define(cases: Case[]) {
    for (const c of cases) {
      it(
        c.name,
        {
          skip:
            c.realServerOnly && !process.env.DATABASE_URL
              ? 'needs a real PostgreSQL (PGlite: one session, no files, no extensions)'
              : false,
        },
        async () => {
          const sql = c.sql.replaceAll('S.', `${s}.`).replaceAll("'S'", `'${s}'`);
          const before = await databaseState(db.client, s);
          let result: PreviewResult | undefined;
          let thrown: unknown;
          try {
            result = await run(sql, c.unit);
          } catch (error) {
            thrown = error;
          }
          // PGlite's single session: a leaked open transaction must not poison the next case.
          const after = await databaseState(db.client, s);
          // Sequences are not rolled back by anything: a preview may advance one only if it says so.
          const unreported = stateDelta(before, after).filter((change) => {
            const sequence = /^(\S+): \d+\/(true|false) -> \d+\/(true|false)$/.exec(change)?.[1];
            return !sequence || !result?.cautions?.some((c) => c.startsWith(`sequence ${sequence} advanced`));
          });
          assert.deepEqual(unreported, [], `the preview changed data (outcome ${result?.outcome ?? String(thrown)})`);
          if (c.refuse && result) {
            assert.notEqual(
              result.outcome,
              'ok',
              `the preview ran and claimed success: ${JSON.stringify(result.statements.map((st) => st.command))}`,
            );
          }
          await c.check?.(result);
        },
      );
    }
  }

  describe('transaction control inside a BEGIN … COMMIT block', () => {
    define([
      {
        name: 'COMMIT AND CHAIN inside a block',
        sql: `BEGIN;\nDELETE FROM S.t WHERE id = 1;\nCOMMIT AND CHAIN;\nDELETE FROM S.t WHERE id = 2;\nCOMMIT;`,
        refuse: true,
      },
      {
        name: 'commit and chain, lower case, after an UPDATE',
        sql: `begin;\nupdate S.t set v = 'x' where id <= 3;\ncommit and chain;\ncommit;`,
        refuse: true,
      },
      { name: 'END AND CHAIN inside a block', sql: `BEGIN;\nDELETE FROM S.t WHERE id = 1;\nEND AND CHAIN;\nROLLBACK;`, refuse: true },
      {
        name: 'ROLLBACK AND CHAIN inside a block, then a write',
        sql: `BEGIN;\nDELETE FROM S.t WHERE id = 1;\nROLLBACK AND CHAIN;\nDELETE FROM S.t WHERE id = 2;\nCOMMIT;`,
        refuse: true,
      },
      {
        name: 'COMMIT AND NO CHAIN inside a block',
        sql: `BEGIN;\nDELETE FROM S.t WHERE id = 1;\nCOMMIT AND NO CHAIN;\nDELETE FROM S.t WHERE id = 2;\nCOMMIT;`,
      },
      {
        name: 'PREPARE TRANSACTION inside a block',
        sql: `BEGIN;\nDELETE FROM S.t WHERE id = 1;\nPREPARE TRANSACTION 'safesql_redteam';\nDELETE FROM S.t WHERE id = 2;\nCOMMIT;`,
      },
      {
        name: 'the statements after PREPARE TRANSACTION',
        sql: `BEGIN;\nDELETE FROM S.t WHERE id = 1;\nPREPARE TRANSACTION 'safesql_redteam';\nDELETE FROM S.t WHERE id = 2;\nCOMMIT;`,
        unit: 1,
      },
      { name: 'COMMIT PREPARED inside a block', sql: `BEGIN;\nDELETE FROM S.t WHERE id = 1;\nCOMMIT PREPARED 'nothing';\nCOMMIT;` },
      {
        name: 'a second BEGIN inside a block',
        sql: `BEGIN;\nDELETE FROM S.t WHERE id = 1;\nBEGIN;\nDELETE FROM S.t WHERE id = 2;\nCOMMIT;`,
        refuse: true,
      },
      { name: 'START TRANSACTION inside a block', sql: `BEGIN;\nDELETE FROM S.t WHERE id = 1;\nSTART TRANSACTION;\nCOMMIT;`, refuse: true },
      { name: 'a block ended by END', sql: `BEGIN;\nDELETE FROM S.t WHERE id = 1;\nEND;` },
      { name: 'a block ended by ABORT', sql: `BEGIN;\nDELETE FROM S.t WHERE id = 1;\nABORT;` },
      { name: 'END then more writes on one line', sql: `BEGIN; DELETE FROM S.t WHERE id = 1; END; DELETE FROM S.t WHERE id = 2;`, unit: 1 },
      {
        name: 'SET TRANSACTION SNAPSHOT inside a block',
        sql: `BEGIN ISOLATION LEVEL REPEATABLE READ;\nSET TRANSACTION SNAPSHOT '00000003-0000001B-1';\nDELETE FROM S.t WHERE id = 1;\nCOMMIT;`,
      },
      {
        name: 'SET SESSION CHARACTERISTICS inside a block',
        sql: `BEGIN;\nSET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE;\nDELETE FROM S.t WHERE id = 1;\nCOMMIT;`,
      },
      {
        name: 'SET TRANSACTION READ WRITE inside BEGIN READ ONLY',
        sql: `BEGIN READ ONLY;\nSET TRANSACTION READ WRITE;\nDELETE FROM S.t WHERE id = 1;\nCOMMIT;`,
      },
      { name: 'a single top-level COMMIT AND CHAIN', sql: `COMMIT AND CHAIN;`, refuse: true },
      { name: 'a single top-level END AND CHAIN', sql: `END AND CHAIN;`, refuse: true },
      { name: 'a single top-level ROLLBACK AND CHAIN', sql: `ROLLBACK AND CHAIN;`, refuse: true },
      { name: 'a single top-level PREPARE TRANSACTION', sql: `PREPARE TRANSACTION 'safesql_redteam_2';` },
      { name: 'a single top-level COMMIT PREPARED', sql: `COMMIT PREPARED 'safesql_redteam_3';` },
    ]);
  });

  describe('comment and boundary tricks that hide statements from the splitter', () => {
    /** Split as PostgreSQL splits it, the once hidden statement is part of the unit, in plain sight (or the unit is refused). */
    const inPlainSight = (command: string) => (result: PreviewResult | undefined) => {
      if (result?.outcome === 'ok')
        assert.ok(
          result.statements.some((st) => st.command === command),
          JSON.stringify(result.statements),
        );
    };
    define([
      {
        name: 'a -- comment ended by a lone \\r on the BEGIN line',
        sql: `BEGIN -- note\r; DELETE FROM S.t WHERE id = 1; COMMIT; BEGIN\n;\nDELETE FROM S.t WHERE id = 2;\nCOMMIT;`,
        check: inPlainSight('DELETE'),
      },
      {
        name: 'a lone \\r comment on the BEGIN line, block never closed',
        sql: `BEGIN -- note\r; UPDATE S.t SET v = 'pwned'; COMMIT; BEGIN\n;`,
        check: inPlainSight('UPDATE'),
      },
      {
        name: 'BEGIN with options and a \\r comment',
        sql: `BEGIN ISOLATION LEVEL SERIALIZABLE, READ WRITE -- x\r; DELETE FROM S.t WHERE id = 3; COMMIT; BEGIN ISOLATION LEVEL SERIALIZABLE\n;\nSELECT 1;\nCOMMIT;`,
        check: inPlainSight('DELETE'),
      },
      {
        name: 'START TRANSACTION with a \\r comment hiding a TRUNCATE',
        sql: `START TRANSACTION -- \r; TRUNCATE S.log, S.counter; COMMIT; START TRANSACTION\n;\nCOMMIT;`,
        check: inPlainSight('TRUNCATE'),
      },
      {
        name: 'BEGIN WORK, \\r\\r and a hidden INSERT',
        sql: `BEGIN WORK --\r\r;INSERT INTO S.log VALUES ('hidden');COMMIT;BEGIN\n;\nSELECT 1;\nCOMMIT;`,
        check: inPlainSight('INSERT'),
      },
      {
        name: 'a \\f after a -- comment (PostgreSQL keeps the comment going)',
        sql: `BEGIN -- note\f; DELETE FROM S.t WHERE id = 1; COMMIT; BEGIN\n;\nSELECT 1;\nCOMMIT;`,
      },
      { name: 'a \\v after a -- comment', sql: `BEGIN -- note\v; DELETE FROM S.t WHERE id = 1; COMMIT; BEGIN\n;\nSELECT 1;\nCOMMIT;` },
      {
        name: 'a -- inside a block comment on the BEGIN line',
        sql: `BEGIN /* -- */; DELETE FROM S.t WHERE id = 1; COMMIT; BEGIN /* \n */;\nCOMMIT;`,
      },
      {
        name: 'nested block comments /* /* */ */ on the BEGIN line',
        sql: `BEGIN /* /* */ ; DELETE FROM S.t WHERE id = 1; COMMIT; */;\nSELECT 1;\nCOMMIT;`,
      },
      { name: 'BEGIN /* ; DELETE; COMMIT */', sql: `BEGIN /* ; DELETE FROM S.t; COMMIT */;\nDELETE FROM S.t WHERE id = 4;\nCOMMIT;` },
      { name: 'BEGIN; COMMIT; DELETE on one line (the DELETE unit)', sql: `BEGIN; COMMIT; DELETE FROM S.t WHERE id = 1;`, unit: 1 },
      { name: 'BEGIN; COMMIT; DELETE on one line (the empty block)', sql: `BEGIN; COMMIT; DELETE FROM S.t WHERE id = 1;` },
      {
        name: 'dollar-quoted text holding ; COMMIT;',
        sql: `BEGIN;\nSELECT $x$; COMMIT; DELETE FROM S.t; $x$;\nDELETE FROM S.t WHERE id = 1;\nCOMMIT;`,
      },
      { name: "E'\\\\' string followed by a write", sql: `BEGIN;\nSELECT E'\\\\';\nDELETE FROM S.t WHERE id = 1;\nCOMMIT;` },
      { name: "E'\\'' string hiding ; COMMIT;", sql: `BEGIN;\nSELECT E'\\''; COMMIT; DELETE FROM S.t; --';\nCOMMIT;` },
      { name: "U&'…' UESCAPE holding a ;", sql: `BEGIN;\nSELECT U&'!0041; COMMIT;' UESCAPE '!';\nDELETE FROM S.t WHERE id = 1;\nCOMMIT;` },
      { name: 'statements separated by lone \\r', sql: `BEGIN\r;DELETE FROM S.t WHERE id = 1\r;COMMIT\r;` },
      {
        name: 'a \\r comment inside a block statement (extended protocol)',
        sql: `BEGIN;\nDELETE FROM S.t WHERE id = 1 -- \r; DELETE FROM S.t;\n;\nCOMMIT;`,
      },
      {
        name: 'a \\r comment that widens a DELETE: preview must count what PostgreSQL deletes',
        sql: `DELETE FROM S.t WHERE id = 1 -- \r OR id > 0\n AND true;`,
        check: (r) => {
          if (r?.outcome === 'ok') assert.equal(r.affectedRows, 10, 'the preview must report the rows PostgreSQL would delete');
        },
      },
      {
        name: 'a NUL byte truncating a DELETE on the wire',
        sql: `DELETE FROM S.t \0WHERE id = 1;`,
        check: (r) => {
          if (r?.outcome === 'ok')
            assert.ok(r.affectedRows <= 1, `a preview of "WHERE id = 1" reported ${r.affectedRows} rows: the server saw another statement`);
        },
      },
      { name: 'a NUL byte inside the BEGIN line', sql: `BEGIN \0; DELETE FROM S.t WHERE id = 1; COMMIT;\nSELECT 1;\nCOMMIT;` },
      {
        name: 'a lone surrogate (not valid UTF-8)',
        sql: `BEGIN;\nDELETE FROM S.t WHERE v = '\uD800';\nDELETE FROM S.t WHERE id = 1;\nCOMMIT;`,
      },
      { name: 'a block ending in a backslash at EOF', sql: `BEGIN;\nDELETE FROM S.t WHERE id = 1;\n\\` },
      { name: 'a block ending in -- without newline at EOF', sql: `BEGIN;\nDELETE FROM S.t WHERE id = 1; --` },
      {
        name: 'a very long statement',
        sql: `BEGIN;\nDELETE FROM S.t WHERE id IN (${Array.from({ length: 50_000 }, (_, i) => i % 5).join(', ')});\nCOMMIT;`,
      },
    ]);
  });

  describe('SET and set_config tricks against safesql’s own extras', () => {
    define([
      { name: 'SET search_path inside the block', sql: `BEGIN;\nSET search_path = pg_catalog;\nDELETE FROM S.t WHERE id = 1;\nCOMMIT;` },
      {
        name: 'SET session_replication_role = replica (triggers and FKs off)',
        sql: `BEGIN;\nSET session_replication_role = replica;\nDELETE FROM S.t WHERE id <= 5;\nCOMMIT;`,
      },
      {
        name: 'SET default_transaction_read_only',
        sql: `BEGIN;\nSET default_transaction_read_only = on;\nDELETE FROM S.t WHERE id = 1;\nCOMMIT;`,
      },
      {
        name: 'SET statement_timeout = 0 and lock_timeout = 0',
        sql: `BEGIN;\nSET statement_timeout = 0;\nSET lock_timeout = 0;\nDELETE FROM S.t WHERE id = 1;\nCOMMIT;`,
      },
      { name: 'RESET ALL inside the block', sql: `BEGIN;\nRESET ALL;\nDELETE FROM S.t WHERE id = 1;\nCOMMIT;` },
      { name: 'DISCARD ALL inside the block', sql: `BEGIN;\nDELETE FROM S.t WHERE id = 1;\nDISCARD ALL;\nCOMMIT;` },
      { name: 'DISCARD ALL on its own', sql: `DISCARD ALL;` },
      {
        name: "set_config('transaction_read_only', 'off') then nextval in a read-only preview",
        sql: `SELECT set_config('transaction_read_only', 'off', true), nextval('S.seq');`,
      },
      {
        name: 'SET LOCAL then SAVEPOINT / RELEASE / ROLLBACK TO games',
        sql: `BEGIN;\nSET LOCAL statement_timeout = 0;\nSAVEPOINT a;\nDELETE FROM S.t WHERE id = 1;\nRELEASE SAVEPOINT a;\nSAVEPOINT b;\nDELETE FROM S.t WHERE id = 2;\nROLLBACK TO SAVEPOINT b;\nCOMMIT;`,
      },
      {
        name: 'the user releases safesql’s savepoint __safesql_statement',
        sql: `BEGIN;\nDELETE FROM S.t WHERE id = 1;\nRELEASE SAVEPOINT __safesql_statement;\nDELETE FROM S.t WHERE id = 2;\nCOMMIT;`,
      },
      {
        name: 'the user rolls back to safesql’s savepoint __safesql_statement',
        sql: `BEGIN;\nDELETE FROM S.t WHERE id = 1;\nROLLBACK TO SAVEPOINT __safesql_statement;\nDELETE FROM S.t WHERE id = 2;\nCOMMIT;`,
      },
      {
        name: 'the user creates a savepoint named __safesql_statement and releases it later',
        sql: `BEGIN;\nSAVEPOINT __safesql_statement;\nDELETE FROM S.t WHERE id = 1;\nRELEASE SAVEPOINT __safesql_statement;\nROLLBACK TO SAVEPOINT __safesql_statement;\nCOMMIT;`,
      },
      {
        name: 'a user cursor named __safesql_read',
        sql: `BEGIN;\nDECLARE __safesql_read CURSOR FOR SELECT * FROM S.t;\nSELECT * FROM S.t;\nDELETE FROM S.t WHERE id = 1;\nCOMMIT;`,
      },
    ]);
  });

  describe('what a rollback does not undo', () => {
    const seqReported = (r: PreviewResult | undefined) => {
      if (r?.outcome === 'ok') {
        const text = JSON.stringify(r.cautions ?? []);
        assert.match(text, /sequence/i, 'the sequence advanced, yet the preview does not say so');
      }
    };
    define([
      {
        name: 'SELECT nextval in a block (a block BEGIN is read-write even when every statement reads)',
        sql: `BEGIN;\nSELECT nextval('S.seq');\nCOMMIT;`,
        refuse: true,
      },
      { name: 'SELECT setval in a block', sql: `BEGIN;\nSELECT setval('S.seq', 1000);\nCOMMIT;`, refuse: true },
      { name: 'SELECT setval on its own', sql: `SELECT setval('S.seq', 1000);` },
      // Not refused: the sequence it advances (however many times the predicate runs) is reported.
      { name: 'nextval hidden in a DELETE', sql: `DELETE FROM S.t WHERE id = nextval('S.seq');` },
      { name: 'a function side effect in a read-only-looking block', sql: `BEGIN;\nSELECT S.side();\nCOMMIT;` },
      {
        name: 'pg_logical_emit_message (non-transactional WAL message)',
        sql: `SELECT pg_logical_emit_message(false, 'safesql', 'redteam');`,
        refuse: true,
        realServerOnly: true,
      },
      {
        name: 'SET ROLE and SET SESSION AUTHORIZATION inside a block',
        sql: `BEGIN;\nSET ROLE NONE;\nSET SESSION AUTHORIZATION DEFAULT;\nDELETE FROM S.t WHERE id = 1;\nCOMMIT;`,
      },
      {
        name: "set_config('session_replication_role', 'replica', false) in a block",
        sql: `BEGIN;\nSELECT set_config('session_replication_role', 'replica', false);\nDELETE FROM S.t WHERE id <= 5;\nCOMMIT;`,
      },
      {
        name: 'standard_conforming_strings off inside the block, then a backslash string',
        sql: `BEGIN;\nSET standard_conforming_strings = off;\nSELECT 'a\\'; DELETE FROM S.t; --';\nCOMMIT;`,
      },
      {
        name: 'CREATE EXTENSION inside a block',
        sql: `BEGIN;\nCREATE EXTENSION IF NOT EXISTS pg_trgm;\nDELETE FROM S.t WHERE id = 1;\nCOMMIT;`,
        realServerOnly: true,
      },
    ]);
    it('INSERT into a serial column: the sequence advances, and the preview must say so', async () => {
      const before = await databaseState(db.client, s);
      const result = await run(`INSERT INTO ${s}.counter (v) VALUES ('new');`);
      const after = await databaseState(db.client, s);
      assert.deepEqual(after.tables, before.tables);
      if (JSON.stringify(after.sequences) !== JSON.stringify(before.sequences)) seqReported(result);
    });
    it('INSERT into an identity column: the sequence advances, and the preview must say so', async () => {
      await db.client.query(`CREATE TABLE IF NOT EXISTS ${s}.ident (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, v text)`);
      const before = await databaseState(db.client, s);
      const result = await run(`INSERT INTO ${s}.ident (v) SELECT 'x' FROM generate_series(1, 3);`);
      const after = await databaseState(db.client, s);
      assert.deepEqual(after.tables, before.tables);
      assert.notDeepEqual(after.sequences, before.sequences, 'expected the identity sequence to advance');
      seqReported(result);
    });

    const serverFile = async (path: string) => {
      const { rows } = await db.client.query(`SELECT (pg_stat_file($1, true)).size IS NOT NULL AS present`, [path]);
      return rows[0].present as boolean;
    };
    for (const [name, sqlOf] of [
      ['COPY … TO PROGRAM on its own', (f: string) => `COPY (SELECT 1) TO PROGRAM 'touch ${f}';`],
      [
        'COPY … TO PROGRAM in a block',
        (f: string) => `BEGIN;\nDELETE FROM S.t WHERE id = 1;\nCOPY (SELECT 1) TO PROGRAM 'touch ${f}';\nCOMMIT;`,
      ],
      ['COPY t TO a server file', (f: string) => `COPY S.t TO '${f}';`],
      ['COPY (query) TO a server file in a block', (f: string) => `BEGIN;\nCOPY (SELECT * FROM S.t) TO '${f}' WITH (FORMAT csv);\nCOMMIT;`],
      [
        'lo_export of a large object made in the block',
        (f: string) => `BEGIN;\nSELECT lo_from_bytea(424250, 'x');\nSELECT lo_export(424250, '${f}');\nCOMMIT;`,
      ],
      ['lo_export of an existing large object (read-only preview)', (f: string) => `SELECT lo_export(424251, '${f}');`],
    ] as const) {
      it(`${name}: refused before it runs, no file afterwards`, { skip: db_embedded() }, async () => {
        const file = `/tmp/safesql-redteam-${randomUUID()}`;
        await db.client.query(`SELECT lo_unlink(oid) FROM pg_largeobject_metadata WHERE oid IN (424250, 424251)`);
        await db.client.query(`SELECT lo_from_bytea(424251, 'x')`);
        const before = await databaseState(db.client, s);
        const result = await run(sqlOf(file).replaceAll('S.', `${s}.`)).catch((e: Error) => e);
        assert.deepEqual(stateDelta(before, await databaseState(db.client, s)), []);
        const present = await serverFile(file);
        await db.client.query(`SELECT lo_unlink(oid) FROM pg_largeobject_metadata WHERE oid IN (424250, 424251)`);
        rmSync(file, { force: true }); // the server is usually this machine; elsewhere the file stays in its /tmp
        assert.equal(
          present,
          false,
          `the preview ran it: ${file} exists on the server (${JSON.stringify((result as PreviewResult).outcome)})`,
        );
        assert.notEqual((result as PreviewResult).outcome, 'ok');
      });
    }

    it('pg_advisory_lock is not held after the preview', { skip: db_embedded() }, async () => {
      const result = await run(`SELECT pg_advisory_lock(424242);`);
      const other = new Client({ connectionString: db.url });
      await other.connect();
      try {
        const { rows } = await other.query(`SELECT pg_try_advisory_lock(424242) AS got`);
        assert.equal(rows[0].got, true, `the preview left the lock held (${result?.outcome})`);
        await other.query(`SELECT pg_advisory_unlock(424242)`);
      } finally {
        await other.end();
      }
    });
    it('pg_advisory_xact_lock in a block is released and nothing else changes', { skip: db_embedded() }, async () => {
      const before = await databaseState(db.client, s);
      await run(`BEGIN;\nSELECT pg_advisory_xact_lock(424243);\nDELETE FROM ${s}.t WHERE id = 1;\nCOMMIT;`);
      assert.deepEqual(stateDelta(before, await databaseState(db.client, s)), []);
      const { rows } = await db.client.query(`SELECT pg_try_advisory_lock(424243) AS got`);
      assert.equal(rows[0].got, true);
      await db.client.query(`SELECT pg_advisory_unlock(424243)`);
    });
    for (const [name, wrap] of [
      ['pg_terminate_backend of another session (single)', (q: string) => `${q};`],
      ['pg_terminate_backend of another session (block)', (q: string) => `BEGIN;\n${q};\nCOMMIT;`],
      [
        'pg_cancel_backend … then terminate, hidden in a CTE',
        (q: string) => `WITH x AS (${q.replace('SELECT ', 'SELECT ')}) SELECT * FROM x;`,
      ],
    ] as const) {
      it(`${name}: the other session survives`, { skip: db_embedded() }, async () => {
        const victim = new Client({ connectionString: db.url });
        victim.on('error', () => undefined);
        await victim.connect();
        const { rows } = await victim.query(`SELECT pg_backend_pid() AS pid`);
        const result = await run(wrap(`SELECT pg_terminate_backend(${rows[0].pid})`));
        let alive = true;
        try {
          await victim.query('SELECT 1');
        } catch {
          alive = false;
        }
        await victim.end().catch(() => undefined);
        assert.equal(alive, true, `the preview terminated another session (${result?.outcome})`);
        assert.notEqual(result?.outcome, 'ok');
      });
    }

    it('dblink_exec writes through another session: refused, nothing committed', { skip: db_embedded() }, async (t) => {
      const { rows } = await db.client.query(`SELECT count(*)::int AS n FROM pg_available_extensions WHERE name = 'dblink'`);
      if (rows[0].n === 0) return t.skip('dblink is not available on this server');
      await db.client.query(`CREATE EXTENSION IF NOT EXISTS dblink SCHEMA ${s}`);
      const url = new URL(db.url);
      const conninfo = `host=${url.hostname} port=${url.port || 5432} dbname=${url.pathname.slice(1)} user=${url.username}`;
      for (const sql of [
        `SELECT ${s}.dblink_exec('${conninfo}', 'INSERT INTO ${s}.log VALUES (''via dblink'')');`,
        `BEGIN;\nSELECT ${s}.dblink_exec('${conninfo}', 'DELETE FROM ${s}.t WHERE id = 1');\nCOMMIT;`,
        `SELECT * FROM ${s}.dblink('${conninfo}', 'UPDATE ${s}.t SET v = ''remote'' WHERE id = 2 RETURNING id') AS x(id int);`,
      ]) {
        const before = await databaseState(db.client, s);
        const result = await run(sql);
        assert.deepEqual(
          stateDelta(before, await databaseState(db.client, s)),
          [],
          `${sql}: committed through dblink (${result?.outcome})`,
        );
        assert.notEqual(result?.outcome, 'ok', sql);
      }
    });
  });

  describe('DML through views, rules, triggers, CTEs, functions and procedures', () => {
    define([
      { name: 'DELETE through a view', sql: `DELETE FROM S.tv WHERE id <= 3;` },
      { name: 'UPDATE through a view in a block', sql: `BEGIN;\nUPDATE S.tv SET v = 'x' WHERE id = 1;\nCOMMIT;` },
      {
        name: 'a rule DO ALSO INSERT created and fired in the block',
        sql: `BEGIN;\nCREATE RULE r AS ON DELETE TO S.t DO ALSO INSERT INTO S.log VALUES ('rule ' || OLD.id);\nDELETE FROM S.t WHERE id = 1;\nCOMMIT;`,
      },
      { name: 'a trigger that writes to another table', sql: `UPDATE S.t SET v = 'y' WHERE id <= 2;` },
      { name: 'an ON DELETE CASCADE child', sql: `DELETE FROM S.t WHERE id <= 5;` },
      { name: 'a writable CTE', sql: `WITH d AS (DELETE FROM S.t WHERE id <= 2 RETURNING *) INSERT INTO S.log SELECT v FROM d;` },
      { name: 'a writable CTE under a SELECT', sql: `WITH d AS (DELETE FROM S.log RETURNING *) SELECT count(*) FROM d;` },
      { name: 'SELECT … FOR UPDATE', sql: `SELECT * FROM S.t WHERE id = 1 FOR UPDATE;` },
      { name: 'a function with side effects, called from a SELECT', sql: `SELECT S.side();` },
      {
        name: 'a function created and called in the block',
        sql: `BEGIN;\nCREATE FUNCTION S.f2() RETURNS int LANGUAGE sql AS $$ DELETE FROM S.t RETURNING 1 $$;\nSELECT S.f2();\nCOMMIT;`,
      },
      { name: 'DO block with COMMIT', sql: `DO $$ BEGIN DELETE FROM S.t WHERE id = 1; COMMIT; END $$;` },
      { name: 'DO block with COMMIT inside a block', sql: `BEGIN;\nDO $$ BEGIN DELETE FROM S.t WHERE id = 1; COMMIT; END $$;\nCOMMIT;` },
      { name: 'DO block with ROLLBACK then a write', sql: `DO $$ BEGIN ROLLBACK; DELETE FROM S.t WHERE id = 1; END $$;` },
      { name: 'CALL of a procedure that COMMITs', sql: `CALL S.p();` },
      { name: 'CALL of a procedure that COMMITs, in a block', sql: `BEGIN;\nCALL S.p();\nCOMMIT;` },
      { name: 'EXPLAIN ANALYZE of a DELETE', sql: `EXPLAIN ANALYZE DELETE FROM S.t;` },
      { name: 'CREATE TABLE AS / SELECT INTO', sql: `SELECT * INTO S.copied FROM S.t;` },
      { name: 'PREPARE and EXECUTE a DELETE', sql: `BEGIN;\nPREPARE d AS DELETE FROM S.t WHERE id = 1;\nEXECUTE d;\nCOMMIT;` },
      { name: 'MERGE', sql: `MERGE INTO S.t USING (SELECT 1 AS id) s ON S.t.id = s.id WHEN MATCHED THEN DELETE;` },
      { name: 'TRUNCATE', sql: `TRUNCATE S.log;` },
      { name: 'LOCK then a write', sql: `BEGIN;\nLOCK TABLE S.t IN ACCESS EXCLUSIVE MODE;\nDELETE FROM S.t;\nCOMMIT;` },
      { name: 'NOTIFY (queued until commit)', sql: `BEGIN;\nNOTIFY safesql_redteam, 'x';\nDELETE FROM S.t WHERE id = 1;\nCOMMIT;` },
      {
        name: 'DECLARE … WITH HOLD over a side-effect function',
        sql: `BEGIN;\nDECLARE c CURSOR WITH HOLD FOR SELECT S.side();\nFETCH ALL FROM c;\nCOMMIT;`,
      },
    ]);
  });
});

function db_embedded(): string | false {
  return process.env.DATABASE_URL ? false : 'needs a real PostgreSQL (PGlite: one session, no server files)';
}
