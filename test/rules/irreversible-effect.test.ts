import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { LintSettings } from '../../server/src/config/settings';
import { loadGrammar } from '../../server/src/sql/grammar';
import { lintSql, ruleFixtures } from '../helpers/lint';

ruleFixtures('irreversible-effect', {
  flagged: [
    { sql: "COPY orders TO PROGRAM 'gzip > /tmp/orders.gz';", marked: "TO PROGRAM 'gzip > /tmp/orders.gz'" },
    {
      sql: "COPY orders FROM PROGRAM 'curl -s https://example.com/orders.csv' WITH (FORMAT csv);",
      marked: "FROM PROGRAM 'curl -s https://example.com/orders.csv'",
    },
    {
      sql: "copy (SELECT * FROM orders WHERE id > 10) to '/var/lib/postgresql/orders.csv' with csv;",
      marked: "to '/var/lib/postgresql/orders.csv'",
    },
    { sql: "SELECT lo_export(4711, '/tmp/blob.bin');", marked: 'lo_export' },
    { sql: "SELECT PUBLIC.DBLINK_EXEC('host=replica', 'DELETE FROM orders');", marked: 'PUBLIC.DBLINK_EXEC' },
    { sql: "SELECT * FROM ext.dblink('host=other', 'SELECT 1') AS t(x int);", marked: 'ext.dblink' },
    { sql: "SELECT dblink_connect('archive', 'host=archive');", marked: 'dblink_connect' },
    {
      sql: "SELECT pg_catalog.pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'app';",
      marked: 'pg_catalog.pg_terminate_backend',
    },
    'SELECT pg_cancel_backend(12345);',
    'SELECT pg_reload_conf();',
    "SELECT pg_create_logical_replication_slot('slot', 'pgoutput');",
    "SELECT pg_drop_replication_slot('slot');",
    'SELECT pg_switch_wal();',
    'SELECT pg_stat_reset();',
    { sql: 'SELECT pg_advisory_lock(42);', marked: 'pg_advisory_lock' },
    'SELECT Pg_Try_Advisory_Lock_Shared(1, 2);',
    "LOAD 'auto_explain';",
    // Nested: in a CTE, a subquery, an argument, a DELETE's WHERE, VALUES, CALL.
    {
      sql: 'WITH gone AS (SELECT pg_terminate_backend(pid) FROM pg_stat_activity) SELECT count(*) FROM gone;',
      marked: 'pg_terminate_backend',
    },
    { sql: "SELECT * FROM orders WHERE id IN (SELECT x FROM dblink('c', 'SELECT 1') AS t(x int));", marked: 'dblink' },
    { sql: "SELECT coalesce(lo_export(oid, '/tmp/x'), 0) FROM pg_largeobject_metadata;", marked: 'lo_export' },
    { sql: 'DELETE FROM jobs WHERE id = 1 AND pg_cancel_backend(worker_pid);', marked: 'pg_cancel_backend' },
    { sql: "INSERT INTO audit (ok) VALUES (dblink_exec('c', 'VACUUM'));", marked: 'dblink_exec' },
    { sql: "CALL archive(dblink_exec('c', 'TRUNCATE t'));", marked: 'dblink_exec' },
    { sql: 'EXPLAIN ANALYZE SELECT pg_advisory_lock(1);', marked: 'pg_advisory_lock' },
    { sql: 'CREATE TABLE copy_of AS SELECT pg_advisory_lock(id) FROM orders;', marked: 'pg_advisory_lock' },
    // A file named by a psql variable.
    { sql: "\\set out '/tmp/orders.csv'\ncopy orders to :'out' csv;", marked: "to :'out'" },
    // A DO block runs its body at once.
    { sql: 'DO $$\nBEGIN\n  PERFORM pg_terminate_backend(pid) FROM pg_stat_activity;\nEND\n$$;', marked: 'pg_terminate_backend' },
    {
      sql: "DO $body$ BEGIN IF true THEN COPY orders TO PROGRAM 'gzip > /tmp/o.gz'; END IF; END $body$;",
      marked: "TO PROGRAM 'gzip > /tmp/o.gz'",
    },
    {
      sql: "DO LANGUAGE plpgsql $$ DECLARE r record; BEGIN FOR r IN SELECT dblink_exec('c', 'x') LOOP END LOOP; END $$;",
      marked: 'dblink_exec',
    },
    { sql: "DO 'BEGIN PERFORM pg_advisory_lock(1); END';", marked: "'BEGIN PERFORM pg_advisory_lock(1); END'" },
    // Still flagged inside a transaction: a rollback is exactly what does not help.
    { sql: "BEGIN;\nCOPY orders TO PROGRAM 'cat > /tmp/o';\nROLLBACK;", marked: "TO PROGRAM 'cat > /tmp/o'" },
    // Statements the grammar rejects: read from their tokens.
    { sql: "COPY orders TO PROGRAM 'gzip > /tmp/o.gz' WITH (FORMAT csv;", marked: "TO PROGRAM 'gzip > /tmp/o.gz'" },
    { sql: "SELECT dblink_exec('c', 'DELETE FROM t' ;", marked: 'dblink_exec' },
    { sql: 'SELECT pg_catalog.pg_terminate_backend(pid) FROM pg_stat_activity WHERE;', marked: 'pg_catalog.pg_terminate_backend' },
    // Sequences: reported too (as info).
    { sql: "SELECT nextval('orders_id_seq');", marked: 'nextval' },
    { sql: "SELECT pg_catalog.setval('orders_id_seq', 42, true);", marked: 'pg_catalog.setval' },
    { sql: "INSERT INTO orders (id) VALUES (NEXTVAL('orders_id_seq'::regclass));", marked: 'NEXTVAL' },
    { sql: "ALTER TABLE orders ADD COLUMN seq bigint DEFAULT nextval('order_seq');", marked: 'nextval' },
  ],
  ok: [
    // COPY with the client's streams, and reads of server files: nothing is left behind.
    'COPY orders TO STDOUT WITH (FORMAT csv);',
    'COPY orders FROM STDIN;\n1\tx\n\\.\n',
    "COPY orders FROM '/tmp/orders.csv' WITH (FORMAT csv);",
    "SELECT lo_import('/tmp/blob.bin');",
    "\\set in '/tmp/orders.csv'\ncopy orders from :'in' csv;",
    "SELECT pg_read_file('postgresql.conf');",
    // Transactional: undone by the rollback.
    'SELECT pg_advisory_xact_lock(42);',
    'SELECT pg_try_advisory_xact_lock_shared(42);',
    "SELECT pg_notify('orders', 'changed');",
    "NOTIFY orders, 'changed';",
    'ALTER SEQUENCE orders_id_seq RESTART WITH 1;',
    'TRUNCATE orders RESTART IDENTITY;',
    "SELECT currval('orders_id_seq'), lastval();",
    // Names in strings, comments, identifiers and definitions.
    "SELECT 'pg_terminate_backend(1)' AS hint;",
    "SELECT $$ COPY t TO PROGRAM 'rm -rf /' $$;",
    '-- SELECT pg_terminate_backend(pid);\nSELECT 1;',
    "/* COPY orders TO PROGRAM 'x'; */ SELECT 1;",
    'SELECT nextval_total, dblink FROM stats;',
    'SELECT "pg_terminate_backend"."pid" FROM "pg_terminate_backend";',
    'SELECT "NEXTVAL"(1);',
    "CREATE TABLE orders (id bigint DEFAULT nextval('orders_id_seq'));",
    "ALTER TABLE orders ALTER COLUMN id SET DEFAULT nextval('orders_id_seq');",
    "CREATE VIEW next_order AS SELECT nextval('orders_id_seq');",
    'CREATE FUNCTION kill(p int) RETURNS bool LANGUAGE sql AS $$ SELECT pg_terminate_backend(p) $$;',
    "CREATE FUNCTION next_id() RETURNS bigint LANGUAGE sql BEGIN ATOMIC SELECT nextval('s'); END;",
    "CREATE TRIGGER t BEFORE INSERT ON orders FOR EACH ROW WHEN (nextval('s') > 0) EXECUTE FUNCTION f();",
    'GRANT EXECUTE ON FUNCTION pg_terminate_backend(integer) TO ops;',
    'DROP FUNCTION IF EXISTS dblink_exec(text, text);',
    'PREPARE kill(int) AS SELECT pg_terminate_backend($1);',
    'EXPLAIN SELECT pg_terminate_backend(pid) FROM pg_stat_activity;',
    "CREATE TABLE snapshot_of AS SELECT nextval('s') WITH NO DATA;",
    'COPY (SELECT 1) TO STDOUT;',
    // Suppressed, with a reason.
    'SELECT pg_reload_conf(); -- safesql-ignore irreversible-effect -- after editing pg_hba.conf',
    "-- safesql-ignore-file irreversible-effect -- a dump restore\nSELECT pg_catalog.setval('s', 1, true);",
    // In a DO block: strings, comments, dynamic SQL, definitions, transactional locks, other languages.
    "DO $$ BEGIN RAISE NOTICE 'pg_terminate_backend(%)', 1; -- pg_cancel_backend(1)\nEND $$;",
    "DO $$ BEGIN EXECUTE 'SELECT pg_reload_conf()'; END $$;",
    "DO $$ BEGIN CREATE TABLE ids (id bigint DEFAULT nextval('ids_seq')); END $$;",
    'DO $$ BEGIN PERFORM pg_advisory_xact_lock(1); END $$;',
    'DO LANGUAGE plperl $$ pg_terminate_backend(1) $$;',
  ],
});

