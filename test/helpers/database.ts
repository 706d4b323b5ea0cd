import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { resolve } from 'node:path';
import { Client } from 'pg';

export interface TestDatabase {
  client: Client;
  /** A connection string for more connections (safesql's own, a concurrent writer); never with a password. */
  url: string;
  /** Where the statements run, for test names and messages. */
  description: string;
  /** PGlite is one session behind a queue: no cancel, no statement_timeout, no concurrent transactions. */
  embedded: boolean;
  close(): Promise<void>;
}

/**
 * A real PostgreSQL for tests: the server at DATABASE_URL when it is set (CI sets the local one),
 * otherwise an embedded PGlite served over a socket from a child process, so `npm test` passes on
 * any machine.
 */
export async function openTestDatabase(): Promise<TestDatabase> {
  const url = process.env.DATABASE_URL;
  if (url) {
    const client = await connect(url);
    const version = await serverVersion(client);
    return { client, url, description: `PostgreSQL ${version} at DATABASE_URL`, embedded: false, close: () => client.end() };
  }
  const server = spawn(process.execPath, ['--import', 'tsx', resolve(__dirname, 'pgliteServer.ts')], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const port = await readPort(server);
  const embeddedUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const client = await connect(embeddedUrl);
  const version = await serverVersion(client);
  return {
    client,
    url: embeddedUrl,
    description: `embedded PGlite (PostgreSQL ${version})`,
    embedded: true,
    close: async () => {
      await client.end();
      server.stdin!.end();
      await new Promise((done) => server.once('exit', done));
    },
  };
}

async function connect(url: string): Promise<Client> {
  const client = new Client({ connectionString: url });
  await client.connect();
  return client;
}

async function serverVersion(client: Client): Promise<string> {
  const { rows } = await client.query<{ server_version: string }>('SHOW server_version');
  return rows[0]!.server_version;
}

function readPort(server: ChildProcess): Promise<number> {
  return new Promise((done, fail) => {
    const lines = createInterface({ input: server.stdout! });
    lines.on('line', (line) => {
      const match = /^PORT (\d+)$/.exec(line);
      if (match) done(Number(match[1]));
    });
    server.once('exit', (code) => fail(new Error(`the embedded PostgreSQL stopped before it was ready (exit ${code})`)));
  });
}

/** A fresh schema for one test file, dropped by `drop`. */
export async function createSchema(client: Client, prefix: string): Promise<{ name: string; drop(): Promise<void> }> {
  const name = `${prefix}_${process.pid}_${Math.floor(Math.random() * 1e6)}`;
  await client.query(`CREATE SCHEMA ${name}`);
  return { name, drop: async () => void (await client.query(`DROP SCHEMA ${name} CASCADE`)) };
}

/**
 * Every table of a schema: its row count and a digest of its rows in a stable order. Equal
 * checksums before and after mean nothing changed.
 */
export async function schemaChecksum(client: Client, schema: string): Promise<Record<string, string>> {
  const { rows: tables } = await client.query<{ name: string }>(
    `SELECT format('%I.%I', schemaname, tablename) AS name FROM pg_tables WHERE schemaname = $1 ORDER BY tablename`,
    [schema],
  );
  const result: Record<string, string> = {};
  for (const { name } of tables) {
    const { rows } = await client.query<{ rows: string; digest: string }>(
      `SELECT count(*)::text AS rows, md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) AS digest FROM ${name} AS t`,
    );
    result[name] = `${rows[0]!.rows} rows, ${rows[0]!.digest}`;
  }
  return result;
}
