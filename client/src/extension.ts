import * as vscode from 'vscode';
import { SETTINGS, settingName, CLIENT_COMMANDS } from '../../server/src/protocol';
import { registerConnectionCommands } from './connections/commands';
import { Connections } from './connections/connections';
import { Passwords } from './connections/passwords';
import { ConnectionsTree } from './connections/tree';
import { ProductionBanner } from './environment/banner';
import { EnvironmentStatusBar } from './environment/statusBar';
import { WorkbenchTint } from './environment/tint';
import { registerPreviewCommands, type RunHistory } from './preview/commands';
import { ResultsPanel } from './preview/resultsPanel';

/** What the extension exposes to other extensions and to its own editor tests. */
export interface SafesqlApi {
  /** safesql's own share of activation: evaluating its bundle, then `activate` (the server starts afterwards). */
  activationMs: number;
  /** The part of it spent evaluating the bundle. */
  loadMs: number;
  /** What the extension host did between loading the bundle and calling `activate` (its context, storage). */
  hostMs: number;
  connections: Connections;
  statusBar: EnvironmentStatusBar;
  banner: ProductionBanner;
  history: RunHistory;
  /** The results panel: what it shows, for the editor tests. */
  panel: ResultsPanel;
  /** Resolves once the language server answers. */
  ready: Promise<void>;
}

let tint: WorkbenchTint | undefined;

/**
 * Wires the parts together; every part owns its own listeners and is disposed with the extension.
 * The language server starts in the background: activation returns without waiting for it.
 */
export function activate(context: vscode.ExtensionContext): SafesqlApi {
  const activateStarted = performance.now();
  const marks = globalThis as { safesqlLoadStarted?: number; safesqlLoadEnded?: number };
  const loadMs = (marks.safesqlLoadEnded ?? activateStarted) - (marks.safesqlLoadStarted ?? activateStarted);
  const hostMs = activateStarted - (marks.safesqlLoadEnded ?? activateStarted);
  const output = vscode.window.createOutputChannel('safesql');
  const connections = new Connections(context.workspaceState, context.globalState);
  const passwords = new Passwords(context.secrets);
  // Loaded and started after activation: the language client library is most of this bundle.
  const started = new Promise<void>((resolve) => setImmediate(resolve))
    .then(() => import('./languageClient.js'))
    .then(({ startLanguageClient }) => startLanguageClient(context, output, connections, passwords));
  const clientReady = started.then(({ client, ready }) => ready.then(() => client));
  const panel = new ResultsPanel();
  const statusBar = new EnvironmentStatusBar(connections);
  const banner = new ProductionBanner(connections);
  tint = new WorkbenchTint(connections, context.workspaceState);
  const history: RunHistory = {};
  const tree = new ConnectionsTree(connections);
  context.subscriptions.push(
    output,
    connections,
    panel,
    statusBar,
    banner,
    tint,
    tree,
    vscode.window.registerTreeDataProvider('safesql.connections', tree),
    ...registerConnectionCommands({ connections, passwords, ready: clientReady, output }),
    ...registerPreviewCommands({ connections, ready: clientReady, panel, output }, history),
    vscode.commands.registerCommand(CLIENT_COMMANDS.toggleTint, async () => {
      const configuration = vscode.workspace.getConfiguration(SETTINGS.section);
      const key = settingName(SETTINGS.workbenchTint);
      await configuration.update(key, !configuration.get<boolean>(key, false), vscode.ConfigurationTarget.Workspace);
    }),
  );
  const activationMs = loadMs + performance.now() - activateStarted;
  output.appendLine(
    `safesql activated in ${activationMs.toFixed(1)} ms (loading ${loadMs.toFixed(1)} ms; workspace ${vscode.workspace.isTrusted ? 'trusted' : 'NOT trusted: nothing will run'})`,
  );
  return {
    activationMs,
    loadMs,
    hostMs,
    connections,
    statusBar,
    banner,
    history,
    panel,
    ready: clientReady.then(() => undefined),
  };
}

/** Gives the workbench its own colours back if the production tint is on. */
export function deactivate(): Promise<void> | undefined {
  return tint?.restore();
}
