// Small helpers for suites that run inside the extension host.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';

/** Polls `probe` until it returns a value other than undefined; fails with `what` after `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => T | undefined, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The rule id of a diagnostic: VS Code turns an LSP `code` + `codeDescription` into `{ value, target }`. */
export function ruleOf(diagnostic: vscode.Diagnostic): string | undefined {
  const code = diagnostic.code;
  return code === undefined ? undefined : String(typeof code === 'object' ? code.value : code);
}

/** The URI of a file in the workspace the launcher opened (test/suite/fixtures/workspace). */
export function workspaceFile(name: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('no workspace folder is open: the launcher opens test/suite/fixtures/workspace');
  return vscode.Uri.joinPath(folder.uri, name);
}

/**
 * Asks the code-server launcher (test/editor/run.ts) for a screenshot of the whole window and waits
 * until it is saved. The launcher sets SAFESQL_SCREENSHOT_ACKS to a directory where it drops
 * `<name>.done`; other launchers (test:vscode) set nothing and this does nothing.
 */
export async function screenshot(name: string): Promise<void> {
  const acks = process.env.SAFESQL_SCREENSHOT_ACKS;
  if (!acks) return;
  console.log(`SCREENSHOT ${name}`);
  await waitFor(`screenshot ${name}`, () => fs.existsSync(path.join(acks, `${name}.done`)) || undefined, 20_000);
}

let keystrokes = 0;

/**
 * Has the code-server launcher type into the workbench (an input box, a modal dialog) as a user
 * would, and waits until it has. Steps: `type:<text>` or `press:<key>` (Playwright key names).
 */
export async function keys(...steps: string[]): Promise<void> {
  const acks = process.env.SAFESQL_SCREENSHOT_ACKS;
  if (!acks) throw new Error('typing into the workbench needs the code-server launcher (npm run test:editor)');
  const name = `keys-${++keystrokes}`;
  console.log(`KEYS ${name} ${JSON.stringify(steps)}`);
  await waitFor(`keys ${steps.join(' ')}`, () => fs.existsSync(path.join(acks, `${name}.done`)) || undefined, 20_000);
}