describe('irreversible-effect findings', () => {
  before(() => loadGrammar());

  it('state the consequence, with the remedy apart', () => {
    const [finding] = lintSql("COPY orders TO PROGRAM 'gzip > /tmp/o.gz';").findings.filter((f) => f.rule === 'irreversible-effect');
    assert.equal(
      finding!.message,
      'A preview cannot take this back: COPY … TO PROGRAM runs a program on the database server even inside a transaction that is rolled back.',
    );
    assert.equal(finding!.severity, 'warning');
    assert.match(finding!.help, /\\copy/);
  });

  it('report sequences as info, whatever the rule severity, naming the sequence', () => {
    const settings: LintSettings = { rules: { 'irreversible-effect': 'error' }, connections: [] };
    const findings = lintSql("SELECT nextval('orders_id_seq'), pg_advisory_lock(1);", { settings }).findings.filter(
      (f) => f.rule === 'irreversible-effect',
    );
    assert.deepEqual(
      findings.map((f) => [f.severity, f.message]),
      [
        ['info', 'nextval() advances the sequence orders_id_seq, and sequences are not rolled back: a preview moves it too.'],
        [
          'error',
          'A preview cannot take this back: pg_advisory_lock() takes a session-level lock that outlives the rollback even inside a transaction that is rolled back.',
        ],
      ],
    );
  });

  it('one finding per call, in text order', () => {
    const { marked, findings } = lintSql("SELECT pg_cancel_backend(1), (SELECT pg_terminate_backend(2)), dblink_exec('c', 'x');");
    assert.deepEqual(
      marked.filter((_, i) => findings[i]!.rule === 'irreversible-effect'),
      ['pg_cancel_backend', 'pg_terminate_backend', 'dblink_exec'],
    );
  });
});
