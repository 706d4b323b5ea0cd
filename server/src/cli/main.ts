import { PRODUCT } from '../protocol';
import { InputError } from '../config/inputError';
import { LINT_SYNOPSIS, lintCommand, type CommandIo } from './lint';

// The engine (and `pg` with it) is loaded only by the commands that run SQL: `lint`, what most
// runs are, starts without it. Bundled, it is a bundle of its own (dist/cli-exec.js) with its own
// copy of the error classes, which is why they are checked through it.
type ExecCommands = typeof import('./execCommands');
let exec: ExecCommands | undefined;
function execCommands(): ExecCommands {
  exec ??= require('./execCommands') as ExecCommands;
  return exec;
}

const USAGE = `safesql ${PRODUCT.version} — keeps destructive SQL away from PostgreSQL databases by accident.

Usage:
  ${LINT_SYNOPSIS.replace(/\n/g, '\n  ')}
  safesql preview FILE [--statement N | --line L] (--url URL | --connection NAME)
                               run it in a transaction that is always rolled back; show what would change
  safesql commit FILE [--statement N | --line L] (--url URL | --connection NAME) --expect-rows K [--confirm NAME]
                               commit it only if it changes exactly what the preview showed
  safesql undo [JOURNAL-ID] (--url URL | --connection NAME) [--commit --expect-rows K]
  safesql journal [JOURNAL-ID] the undo journal
  safesql lsp --stdio          the language server, for any LSP editor (see docs/lsp.md)
  safesql --version | --help

Run "safesql COMMAND --help" for details.`;

/** Runs the CLI and returns its exit code. Usage problems are one line on stderr and exit 2. */
export async function main(argv: string[], io: CommandIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'lint':
        return await lintCommand(rest, io);
      case 'preview':
        return await execCommands().previewCommand(rest, io);
      case 'commit':
        return await execCommands().commitCommand(rest, io);
      case 'undo':
        return await execCommands().undoCommand(rest, io);
      case 'journal':
        return await execCommands().journalCommand(rest, io);

      case '--version':
      case '-v':
        io.stdout(`${PRODUCT.version}\n`);
        return 0;
      case '--help':
      case '-h':
      case 'help':
        io.stdout(`${USAGE}\n`);
        return 0;
      case undefined:
        throw new InputError(`missing command\n\n${USAGE}`);
      default:
        throw new InputError(`unknown command "${command}"\n\n${USAGE}`);
    }
  } catch (error) {
    if (error instanceof InputError || (exec && (error instanceof exec.InputError || error instanceof exec.ExecError))) {
      io.stderr(`safesql: ${error.message}\n`);
      return 2;
    }
    // A bug, not a user error: say so plainly, without a stack trace unless asked for.
    io.stderr(`safesql: internal error: ${(error as Error).message ?? String(error)}\n`);
    if (process.env.SAFESQL_DEBUG) io.stderr(`${(error as Error).stack ?? ''}\n`);
    return 2;
  }
}
