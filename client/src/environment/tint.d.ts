import * as vscode from 'vscode';
import type { Connections } from '../connections/connections';
/**
 * Opt-in (`safesql.workbenchTint`): while the active connection is production, the title bar and
 * activity bar turn red through the workspace's colour customisations. The values it replaced are
 * kept in workspace state and put back when the tint goes.
 */
export declare class WorkbenchTint implements vscode.Disposable {
  private readonly connections;
  private readonly state;
  private readonly subscriptions;
  private applying;
  constructor(connections: Connections, state: vscode.Memento);
  private wanted;
  update(): Promise<void>;
  private apply;
  /** Puts the user's colours back (on deactivation). */
  restore(): Promise<void>;
  dispose(): void;
}
