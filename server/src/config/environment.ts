import { parse as parseConnectionString } from 'pg-connection-string';
import type { Environment } from '../protocol';
import { isEnvironment, type ConnectionSetting } from './settings';

export interface ResolvedEnvironment {
  environment: Environment;
  /** Why it is production when the declaration alone would not say so. */
  escalation?: string;
}

const LOOKS_LIKE_PRODUCTION = /(^|[^a-z0-9])(prod|prd|production|live)([^a-z0-9]|$)/i;

type Part = 'name' | 'host' | 'database' | 'user';

/**
 * The environment a connection must be treated as. An unknown or missing environment is
 * production, and a connection any part of which looks like production (its name, or the host,
 * database or user, whether written as fields or inside its `url`) is never weaker: the same
 * connection must count the same however it is written.
 */
export function resolveEnvironment(
  connection: Pick<ConnectionSetting, 'name' | 'environment' | 'host' | 'database' | 'user' | 'url'>,
): ResolvedEnvironment {
  if (!isEnvironment(connection.environment)) {
    const declared =
      connection.environment === undefined ? 'has no environment' : `has the unknown environment "${connection.environment}"`;
    return { environment: 'production', escalation: `connection "${connection.name}" ${declared}, so it counts as production` };
  }
  if (connection.environment === 'production') return { environment: 'production' };
  const parts: [Part, string | undefined | null][] = [
    ['name', connection.name],
    ['host', connection.host],
    ['database', connection.database],
    ['user', connection.user],
  ];
  if (connection.url) {
    const fromUrl = urlParts(connection.url);
    if (!fromUrl) {
      return {
        environment: 'production',
        escalation: `connection "${connection.name}" is labelled ${connection.environment}, but its url cannot be read, so it counts as production`,
      };
    }
    parts.push(...fromUrl);
  }
  for (const [what, value] of parts) {
    if (value && LOOKS_LIKE_PRODUCTION.test(value)) {
      return {
        environment: 'production',
        escalation: `connection "${connection.name}" is labelled ${connection.environment}, but its ${what} "${value}" looks like production, so it counts as production`,
      };
    }
  }
  return { environment: connection.environment };
}

/** Host, database and user of a connection string, as the driver reads them (never its password). */
function urlParts(url: string): [Part, string | undefined | null][] | undefined {
  try {
    // Read as the engine reads it (server/src/exec/connection.ts), so both see the same parts.
    const parsed = parseConnectionString(url, { useLibpqCompat: true }) as ReturnType<typeof parseConnectionString> & { dbname?: string };
    return [
      ['host', parsed.host],
      ['database', parsed.database],
      // libpq's `?dbname=`: the driver ignores it, but what a url claims to reach must not look safer than it is.
      ['database', parsed.dbname],
      ['user', parsed.user],
    ];
  } catch {
    return undefined;
  }
}
