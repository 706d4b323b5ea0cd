import * as vscode from 'vscode';
import type { ConnectionSetting } from '../../../server/src/config/settings';
import type { Connections } from './connections';
export declare class ConnectionItem extends vscode.TreeItem {
  readonly connection: ConnectionSetting;
  constructor(connection: ConnectionSetting, active: boolean);
}
/** The "safesql Connections" view: every defined connection, its environment, and which is active. */
export declare class ConnectionsTree implements vscode.TreeDataProvider<ConnectionItem>, vscode.Disposable {
  private readonly connections;
  private readonly changed;
  readonly onDidChangeTreeData: vscode.Event<void>;
  private readonly subscription;
  constructor(connections: Connections);
  getTreeItem(item: ConnectionItem): vscode.TreeItem;
  getChildren(): ConnectionItem[];
  dispose(): void;
}
