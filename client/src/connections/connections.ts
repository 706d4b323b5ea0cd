import { describeIdentity, identityKey, planConnection, withoutPassword } from '../../../server/src/exec/connection';
import * as vscode from 'vscode';
import { resolveEnvironment } from '../../../server/src/config/environment';
import { resolveConnections, type ConnectionSetting, type ConnectionSource } from '../../../server/src/config/settings';
import { DIRECTIVES, SETTINGS, settingName, type Environment } from '../../../server/src/protocol';

/** The connection a document runs against, and how strongly it must be guarded. */
export interface DocumentConnection {
  name: string;
  /** Absent when the connection cannot be used: not defined, or defined twice (`conflict`). */
  definition?: ConnectionSetting;
  environment: Environment;
  /** Why it counts as stronger than its label (or that it is not defined at all). */
  reasons: string[];
  source: 'directive' | 'workspace';
  /** Set when the name is defined more than once: the error, naming the places. */
  conflict?: string;
}

/** Where a connection is defined: the user's own settings, or settings that came with the workspace. */
export type ConnectionOrigin = 'user' | 'workspace';

export interface DefinedConnections {
  connections: ConnectionSetting[];
  /** Name → the error that makes it unusable (defined twice, naming both places). */
  conflicts: Record<string, string>;
  origin: Map<string, ConnectionOrigin>;
}

const ACTIVE_KEY = 'safesql.activeConnection';
/** globalState: the identities (identityKey) the user agreed to connect to from workspace settings. */
const APPROVED_KEY = 'safesql.approvedIdentities';

/** `user@host:port/database` as the connection resolves (PG* defaults included); never a password. */
export function describeConnection(connection: ConnectionSetting): string {
  try {
    return describeIdentity(planConnection(connection).identity);
  } catch {
    return connection.url ? withoutPassword(connection.url) : connection.name;
  }
}
const DIRECTIVE = new RegExp(`--\\s*${DIRECTIVES.connection.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s+(\\S+)`);

/**
 * Every place of the editor's settings that defines connections, for `scope`: user settings, the
 * workspace's, and in a multi-root workspace the folder's. VS Code itself would hand out only the
 * most specific list, so a repository's `.vscode/settings.json` could silently replace the user's
 * connection of the same name; reading every place lets the one resolver call that an error.
 */
export function connectionSources(scope?: vscode.Uri): { sources: ConnectionSource[]; origins: ConnectionOrigin[] } {
  const inspected = vscode.workspace.getConfiguration(SETTINGS.section, scope).inspect<unknown>(settingName(SETTINGS.connections));
  const workspaceFile = vscode.workspace.workspaceFile;
  const sources: ConnectionSource[] = [{ place: 'user settings', connections: inspected?.globalValue }];
  const origins: ConnectionOrigin[] = ['user'];
  sources.push({
    place: workspaceFile ? `workspace settings (${workspaceFile.path.split('/').pop()})` : 'workspace settings (.vscode/settings.json)',
    connections: inspected?.workspaceValue,
  });
  origins.push('workspace');
  // In a single-folder workspace the folder's settings are the workspace's: the same list, not a second one.
  if (workspaceFile) {
    const folder = scope ? vscode.workspace.getWorkspaceFolder(scope) : undefined;
    sources.push({
      place: `folder settings${folder ? ` of "${folder.name}"` : ''} (.vscode/settings.json)`,
      connections: inspected?.workspaceFolderValue,
    });
    origins.push('workspace');
  }
  return { sources, origins };
}

/**
 * The connections defined in settings (`safesql.connections`, shareable in .vscode/settings.json),
 * the workspace's active one, and the one each document uses: its own `-- safesql:connection`
 * directive, else the active one. Fires `onDidChange` whenever any of that may have changed.
 */
