import { parseArgs } from 'node:util';
import { DEFAULT_SETTINGS, type LintSettings } from '../config/settings';
import { lintDocument } from '../rules/lint';
import { analyzeDocument } from '../sql/analyze';
import { loadGrammar } from '../sql/grammar';
import { InputError } from '../config/inputError';
import { displayPath, expandPaths, readSqlFile } from './files';
import { formatGithub } from './reporters/github';
import { formatJson } from './reporters/json';
import { formatSarif } from './reporters/sarif';
import { formatText } from './reporters/text';
import type { FileResult } from './results';
import { loadSettingsFile, SettingsLocator, type LoadedSettings } from '../config/settingsFile';

export const LINT_USAGE = `Usage: safesql lint [paths or globs…] [--format text|json|sarif|github] [--config FILE]

Checks SQL files for statements that could destroy data. A directory means every .sql file in it;
no path means the current directory. Severities come from "safesql.rules" in the nearest
.vscode/settings.json (or --config FILE).

Exit codes: 0 no error-severity finding, 1 at least one, 2 usage error or unreadable input.`;

const FORMATS = ['text', 'json', 'sarif', 'github'] as const;
type Format = (typeof FORMATS)[number];

export interface CommandIo {
  cwd: string;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  color: boolean;
}

export async function lintCommand(args: string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseLintArgs(args);
  if (values.help) {
    io.stdout(`${LINT_USAGE}\n`);
    return 0;
  }
  const format = values.format as Format;
  const explicit = values.config ? loadSettingsFile(values.config, values.config) : undefined;
  const files = await expandPaths(positionals, io.cwd);
  await loadGrammar();

  const locator = new SettingsLocator();
  const settingsByFile = new Map<string, LoadedSettings>();
  const warned = new Set<string>();
  const settingsFor = (file: string): LintSettings => {
    if (explicit) return explicit.settings;
    const path = locator.find(file);
    if (!path) return DEFAULT_SETTINGS;
    let loaded = settingsByFile.get(path);
    if (!loaded) {
      loaded = loadSettingsFile(path, displayPath(path, io.cwd));
      settingsByFile.set(path, loaded);
    }
    return loaded.settings;
  };

  const results: FileResult[] = [];
  const problems: string[] = [];
  for (const file of files) {
    const shownAs = displayPath(file, io.cwd);
    try {
      const settings = settingsFor(file);
      const document = analyzeDocument(await readSqlFile(file, shownAs));
      const findings = lintDocument(document, { settings });
      results.push({ file: shownAs, lines: document.lines, statementCount: document.statements.length, findings });
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      problems.push(error.message);
    }
  }
  for (const warning of [...(explicit?.warnings ?? []), ...[...settingsByFile.values()].flatMap((s) => s.warnings)]) {
    if (!warned.has(warning)) io.stderr(`safesql: warning: ${warning}\n`);
    warned.add(warning);
  }

  io.stdout(report(results, format, io.color));
  for (const problem of problems) io.stderr(`safesql: ${problem}\n`);
  if (problems.length > 0) return 2;
  return results.some((r) => r.findings.some((f) => f.severity === 'error')) ? 1 : 0;
}

function parseLintArgs(args: string[]) {
  try {
    const parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        format: { type: 'string', short: 'f', default: 'text' },
        config: { type: 'string', short: 'c' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (!(FORMATS as readonly string[]).includes(parsed.values.format!)) {
      throw new InputError(`--format must be one of ${FORMATS.join(', ')}, not "${parsed.values.format}"`);
    }
    return parsed;
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(`${(error as Error).message.replace(/\. To specify a positional.*$/, '')}\n\n${LINT_USAGE}`);
  }
}

function report(results: FileResult[], format: Format, color: boolean): string {
  switch (format) {
    case 'json':
      return formatJson(results);
    case 'sarif':
      return formatSarif(results);
    case 'github':
      return formatGithub(results);
    default:
      return formatText(results, { color });
  }
}
