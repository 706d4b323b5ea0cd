import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse, printParseErrorCode, type ParseError } from 'jsonc-parser';
import { readSettings, type LintSettings } from './settings';
import { InputError } from './inputError';
import { readExecutionSettings, type ExecutionSettings } from './executionSettings';

export interface LoadedSettings {
  settings: LintSettings;
  execution: ExecutionSettings;
  warnings: string[];
}

/** Reads a JSONC settings file (`.vscode/settings.json` or `--config FILE`); any problem is a InputError. */
export function loadSettingsFile(path: string, shownAs: string): LoadedSettings {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new InputError(`${shownAs}: cannot read the settings file`);
  }
  const errors: ParseError[] = [];
  const raw: unknown = parse(text, errors, { allowTrailingComma: true, disallowComments: false });
  if (errors.length > 0) {
    const first = errors[0]!;
    const before = text.slice(0, first.offset);
    const line = before.split('\n').length;
    const column = first.offset - before.lastIndexOf('\n');
    throw new InputError(`${shownAs}:${line}:${column}: invalid JSON (${printParseErrorCode(first.error)})`);
  }
  const reading = readSettings(raw, shownAs);
  const execution = readExecutionSettings(raw, shownAs);
  const problems = [...reading.errors, ...execution.errors];
  if (problems.length > 0) throw new InputError(problems.join('\n'));
  return { settings: reading.settings, execution: execution.settings, warnings: reading.warnings };
}

/**
 * Finds the `.vscode/settings.json` that governs a file, as VS Code would for the workspace that
 * holds it: the nearest one above the file, not looking past the repository root (`.git`).
 */
export class SettingsLocator {
  private readonly byDirectory = new Map<string, string | undefined>();

  find(file: string): string | undefined {
    return this.lookUp(dirname(file));
  }

  clear(): void {
    this.byDirectory.clear();
  }

  private lookUp(directory: string): string | undefined {
    if (this.byDirectory.has(directory)) return this.byDirectory.get(directory);
    const candidate = join(directory, '.vscode', 'settings.json');
    let found: string | undefined;
    if (existsSync(candidate)) found = candidate;
    else if (!existsSync(join(directory, '.git')) && dirname(directory) !== directory) found = this.lookUp(dirname(directory));
    this.byDirectory.set(directory, found);
    return found;
  }
}
