import * as vscode from 'vscode';
import { resolveEnvironment } from '../../../server/src/config/environment';
import type { ConnectionSetting } from '../../../server/src/config/settings';
import { describeConnection, type Connections } from './connections';

/** A name defined more than once: shown with the error, offering nothing to do but fix the settings. */
export class ConflictItem extends vscode.TreeItem {
  constructor(name: string, message: string) {
    super(name, vscode.TreeItemCollapsibleState.None);
    this.description = 'defined twice: not usable';
    this.tooltip = message;
    this.contextValue = 'safesql.conflict';
    this.iconPath = new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground'));
  }
}

export class ConnectionItem extends vscode.TreeItem {
  constructor(
    readonly connection: ConnectionSetting,
    active: boolean,
  ) {
    super(connection.name, vscode.TreeItemCollapsibleState.None);
    const { environment, escalation } = resolveEnvironment(connection);
    this.description = `${environment}${active ? ' · active' : ''}`;
    this.contextValue = 'safesql.connection';
    this.tooltip = new vscode.MarkdownString(
      `**${connection.name}** — ${environment}\n\n${describeConnection(connection)}${escalation ? `\n\n⚠ ${escalation}` : ''}`,
    );
    const colour = environment === 'production' ? 'errorForeground' : environment === 'staging' ? 'editorWarning.foreground' : undefined;
    this.iconPath = new vscode.ThemeIcon(active ? 'pass-filled' : 'database', colour ? new vscode.ThemeColor(colour) : undefined);
  }
}

/** The "safesql Connections" view: every defined connection, its environment, and which is active. */
export class ConnectionsTree implements vscode.TreeDataProvider<ConnectionItem | ConflictItem>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly connections: Connections) {
    this.subscription = connections.onDidChange(() => this.changed.fire());
  }

  getTreeItem(item: ConnectionItem | ConflictItem): vscode.TreeItem {
    return item;
  }

  getChildren(): (ConnectionItem | ConflictItem)[] {
    const scope = vscode.window.activeTextEditor?.document.uri;
    const { connections, conflicts } = this.connections.defined(scope);
    return [
      ...Object.entries(conflicts).map(([name, message]) => new ConflictItem(name, message)),
      ...connections.map((c) => new ConnectionItem(c, c.name === this.connections.activeName)),
    ];
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
