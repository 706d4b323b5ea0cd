import * as vscode from 'vscode';
/** One "safesql Results" panel beside the editor, reused for every preview, commit and undo. */
export declare class ResultsPanel implements vscode.Disposable {
  private panel;
  /** The last thing shown, for the editor tests and the output log. */
  lastTitle: string | undefined;
  show(title: string, html: string): void;
  dispose(): void;
}
