import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import {
  CLIENT_COMMANDS,
  LSP_NOTIFICATIONS,
  LSP_REQUESTS,
  SETTINGS,
  settingName,
  type PasswordParams,
  type SetConnectionParams,
} from '../../server/src/protocol';
import type { Connections } from './connections/connections';
import type { Passwords } from './connections/passwords';
import { UNTRUSTED_REASON } from './trust';

/**
 * The language server (dist/server.js) over IPC, for SQL documents. It starts in the background,
 * so activation never waits for it; `ready` resolves once it answers.
 */
export function startLanguageClient(
  context: vscode.ExtensionContext,
  output: vscode.OutputChannel,
  connections: Connections,
  passwords: Passwords,
) {
  const module = context.asAbsolutePath('dist/server.js');
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6009'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ language: 'sql' }],
    outputChannel: output,
    middleware: {
      workspace: {
        // VS Code answers with the most specific scope's list only; the server gets every place's
        // definitions, so that it finds a name defined twice (and refuses it) by the same rule.
        configuration: async (params, token, next) => {
          const answers = await next(params, token);
          if (!Array.isArray(answers)) return answers;
          return answers.map((answer: unknown, i) => {
            const item = params.items[i];
            if (item?.section !== SETTINGS.section || !answer || typeof answer !== 'object') return answer;
            const scope = item.scopeUri ? vscode.Uri.parse(item.scopeUri) : undefined;
            return { ...answer, [settingName(SETTINGS.connections)]: connections.everyDefinition(scope) };
          });
        },
      },
      // In an untrusted workspace every lens says why nothing runs instead of offering to run it.
      provideCodeLenses: async (document, token, next) => {
        const lenses = await next(document, token);
        if (vscode.workspace.isTrusted || !lenses) return lenses;
        return lenses.map(
          (lens) =>
            new vscode.CodeLens(lens.range, {
              title: '🔒 Untrusted workspace: nothing runs',
              command: CLIENT_COMMANDS.explain,
              arguments: [UNTRUSTED_REASON],
            }),
        );
      },
    },
  };
  const client = new LanguageClient('safesql', 'safesql', serverOptions, clientOptions);
  client.onRequest(LSP_REQUESTS.password, async ({ identity, ask }: PasswordParams) => {
    output.appendLine(
      `password ${ask ? 'asked for' : 'looked up'}: ${identity.user}@${identity.host}:${identity.port}/${identity.database}`,
    );
    return (await (ask ? passwords.ask(identity) : passwords.get(identity))) ?? null;
  });

  /** Tells the server which connection each open SQL document targets (a directive in the file still wins there). */
  const sendBindings = (documents: readonly vscode.TextDocument[]) => {
    for (const document of documents) {
      if (document.languageId !== 'sql') continue;
      const bound = connections.forDocument(document);
      const params: SetConnectionParams = {
        uri: document.uri.toString(),
        connection: bound
          ? {
              name: bound.name,
              environment: bound.environment,
              ...(bound.definition?.host ? { host: bound.definition.host } : {}),
              ...(bound.definition?.database ? { database: bound.definition.database } : {}),
            }
          : null,
      };
      void client.sendNotification(LSP_NOTIFICATIONS.setConnection, params);
    }
  };
  const ready = client.start().then(() => {
    output.appendLine(`language server started (${module})`);
    sendBindings(vscode.workspace.textDocuments);
  });
  ready.catch((error: unknown) => output.appendLine(`language server failed to start: ${(error as Error).message}`));
  context.subscriptions.push(
    client,
    vscode.workspace.onDidOpenTextDocument((document) => void ready.then(() => sendBindings([document]))),
    connections.onDidChange(() => void ready.then(() => sendBindings(vscode.workspace.textDocuments))),
  );
  return { client, ready };
}
