import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { createSchema, openTestDatabase, schemaChecksum, type TestDatabase } from '../helpers/database';

describe('a safesql process that dies mid-preview changes nothing', () => {
  let db: TestDatabase;
  let schema: Awaited<ReturnType<typeof createSchema>>;

  before(async () => {
    db = await openTestDatabase();
    schema = await createSchema(db.client, 'death');
    await db.client.query(`CREATE TABLE ${schema.name}.accounts (id int PRIMARY KEY, balance numeric);
      INSERT INTO ${schema.name}.accounts SELECT g, g * 10 FROM generate_series(1, 500) g;`);
  });
  after(async () => {
    await schema?.drop();
    await db?.close();
  });

  it('PostgreSQL rolls back the transaction of a killed client, and releases its locks', async () => {
    const original = await schemaChecksum(db.client, schema.name);
    // The block deletes every row, then waits: the kill lands after the DELETE, inside the transaction.
    // An unusual length, so that the check below finds this test's backend and no other.
    const sleepSeconds = db.embedded ? 3 : 31;
    const child = spawn(process.execPath, ['--import', 'tsx', resolve(__dirname, '../helpers/previewChild.ts')], {
      env: {
        ...process.env,
        SAFESQL_TEST_URL: db.url,
        SAFESQL_TEST_SQL: `BEGIN;\nDELETE FROM ${schema.name}.accounts;\nSELECT pg_sleep(${sleepSeconds});\nCOMMIT;`,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const lines = createInterface({ input: child.stdout! });
    const [first] = (await once(lines, 'line')) as [string];
    assert.equal(first, 'STARTED');
    await sleep(1500);
    child.kill('SIGKILL');
    await once(child, 'exit');

    if (!db.embedded) {
      // The server notices the dead client within a second (client_connection_check_interval), long
      // before the sleep would have ended, and the DELETE's row locks go with it.
      const deadline = Date.now() + 10_000;
      let remaining = 1;
      while (remaining > 0 && Date.now() < deadline) {
        const { rows } = await db.client.query(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'safesql' AND query LIKE '%pg_sleep(31)%'`,
        );
        remaining = rows[0].n;
        if (remaining > 0) await sleep(200);
      }
      assert.equal(remaining, 0, 'the killed client’s backend is still running');
      await db.client.query('BEGIN');
      await db.client.query(`SET LOCAL lock_timeout = '1s'`);
      const { rowCount } = await db.client.query(`SELECT * FROM ${schema.name}.accounts FOR UPDATE`);
      await db.client.query('ROLLBACK');
      assert.equal(rowCount, 500);
    }
    assert.deepEqual(await schemaChecksum(db.client, schema.name), original);
  });
});
