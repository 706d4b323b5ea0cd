import * as vscode from 'vscode';

/** One "safesql Results" panel beside the editor, reused for every preview, commit and undo. */
export class ResultsPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  /** The last thing shown, for the editor tests and the output log. */
  lastTitle: string | undefined;

  show(title: string, html: string): void {
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
    this.panel.reveal(vscode.ViewColumn.Beside, true);
  }

  dispose(): void {
    this.panel?.dispose();
  }
}
