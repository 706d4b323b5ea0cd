import * as vscode from 'vscode';
import { SETTINGS, settingName } from '../../../server/src/protocol';
import type { Connections } from '../connections/connections';

/** The workbench colours the tint sets; everything else in the user's customisations is kept. */
const TINT: Record<string, string> = {
  'titleBar.activeBackground': '#8b0000',
  'titleBar.activeForeground': '#ffffff',
  'titleBar.inactiveBackground': '#5c0000',
  'activityBar.background': '#5c0000',
};
const SAVED_KEY = 'safesql.tint.saved';

/**
 * Opt-in (`safesql.workbenchTint`): while the active connection is production, the title bar and
 * activity bar turn red through the workspace's colour customisations. The values it replaced are
 * kept in workspace state and put back when the tint goes.
 */
export class WorkbenchTint implements vscode.Disposable {
  private readonly subscriptions: vscode.Disposable[];
  private applying = Promise.resolve();

  constructor(
    private readonly connections: Connections,
    private readonly state: vscode.Memento,
  ) {
    this.subscriptions = [
      connections.onDidChange(() => this.update()),
      vscode.window.onDidChangeActiveTextEditor(() => this.update()),
      vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration(SETTINGS.workbenchTint) && this.update()),
    ];
    this.update();
  }

  private wanted(): boolean {
    const enabled = vscode.workspace.getConfiguration(SETTINGS.section).get<boolean>(settingName(SETTINGS.workbenchTint), false);
    if (!enabled || !vscode.workspace.workspaceFolders) return false;
    const document = vscode.window.activeTextEditor?.document;
    const bound = this.connections.forDocument(document?.languageId === 'sql' ? document : undefined);
    return bound?.environment === 'production';
  }

  update(): Promise<void> {
    this.applying = this.applying.then(() => this.apply(this.wanted())).catch(() => undefined);
    return this.applying;
  }

  private async apply(on: boolean): Promise<void> {
    const workbench = vscode.workspace.getConfiguration('workbench');
    const current = { ...(workbench.inspect<Record<string, string>>('colorCustomizations')?.workspaceValue ?? {}) };
    const saved = this.state.get<Record<string, string | null>>(SAVED_KEY);
    if (on && !saved) {
      await this.state.update(SAVED_KEY, Object.fromEntries(Object.keys(TINT).map((key) => [key, current[key] ?? null])));
      await workbench.update('colorCustomizations', { ...current, ...TINT }, vscode.ConfigurationTarget.Workspace);
    } else if (!on && saved) {
      for (const [key, value] of Object.entries(saved)) {
        if (value === null) delete current[key];
        else current[key] = value;
      }
      await workbench.update(
        'colorCustomizations',
        Object.keys(current).length ? current : undefined,
        vscode.ConfigurationTarget.Workspace,
      );
      await this.state.update(SAVED_KEY, undefined);
    }
  }

  /** Puts the user's colours back (on deactivation). */
  restore(): Promise<void> {
    this.applying = this.applying.then(() => this.apply(false));
    return this.applying;
  }

  dispose(): void {
    for (const subscription of this.subscriptions) subscription.dispose();
  }
}
