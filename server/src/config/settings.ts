import { InputError } from './inputError';
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
  /** The usable connections: a name defined more than once is left out and listed in `conflicts`. */
  connections: ConnectionSetting[];
  /** Connection name → why it cannot be used (it is defined twice, and where). */
  conflicts?: Record<string, string>;
  /** Why the connections of the settings file could not be read at all (the whole file is refused). */
  unreadable?: string;
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
    const resolved = resolveConnections([{ place: source, connections }]);
    errors.push(...resolved.errors);
    warnings.push(...resolved.warnings);
    settings.connections = resolved.connections;
    if (Object.keys(resolved.conflicts).length > 0) settings.conflicts = resolved.conflicts;
  }
  return { settings, errors, warnings };
}

/** One place that defines connections: a settings file, or one scope of the editor's settings. */
export interface ConnectionSource {
  /** How the place is named in messages: `.vscode/settings.json`, `user settings`, … */
  place: string;
  /** The raw value of `safesql.connections` there. */
  connections: unknown;
}

export interface ResolvedConnections {
  connections: ConnectionSetting[];
  /** Connection name → the error that makes it unusable (defined twice, naming both places). */
  conflicts: Record<string, string>;
  errors: string[];
  warnings: string[];
}

/**
 * The one rule for what `safesql.connections` means, wherever it is read (the CLI's settings file,
 * the language server, the editor's user, workspace and folder settings): every entry of every
 * place is checked, and a name defined twice is an error naming both places. Neither definition
 * is used: picking one (first wins, or the most specific scope wins) would let a cloned
 * repository's settings replace the connection the user meant, and send its password elsewhere.
 */
export function resolveConnections(sources: ConnectionSource[]): ResolvedConnections {
  const errors: string[] = [];
  const warnings: string[] = [];
  const conflicts: Record<string, string> = {};
  /** Per name, every place that names it (valid or not) and the valid definitions. */
  const byName = new Map<string, { places: string[]; valid: ConnectionSetting[] }>();
  for (const { place, connections } of sources) {
    if (connections === undefined) continue;
    if (!Array.isArray(connections)) {
      errors.push(`${place}: "${SETTINGS.connections}" must be an array of connections`);
      continue;
    }
    connections.forEach((entry: unknown, i) => {
      const where = `${place}: "${SETTINGS.connections}"[${i}]`;
      const checked = checkConnection(entry, where);
      const name = (entry as { name?: unknown } | null)?.name;
      // A broken entry still claims its name: a valid one elsewhere must not quietly stand in for it.
      if (typeof name === 'string' && name !== '') {
        const slot = byName.get(name) ?? { places: [], valid: [] };
        byName.set(name, slot);
        slot.places.push(where);
        if ('connection' in checked) slot.valid.push(checked.connection);
      }
      if ('error' in checked) errors.push(checked.error);
      else if (checked.warning) warnings.push(checked.warning);
    });
  }
  const usable: ConnectionSetting[] = [];
  for (const [name, { places: where, valid }] of byName) {
    if (where.length === 1) {
      usable.push(...valid);
      continue;
    }
    const message = `connection "${name}" is defined ${where.length === 2 ? 'twice' : `${where.length} times`}: in ${where.join(' and in ')}; safesql will not guess which one is meant, so it uses neither: rename or remove all but one`;
    conflicts[name] = message;
    errors.push(message);
  }
  return { connections: usable, conflicts, errors, warnings };
}

/**
 * The connection called `name`, or an InputError that says why there is none usable: it is
 * defined twice (and where), or not at all.
 */
export function findConnection(settings: LintSettings, name: string, where: string): ConnectionSetting {
  const conflict = settings.conflicts?.[name];
  if (conflict) throw new InputError(conflict);
  const connection = settings.connections.find((c) => c.name === name);
  if (connection) return connection;
  if (settings.unreadable) throw new InputError(`no connection named "${name}" can be used: ${settings.unreadable}`);
  const known = settings.connections.map((c) => c.name);
  throw new InputError(`no connection named "${name}" (${where}${known.length ? `; known: ${known.join(', ')}` : ''})`);
}

function checkConnection(entry: unknown, where: string): { connection: ConnectionSetting; warning?: string } | { error: string } {
  if (!entry || typeof entry !== 'object' || typeof (entry as ConnectionSetting).name !== 'string' || !(entry as ConnectionSetting).name) {
    return { error: `${where} needs a "name"` };
  }
  if ('password' in entry) {
    return {
      error: `${where} has a "password": passwords never belong in settings; remove it (the editor keeps them in its secret storage, the CLI reads PGPASSWORD or ~/.pgpass)`,
    };
  }
  const connection = entry as ConnectionSetting;
  const problem = connectionProblem(connection);
  if (problem) return { error: `${where} ${problem}` };
  if (connection.environment !== undefined && !(ENVIRONMENTS as readonly string[]).includes(connection.environment)) {
    return {
      connection,
      warning: `${where} has environment "${connection.environment}", which is not one of ${ENVIRONMENTS.join(', ')}: it is treated as production`,
    };
  }
  return { connection };
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
