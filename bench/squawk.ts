import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..');
const SQUAWK_VERSION = '2.66.0';

/**
 * squawk-cli, the reference, is installed for the benchmarks only: its package lists native builds
 * for other platforms that a lock file cannot resolve everywhere, so it is not a dependency.
 */
export function installSquawk(): { squawkNpm: string; squawkBinary: string } {
  const prefix = join(ROOT, '.bench/tools');
  const squawkNpm = join(prefix, 'node_modules/.bin/squawk');
  if (!existsSync(squawkNpm)) {
    spawnSync(
      'npm',
      ['install', '--no-save', '--no-package-lock', '--no-audit', '--no-fund', '--prefix', prefix, `squawk-cli@${SQUAWK_VERSION}`],
      {
        stdio: 'inherit',
      },
    );
  }
  return { squawkNpm, squawkBinary: join(prefix, `node_modules/@squawk-cli/${process.platform}-${process.arch}/bin/squawk`) };
}
