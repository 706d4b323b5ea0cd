import * as vscode from 'vscode';

export const UNTRUSTED_REASON =
  'This workspace is not trusted, so safesql runs nothing against a database here (it still checks the SQL). Trust the workspace to preview and commit.';

const MANAGE_TRUST = 'Manage Workspace Trust';

/**
 * Says why nothing runs in an untrusted workspace, with the way out: VS Code's own trust dialog.
 * Returns once the message is answered or dismissed.
 */
export async function explainUntrusted(reason = UNTRUSTED_REASON): Promise<void> {
  const answer = await vscode.window.showWarningMessage(reason, MANAGE_TRUST);
  if (answer === MANAGE_TRUST) await vscode.commands.executeCommand('workbench.trust.manage');
}

/**
 * True in a trusted workspace; otherwise explains (without waiting for the answer) and returns
 * false, for every command that would reach a database or define a connection.
 */
export function trustedOrExplain(reason = UNTRUSTED_REASON): boolean {
  if (vscode.workspace.isTrusted) return true;
  void explainUntrusted(reason);
  return false;
}
