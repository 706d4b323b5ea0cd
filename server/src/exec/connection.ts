import { userInfo } from 'node:os';
import { createReadStream, stat } from 'node:fs';
import pgpass from 'pgpass';
import { getFileName, getPassword } from 'pgpass/lib/helper.js';
import { parse as parseConnectionString, toClientConfig } from 'pg-connection-string';
import type { ClientConfig } from 'pg';
import type { ConnectionSetting } from '../config/settings';
import { InputError } from '../config/inputError';
import type { ConnectionIdentity } from '../protocol';

/**
 * Where statements go: a named connection from settings, or one given on the command line. It never
 * holds a password; `PasswordSource` supplies one when the connection is opened.
 */
export type ConnectionTarget = ConnectionSetting;

export type { ConnectionIdentity };

/**
 * The editor's secret storage: asked first for a stored password, and last, after the URL,
 * PGPASSWORD and ~/.pgpass (what psql reads, and all the CLI has), to ask the user for one.
 */
export type PasswordSource = (identity: ConnectionIdentity, ask: boolean) => Promise<string | undefined>;

export interface ConnectionPlan {
  identity: ConnectionIdentity;
  config: ClientConfig;
}

const DEFAULT_PORT = 5432;

/**
 * Turns a connection into `pg` settings, filling what is missing from the PG* environment variables
 * psql users already have. A malformed connection string is an InputError that never echoes a password.
 */
export function planConnection(target: ConnectionTarget, passwords?: PasswordSource): ConnectionPlan {
  let fromUrl: ClientConfig = {};
  if (target.url) {
    try {
      decodeURIComponent(target.url);
      fromUrl = toClientConfig(parseConnectionString(target.url, { useLibpqCompat: true }));
    } catch (error) {
      throw new InputError(
        `connection "${target.name}": the connection string cannot be read (${redact((error as Error).message)}): use postgres://user@host:port/database`,
      );
    }
  }
  const env = process.env;
  const port = target.port || fromUrl.port || (env.PGPORT ? Number(env.PGPORT) : DEFAULT_PORT);
  if (!Number.isInteger(Number(port)) || Number(port) <= 0 || Number(port) > 65535) {
    throw new InputError(`connection "${target.name}": port ${JSON.stringify(port)} is not a port number`);
  }
  // `postgres:///db` leaves host and user empty: like libpq, fall back to the environment then.
  const identity: ConnectionIdentity = {
    name: target.name,
    host: target.host || fromUrl.host || env.PGHOST || 'localhost',
    port: Number(port),
    user: target.user || fromUrl.user || env.PGUSER || userInfo().username,
    database: '',
  };
  identity.database = target.database || fromUrl.database || env.PGDATABASE || identity.user;

  // Like libpq, an empty password is no password: `postgres://user:@host/db` (or a bare
  // PGPASSWORD=) must fall through to the next source, not be sent and refused.
  const urlPassword = nonEmpty(fromUrl.password);
  const { password: _fromUrl, ...withoutUrlPassword } = fromUrl;
  const config: ClientConfig = {
    ...withoutUrlPassword,
    host: identity.host,
    port: identity.port,
    user: identity.user,
    database: identity.database,
    ssl: sslFor(target.sslmode ?? env.PGSSLMODE, fromUrl.ssl),
    application_name: 'safesql',
    connectionTimeoutMillis: 10_000,
    // pg calls this only when the server asks for a password.
    password: async () =>
      nonEmpty(await passwords?.(identity, false)) ??
      urlPassword ??
      nonEmpty(env.PGPASSWORD) ??
      nonEmpty(await passwordFile(identity)) ??
      (await passwords?.(identity, true)) ??
      '',
  };
  return { identity, config };
}

function sslFor(mode: string | undefined, fromUrl: ClientConfig['ssl']): ClientConfig['ssl'] {
  switch (mode) {
    case 'require':
      return { rejectUnauthorized: false };
    case 'verify-ca':
      return { rejectUnauthorized: true, checkServerIdentity: () => undefined };
    case 'verify-full':
      return { rejectUnauthorized: true };
    case 'disable':
    case 'allow':
    case 'prefer':
      return false;
    default:
      return fromUrl ?? false;
  }
}

function nonEmpty(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function passwordFile(identity: ConnectionIdentity): Promise<string | undefined> {
  if (process.env.PGPASSWORD !== '') return new Promise((resolve) => pgpass({ ...identity }, resolve));
  // pgpass skips the file whenever PGPASSWORD is set, even to nothing; libpq reads it then, and so do we,
  // with libpq's rule that a file others can read is ignored.
  const file = getFileName();
  return new Promise((resolve) =>
    stat(file, (error, stats) => {
      if (error || !stats.isFile() || (process.platform !== 'win32' && (stats.mode & 0o077) !== 0)) return resolve(undefined);
      getPassword({ ...identity }, createReadStream(file), resolve);
    }),
  );
}

/** `user@host:port/database`, the way connections are shown everywhere. */
export function describeIdentity(identity: ConnectionIdentity): string {
  return `${identity.user}@${identity.host}:${identity.port}/${identity.database}`;
}

/**
 * The key of everything remembered per identity (a stored password, "you have used this before"):
 * user, host, port and database, unambiguously. `user@host:port/database` is not a key: `a@b` at
 * `c` and `a` at `b@c` would share one, and a workspace could name the other to receive a secret.
 */
export function identityKey(identity: Pick<ConnectionIdentity, 'user' | 'host' | 'port' | 'database'>): string {
  return JSON.stringify([identity.user, identity.host, identity.port, identity.database]);
}

/**
 * The key secrets were stored under before identityKey (`user@host:port/database`), only where it
 * can belong to this identity alone: with no `@`, `:` or `/` in user, host or database, the string
 * splits one way only, so a secret found under it was stored for exactly this identity.
 */
export function legacyIdentityKey(identity: Pick<ConnectionIdentity, 'user' | 'host' | 'port' | 'database'>): string | undefined {
  const plain = [identity.user, identity.host, identity.database].every((part) => !/[@:/]/.test(part));
  return plain ? `${identity.user}@${identity.host}:${identity.port}/${identity.database}` : undefined;
}

export function sameIdentity(a: ConnectionIdentity, b: ConnectionIdentity): boolean {
  return a.name === b.name && a.host === b.host && a.port === b.port && a.database === b.database && a.user === b.user;
}

/** Removes anything that could be a password from a message that may quote a connection string. */
export function redact(text: string): string {
  return text.replace(/(\/\/[^:/?#@\s]*:)[^@/\s]*@/g, '$1***@').replace(/(password=)[^&\s]*/gi, '$1***');
}

/** The connection string without its password, for commands shown to the user to copy. */
export function withoutPassword(url: string): string {
  return url
    .replace(/^([a-z]+:\/\/[^:/?#@]*):[^@/?#]*@/i, '$1@')
    .replace(/([?&])password=[^&]*&?/gi, '$1')
    .replace(/[?&]$/, '');
}
