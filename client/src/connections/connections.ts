import { describeIdentity, planConnection, withoutPassword } from '../../../server/src/exec/connection';
import * as vscode from 'vscode';
import { resolveEnvironment } from '../../../server/src/config/environment';
import type { ConnectionSetting } from '../../../server/src/config/settings';
import { DIRECTIVES, SETTINGS, settingName, type Environment } from '../../../server/src/protocol';

/** The connection a document runs against, and how strongly it must be guarded. */
export interface DocumentConnection {
  name: string;
  definition?: ConnectionSetting;
  environment: Environment;
  /** Why it counts as stronger than its label (or that it is not defined at all). */
  reasons: string[];
  source: 'directive' | 'workspace';
}

const ACTIVE_KEY = 'safesql.activeConnection';

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

  constructor(private readonly state: vscode.Memento) {
    this.subscriptions = [
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration(SETTINGS.connections) || e.affectsConfiguration(SETTINGS.environments)) {
          this.learned.clear();
          this.changed.fire();
        }
      }),
      this.changed,
    ];
  }

  list(scope?: vscode.Uri): ConnectionSetting[] {
    const value = vscode.workspace.getConfiguration(SETTINGS.section, scope).get<unknown>(settingName(SETTINGS.connections));
    return Array.isArray(value) ? value.filter((c): c is ConnectionSetting => typeof c?.name === 'string' && c.name !== '') : [];
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
    const definition = this.list(document?.uri).find((c) => c.name === name);
    const source = directive ? 'directive' : 'workspace';
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

  dispose(): void {
    for (const subscription of this.subscriptions) subscription.dispose();
  }
}
