import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { join } from 'node:path';

const BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';

export interface PasswordCluster {
  port: number;
  user: string;
  /** Known to the test only: it must never show up in safesql's output. */
  password: string;
  /** Without the password. */
  url: string;
  stop(): void;
}

/** Why a throwaway cluster cannot be started here, or undefined when it can. */
export function passwordClusterUnavailable(): string | undefined {
  if (!existsSync(join(BIN, 'initdb'))) return `no ${BIN}/initdb (set PG_BIN)`;
  if (process.getuid?.() === 0) {
    try {
      execFileSync('id', ['postgres'], { stdio: 'ignore' });
    } catch {
      return 'running as root, and there is no postgres user to run initdb as';
    }
  }
  return undefined;
}

/**
 * A PostgreSQL cluster of its own on a free loopback port that demands a password (scram-sha-256)
 * for TCP connections, for tests of where the password comes from (and of server settings only a
 * restart changes, `settings`). initdb refuses to run as root,
 * so as root it runs as the `postgres` user. Stop it with `stop()`; it lives in a temp directory.
 */
export async function startPasswordCluster(password: string, settings: Record<string, string> = {}): Promise<PasswordCluster> {
  const directory = mkdtempSync(join(tmpdir(), 'safesql-pwcluster-'));
  const data = join(directory, 'data');
  const passwordFile = join(directory, 'pw');
  writeFileSync(passwordFile, password);
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(directory, uid, gid);
    chownSync(passwordFile, uid, gid);
  }
  chmodSync(passwordFile, 0o600);
  const run = (command: string, args: string[]) =>
    asRoot
      ? execFileSync('runuser', ['-u', 'postgres', '--', join(BIN, command), ...args], { stdio: 'pipe' })
      : execFileSync(join(BIN, command), args, { stdio: 'pipe' });
  run('initdb', [
    '-D',
    data,
    '-U',
    'postgres',
    '--auth-local=trust',
    '--auth-host=scram-sha-256',
    `--pwfile=${passwordFile}`,
    '-E',
    'UTF8',
  ]);
  rmSync(passwordFile);
  const port = await freePort();
  const extra = Object.entries(settings).map(([name, value]) => ` -c ${name}=${value}`);
  const options = `-c listen_addresses=127.0.0.1 -c port=${port} -c unix_socket_directories=${directory} -c fsync=off${extra.join('')}`;
  run('pg_ctl', ['-D', data, '-o', options, '-l', join(directory, 'log'), '-w', 'start']);
  return {
    port,
    user: 'postgres',
    password,
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop: () => {
      try {
        run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(directory, { recursive: true, force: true });
      }
    },
  };
}

/** A loopback port nobody listens on now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
    probe.on('error', reject);
  });
}
