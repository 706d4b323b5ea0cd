/**
 * The one source of truth for identifiers shared by the server, the CLI, the VS Code client and
 * the documentation: rule ids, settings keys, severities, environments. Rule ids and settings
 * keys are a public contract (settings, suppressions, JSON and SARIF output): never rename one.
 */

export const RULE_IDS = [
  'unbounded-delete',
  'unbounded-update',
  'missing-transaction',
  'uncommitted-transaction',
  'truncate',
  'drop-object',
  'production-write',
  'syntax-error',
  'unused-suppression',
  'analysis-limit',
  'irreversible-effect',
  'transaction-control-in-block',
  'unknown-connection',
] as const;
export type RuleId = (typeof RULE_IDS)[number];

export function isRuleId(value: string): value is RuleId {
  return (RULE_IDS as readonly string[]).includes(value);
}

export const SEVERITIES = ['error', 'warning', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];
export type SeveritySetting = Severity | 'off';
export const SEVERITY_SETTINGS: readonly SeveritySetting[] = ['off', ...SEVERITIES];

export const ENVIRONMENTS = ['production', 'staging', 'development', 'local'] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

/** Settings keys, as written in VS Code settings and in `.vscode/settings.json`. */
export const SETTINGS = {
  section: 'safesql',
  rules: 'safesql.rules',
  connections: 'safesql.connections',
  /** Editor only: how many problems one document shows at most (0: no limit). */
  maxProblems: 'safesql.maxProblems',
  /** Server fingerprint (`system_identifier`, or `system_identifier/database`) → environment. */
  environments: 'safesql.environments',
  /** Environment → the most rows one commit may change. */
  maxAffectedRows: 'safesql.maxAffectedRows',
  /** Milliseconds a previewed or committed statement may run (`SET LOCAL statement_timeout`). */
  statementTimeout: 'safesql.statementTimeout',
  /** Milliseconds a statement may wait for a lock (`SET LOCAL lock_timeout`). */
  lockTimeout: 'safesql.lockTimeout',
  /** How many affected rows a preview shows (all of them are counted). */
  previewRowLimit: 'safesql.previewRowLimit',
  /** Seconds after which a preview is too old to commit. */
  previewMaxAge: 'safesql.previewMaxAge',
  /** Editor only: tint the title and activity bars while the active connection is production. */
  workbenchTint: 'safesql.workbenchTint',
} as const;

/** The part of a `safesql.*` settings key after the section, as VS Code hands nested settings over. */
export function settingName(key: string): string {
  return key.slice(SETTINGS.section.length + 1);
}

export const DEFAULT_MAX_PROBLEMS = 1000;

/** Comment directives recognised in SQL files. */
export const DIRECTIVES = {
  ignore: 'safesql-ignore',
  ignoreFile: 'safesql-ignore-file',
  connection: 'safesql:connection',
} as const;

export const PRODUCT = {
  name: 'safesql',
  version: '0.1.0',
  informationUri: 'https://github.com/safesql/safesql',
  ruleDocsBaseUrl: 'https://github.com/safesql/safesql/blob/main/docs/rules/',
} as const;

export function ruleDocsUrl(id: RuleId): string {
  return `${PRODUCT.ruleDocsBaseUrl}${id}.md`;
}

/** A connection as the editor binds it to a document (never with a password). */
export interface BoundConnection {
  name: string;
  environment?: Environment | string;
  host?: string;
  database?: string;
}

/**
 * safesql's own LSP messages, beyond the standard protocol (documented in docs/lsp.md).
 * `safesql/setConnection` (client → server notification): the document `uri` now targets
 * `connection`, or nothing (`null`); the server re-checks it (production-write).
 */
export const LSP_NOTIFICATIONS = {
  setConnection: 'safesql/setConnection',
} as const;

export interface SetConnectionParams {
  uri: string;
  connection: BoundConnection | null;
}

/**
 * Requests for running SQL (client → server), all answered with plain JSON (see server/src/exec/results.ts).
 * Cancelling a preview or commit request cancels the statement on the server.
 */
export const LSP_REQUESTS = {
  /** `PreviewParams` → `PreviewResult`: the unit starting at `offset`, on the document's connection. */
  preview: 'safesql/preview',
  /** `CommitParams` → `CommitResult`: the previewed unit, through the commit guard. */
  commit: 'safesql/commit',
  /** `{ previewId }` → null: forget a preview (its lens goes back to Preview). */
  discard: 'safesql/discard',
  /** `UndoParams` → `PreviewResult`: previews the reversal of a journal entry; commit it with `commit`. */
  previewUndo: 'safesql/previewUndo',
  /** `{}` → journal entries without their row images, newest first. */
  journal: 'safesql/journal',
  /** `TestConnectionParams` → `TestConnectionResult`: connects, reads the server's identity, disconnects. */
  testConnection: 'safesql/testConnection',
  /** server → client, `PasswordParams` → `string | null`: the stored password, or (`ask`) one the user types. */
  password: 'safesql/password',
} as const;

export interface PreviewParams {
  uri: string;
  /** The unit's first character (its code lens carries it). */
  offset: number;
}

export interface CommitParams {
  previewId: string;
  /** The connection name as the user typed it (required on production). */
  confirmation?: string;
  /** Run a statement that cannot be previewed. */
  withoutPreview?: boolean;
}

export interface UndoParams {
  /** The journal entry; the latest commit not yet undone when absent. */
  journalId?: string;
  /** The document whose connection runs the undo. */
  uri: string;
}

export interface PasswordParams {
  identity: ConnectionIdentity;
  /** Nothing else had a password (URL, PGPASSWORD, ~/.pgpass): ask the user, or answer null. */
  ask: boolean;
}

export interface TestConnectionParams {
  /** A document or workspace folder whose settings define the connection. */
  uri: string;
  name: string;
}

export interface TestConnectionResult {
  fingerprint: string;
  version: string;
  environment: Environment;
  /** Why the environment is stronger than the connection's label, if it is. */
  reasons: string[];
}

/** Who a connection reaches, for display, comparison, secret storage and the journal; never a password. */
export interface ConnectionIdentity {
  name: string;
  host: string;
  port: number;
  database: string;
  user: string;
}

/** Commands of the editor client that safesql's code lenses invoke (arguments as given). */
export const CLIENT_COMMANDS = {
  /** `[uri, offset]` */
  preview: 'safesql.preview',
  /** `[previewId]` */
  commit: 'safesql.commit',
  /** `[previewId]` */
  discard: 'safesql.discard',
  /** `[reason]`: says why nothing can run here (an untrusted workspace, no connection). */
  explain: 'safesql.explainLens',
  undoLast: 'safesql.undoLast',
  showJournal: 'safesql.showJournal',
  selectConnection: 'safesql.selectConnection',
  addConnection: 'safesql.addConnection',
  editConnection: 'safesql.editConnection',
  removeConnection: 'safesql.removeConnection',
  testConnection: 'safesql.testConnection',
  toggleTint: 'safesql.toggleWorkbenchTint',
} as const;

/** Commands the language server executes (workspace/executeCommand). */
export const LSP_COMMANDS = {
  /** Arguments: `[uri, range]`: reveal the document with `range` selected (a placeholder to type over). */
  selectRange: 'safesql.selectRange',
} as const;

/** The code action kind of safesql's fix-all. */
export const FIX_ALL_KIND = 'source.fixAll.safesql';
