import { ENVIRONMENTS, isRuleId, SETTINGS, SEVERITY_SETTINGS, type Environment, type RuleId, type SeveritySetting } from '../protocol';

/** A named connection as teams declare it in settings. Never holds a password. */
export interface ConnectionSetting {
  name: string;
  /** As written; anything but the four known environments counts as production. */
  environment?: string;
  host?: string;
  port?: number;
  database?: string;
  user?: string;
  /** libpq's sslmode: disable, prefer, require, verify-ca, verify-full. */
  sslmode?: string;
  /** A `postgres://` connection string instead of host/port/database/user (never with a password). */
  url?: string;
}

export const SSL_MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'] as const;

export interface LintSettings {
  rules: Partial<Record<RuleId, SeveritySetting>>;
  connections: ConnectionSetting[];
}

export const DEFAULT_SETTINGS: LintSettings = { rules: {}, connections: [] };

export interface SettingsReading {
  settings: LintSettings;
  /** Values that cannot be used: the caller must not lint with a half-read configuration. */
  errors: string[];
  /** Values that are ignored but harmless (e.g. a rule id this version does not know). */
  warnings: string[];
}

/**
 * Reads the `safesql.*` keys from a settings object: the flat form of `settings.json`
 * (`"safesql.rules": {…}`) or the nested form VS Code hands the server (`{ rules: {…} }`).
 */
export function readSettings(raw: unknown, source: string, nested = false): SettingsReading {
  const errors: string[] = [];
  const warnings: string[] = [];
  const settings: LintSettings = { rules: {}, connections: [] };
  if (raw === undefined || raw === null) return { settings, errors, warnings };
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    return { settings, errors: [`${source}: expected a JSON object of settings`], warnings };
  }
  const object = raw as Record<string, unknown>;
  const rules = nested ? object.rules : object[SETTINGS.rules];
  const connections = nested ? object.connections : object[SETTINGS.connections];

  if (rules !== undefined) {
    if (typeof rules !== 'object' || rules === null || Array.isArray(rules)) {
      errors.push(`${source}: "${SETTINGS.rules}" must be an object of rule id → severity`);
    } else {
      for (const [id, severity] of Object.entries(rules)) {
        if (!isRuleId(id)) {
          warnings.push(`${source}: "${SETTINGS.rules}" names an unknown rule "${id}"; it is ignored`);
        } else if (typeof severity !== 'string' || !(SEVERITY_SETTINGS as readonly string[]).includes(severity)) {
          errors.push(`${source}: "${SETTINGS.rules}.${id}" is ${JSON.stringify(severity)}; use one of ${SEVERITY_SETTINGS.join(', ')}`);
        } else {
          settings.rules[id] = severity as SeveritySetting;
        }
      }
    }
  }

  if (connections !== undefined) {
    if (!Array.isArray(connections)) {
      errors.push(`${source}: "${SETTINGS.connections}" must be an array of connections`);
    } else {
      connections.forEach((entry, i) => {
        const where = `${source}: "${SETTINGS.connections}"[${i}]`;
        if (
          !entry ||
          typeof entry !== 'object' ||
          typeof (entry as ConnectionSetting).name !== 'string' ||
          !(entry as ConnectionSetting).name
        ) {
          errors.push(`${where} needs a "name"`);
          return;
        }
        if ('password' in entry) {
          errors.push(
            `${where} has a "password": passwords never belong in settings; remove it (the editor keeps them in its secret storage, the CLI reads PGPASSWORD or ~/.pgpass)`,
          );
          return;
        }
        const connection = entry as ConnectionSetting;
        const problem = connectionProblem(connection);
        if (problem) {
          errors.push(`${where} ${problem}`);
          return;
        }
        if (connection.environment !== undefined && !(ENVIRONMENTS as readonly string[]).includes(connection.environment)) {
          warnings.push(
            `${where} has environment "${connection.environment}", which is not one of ${ENVIRONMENTS.join(', ')}: it is treated as production`,
          );
        }
        settings.connections.push(connection);
      });
    }
  }
  return { settings, errors, warnings };
}

export function isEnvironment(value: unknown): value is Environment {
  return typeof value === 'string' && (ENVIRONMENTS as readonly string[]).includes(value);
}

/** What makes a declared connection unusable, if anything. */
function connectionProblem(connection: ConnectionSetting): string | undefined {
  for (const key of ['host', 'database', 'user', 'url', 'environment'] as const) {
    if (connection[key] !== undefined && typeof connection[key] !== 'string') return `has a "${key}" that is not a string`;
  }
  if (connection.port !== undefined && !(Number.isInteger(connection.port) && connection.port > 0 && connection.port < 65536)) {
    return `has port ${JSON.stringify(connection.port)}; use a number from 1 to 65535`;
  }
  if (connection.sslmode !== undefined && !(SSL_MODES as readonly string[]).includes(connection.sslmode)) {
    return `has sslmode ${JSON.stringify(connection.sslmode)}; use one of ${SSL_MODES.join(', ')}`;
  }
  if (connection.url !== undefined) {
    if (!/^postgres(ql)?:\/\//i.test(connection.url)) return 'has a "url" that is not a postgres:// connection string';
    if (urlHasPassword(connection.url)) {
      return 'has a password in its "url": passwords never belong in settings; remove it (the editor keeps them in its secret storage, the CLI reads PGPASSWORD or ~/.pgpass)';
    }
  }
  return undefined;
}

/** Whether a connection string carries a password, in its user-info part or as a `password=` parameter. */
export function urlHasPassword(url: string): boolean {
  const authority = /^[a-z]+:\/\/([^/?#]*)@/i.exec(url)?.[1];
  if (authority !== undefined && authority.includes(':')) return true;
  // Parameter names may be percent-encoded (`passwor%64=`): compare them decoded, as the driver does.
  const query = url.split('?')[1]?.split('#')[0] ?? '';
  try {
    return [...new URLSearchParams(query).keys()].some((key) => key.toLowerCase() === 'password');
  } catch {
    return /password/i.test(query);
  }
}