export class Connections implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  /** Environments learned from servers (a fingerprint mapped to production), by connection name. */
  private readonly learned = new Map<string, { environment: Environment; reasons: string[] }>();
  private readonly subscriptions: vscode.Disposable[];
  /** Conflicts already shown to the user, so that each is shown once, not on every change. */
  private readonly shown = new Set<string>();

  constructor(
    private readonly state: vscode.Memento,
    private readonly global: vscode.Memento,
  ) {
    this.subscriptions = [
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration(SETTINGS.connections) || e.affectsConfiguration(SETTINGS.environments)) {
          this.learned.clear();
          this.reportConflicts();
          this.changed.fire();
        }
      }),
      this.changed,
    ];
    this.reportConflicts();
  }

  /** Every defined connection for `scope` from every place, as the one resolver reads them. */
  defined(scope?: vscode.Uri): DefinedConnections {
    const { sources, origins } = connectionSources(scope);
    const origin = new Map<string, ConnectionOrigin>();
    sources.forEach((source, i) => {
      if (!Array.isArray(source.connections)) return;
      for (const entry of source.connections as { name?: unknown }[]) {
        // The workspace's word counts for a name it shares with the user's: the stricter of the two.
        if (typeof entry?.name === 'string' && origin.get(entry.name) !== 'workspace') origin.set(entry.name, origins[i]!);
      }
    });
    const { connections, conflicts } = resolveConnections(sources);
    return { connections, conflicts, origin };
  }

  /** The usable connections: a name defined twice is not among them. */
  list(scope?: vscode.Uri): ConnectionSetting[] {
    return this.defined(scope).connections;
  }

  /** The raw list of every place, for the language server: it applies the same rule itself. */
  everyDefinition(scope?: vscode.Uri): unknown[] {
    return connectionSources(scope).sources.flatMap((s) => (Array.isArray(s.connections) ? s.connections : []));
  }

  get activeName(): string | undefined {
    return this.state.get<string>(ACTIVE_KEY);
  }

  async setActive(name: string | undefined): Promise<void> {
    await this.state.update(ACTIVE_KEY, name);
    this.changed.fire();
  }

  /** Called after a server told us more about a connection's environment (a preview, a test). */
  learn(name: string, environment: Environment, reasons: string[]): void {
    const before = this.learned.get(name);
    if (before?.environment === environment && before.reasons.join() === reasons.join()) return;
    this.learned.set(name, { environment, reasons });
    this.changed.fire();
  }

  forDocument(document: vscode.TextDocument | undefined): DocumentConnection | undefined {
    const directive = document ? DIRECTIVE.exec(document.getText(new vscode.Range(0, 0, 200, 0)))?.[1] : undefined;
    const name = directive ?? this.activeName;
    if (!name) return undefined;
    const { connections, conflicts } = this.defined(document?.uri);
    const source = directive ? 'directive' : 'workspace';
    const conflict = conflicts[name];
    if (conflict) return { name, environment: 'production', reasons: [conflict], source, conflict };
    const definition = connections.find((c) => c.name === name);
    if (!definition) {
      return {
        name,
        environment: 'production',
        reasons: [`connection "${name}" is not defined in ${SETTINGS.connections}, so it counts as production`],
        source,
      };
    }
    const resolved = resolveEnvironment(definition);
    const learned = this.learned.get(name);
    const reasons = [...(resolved.escalation ? [resolved.escalation] : []), ...(learned?.reasons ?? [])];
    const environment = learned?.environment === 'production' ? 'production' : resolved.environment;
    return { name, definition, environment, reasons, source };
  }

  /** Whether the user agreed to connect to this connection's user, host, port and database before. */
  isApproved(connection: ConnectionSetting): boolean {
    return (this.global.get<string[]>(APPROVED_KEY) ?? []).includes(identityKey(planConnection(connection).identity));
  }

  /** Remembers that the user chose to connect to this identity (they typed it in, or said yes once). */
  async approve(connection: ConnectionSetting): Promise<void> {
    const key = identityKey(planConnection(connection).identity);
    const approved = this.global.get<string[]>(APPROVED_KEY) ?? [];
    if (!approved.includes(key)) await this.global.update(APPROVED_KEY, [...approved, key]);
  }

  /**
   * Whether the document's connection may be used now. A conflict is refused (with the error); a
   * connection that came with the workspace's settings and reaches a user, host, port and database
   * the user has never agreed to asks first: a cloned repository must not be able to point a
   * familiar name at a server of its choosing and have the first Preview connect there.
   */
  async confirmUse(document: vscode.TextDocument | undefined, name?: string): Promise<boolean> {
    const bound = name ? this.byName(document?.uri, name) : this.forDocument(document);
    if (!bound) return true; // nothing to connect to: the server refuses and says why
    if (bound.conflict) {
      void vscode.window.showErrorMessage(`safesql: ${bound.conflict}`);
      return false;
    }
    if (!bound.definition) return true; // the server says it is not defined
    if (this.defined(document?.uri).origin.get(bound.name) !== 'workspace') return true;
    let identity;
    try {
      identity = planConnection(bound.definition).identity;
    } catch {
      return true; // the server reports the unreadable connection string
    }
    if (this.isApproved(bound.definition)) return true;
    // A quick pick that stays open when focus moves, like safesql's other confirmations (modal
    // dialogs cannot be answered in the editor test harness, and this one must be tested).
    const where = `${identity.host}:${identity.port}/${identity.database}`;
    const picked = await vscode.window.showQuickPick(
      [
        { label: `$(plug) Connect to ${where} as ${identity.user}`, yes: true },
        { label: '$(close) Cancel: do not connect', yes: false },
      ],
      {
        title: `safesql: "${bound.name}" from this workspace's settings points to ${where}, which you have not used before. Connect?`,
        placeHolder:
          'Connect only if you trust where these settings come from. A yes is remembered for this user, host, port and database.',
        ignoreFocusOut: true,
      },
    );
    if (picked?.yes !== true) return false;
    await this.approve(bound.definition);
    return true;
  }

  private byName(scope: vscode.Uri | undefined, name: string): DocumentConnection | undefined {
    const { connections, conflicts } = this.defined(scope);
    if (conflicts[name])
      return { name, environment: 'production', reasons: [conflicts[name]], source: 'workspace', conflict: conflicts[name] };
    const definition = connections.find((c) => c.name === name);
    return definition
      ? { name, definition, environment: resolveEnvironment(definition).environment, reasons: [], source: 'workspace' }
      : undefined;
  }

  /** Shows each conflict once, as an error the user cannot miss; the connection stays unusable until fixed. */
  private reportConflicts(): void {
    const scopes = vscode.workspace.workspaceFolders?.map((f) => f.uri) ?? [undefined];
    for (const scope of scopes) {
      for (const message of Object.values(this.defined(scope).conflicts)) {
        if (this.shown.has(message)) continue;
        this.shown.add(message);
        void vscode.window.showErrorMessage(`safesql: ${message}`);
      }
    }
  }

  dispose(): void {
    for (const subscription of this.subscriptions) subscription.dispose();
  }
}
