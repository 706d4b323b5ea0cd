import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..');

/**
 * The peers safesql is measured against, installed for the benchmarks only (each in a folder of
 * its own, so installing one never prunes another), never as dependencies of safesql.
 */
function install(name: string, version: string): string {
  const prefix = join(ROOT, '.bench/tools', name.replace(/[@/]/g, '_'));
  const dir = join(prefix, 'node_modules', name);
  if (!existsSync(dir)) {
    spawnSync('npm', ['install', '--no-save', '--no-package-lock', '--no-audit', '--no-fund', '--prefix', prefix, `${name}@${version}`], {
      stdio: 'inherit',
    });
  }
  return prefix;
}

/**
 * postgres-language-server's CLI (a Rust linter with `banDeleteWithoutWhere`). Its npm package
 * carries the native binary in per-platform optional dependencies, so nothing is downloaded at
 * install or run time; undefined where npm has no build for this platform.
 */
export function installPostgresLanguageServer(): string | undefined {
  const bin = join(install('@postgres-language-server/cli', '0.25.5'), 'node_modules/.bin/postgres-language-server');
  return existsSync(bin) ? bin : undefined;
}

/** pgsql-ast-parser, the parser the design first named (pure JavaScript). */
export function installPgsqlAstParser(): { parse: (sql: string) => unknown } | undefined {
  const dir = join(install('pgsql-ast-parser', '12.0.2'), 'node_modules/pgsql-ast-parser');
  return existsSync(dir) ? (require(dir) as { parse: (sql: string) => unknown }) : undefined;
}
