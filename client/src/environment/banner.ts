import * as vscode from 'vscode';
import type { Connections } from '../connections/connections';

/** A banner across the first line of every visible SQL editor whose file is bound to production. */
export class ProductionBanner implements vscode.Disposable {
  private readonly decoration = vscode.window.createTextEditorDecorationType({
    isWholeLine: true,
    backgroundColor: new vscode.ThemeColor('safesql.productionBanner.background'),
    overviewRulerColor: new vscode.ThemeColor('safesql.productionBanner.background'),
    overviewRulerLane: vscode.OverviewRulerLane.Full,
  });
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly connections: Connections) {
    this.subscriptions = [
      connections.onDidChange(() => this.update()),
      vscode.window.onDidChangeVisibleTextEditors(() => this.update()),
      // Typing can add or remove a `-- safesql:connection` line, but only in a SQL file on screen.
      vscode.workspace.onDidChangeTextDocument(
        (e) =>
          e.document.languageId === 'sql' &&
          vscode.window.visibleTextEditors.some((editor) => editor.document === e.document) &&
          this.update(),
      ),
    ];
    this.update();
  }

  /** The editors showing the banner, for tests and the status of the UI. */
  readonly shownIn = new Set<vscode.TextEditor>();

  update(): void {
    this.shownIn.clear();
    for (const editor of vscode.window.visibleTextEditors) {
      const bound = editor.document.languageId === 'sql' ? this.connections.forDocument(editor.document) : undefined;
      if (bound?.environment !== 'production') {
        editor.setDecorations(this.decoration, []);
        continue;
      }
      const first = editor.document.lineAt(0).range;
      editor.setDecorations(this.decoration, [
        {
          range: first,
          hoverMessage: `This file runs against **${bound.name}**, a PRODUCTION database.`,
          renderOptions: {
            after: {
              contentText: `  ⚠ PRODUCTION — ${bound.name}`,
              fontWeight: 'bold',
              color: new vscode.ThemeColor('errorForeground'),
            },
          },
        },
      ]);
      this.shownIn.add(editor);
    }
  }

  dispose(): void {
    for (const subscription of this.subscriptions) subscription.dispose();
    this.decoration.dispose();
  }
}
