import { ENVIRONMENTS, SETTINGS, settingName, type Environment } from '../protocol';
import { isEnvironment } from './settings';

/** How statements are previewed and committed; shared by a team through `.vscode/settings.json`. */
export interface ExecutionSettings {
  /** Server fingerprint (`system_identifier` or `system_identifier/database`) → environment. */
  environments: Record<string, Environment>;
  /** The most rows one commit may change, per environment. */
  maxAffectedRows: Partial<Record<Environment, number>>;
  statementTimeoutMs: number;
  lockTimeoutMs: number;
  previewRowLimit: number;
  previewMaxAgeSeconds: number;
}

export const DEFAULT_EXECUTION_SETTINGS: ExecutionSettings = {
  environments: {},
  maxAffectedRows: {},
  statementTimeoutMs: 60_000,
  // Short on purpose: a statement queued behind a lock makes every later query on that table queue too.
  lockTimeoutMs: 3_000,
  previewRowLimit: 100,
  previewMaxAgeSeconds: 600,
};

export interface ExecutionSettingsReading {
  settings: ExecutionSettings;
  errors: string[];
}

const FINGERPRINT = /^\d+(\/.+)?$/;

const LIMITS = [
  ['statementTimeoutMs', SETTINGS.statementTimeout, 1],
  ['lockTimeoutMs', SETTINGS.lockTimeout, 1],
  ['previewRowLimit', SETTINGS.previewRowLimit, 0],
  ['previewMaxAgeSeconds', SETTINGS.previewMaxAge, 1],
] as const;

/** Reads the execution keys from a settings object, flat (`settings.json`) or nested (`{ lockTimeout: … }`). */
export function readExecutionSettings(raw: unknown, source: string, nested = false): ExecutionSettingsReading {
  const settings: ExecutionSettings = { ...DEFAULT_EXECUTION_SETTINGS, environments: {}, maxAffectedRows: {} };
  const errors: string[] = [];
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return { settings, errors };
  const object = raw as Record<string, unknown>;
  const value = (key: string): unknown => (nested ? object[settingName(key)] : object[key]);

  const environments = value(SETTINGS.environments);
  if (environments !== undefined) {
    if (!isPlainObject(environments)) {
      errors.push(`${source}: "${SETTINGS.environments}" must map server fingerprints to environments`);
    } else {
      for (const [fingerprint, environment] of Object.entries(environments)) {
        if (!FINGERPRINT.test(fingerprint)) {
          errors.push(
            `${source}: "${SETTINGS.environments}" key "${fingerprint}" is not a server fingerprint (the system identifier, optionally followed by /database, as a preview shows it)`,
          );
        } else if (!isEnvironment(environment)) {
          errors.push(
            `${source}: "${SETTINGS.environments}.${fingerprint}" is ${JSON.stringify(environment)}; use one of ${ENVIRONMENTS.join(', ')}`,
          );
        } else {
          settings.environments[fingerprint] = environment;
        }
      }
    }
  }

  const caps = value(SETTINGS.maxAffectedRows);
  if (caps !== undefined) {
    if (!isPlainObject(caps)) {
      errors.push(`${source}: "${SETTINGS.maxAffectedRows}" must map environments to row counts`);
    } else {
      for (const [environment, cap] of Object.entries(caps)) {
        if (!isEnvironment(environment)) {
          errors.push(`${source}: "${SETTINGS.maxAffectedRows}" names "${environment}", which is not one of ${ENVIRONMENTS.join(', ')}`);
        } else if (!isCount(cap, 0)) {
          errors.push(`${source}: "${SETTINGS.maxAffectedRows}.${environment}" is ${JSON.stringify(cap)}; use a whole number of rows`);
        } else {
          settings.maxAffectedRows[environment] = cap;
        }
      }
    }
  }

  for (const [field, key, minimum] of LIMITS) {
    const given = value(key);
    if (given === undefined) continue;
    if (!isCount(given, minimum)) errors.push(`${source}: "${key}" is ${JSON.stringify(given)}; use a whole number ≥ ${minimum}`);
    else settings[field] = given;
  }
  return { settings, errors };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isCount(value: unknown, minimum: number): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= minimum;
}
