import * as vscode from 'vscode';
import type { Connections } from '../connections/connections';
/**
 * The connection of the SQL file in front of the user, and its environment, where the eye already
 * is: red for production, yellow for staging, plain otherwise. Clicking it switches connection.
 */
export declare class EnvironmentStatusBar implements vscode.Disposable {
  private readonly connections;
  readonly item: vscode.StatusBarItem;
  private readonly subscriptions;
  constructor(connections: Connections);
  update(): void;
  dispose(): void;
}
