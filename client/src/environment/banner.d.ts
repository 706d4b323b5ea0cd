import * as vscode from 'vscode';
import type { Connections } from '../connections/connections';
/** A banner across the first line of every visible SQL editor whose file is bound to production. */
export declare class ProductionBanner implements vscode.Disposable {
  private readonly connections;
  private readonly decoration;
  private readonly subscriptions;
  constructor(connections: Connections);
  /** The editors showing the banner, for tests and the status of the UI. */
  readonly shownIn: Set<vscode.TextEditor>;
  update(): void;
  dispose(): void;
}
