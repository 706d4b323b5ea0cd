// Runs the unit, fixture and CLI tests with Node's test runner. Node 20's runner neither finds
// *.test.ts files by itself nor expands globs, so the files are listed here.
import { spawnSync } from 'node:child_process';
import { glob } from 'tinyglobby';

const files = await glob(process.argv.slice(2).length ? process.argv.slice(2) : ['test/**/*.test.ts'], {
  ignore: ['**/node_modules/**'],
});
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...files.sort()], {
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
