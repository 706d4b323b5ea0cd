import { plural } from '../../../server/src/plural';
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import type { JournalSummary } from '../../../server/src/exec/journal';
import type { CommitResult, PreviewResult } from '../../../server/src/exec/results';
import { CLIENT_COMMANDS, LSP_REQUESTS, type CommitParams, type PreviewParams, type UndoParams } from '../../../server/src/protocol';
import type { Connections } from '../connections/connections';
import { explainUntrusted, trustedOrExplain, UNTRUSTED_REASON } from '../trust';
import { renderCommit, renderPreview } from './render';
import type { ResultsPanel } from './resultsPanel';

interface Services {
  connections: Connections;
  ready: Promise<LanguageClient>;
  panel: ResultsPanel;
  output: vscode.OutputChannel;
}

/**
 * Asks before an action, in a quick pick that stays open when focus moves (the action first: the
 * user just chose it from a lens). Undefined or false means no.
 */
async function confirm(title: string, action: string): Promise<boolean> {
  const picked = await vscode.window.showQuickPick(
    [
      { label: `$(check) ${action}`, yes: true },
      { label: '$(close) Cancel: change nothing', yes: false },
    ],
    {
      title: `safesql: ${title}`,
      ignoreFocusOut: true,
    },
  );
  return picked?.yes === true;
}

/** What the tests (and anyone curious) can read back through the extension's exports. */
export interface RunHistory {
  lastPreview?: PreviewResult;
  lastCommit?: CommitResult;
  /** The last request that failed (a refused connection, a changed statement). */
  lastError?: string;
}

/**
 * Preview → Commit from the editor. Preview runs under a cancellable progress notification and shows
 * its result beside the editor; commit asks for the connection name on production (a modal on
 * staging) and goes through the server's commit guard. Nothing else in the extension runs SQL.
 */
