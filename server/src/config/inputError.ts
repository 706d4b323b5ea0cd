/**
 * A problem with what the user gave us (arguments, files, settings): reported as one clear line
 * (exit code 2 in the CLI, a log line in the language server), never as a stack trace.
 */
export class InputError extends Error {
  override readonly name = 'InputError';
}
