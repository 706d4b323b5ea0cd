import * as vscode from 'vscode';
import { escapeHtml, page } from './render';

/** The preview the panel shows, while it stands: its id, and the document and connection it ran for. */
interface ShownPreview {
  id: string;
  uri?: string;
  connection: string;
}

/**
 * One "safesql Results" panel beside the editor, reused for every preview, commit and undo. It never
 * shows a result as current when it is not: a run in progress replaces the last result, and a
 * preview that no longer holds (discarded, committed, its connection switched) is cleared.
 */
export class ResultsPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private preview: ShownPreview | undefined;
  /** The last thing shown, for the editor tests and the output log. */
  lastTitle: string | undefined;

  show(title: string, html: string, preview?: ShownPreview): void {
    if (!this.panel) {
      this.panel = vscode.window.createWebviewPanel(
        'safesql.results',
        'safesql Results',
        { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
        {
          enableScripts: false,
          retainContextWhenHidden: false,
        },
      );
      this.panel.onDidDispose(() => (this.panel = undefined));
    }
    this.panel.title = `safesql: ${title}`;
    this.panel.webview.html = html;
    this.lastTitle = title;
    this.preview = preview;
    this.panel.reveal(vscode.ViewColumn.Beside, true);
  }

  /** While a preview or commit runs, an open panel says so instead of showing the previous result. */
  running(what: string): void {
    if (!this.panel) return;
    this.show('running', page('safesql', `<h1>${escapeHtml(what)}</h1><p class="muted">Running… the result appears here.</p>`));
  }

  /** The preview the panel shows, if any. */
  get shownPreview(): ShownPreview | undefined {
    return this.preview;
  }

  /** Clears the panel if it shows the preview `id` (or any preview, without one), saying why. */
  invalidate(reason: string, id?: string): void {
    if (!this.panel || !this.preview || (id !== undefined && this.preview.id !== id)) return;
    this.show(
      'preview no longer valid',
      page(
        'safesql',
        `<h1>This preview no longer holds</h1><p class="warning">${escapeHtml(reason)}.</p><p>Preview again to see what a commit would do now.</p>`,
      ),
    );
  }

  dispose(): void {
    this.panel?.dispose();
  }
}
