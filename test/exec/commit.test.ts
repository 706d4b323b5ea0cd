import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { Client } from 'pg';
import { commit } from '../../server/src/exec/commit';
import { Journal, type JournalEntry } from '../../server/src/exec/journal';
import { preview, type ExecContext } from '../../server/src/exec/preview';
import { reversalOf } from '../../server/src/exec/reversal';
import { commitUndo, previewUndo, undoPlan, undoRefusal } from '../../server/src/exec/undo';
import { loadGrammar } from '../../server/src/sql/grammar';
import { createSchema, openTestDatabase, schemaChecksum, type TestDatabase } from '../helpers/database';
import { contextFor, temporaryJournal, unitOf } from '../helpers/exec';

describe('commit reproduces its preview or refuses; undo restores the exact rows', () => {
  let db: TestDatabase;
  let schema: Awaited<ReturnType<typeof createSchema>>;
  let s: string;
  let journal: Journal;
  let context: ExecContext;

  before(async () => {
    await loadGrammar();
    db = await openTestDatabase();
    schema = await createSchema(db.client, 'commit');
    s = schema.name;
    context = contextFor(db.url);
  });
  after(async () => {
    await schema?.drop();
    await db?.close();
  });
  beforeEach(async () => {
    journal = temporaryJournal();
    // Types whose text form is easy to get wrong: quotes, backslashes, NULLs, arrays, JSON, bytea,
    // time zones, padded char, floats, booleans, identity and generated columns.
    await db.client.query(`
      DROP TABLE IF EXISTS ${s}.items, ${s}.log;
      CREATE TABLE ${s}.items (
        id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        name text, code char(5), price numeric(12,4), ratio float8, active boolean,
        tags text[], doc jsonb, raw bytea, at timestamptz, span interval,
        total numeric GENERATED ALWAYS AS (price * 2) STORED);
      CREATE TABLE ${s}.log (line text);
      INSERT INTO ${s}.items (name, code, price, ratio, active, tags, doc, raw, at, span)
        SELECT CASE g % 4 WHEN 0 THEN NULL WHEN 1 THEN 'it''s "quoted" \\ back' ELSE 'item ' || g END,
               'c' || g % 7, g * 1.0625, g / 3.0, g % 2 = 0, ARRAY['a', NULL, 'b,' || g], jsonb_build_object('g', g, 'nested', jsonb_build_array(g, null)),
               decode(lpad(to_hex(g), 4, '0'), 'hex'), timestamptz '2026-03-29 01:30:00+01' + g * interval '17 minutes', g * interval '1 day 3 hours'
          FROM generate_series(1, 60) g;
      INSERT INTO ${s}.log SELECT 'line ' || g FROM generate_series(1, 5) g;`);
  });

  async function previewAndCommit(sql: string, request: { confirmation?: string } = {}, ctx = context) {
    const { document, unit } = unitOf(sql);
    const previewed = await preview(document, unit, ctx);
    assert.equal(previewed.outcome, 'ok', JSON.stringify(previewed.error));
    const committed = await commit(document, unit, { preview: previewed, journal, ...request }, ctx);
    return { previewed, committed };
  }

  async function undoLast(ctx = context) {
    const entry = (await journal.find())!;
    assert.equal(undoRefusal(entry), undefined);
    const plan = undoPlan(entry);
    const checked = await previewUndo(plan, ctx);
    assert.equal(checked.mismatch, undefined);
    return commitUndo(plan, checked, { journal }, ctx);
  }

  it('commits a DELETE, then undo puts back exactly the deleted rows', async () => {
    const original = await schemaChecksum(db.client, s);
    const { previewed, committed } = await previewAndCommit(`DELETE FROM ${s}.items WHERE id % 3 = 0;`);
    assert.equal(committed.outcome, 'committed', committed.reason);
    assert.equal(committed.affectedRows, previewed.affectedRows);
    assert.equal(committed.affectedRows, 20);
    const { rows } = await db.client.query(`SELECT count(*)::int AS n FROM ${s}.items`);
    assert.equal(rows[0].n, 40);
    const undone = await undoLast();
    assert.equal(undone.outcome, 'committed', undone.reason ?? JSON.stringify(undone.error));
    assert.deepEqual(await schemaChecksum(db.client, s), original);
  });

  it('undoes an entry written before the reversal was built at undo time, from the reversal it holds', async () => {
    const original = await schemaChecksum(db.client, s);
    const { committed } = await previewAndCommit(`UPDATE ${s}.items SET name = name || '!', price = price + 1 WHERE id <= 7;`);
    assert.equal(committed.outcome, 'committed', committed.reason);
    const [line, outcome] = readFileSync(journal.path, 'utf8').trim().split('\n');
    const entry = JSON.parse(line!) as JournalEntry & { type: 'entry' };
    // The shape such entries have: the reversal stored, no layout, availability or settings beside the images.
    const reversal = reversalOf(entry);
    assert.equal(reversal.possible, true);
    assert.ok(reversal.statements.some((step) => step.expectedRows === 7));
    const { undo: _undo, outputSettings: _settings, ...older } = entry;
    const written = { ...older, images: entry.images.map(({ layout: _layout, ...image }) => image), reversal };
    writeFileSync(journal.path, `${JSON.stringify(written)}\n${outcome}\n`);
    const listed = (await journal.find())!;
    assert.equal(listed.images[0]!.layout, undefined);
    assert.deepEqual(reversalOf(listed), reversal);
    const undone = await undoLast();
    assert.equal(undone.outcome, 'committed', undone.reason ?? JSON.stringify(undone.error));
    assert.deepEqual(await schemaChecksum(db.client, s), original);
  });

  it('commits an UPDATE (even of the primary key), then undo sets every value back', async () => {
    const original = await schemaChecksum(db.client, s);
    const { committed } = await previewAndCommit(
      `UPDATE ${s}.items SET name = upper(name), price = price + 1, tags = NULL, doc = doc || '{"x": 1}', raw = '\\xff', at = at + interval '1 hour', active = NOT active WHERE id <= 25;`,
    );
    assert.equal(committed.outcome, 'committed', committed.reason);
    assert.notDeepEqual(await schemaChecksum(db.client, s), original);
    const undone = await undoLast();
    assert.equal(undone.outcome, 'committed', undone.reason ?? JSON.stringify(undone.error));
    assert.deepEqual(await schemaChecksum(db.client, s), original);

    await db.client.query(
      `CREATE TABLE ${s}.keys (k int PRIMARY KEY, v text); INSERT INTO ${s}.keys SELECT g, 'v' || g FROM generate_series(1, 10) g`,
    );
    const keys = await schemaChecksum(db.client, s);
    assert.equal((await previewAndCommit(`UPDATE ${s}.keys SET k = k + 100 WHERE k <= 5;`)).committed.outcome, 'committed');
    assert.equal((await undoLast()).outcome, 'committed');
    assert.deepEqual(await schemaChecksum(db.client, s), keys);
    await db.client.query(`DROP TABLE ${s}.keys`);
  });

  it('commits an INSERT and a block, then undo removes what they added, in reverse order', async () => {
    const original = await schemaChecksum(db.client, s);
    const { committed } = await previewAndCommit(
      `BEGIN;\nINSERT INTO ${s}.items (name, price) VALUES ('new', 1), ('newer', 2);\nUPDATE ${s}.items SET price = 0 WHERE name LIKE 'new%';\nDELETE FROM ${s}.items WHERE id = 1;\nCOMMIT;`,
    );
    assert.equal(committed.outcome, 'committed', committed.reason);
    assert.equal(committed.affectedRows, 5);
    const undone = await undoLast();
    assert.equal(undone.outcome, 'committed', undone.reason ?? JSON.stringify(undone.error));
    assert.deepEqual(await schemaChecksum(db.client, s), original);
    // The undo is itself journaled, and the entry it undid says so.
    const entries = await journal.list();
    assert.equal(entries.length, 2);
    assert.equal(entries[0]!.undoneBy, entries[1]!.id);
    assert.match(undoRefusal(entries[0]!)!, /already undone/);
  });

  it('refuses when a concurrent write changes what the statement would touch, and changes nothing', async () => {
    const sql = `DELETE FROM ${s}.items WHERE price < 10;`;
    const { document, unit } = unitOf(sql);
    const previewed = await preview(document, unit, context);
    assert.equal(previewed.affectedRows, 9);
    const other = new Client({ connectionString: db.url });
    await other.connect();
    await other.query(`INSERT INTO ${s}.items (name, price) VALUES ('arrived meanwhile', 5)`);
    await other.end();
    const before = await schemaChecksum(db.client, s);
    const committed = await commit(document, unit, { preview: previewed, journal }, context);
    assert.equal(committed.outcome, 'refused');
    assert.match(committed.reason!, /now changes 10 rows, but the preview showed 9/);
    assert.deepEqual(await schemaChecksum(db.client, s), before);
    assert.deepEqual(await journal.list(), []);
  });

  it('refuses a changed statement, another connection, a stale preview, a read, a block without COMMIT', async () => {
    const original = await schemaChecksum(db.client, s);
    const { document, unit } = unitOf(`DELETE FROM ${s}.items WHERE id = 1;`);
    const previewed = await preview(document, unit, context);
    const edited = unitOf(`DELETE FROM ${s}.items WHERE id = 2;`);
    const refusals = [
      await commit(edited.document, edited.unit, { preview: previewed, journal }, context),
      await commit(document, unit, { preview: previewed, journal }, contextFor(db.url, { name: 'other' })),
      await commit(document, unit, { preview: { ...previewed, at: new Date(Date.now() - 3_600_000).toISOString() }, journal }, context),
      await commit(document, unit, { preview: previewed, journal, expectRows: 2 }, context),
    ];
    assert.deepEqual(
      refusals.map((r) => [r.outcome, /changed since its preview|ran on test|s old|not the 2 expected/.test(r.reason!)]),
      Array(4).fill(['refused', true]),
      refusals.map((r) => r.reason).join('\n'),
    );
    const read = unitOf(`SELECT * FROM ${s}.items;`);
    const readPreview = await preview(read.document, read.unit, context);
    assert.match((await commit(read.document, read.unit, { preview: readPreview, journal }, context)).reason!, /only reads/);
    const open = unitOf(`BEGIN;\nDELETE FROM ${s}.items WHERE id = 1;`);
    const openPreview = await preview(open.document, open.unit, context);
    assert.match((await commit(open.document, open.unit, { preview: openPreview, journal }, context)).reason!, /has no COMMIT/);
    assert.deepEqual(await schemaChecksum(db.client, s), original);
  });

  it('production needs the connection name typed; a server mapped to production counts as production', async () => {
    const original = await schemaChecksum(db.client, s);
    const probe = unitOf(`DELETE FROM ${s}.log WHERE line = 'line 1';`);
    const fingerprint = (await preview(probe.document, probe.unit, context)).server.fingerprint;
    // Labelled development, but the team mapped this server to production.
    const mapped = contextFor(db.url, { name: 'dev-box', environment: 'development' }, { environments: { [fingerprint]: 'production' } });
    const { document, unit } = probe;
    const previewed = await preview(document, unit, mapped);
    assert.equal(previewed.environment.environment, 'production');
    assert.match(previewed.environment.reasons.join(' '), /mapped to production in safesql\.environments/);
    const unconfirmed = await commit(document, unit, { preview: previewed, journal }, mapped);
    const mistyped = await commit(document, unit, { preview: previewed, journal, confirmation: 'dev' }, mapped);
    assert.equal(unconfirmed.outcome, 'refused');
    assert.match(unconfirmed.reason!, /type its name/);
    assert.match(mistyped.reason!, /does not match/);
    assert.deepEqual(await schemaChecksum(db.client, s), original);
    const confirmed = await commit(document, unit, { preview: previewed, journal, confirmation: 'dev-box' }, mapped);
    assert.equal(confirmed.outcome, 'committed', confirmed.reason);
    assert.equal(confirmed.affectedRows, 1);
  });

  it('refuses more rows than safesql.maxAffectedRows allows for the environment', async () => {
    const original = await schemaChecksum(db.client, s);
    const capped = contextFor(db.url, { environment: 'staging' }, { maxAffectedRows: { staging: 10 } });
    const { document, unit } = unitOf(`UPDATE ${s}.items SET active = true WHERE id <= 11;`);
    const previewed = await preview(document, unit, capped);
    const result = await commit(document, unit, { preview: previewed, journal }, capped);
    assert.equal(result.outcome, 'refused');
    assert.match(result.reason!, /more than the 10 that safesql\.maxAffectedRows allows on staging/);
    assert.deepEqual(await schemaChecksum(db.client, s), original);
  });

  it('commits nothing when the journal cannot be written', async (t) => {
    if (process.getuid?.() === 0) return t.skip('root can write into a read-only directory');
    const original = await schemaChecksum(db.client, s);
    const directory = mkdtempSync(join(tmpdir(), 'safesql-readonly-'));
    chmodSync(directory, 0o500);
    const { document, unit } = unitOf(`DELETE FROM ${s}.items WHERE id = 5;`);
    const previewed = await preview(document, unit, context);
    const result = await commit(document, unit, { preview: previewed, journal: Journal.inDirectory(directory) }, context);
    assert.equal(result.outcome, 'refused');
    assert.match(result.reason!, /journal could not be written/);
    assert.deepEqual(await schemaChecksum(db.client, s), original);
  });

  it('commits nothing when the journal path is unusable (even as root)', async () => {
    const original = await schemaChecksum(db.client, s);
    const { document, unit } = unitOf(`DELETE FROM ${s}.items WHERE id = 5;`);
    const previewed = await preview(document, unit, context);
    // A journal whose file would have to live inside /dev/null cannot be created by anyone.
    const result = await commit(document, unit, { preview: previewed, journal: new Journal('/dev/null/journal.jsonl') }, context);
    assert.equal(result.outcome, 'refused');
    assert.match(result.reason!, /journal could not be written/);
    assert.deepEqual(await schemaChecksum(db.client, s), original);
  });

  it('undo refuses when the rows were changed after the commit', async () => {
    const { committed } = await previewAndCommit(`UPDATE ${s}.items SET price = 999 WHERE id <= 3;`);
    assert.equal(committed.outcome, 'committed');
    await db.client.query(`UPDATE ${s}.items SET price = 1000 WHERE id = 2`);
    const changed = await schemaChecksum(db.client, s);
    const entry = (await journal.find())!;
    const plan = undoPlan(entry);
    const checked = await previewUndo(plan, context);
    assert.match(checked.mismatch!, /would change 2 rows where the commit changed 3/);
    const result = await commitUndo(plan, checked, { journal }, context);
    assert.equal(result.outcome, 'refused');
    assert.deepEqual(await schemaChecksum(db.client, s), changed);
  });

  it('says before the commit that an UPDATE of a table without a primary key cannot be undone, and journals it anyway', async () => {
    const { previewed, committed } = await previewAndCommit(`UPDATE ${s}.log SET line = line || '!';`);
    assert.equal(previewed.undo.possible, false);
    assert.match(previewed.undo.reason, /no primary key/);
    assert.equal(committed.outcome, 'committed');
    const entry = (await journal.find(committed.journalId))!;
    assert.equal(entry.images[0]!.before!.length, 5);
    assert.match(undoRefusal(entry)!, /cannot be undone/);
  });

  it('runs a statement that cannot be previewed only with explicit confirmation', async () => {
    const { document, unit } = unitOf(`VACUUM ${s}.log;`);
    const previewed = await preview(document, unit, context);
    assert.equal(previewed.outcome, 'not-previewable');
    const refused = await commit(document, unit, { preview: previewed, journal }, context);
    assert.match(refused.reason!, /explicit confirmation/);
    const ran = await commit(document, unit, { preview: previewed, journal, withoutPreview: true }, context);
    assert.equal(ran.outcome, 'committed', ran.reason ?? JSON.stringify(ran.error));
    assert.equal(ran.statements[0]!.command, 'VACUUM');
    const [entry] = await journal.list();
    assert.equal(entry!.status, 'committed');
    assert.equal(reversalOf(entry!).possible, false);
  });

  it('a commit interrupted between journal and COMMIT is listed as pending', async () => {
    const entryOnly = temporaryJournal();
    const { document, unit } = unitOf(`DELETE FROM ${s}.items WHERE id = 7;`);
    const previewed = await preview(document, unit, context);
    const committed = await commit(document, unit, { preview: previewed, journal: entryOnly }, context);
    const [entry] = await entryOnly.list();
    assert.equal(entry!.id, committed.journalId);
    // Rewrite the journal without its outcome line, as a crash right before COMMIT would leave it.
    writeFileSync(entryOnly.path, readFileSync(entryOnly.path, 'utf8').split('\n')[0] + '\n');
    const [pending] = await entryOnly.list();
    assert.equal(pending!.status, 'pending');
    assert.match(undoRefusal(pending!)!, /was not committed \(pending/);
  });
});
