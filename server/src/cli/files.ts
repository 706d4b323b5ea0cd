import { readFile, stat } from 'node:fs/promises';
import { relative, resolve, sep } from 'node:path';
import { InputError } from '../config/inputError';

const IGNORED = ['**/node_modules/**', '**/.git/**'];

// Loaded only for a directory or a glob: a hook that names its files starts without it.
function glob(pattern: string, options: import('tinyglobby').GlobOptions): Promise<string[]> {
  return (require('tinyglobby') as typeof import('tinyglobby')).glob(pattern, options);
}

/**
 * Expands the command line's paths: a file is taken as it is, a directory means every `.sql`
 * file below it, anything else is a glob. A path or glob that matches nothing is an error.
 */
export async function expandPaths(args: string[], cwd: string): Promise<string[]> {
  const files = new Set<string>();
  for (const arg of args.length ? args : ['.']) {
    const absolute = resolve(cwd, arg);
    const info = await stat(absolute).catch(() => undefined);
    let matches: string[];
    if (info?.isFile()) matches = [absolute];
    else if (info?.isDirectory())
      matches = await glob('**/*.sql', { cwd: absolute, absolute: true, ignore: IGNORED, caseSensitiveMatch: false });
    else matches = await glob(arg, { cwd, absolute: true, ignore: IGNORED });
    if (matches.length === 0) {
      throw new InputError(info ? `no .sql files in ${arg}` : `${arg}: no such file, directory or matching glob`);
    }
    for (const match of matches.sort()) files.add(resolve(match));
  }
  return [...files];
}

export function displayPath(file: string, cwd: string): string {
  const rel = relative(cwd, file);
  return (rel.startsWith('..') ? file : rel).split(sep).join('/');
}

const decoder = new TextDecoder('utf-8', { fatal: true });

/** Reads a SQL file as UTF-8, refusing binary or undecodable content with a clear reason. */
export async function readSqlFile(file: string, shownAs: string): Promise<string> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === 'EACCES'
        ? 'permission denied'
        : code === 'EISDIR'
          ? 'is a directory'
          : code === 'ENOENT'
            ? 'no such file'
            : String(code ?? error);
    throw new InputError(`${shownAs}: cannot read (${reason})`);
  }
  return decodeSql(bytes, shownAs);
}

export function decodeSql(bytes: Uint8Array, shownAs: string): string {
  if (bytes.includes(0)) throw new InputError(`${shownAs}: contains NUL bytes, so it is not a SQL text file`);
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch {
    throw new InputError(`${shownAs}: is not valid UTF-8 (convert it, e.g. \`iconv -f latin1 -t utf-8\`)`);
  }
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
