// An embedded PostgreSQL (PGlite) served over a socket, in its own process: a statement that keeps
// PGlite busy (pg_sleep) must not freeze the test that waits on it. Prints "PORT <n>" when ready;
// stops when its parent closes stdin.
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

async function serve(): Promise<void> {
  const db = await PGlite.create();
  // Several connections share PGlite's one session; the socket server queues each transaction's
  // statements until it ends, which is what separate PostgreSQL sessions would see.
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 16 });
  await server.start();
  process.stdout.write(`PORT ${server.getServerConn().split(':').pop()}\n`);
  process.stdin.resume();
  process.stdin.on('end', async () => {
    await server.stop();
    await db.close();
    process.exit(0);
  });
}

void serve();
