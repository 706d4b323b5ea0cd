import * as vscode from 'vscode';
import type { ConnectionSetting } from '../../../server/src/config/settings';
import { type Environment } from '../../../server/src/protocol';
/** The connection a document runs against, and how strongly it must be guarded. */
export interface DocumentConnection {
  name: string;
  definition?: ConnectionSetting;
  environment: Environment;
  /** Why it counts as stronger than its label (or that it is not defined at all). */
  reasons: string[];
  source: 'directive' | 'workspace';
}
/**
 * The connections defined in settings (`safesql.connections`, shareable in .vscode/settings.json),
 * the workspace's active one, and the one each document uses: its own `-- safesql:connection`
 * directive, else the active one. Fires `onDidChange` whenever any of that may have changed.
 */
export declare class Connections implements vscode.Disposable {
  private readonly state;
  private readonly changed;
  readonly onDidChange: vscode.Event<void>;
  /** Environments learned from servers (a fingerprint mapped to production), by connection name. */
  private readonly learned;
  private readonly subscriptions;
  constructor(state: vscode.Memento);
  list(scope?: vscode.Uri): ConnectionSetting[];
  get activeName(): string | undefined;
  setActive(name: string | undefined): Promise<void>;
  /** Called after a server told us more about a connection's environment (a preview, a test). */
  learn(name: string, environment: Environment, reasons: string[]): void;
  forDocument(document: vscode.TextDocument | undefined): DocumentConnection | undefined;
  dispose(): void;
}
