// The entry point VS Code loads into the extension host when it runs tests (`extensionTestsPath`):
// it must export `run()`, whose promise settles with the suite's result. Bundled with mocha into
// out/suite/index.js by test/editor/build-suite.mjs; the *.suite.js files next to it are the tests.
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

export async function run(): Promise<void> {
  // No colours: the output is forwarded line by line to a terminal or a CI log, not a TTY.
  const mocha = new Mocha({ ui: 'tdd', timeout: 60_000, color: false });
  // Named *.suite.js, not *.test.js, so that `npm test` (node --test over test/**/*.test.ts) leaves them alone.
  // The launcher runs twice: trusted (every suite but untrusted.suite) and untrusted (only it).
  const untrusted = process.env.SAFESQL_EDITOR_MODE === 'untrusted';
  const files = fs
    .readdirSync(__dirname, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.suite.js') && file.endsWith('untrusted.suite.js') === untrusted);
  for (const file of files.sort()) mocha.addFile(path.join(__dirname, file));
  // test/editor/run.ts prints the console output from this line on (before it: the workbench's log).
  console.log('SUITE START');
  const failures = await new Promise<number>((resolve) => mocha.run(resolve));
  if (failures > 0) throw new Error(`${failures} editor test(s) failed`);
}
