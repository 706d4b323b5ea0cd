import type { Environment } from '../protocol';
import { isEnvironment, type ConnectionSetting } from './settings';

export interface ResolvedEnvironment {
  environment: Environment;
  /** Why it is production when the declaration alone would not say so. */
  escalation?: string;
}

const LOOKS_LIKE_PRODUCTION = /(^|[^a-z0-9])(prod|prd|production|live)([^a-z0-9]|$)/i;

/**
 * The environment a connection must be treated as. An unknown or missing environment is
 * production, and a connection whose name or host looks like production is never weaker.
 */
export function resolveEnvironment(connection: Pick<ConnectionSetting, 'name' | 'environment' | 'host' | 'database'>): ResolvedEnvironment {
  if (!isEnvironment(connection.environment)) {
    const declared =
      connection.environment === undefined ? 'has no environment' : `has the unknown environment "${connection.environment}"`;
    return { environment: 'production', escalation: `connection "${connection.name}" ${declared}, so it counts as production` };
  }
  if (connection.environment !== 'production') {
    for (const [what, value] of [
      ['name', connection.name],
      ['host', connection.host],
      ['database', connection.database],
    ] as const) {
      if (value && LOOKS_LIKE_PRODUCTION.test(value)) {
        return {
          environment: 'production',
          escalation: `connection "${connection.name}" is labelled ${connection.environment}, but its ${what} "${value}" looks like production, so it counts as production`,
        };
      }
    }
  }
  return { environment: connection.environment };
}
