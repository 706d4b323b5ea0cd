import { fileURLToPath } from 'node:url';
import type { Connection } from 'vscode-languageserver';
import { DEFAULT_SETTINGS, readSettings, type LintSettings } from '../config/settings';
import { DEFAULT_MAX_PROBLEMS, SETTINGS, settingName } from '../protocol';
import { loadSettingsFile, SettingsLocator, type LoadedSettings } from '../config/settingsFile';
import { DEFAULT_EXECUTION_SETTINGS, readExecutionSettings, type ExecutionSettings } from '../config/executionSettings';

/** What the server needs per document: the lint settings and the editor's problem limit. */
export interface EditorSettings {
  lint: LintSettings;
  /** At most this many diagnostics per document (0: no limit). */
  maxProblems: number;
  execution: ExecutionSettings;
}

/**
 * Settings per document: what the editor answers to `workspace/configuration` for the document
 * (VS Code: user, workspace and folder settings), or, from editors that have no safesql settings,
 * the team's `.vscode/settings.json` next to the file, as the CLI reads it.
 */
export class DocumentSettings {
  private readonly cache = new Map<string, Promise<EditorSettings>>();
  private readonly locator = new SettingsLocator();
  /** Settings pushed with `workspace/didChangeConfiguration` by clients that do not answer requests. */
  private pushed: unknown;

  constructor(
    private readonly connection: Connection,
    private readonly canPull: () => boolean,
    private readonly log: (message: string) => void,
  ) {}

  get(uri: string): Promise<EditorSettings> {
    let settings = this.cache.get(uri);
    if (!settings) {
      settings = this.read(uri);
      this.cache.set(uri, settings);
    }
    return settings;
  }

  /** After a configuration change: everything is read again. */
  reset(pushed?: unknown): void {
    this.cache.clear();
    this.locator.clear();
    if (pushed !== undefined) this.pushed = pushed;
  }

  forget(uri: string): void {
    this.cache.delete(uri);
  }

  private async read(uri: string): Promise<EditorSettings> {
    let raw: unknown = this.pushed;
    if (this.canPull()) {
      try {
        raw = await this.connection.workspace.getConfiguration({ scopeUri: uri, section: SETTINGS.section });
      } catch (error) {
        this.log(`could not read settings for ${uri}: ${(error as Error).message}`);
      }
    }
    const maxProblems = readMaxProblems(raw, this.log);
    const team = this.fromWorkspaceFile(uri);
    // An editor with safesql settings of its own (VS Code merges the team's file into them) is
    // authoritative; other editors get the team's file, as the CLI reads it.
    const execution = readExecutionSettings(raw, 'editor settings', true);
    for (const problem of execution.errors) this.log(problem);
    const ownExecution = hasExecutionSettings(raw) && execution.errors.length === 0;
    if (!isUseful(raw)) return { lint: team.settings, maxProblems, execution: ownExecution ? execution.settings : team.execution };
    const reading = readSettings(raw, 'editor settings', true);
    for (const problem of [...reading.errors, ...reading.warnings]) this.log(problem);
    // Key by key, the editor's own value wins; what it leaves empty comes from the team's file
    // (an editor that sets only `rules` keeps the team's connections).
    const editor = reading.settings;
    // A name the editor defines twice stays unusable: the team file's definition does not stand in.
    const connections = editor.connections.length > 0 || editor.conflicts ? editor : team.settings;
    return {
      lint: {
        rules: Object.keys(editor.rules).length > 0 ? editor.rules : team.settings.rules,
        connections: connections.connections,
        ...(connections.conflicts ? { conflicts: connections.conflicts } : {}),
        ...(connections.unreadable ? { unreadable: connections.unreadable } : {}),
      },
      maxProblems,
      execution: ownExecution ? execution.settings : team.execution,
    };
  }

  private fromWorkspaceFile(uri: string): Omit<LoadedSettings, 'warnings'> {
    const none = { settings: DEFAULT_SETTINGS, execution: DEFAULT_EXECUTION_SETTINGS };
    if (!uri.startsWith('file:')) return none;
    const path = this.locator.find(fileURLToPath(uri));
    if (!path) return none;
    try {
      const loaded = loadSettingsFile(path, path);
      for (const warning of loaded.warnings) this.log(warning);
      return loaded;
    } catch (error) {
      this.log((error as Error).message);
      // Kept, so that a run names the reason (a name defined twice) instead of "no such connection".
      return { ...none, settings: { ...DEFAULT_SETTINGS, unreadable: (error as Error).message } };
    }
  }
}

function readMaxProblems(raw: unknown, log: (message: string) => void): number {
  const value = raw && typeof raw === 'object' ? (raw as { maxProblems?: unknown }).maxProblems : undefined;
  if (value === undefined || value === null) return DEFAULT_MAX_PROBLEMS;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return value;
  log(`"${SETTINGS.maxProblems}" must be a whole number ≥ 0 (0: no limit), not ${JSON.stringify(value)}; using ${DEFAULT_MAX_PROBLEMS}`);
  return DEFAULT_MAX_PROBLEMS;
}

function isUseful(raw: unknown): boolean {
  if (!raw || typeof raw !== 'object') return false;
  const { rules, connections } = raw as { rules?: unknown; connections?: unknown };
  const hasRules = rules !== undefined && rules !== null && typeof rules === 'object' && Object.keys(rules).length > 0;
  const hasConnections = Array.isArray(connections) && connections.length > 0;
  return hasRules || hasConnections;
}

function hasExecutionSettings(raw: unknown): boolean {
  if (!raw || typeof raw !== 'object') return false;
  const keys = [
    SETTINGS.environments,
    SETTINGS.maxAffectedRows,
    SETTINGS.statementTimeout,
    SETTINGS.lockTimeout,
    SETTINGS.previewRowLimit,
    SETTINGS.previewMaxAge,
  ];
  return keys.some((key) => (raw as Record<string, unknown>)[settingName(key)] !== undefined);
}
