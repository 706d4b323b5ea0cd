// The same editor suite in VS Code desktop (Electron) through @vscode/test-electron, for machines that
// have it: VSCODE_EXECUTABLE_PATH, else a download of 1.100.3 (fails without internet). Exit codes as
// run.ts: 0 pass, 1 fail, 2 no VS Code to run.
//
//   node --import tsx test/editor/run-vscode.ts
import * as path from 'node:path';
import { downloadAndUnzipVSCode, runTests } from '@vscode/test-electron';

const root = path.resolve(import.meta.dirname, '../..');

let vscodeExecutablePath = process.env.VSCODE_EXECUTABLE_PATH;
if (!vscodeExecutablePath) {
  try {
    vscodeExecutablePath = await downloadAndUnzipVSCode('1.100.3');
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    console.error(
      `test:vscode: no VS Code desktop build (set VSCODE_EXECUTABLE_PATH; download failed: ${reason}); npm run test:editor runs the suite in code-server`,
    );
    process.exit(2);
  }
}

try {
  await runTests({
    vscodeExecutablePath,
    extensionDevelopmentPath: root,
    extensionTestsPath: path.join(root, 'out/suite/index.js'),
    launchArgs: [path.join(root, 'test/suite/fixtures/workspace'), '--disable-extensions', '--disable-workspace-trust'],
  });
} catch (error) {
  console.error(`test:vscode: ${error instanceof Error ? error.message : error}`);
  process.exit(1);
}
