import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client } from 'pg';
import { renderPreview } from '../../client/src/preview/render';
import { formatPreview } from '../../server/src/cli/execReport';
import { commit } from '../../server/src/exec/commit';
import { preview, type ExecContext } from '../../server/src/exec/preview';
import { loadGrammar } from '../../server/src/sql/grammar';
import { createSchema, openTestDatabase, schemaChecksum, type TestDatabase } from '../helpers/database';
import { contextFor, temporaryJournal, unitOf } from '../helpers/exec';
import { passwordClusterUnavailable, startPasswordCluster } from '../helpers/passwordCluster';

/**
 * The incident's question, which a row count never answers: were these rows all written by the load
 * being cleaned up, or are some of them somebody else's? A day's load is one transaction; rows
 * typed in by hand are transactions of their own.
 */
describe('the preview says where the rows it changes came from', () => {
  let db: TestDatabase;
  let schema: Awaited<ReturnType<typeof createSchema>>;
  let s: string;
  let context: ExecContext;

  /** One load of 200 rows, then three rows typed in by hand, each its own transaction. */
  async function loadThenByHand(client: Client, table: string): Promise<void> {
    await client.query(`DROP TABLE IF EXISTS ${table}; CREATE TABLE ${table} (id int PRIMARY KEY, source text, day date)`);
    await client.query(`INSERT INTO ${table} SELECT g, 'load', date '2026-11-30' FROM generate_series(1, 200) g`);
    for (const id of [1001, 1002, 1003]) await client.query(`INSERT INTO ${table} VALUES (${id}, 'typed in', date '2026-11-30')`);
  }

  before(async () => {
    await loadGrammar();
    db = await openTestDatabase();
    schema = await createSchema(db.client, 'origin');
    s = schema.name;
    context = contextFor(db.url, { environment: 'local' });
  });
  after(async () => {
    await schema?.drop();
    await db?.close();
  });

  it('groups a DELETE’s rows by the transaction that wrote them, and shows the rows outside the load', async () => {
    await loadThenByHand(db.client, `${s}.orders`);
    const state = await schemaChecksum(db.client, s);
    const { document, unit } = unitOf(`DELETE FROM ${s}.orders WHERE day = '2026-11-30';`);
    const result = await preview(document, unit, context);
    assert.equal(result.outcome, 'ok', JSON.stringify(result.error));
    assert.deepEqual(await schemaChecksum(db.client, s), state, 'the preview changed nothing');
    const provenance = result.statements[0]!.provenance!;
    assert.ok(provenance, 'the preview carries the origin of the rows');
    assert.equal(provenance.transactions, 4);
    assert.deepEqual(
      provenance.groups.map((g) => g.rows),
      [200, 1, 1, 1],
    );
    assert.deepEqual(provenance.smallGroupRows?.rows.map((row) => row[1]).sort(), ['typed in', 'typed in', 'typed in']);
    assert.match(provenance.summary[0]!, /^200 rows were last written by one transaction; 3 rows by 3 other transactions/);
    assert.match(provenance.summary.join('\n'), /may be of another origin/);
    if (!db.embedded) assert.match(provenance.summary.join('\n'), /track_commit_timestamp = off/);
    const text = formatPreview(result, undefined);
    assert.match(text, /origin: 200 rows were last written by one transaction/);
    assert.match(text, /rows outside the largest group of origin:[\s\S]*typed in/);
    const html = renderPreview(result, 'cleanup.sql');
    assert.match(html, /Where these rows came from/);
    assert.match(html, /Rows outside the largest group \(3 shown\)[\s\S]*typed in/);

    // The commit changes exactly these rows, so it repeats where they came from.
    const committed = await commit(document, unit, { preview: result, journal: temporaryJournal() }, context);
    assert.equal(committed.outcome, 'committed', committed.reason);
    assert.deepEqual(committed.statements[0]!.provenance, provenance);
  });

  it('says so when every row comes from one transaction, and groups an UPDATE’s rows too', async () => {
    await loadThenByHand(db.client, `${s}.items`);
    const loadOnly = unitOf(`DELETE FROM ${s}.items WHERE source = 'load';`);
    const one = await preview(loadOnly.document, loadOnly.unit, context);
    assert.match(one.statements[0]!.provenance!.summary[0]!, /^all 200 rows were last written by one transaction/);
    assert.doesNotMatch(one.statements[0]!.provenance!.summary.join('\n'), /another origin/);
    assert.equal(one.statements[0]!.provenance!.smallGroupRows, undefined);
    const { document, unit } = unitOf(`UPDATE ${s}.items SET source = source || '?' WHERE id > 150;`);
    const update = await preview(document, unit, context);
    assert.deepEqual(
      update.statements[0]!.provenance!.groups.map((g) => g.rows),
      [50, 1, 1, 1],
    );
  });

  it('dates the groups where the server records commit times', async (t) => {
    const unavailable = passwordClusterUnavailable();
    if (unavailable) return t.skip(unavailable);
    const password = `origin-${process.pid}`;
    const cluster = await startPasswordCluster(password, { track_commit_timestamp: 'on' });
    const url = `postgres://postgres:${password}@127.0.0.1:${cluster.port}/postgres`;
    const client = new Client({ connectionString: url });
    try {
      await client.connect();
      await loadThenByHand(client, 'public.orders');
      const { document, unit } = unitOf(`DELETE FROM public.orders;`);
      const result = await preview(document, unit, contextFor(url, { environment: 'local' }));
      assert.equal(result.outcome, 'ok', JSON.stringify(result.error));
      const provenance = result.statements[0]!.provenance!;
      assert.equal(provenance.timesRecorded, true);
      assert.ok(
        provenance.groups.every((g) => g.committedAt && !Number.isNaN(Date.parse(g.committedAt))),
        'every group has its commit time',
      );
      assert.ok(provenance.othersBetween && provenance.othersBetween.first <= provenance.othersBetween.last);
      assert.match(provenance.summary[0]!, /one transaction \(\d{4}-\d\d-\d\d .*\); 3 rows by 3 other transactions between /);
      assert.doesNotMatch(provenance.summary.join('\n'), /track_commit_timestamp/);
    } finally {
      await client.end().catch(() => undefined);
      cluster.stop();
    }
  });
});
