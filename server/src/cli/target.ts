import { createHash } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { DEFAULT_EXECUTION_SETTINGS, type ExecutionSettings } from '../config/executionSettings';
import { InputError } from '../config/inputError';
import { findConnection, urlHasPassword, DEFAULT_SETTINGS, type LintSettings } from '../config/settings';
import { loadSettingsFile, SettingsLocator } from '../config/settingsFile';
import { ENVIRONMENTS, SETTINGS } from '../protocol';
import { planConnection, type ConnectionTarget } from '../exec/connection';
import type { PreviewResult } from '../exec/results';
import { safesqlHome } from '../exec/journal';
import { displayPath } from './files';

/** The options every execution command shares. */
export const TARGET_OPTIONS = {
  url: { type: 'string' },
  connection: { type: 'string' },
  environment: { type: 'string' },
  config: { type: 'string' },
  format: { type: 'string', default: 'text' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const TARGET_USAGE = `Connection (one of):
  --url URL               a postgres:// connection string; the password comes from PGPASSWORD or
                          ~/.pgpass (a password in the URL works, but is visible to other processes)
      --environment ENV   what the URL is: production, staging, development or local
                          (default production; a production-looking host or database stays production)
  --connection NAME       a connection from "${SETTINGS.connections}" in the nearest .vscode/settings.json
  --config FILE           read settings from FILE instead`;

export interface TargetValues {
  url?: string;
  connection?: string;
  environment?: string;
  config?: string;
  format?: string;
}

export interface ResolvedTarget {
  target: ConnectionTarget;
  settings: LintSettings;
  execution: ExecutionSettings;
}

/** The connection and settings a command uses; settings come from next to `file` (or the working directory). */
export function resolveTarget(values: TargetValues, cwd: string, file?: string): ResolvedTarget {
  if (values.format !== 'text' && values.format !== 'json') throw new InputError(`--format must be text or json, not "${values.format}"`);
  const settingsPath = values.config ? resolve(cwd, values.config) : new SettingsLocator().find(file ?? join(cwd, 'file.sql'));
  const loaded = settingsPath ? loadSettingsFile(settingsPath, displayPath(settingsPath, cwd)) : undefined;
  const settings = loaded?.settings ?? DEFAULT_SETTINGS;
  const execution = loaded?.execution ?? DEFAULT_EXECUTION_SETTINGS;

  if (values.url && values.connection) throw new InputError('give either --url or --connection, not both');
  if (values.url) {
    if (!/^postgres(ql)?:\/\//i.test(values.url)) throw new InputError('--url must be a postgres:// connection string');
    if (values.environment !== undefined && !(ENVIRONMENTS as readonly string[]).includes(values.environment)) {
      throw new InputError(`--environment must be one of ${ENVIRONMENTS.join(', ')}`);
    }
    const provisional = planConnection({ name: 'url', url: values.url });
    // The database name is what a production commit asks to be typed.
    const target: ConnectionTarget = { name: provisional.identity.database, url: values.url };
    if (values.environment) target.environment = values.environment;
    return { target, settings, execution };
  }
  if (values.environment) throw new InputError('--environment goes with --url; a named connection declares its own');
  if (!values.connection) throw new InputError('say where to run it: --url URL or --connection NAME');
  const where = settingsPath ? displayPath(settingsPath, cwd) : 'no .vscode/settings.json was found';
  const target = findConnection(settings, values.connection, where);
  return { target, settings, execution };
}

export function urlWarning(values: TargetValues): string | undefined {
  return values.url && urlHasPassword(values.url)
    ? 'the password in --url is visible to other processes on this machine; prefer PGPASSWORD or ~/.pgpass'
    : undefined;
}

/**
 * Previews the CLI has run, so that `safesql commit` can hold a commit to one: kept per connection
 * and statement text under the safesql home, readable only by this user (they hold row data).
 */
export class PreviewStore {
  constructor(private readonly directory = join(safesqlHome(), 'previews')) {}

  private path(result: Pick<PreviewResult, 'connection' | 'unit'>): string {
    const key = createHash('sha256')
      .update(JSON.stringify([result.connection, result.unit.digest]))
      .digest('hex')
      .slice(0, 32);
    return join(this.directory, `${key}.json`);
  }

  async save(result: PreviewResult): Promise<void> {
    const path = this.path(result);
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    await writeFile(path, JSON.stringify(result), { mode: 0o600 });
  }

  async forget(result: PreviewResult): Promise<void> {
    await rm(this.path(result), { force: true });
  }

  async find(connection: PreviewResult['connection'], digest: string): Promise<PreviewResult | undefined> {
    try {
      return JSON.parse(await readFile(this.path({ connection, unit: { digest } as PreviewResult['unit'] }), 'utf8')) as PreviewResult;
    } catch {
      return undefined;
    }
  }
}
