import { PRODUCT } from '../protocol';
import { InputError } from '../config/inputError';
import { lintCommand, type CommandIo } from './lint';

const USAGE = `safesql ${PRODUCT.version} — keeps destructive SQL away from PostgreSQL databases by accident.

Usage:
  safesql lint [paths or globs…] [--format text|json|sarif|github] [--config FILE]
  safesql lsp --stdio          the language server, for any LSP editor (see docs/lsp.md)
  safesql --version | --help

Run "safesql lint --help" for details.`;

/** Runs the CLI and returns its exit code. Usage problems are one line on stderr and exit 2. */
export async function main(argv: string[], io: CommandIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'lint':
        return await lintCommand(rest, io);

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
    if (error instanceof InputError) {
      io.stderr(`safesql: ${error.message}\n`);
      return 2;
    }
    // A bug, not a user error: say so plainly, without a stack trace unless asked for.
    io.stderr(`safesql: internal error: ${(error as Error).message ?? String(error)}\n`);
    if (process.env.SAFESQL_DEBUG) io.stderr(`${(error as Error).stack ?? ''}\n`);
    return 2;
  }
}
