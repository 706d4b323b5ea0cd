import * as vscode from 'vscode';
import { Connections } from './connections/connections';
import { ProductionBanner } from './environment/banner';
import { EnvironmentStatusBar } from './environment/statusBar';
import { type RunHistory } from './preview/commands';
/** What the extension exposes to other extensions and to its own editor tests. */
export interface SafesqlApi {
  connections: Connections;
  statusBar: EnvironmentStatusBar;
  banner: ProductionBanner;
  history: RunHistory;
  /** Resolves once the language server answers. */
  ready: Promise<void>;
}
/**
 * Wires the parts together; every part owns its own listeners and is disposed with the extension.
 * The language server starts in the background: activation returns without waiting for it.
 */
export declare function activate(context: vscode.ExtensionContext): SafesqlApi;
/** Gives the workbench its own colours back if the production tint is on. */
export declare function deactivate(): Promise<void> | undefined;
