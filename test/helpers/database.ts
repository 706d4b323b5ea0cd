import { Client } from 'pg';

export interface TestDatabase {
  client: Client;
  /** Where the statements run, for test names and messages (never a password). */
  description: string;
  close(): Promise<void>;
}

/**
 * A real PostgreSQL for tests: the server at DATABASE_URL when it is set (CI sets the local one),
 * otherwise an embedded PGlite served over a socket, so `npm test` passes on any machine.
 */
export async function openTestDatabase(): Promise<TestDatabase> {
  const url = process.env.DATABASE_URL;
  if (url) {
    const client = new Client({ connectionString: url });
    await client.connect();
    const { rows } = await client.query<{ version: string }>('SHOW server_version');
    return { client, description: `PostgreSQL ${rows[0]!.version} at DATABASE_URL`, close: () => client.end() };
  }
  const { PGlite } = await import('@electric-sql/pglite');
  const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket');
  const db = await PGlite.create();
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0 });
  await server.start();
  const client = new Client({ connectionString: `postgres://postgres@${server.getServerConn()}/postgres` });
  await client.connect();
  const { rows } = await client.query<{ version: string }>('SHOW server_version');
  return {
    client,
    description: `embedded PGlite (PostgreSQL ${rows[0]!.version})`,
    close: async () => {
      await client.end();
      await server.stop();
      await db.close();
    },
  };
}
