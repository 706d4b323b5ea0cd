import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import type { CommitResult, PreviewResult } from '../../../server/src/exec/results';
import type { Connections } from '../connections/connections';
import type { ResultsPanel } from './resultsPanel';
interface Services {
  connections: Connections;
  ready: Promise<LanguageClient>;
  panel: ResultsPanel;
  output: vscode.OutputChannel;
}
/** What the tests (and anyone curious) can read back through the extension's exports. */
export interface RunHistory {
  lastPreview?: PreviewResult;
  lastCommit?: CommitResult;
}
/**
 * Preview → Commit from the editor. Preview runs under a cancellable progress notification and shows
 * its result beside the editor; commit asks for the connection name on production (a modal on
 * staging) and goes through the server's commit guard. Nothing else in the extension runs SQL.
 */
export declare function registerPreviewCommands(services: Services, history: RunHistory): vscode.Disposable[];
export {};
