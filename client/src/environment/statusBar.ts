import * as vscode from 'vscode';
import { CLIENT_COMMANDS } from '../../../server/src/protocol';
import { describeConnection, type Connections, type DocumentConnection } from '../connections/connections';

/** Status bar backgrounds VS Code allows for extensions: error (red) and warning (yellow). */
const BACKGROUND: Partial<Record<DocumentConnection['environment'], string>> = {
  production: 'statusBarItem.errorBackground',
  staging: 'statusBarItem.warningBackground',
};
const FOREGROUND: Partial<Record<DocumentConnection['environment'], string>> = {
  production: 'safesql.production.foreground',
  staging: 'safesql.staging.foreground',
};

/**
 * The connection of the SQL file in front of the user, and its environment, where the eye already
 * is: red for production, yellow for staging, plain otherwise. Clicking it switches connection.
 */
export class EnvironmentStatusBar implements vscode.Disposable {
  readonly item = vscode.window.createStatusBarItem('safesql.environment', vscode.StatusBarAlignment.Left, 100);
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly connections: Connections) {
    this.item.name = 'safesql connection';
    this.item.command = CLIENT_COMMANDS.selectConnection;
    this.subscriptions = [
      connections.onDidChange(() => this.update()),
      vscode.window.onDidChangeActiveTextEditor(() => this.update()),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.update()),
      vscode.workspace.onDidChangeTextDocument(
        (e) => e.document === vscode.window.activeTextEditor?.document && e.document.lineCount < 5000 && this.update(),
      ),
    ];
    this.update();
  }

  update(): void {
    const document = vscode.window.activeTextEditor?.document;
    if (document?.languageId !== 'sql') {
      this.item.hide();
      return;
    }
    const bound = this.connections.forDocument(document);
    if (!vscode.workspace.isTrusted) {
      // The connections are known (the view lists them), but none is used: say that, not "no connection".
      const known = this.connections.list(document.uri).length;
      this.item.text = `$(shield) safesql: restricted${bound ? ` · ${bound.name} not used` : ''}`;
      this.item.tooltip = `This workspace is not trusted: safesql checks the SQL but uses none of the ${known} connection${known === 1 ? '' : 's'} it knows. Click to manage Workspace Trust.`;
      this.item.command = 'workbench.trust.manage';
      this.item.backgroundColor = undefined;
      this.item.color = undefined;
      this.item.show();
      return;
    }
    this.item.command = CLIENT_COMMANDS.selectConnection;
    if (!bound) {
      this.item.text = '$(database) safesql: no connection';
      this.item.tooltip = 'No connection selected: click to choose one. Nothing can run until you do.';
      this.item.backgroundColor = undefined;
      this.item.color = undefined;
    } else if (bound.conflict) {
      this.item.text = `$(error) ${bound.name} · DEFINED TWICE`;
      this.item.tooltip = `${bound.conflict}. Nothing runs on "${bound.name}" until it is defined once.`;
      this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
      this.item.color = new vscode.ThemeColor('safesql.production.foreground');
    } else {
      const production = bound.environment === 'production';
      this.item.text = `${production ? '$(warning)' : '$(database)'} ${bound.name} · ${bound.environment.toUpperCase()}`;
      const where = bound.definition ? describeConnection(bound.definition) : 'not defined';
      this.item.tooltip = new vscode.MarkdownString(
        [
          `**${bound.name}** — ${bound.environment}${bound.source === 'directive' ? ' (set by `-- safesql:connection` in this file)' : ''}`,
          '',
          where,
          ...bound.reasons.map((r) => `\n⚠ ${r}`),
          '',
          'Click to switch connection.',
        ].join('\n'),
      );
      const background = BACKGROUND[bound.environment];
      const foreground = FOREGROUND[bound.environment];
      this.item.backgroundColor = background ? new vscode.ThemeColor(background) : undefined;
      this.item.color = foreground ? new vscode.ThemeColor(foreground) : undefined;
    }
    this.item.show();
  }

  dispose(): void {
    for (const subscription of this.subscriptions) subscription.dispose();
    this.item.dispose();
  }
}
