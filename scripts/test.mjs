// Runs the unit, fixture and CLI tests with Node's test runner. Node 20's runner neither finds
// *.test.ts files by itself nor expands globs, so the files are listed here.
import { spawnSync } from 'node:child_process';
import { glob } from 'tinyglobby';

// `--embedded`: run against the embedded PGlite even where DATABASE_URL names a server (CI runs both).
const embedded = process.argv.includes('--embedded');
const patterns = process.argv.slice(2).filter((arg) => arg !== '--embedded');
const files = await glob(patterns.length ? patterns : ['test/**/*.test.ts'], {
  ignore: ['**/node_modules/**'],
});
const env = { ...process.env };
if (embedded) delete env.DATABASE_URL;
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...files.sort()], {
  stdio: 'inherit',
  env,
});
process.exit(result.status ?? 1);