export function registerPreviewCommands(services: Services, history: RunHistory): vscode.Disposable[] {
  const previews = new Map<string, { result: PreviewResult; uri?: string }>();
  const errors = vscode.languages.createDiagnosticCollection('safesql-run');

  const trusted = () => {
    if (vscode.workspace.isTrusted) return true;
    history.lastError = UNTRUSTED_REASON;
    return trustedOrExplain();
  };

  async function request<T>(title: string, method: string, params: object): Promise<T | undefined> {
    history.lastError = undefined;
    const client = await services.ready;
    try {
      return await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title, cancellable: true },
        (_progress, token) => client.sendRequest<T>(method, params, token),
      );
    } catch (error) {
      const message = (error as Error).message;
      services.output.appendLine(`${method} failed: ${message}`);
      history.lastError = message;
      if (!/cancel/i.test(message)) void vscode.window.showErrorMessage(`safesql: ${message}`);
      return undefined;
    }
  }

  /** PostgreSQL's complaint, where it points in the editor. */
  function markError(uri: string, result: PreviewResult): void {
    const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri);
    if (!document) return;
    errors.delete(document.uri);
    if (!result.error || result.error.offset === undefined) return;
    const start = document.positionAt(result.error.offset);
    const range = document.getWordRangeAtPosition(start) ?? new vscode.Range(start, start.translate(0, 1));
    const diagnostic = new vscode.Diagnostic(range, `PostgreSQL: ${result.error.message}`, vscode.DiagnosticSeverity.Error);
    diagnostic.source = 'safesql preview';
    if (result.error.code) diagnostic.code = result.error.code;
    errors.set(document.uri, [diagnostic]);
    void vscode.window.showTextDocument(document, { selection: range, preserveFocus: false });
  }

  async function commit(previewId: string): Promise<void> {
    if (!trusted()) return;
    const held = previews.get(previewId);
    if (!held) return void vscode.window.showWarningMessage('safesql: this preview is gone; preview again.');
    const { result } = held;
    const params: CommitParams = { previewId };
    const name = result.connection.name;
    if (result.outcome === 'not-previewable') {
      const confirmed = await confirm(
        `This statement cannot be previewed (${result.notPreviewable}).`,
        `Run it on "${name}" without a preview, with no way to undo it`,
      );
      if (!confirmed) return;
      params.withoutPreview = true;
    }
    const rows = plural(result.affectedRows, 'row');
    if (result.environment.environment === 'production') {
      const typed = await vscode.window.showInputBox({
        title: `Commit on PRODUCTION: ${rows} on "${name}"`,
        prompt: `Type the connection name, ${name}, to commit. ${result.undo.possible ? 'It can be undone from the journal.' : `It CANNOT be undone: ${result.undo.reason}.`}`,
        placeHolder: name,
        ignoreFocusOut: true,
        validateInput: (value) => (value === name ? undefined : `type ${name} exactly`),
      });
      if (typed === undefined) return void vscode.window.showInformationMessage('safesql: not committed; nothing was changed.');
      params.confirmation = typed;
    } else if (result.environment.environment === 'staging') {
      if (!(await confirm(`Staging connection "${name}"`, `Commit ${rows}`))) return;
    }
    services.panel.running(`Committing on ${name} (${result.environment.environment.toUpperCase()})`);
    const committed = await request<CommitResult>(`safesql: committing on ${name}…`, LSP_REQUESTS.commit, params);
    if (!committed) return services.panel.invalidate('the commit did not run', previewId);
    history.lastCommit = committed;
    // Committed or refused, the server no longer holds the preview: its lens is Preview again.
    previews.delete(previewId);
    services.panel.show('commit', renderCommit(committed, held.uri ? vscode.Uri.parse(held.uri).path.split('/').pop()! : 'undo'));
    if (committed.outcome === 'committed') {
      const undo = committed.undo?.possible ? 'Undo' : undefined;
      // Not awaited: the notification stays until dismissed, the command is done now.
      void vscode.window
        .showInformationMessage(
          `safesql: committed ${plural(committed.affectedRows, 'row')} on ${name} (journal ${committed.journalId}).`,
          ...(undo ? [undo] : []),
        )
        .then((answer) => answer === 'Undo' && vscode.commands.executeCommand(CLIENT_COMMANDS.undoLast, committed.journalId));
    } else {
      void vscode.window.showWarningMessage(`safesql: not committed — ${committed.reason}`);
    }
  }

  async function undo(journalId?: string): Promise<void> {
    if (!trusted()) return;
    const uri = vscode.window.activeTextEditor?.document.uri.toString() ?? vscode.workspace.workspaceFolders?.[0]?.uri.toString();
    if (!uri)
      return void vscode.window.showWarningMessage('safesql: open a SQL file of the workspace whose connection should run the undo.');
    if (!(await services.connections.confirmUse(vscode.window.activeTextEditor?.document))) return;
    const params: UndoParams = { uri, ...(journalId ? { journalId } : {}) };
    const result = await request<PreviewResult>('safesql: previewing the undo…', LSP_REQUESTS.previewUndo, params);
    if (!result) return;
    history.lastPreview = result;
    previews.set(result.id, { result });
    services.panel.show('undo preview', renderPreview(result, 'undo'));
    if (result.outcome !== 'ok' || result.notPreviewable) {
      return void vscode.window.showWarningMessage(
        `safesql: cannot undo — ${result.notPreviewable ?? result.error?.message ?? result.outcome}`,
      );
    }
    const rows = plural(result.affectedRows, 'row');
    if (await confirm(`Undo on "${result.connection.name}": ${result.undo.reason}`, `Commit the undo (${rows} change back)`))
      await commit(result.id);
  }

  return [
    errors,
    vscode.workspace.onDidChangeTextDocument((e) => errors.delete(e.document.uri)),
    // A preview ran on one connection: once its document is bound to another, it says nothing about a commit there.
    services.connections.onDidChange(() => {
      const shown = services.panel.shownPreview;
      if (!shown?.uri) return;
      const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === shown.uri);
      const now = services.connections.forDocument(document)?.name;
      if (now !== shown.connection) services.panel.invalidate(`the connection changed from ${shown.connection} to ${now ?? 'none'}`);
    }),
    vscode.commands.registerCommand(CLIENT_COMMANDS.preview, async (uri: string, offset: number) => {
      if (!trusted()) return;
      const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri);
      if (!services.connections.forDocument(document)) {
        const choice = await vscode.window.showWarningMessage('safesql: choose a connection first.', 'Select Connection');
        if (choice) await vscode.commands.executeCommand(CLIENT_COMMANDS.selectConnection);
        return;
      }
      // A name defined twice, or a workspace's connection to a server never used before: refused or asked first.
      if (!(await services.connections.confirmUse(document))) {
        history.lastError = 'not connected: the connection was refused or not confirmed';
        return;
      }
      const params: PreviewParams = { uri, offset };
      const file = vscode.Uri.parse(uri).path.split('/').pop()!;
      const bound = services.connections.forDocument(document)!;
      services.panel.running(`Previewing ${file} on ${bound.name} (${bound.environment.toUpperCase()})`);
      const result = await request<PreviewResult>('safesql: previewing (rolled back afterwards)…', LSP_REQUESTS.preview, params);
      if (!result) return services.panel.invalidate('the preview did not run');
      history.lastPreview = result;
      previews.set(result.id, { result, uri });
      services.connections.learn(result.connection.name, result.environment.environment, result.environment.reasons);
      markError(uri, result);
      services.panel.show('preview', renderPreview(result, file), { id: result.id, uri, connection: result.connection.name });
    }),
    vscode.commands.registerCommand(CLIENT_COMMANDS.commit, (previewId: string) => commit(previewId)),
    vscode.commands.registerCommand(CLIENT_COMMANDS.discard, async (previewId: string) => {
      previews.delete(previewId);
      services.panel.invalidate('it was discarded', previewId);
      const client = await services.ready;
      await client.sendRequest(LSP_REQUESTS.discard, { previewId });
    }),
    vscode.commands.registerCommand(CLIENT_COMMANDS.explain, (reason: string) =>
      reason === UNTRUSTED_REASON ? explainUntrusted(reason) : vscode.window.showInformationMessage(reason),
    ),
    vscode.commands.registerCommand(CLIENT_COMMANDS.undoLast, (journalId?: string) => undo(journalId)),
    vscode.commands.registerCommand(CLIENT_COMMANDS.showJournal, async () => {
      const client = await services.ready;
      const entries = await client.sendRequest<JournalSummary[]>(LSP_REQUESTS.journal, {});
      if (entries.length === 0) return void vscode.window.showInformationMessage('safesql: the journal is empty.');
      const picked = await vscode.window.showQuickPick(
        entries.map((e) => ({
          label: `${e.connection.name} · ${e.statements
            .filter((s) => s.command !== 'SET')
            .map((s) => `${s.command} ${s.affectedRows}`)
            .join(', ')}`,
          description: `${e.at}${e.undoneBy ? ' · undone' : ''}${e.status !== 'committed' ? ` · ${e.status}` : ''}`,
          detail: e.text.split('\n')[0],
          entry: e,
        })),
        { title: 'safesql: undo journal (newest first)', placeHolder: 'Pick an entry to see it and its reversal script' },
      );
      if (!picked) return;
      const { entry } = picked;
      const script = [
        `-- journal entry ${entry.id}: ${entry.status}${entry.undoneBy ? `, undone by ${entry.undoneBy}` : ''}`,
        `-- ${entry.at} on ${entry.connection.name} (${entry.environment}), server ${entry.fingerprint}`,
        `-- committed:\n${entry.text.replace(/^/gm, '--   ')}`,
        entry.reversal.possible
          ? `-- reversal (run it with "safesql: Undo Last Commit" or "safesql undo ${entry.id}"):`
          : `-- cannot be undone: ${entry.reversal.reason}`,
        ...entry.reversal.statements.map((s) => `${s.sql};`),
      ].join('\n');
      const document = await vscode.workspace.openTextDocument({ language: 'sql', content: script });
      await vscode.window.showTextDocument(document);
      if (entry.reversal.possible && !entry.undoneBy && entry.status === 'committed') {
        const answer = await vscode.window.showInformationMessage(`Undo journal entry ${entry.id}?`, 'Preview undo');
        if (answer) await undo(entry.id);
      }
    }),
  ];
}
