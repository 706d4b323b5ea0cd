import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import type { Connections } from './connections';
import type { Passwords } from './passwords';
interface Services {
  connections: Connections;
  passwords: Passwords;
  ready: Promise<LanguageClient>;
  output: vscode.OutputChannel;
}
export declare function registerConnectionCommands(services: Services): vscode.Disposable[];
export {};
