import { setFlagsFromString } from 'node:v8';
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { startServer } from './server';

// Entry point of the bundled server (dist/server.js): the VS Code client starts it with
// --node-ipc; other editors run `safesql lsp --stdio`.
const TRANSPORTS = ['--stdio', '--node-ipc', '--socket=', '--pipe='];
if (!process.argv.some((arg) => TRANSPORTS.some((t) => arg === t || (t.endsWith('=') && arg.startsWith(t))))) {
  process.stderr.write('safesql: usage: safesql lsp --stdio (the language server speaks LSP on standard input and output)\n');
  process.exit(2);
}
// libpg_query's WebAssembly keeps its baseline (Liftoff) code: optimising it as well costs the
// server some 25 MB for good, and an editor parses only the few statements an edit touches.
setFlagsFromString('--liftoff-only');
startServer(createConnection(ProposedFeatures.all));
