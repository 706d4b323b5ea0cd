import * as vscode from 'vscode';
import { LanguageClient } from 'vscode-languageclient/node';
import type { Connections } from './connections/connections';
import type { Passwords } from './connections/passwords';
export declare const UNTRUSTED_REASON =
  'This workspace is not trusted, so safesql runs nothing against a database here (it still checks the SQL). Trust the workspace to preview and commit.';
/**
 * The language server (dist/server.js) over IPC, for SQL documents. It starts in the background,
 * so activation never waits for it; `ready` resolves once it answers.
 */
export declare function startLanguageClient(
  context: vscode.ExtensionContext,
  output: vscode.OutputChannel,
  connections: Connections,
  passwords: Passwords,
): {
  client: LanguageClient;
  ready: Promise<void>;
};
