// Runs the editor suite (out/suite/index.js, built from test/suite) inside a real VS Code: code-server
// 4.100.3 with this repository as the extension under development, shown in headless Chromium.
// Exits with the suite's code (0 pass, 1 fail or timeout, 2 missing setup); see test/editor/README.md.
//
//   node --import tsx test/editor/run.ts [--timeout <seconds>] [--screenshots <dir>] [--mode trusted|untrusted|both]
//
// --mode (default both, one after the other): `trusted` runs every suite but untrusted.suite.ts with
// Workspace Trust off; `untrusted` runs only test/suite/untrusted.suite.ts with Workspace Trust on and
// the workspace not trusted, its .vscode/settings.json defining a connection as a cloned repository would.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { format, parseArgs } from 'node:util';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createRequire } from 'node:module';
import type { TestDatabase } from '../helpers/database.ts';
import type { PasswordCluster } from '../helpers/passwordCluster.ts';

const root = path.resolve(import.meta.dirname, '../..');
const codeServer = path.join(import.meta.dirname, 'node_modules/code-server/out/node/entry.js');
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const suiteIndex = path.join(root, 'out/suite/index.js');
// Loaded as CommonJS, like every other test file, so that it finds its PGlite server script.
const { openTestDatabase } = createRequire(import.meta.url)('../helpers/database.ts') as typeof import('../helpers/database.ts');
const { freePort, passwordClusterUnavailable, startPasswordCluster } = createRequire(import.meta.url)(
  '../helpers/passwordCluster.ts',
) as typeof import('../helpers/passwordCluster.ts');
const fixtureWorkspace = path.join(root, 'test/suite/fixtures/workspace');

const { values: options } = parseArgs({
  options: {
    timeout: { type: 'string', default: '180' },
    // Not docs/images by default: a plain test run should not rewrite tracked files.
    screenshots: { type: 'string', default: 'out/editor/screenshots' },
    mode: { type: 'string', default: 'both' },
  },
});
if (!['trusted', 'untrusted', 'both'].includes(options.mode)) {
  console.error(`editor tests: --mode is trusted, untrusted or both, not "${options.mode}"`);
  process.exit(2);
}
if (options.mode === 'both') {
  // Two editor sessions, each with its own code-server and profile: trust is decided when a folder opens.
  for (const mode of ['trusted', 'untrusted']) {
    const args = [...process.execArgv, import.meta.filename, ...process.argv.slice(2), '--mode', mode];
    const { status } = spawnSync(process.execPath, args, { stdio: 'inherit' });
    if (status !== 0) process.exit(status ?? 1);
  }
  process.exit(0);
}
const untrusted = options.mode === 'untrusted';
const timeoutMs = Number(options.timeout) * 1000;
const screenshotDir = path.resolve(root, options.screenshots);

for (const [file, fix] of [
  [codeServer, 'run test/editor/setup.sh'],
  [chromiumPath, 'run test/editor/setup.sh (or set CHROMIUM_PATH)'],
  [suiteIndex, 'run npm run test:editor, which builds it'],
] as const) {
  if (!existsSync(file)) {
    console.error(`editor tests: ${file} is missing: ${fix}`);
    process.exit(2);
  }
}

const temp = await mkdtemp(path.join(tmpdir(), 'safesql-editor-'));
const acks = path.join(temp, 'screenshot-acks');
await mkdir(acks);
// A copy: the suite writes settings and files into its workspace.
const workspace = path.join(temp, 'workspace');
await cp(fixtureWorkspace, workspace, { recursive: true });
let server: ChildProcess | undefined;
let browser: Browser | undefined;
// DATABASE_URL when set (CI: the local PostgreSQL), else an embedded PGlite for the suite's statements.
let database: TestDatabase | undefined;
// A cluster that demands a password, for the suite's stored-password tests (where initdb can run).
let passwordDb: PasswordCluster | undefined;

let cleaning: Promise<void> | undefined;
/** Stops the browser and every process of code-server (it forks the extension host and our language server), once. */
function cleanUp(): Promise<void> {
  return (cleaning ??= stopAll());
}
async function stopAll(): Promise<void> {
  await browser?.close().catch(() => {});
  await database?.close().catch(() => {});
  try {
    passwordDb?.stop();
  } catch {
    // already gone
  }
  if (server?.pid !== undefined) {
    // SIGKILL, not SIGTERM: nothing in the throwaway profile is worth a graceful exit (which takes
    // code-server seconds), and an extension host in the middle of a test would outlive a SIGTERM.
    const exited = server.exitCode === null && server.signalCode === null && new Promise((resolve) => server!.once('exit', resolve));
    killGroup(server.pid, 'SIGKILL');
    await exited;
  }
  await rm(temp, { recursive: true, force: true });
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => void cleanUp().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143)));
}

const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
// One deadline for the whole run: starting code-server, loading the workbench and the suite.
const deadline = sleep(timeoutMs, 'timeout' as const, { ref: false });
let code = 1;
let suiteStarted = false;
const workbenchLog: string[] = [];
try {
  database = await openTestDatabase();
  if (!untrusted && !passwordClusterUnavailable()) passwordDb = await startPasswordCluster(`editor-${process.pid}-${Date.now()}`);
  console.log(`editor tests: statements run on ${database.description}${untrusted ? '; workspace NOT trusted' : ''}`);
  const port = await freePort();
  // Settings of the test profile: no prompt about the repository around the fixture workspace.
  await mkdir(path.join(temp, 'user/User'), { recursive: true });
  await writeFile(
    path.join(temp, 'user/User/settings.json'),
    JSON.stringify({
      'git.openRepositoryInParentFolders': 'never',
      // Restricted mode without the modal that would ask to trust the folder: it stays untrusted.
      ...(untrusted ? { 'security.workspace.trust.enabled': true, 'security.workspace.trust.startupPrompt': 'never' } : {}),
    }),
  );
  if (untrusted) {
    // What a cloned repository brings: a connection that points at a real database.
    await mkdir(path.join(workspace, '.vscode'), { recursive: true });
    await writeFile(
      path.join(workspace, '.vscode/settings.json'),
      JSON.stringify({ 'safesql.connections': [{ name: 'repo-db', environment: 'development', url: database.url }] }, null, 2),
    );
  }
  const log = path.join(temp, 'code-server.log');
  const logStream = createWriteStream(log);
  server = spawn(
    process.execPath,
    [
      codeServer,
      ...['--bind-addr', `127.0.0.1:${port}`, '--auth', 'none', '--config', path.join(temp, 'config.yaml')],
      ...['--user-data-dir', path.join(temp, 'user'), '--extensions-dir', path.join(temp, 'extensions')],
      ...['--disable-telemetry', '--disable-update-check', '--disable-getting-started-override'],
      ...(untrusted ? [] : ['--disable-workspace-trust']),
      ...['--ignore-last-opened', workspace],
    ],
    {
      // A process group of its own, so that cleanUp() can stop all of it at once.
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        // Inherited on purpose: DATABASE_URL (and anything else a suite needs) reaches the extension host.
        ...process.env,
        // Without it, code-server asks an extension gallery on the internet.
        EXTENSIONS_GALLERY: '{}',
        // Keep code-server out of $HOME.
        TMPDIR: temp,
        XDG_DATA_HOME: path.join(temp, 'data'),
        XDG_CONFIG_HOME: path.join(temp, 'config'),
        XDG_CACHE_HOME: path.join(temp, 'cache'),
        SAFESQL_SCREENSHOT_ACKS: acks,
        DATABASE_URL: database.url,
        // The journal of this run's commits, not the user's.
        SAFESQL_HOME: path.join(temp, 'safesql-home'),
        // Only what the suite types into the password box reaches that cluster: no PGPASSWORD, no ~/.pgpass.
        PGPASSWORD: undefined,
        PGPASSFILE: path.join(temp, 'no-pgpass'),
        ...(passwordDb ? { SAFESQL_TEST_PASSWORD_URL: passwordDb.url, SAFESQL_TEST_PASSWORD: passwordDb.password } : {}),
        // test/suite/index.ts picks the suites of the mode.
        SAFESQL_EDITOR_MODE: untrusted ? 'untrusted' : 'trusted',
      },
    },
  );
  server.stdout!.pipe(logStream);
  server.stderr!.pipe(logStream);
  const serverExit = new Promise<never>((_, reject) =>
    server!.once('exit', (status) => reject(new Error(`code-server exited early (${status}); its log:\n${tail(log)}`))),
  );
  serverExit.catch(() => {}); // observed through the races below

  if ((await Promise.race([healthy(port), serverExit, deadline])) === 'timeout')
    throw new Error(`code-server did not answer within ${options.timeout} s`);
  console.log(`editor tests: code-server 127.0.0.1:${port} up after ${elapsed()}`);

  browser = await chromium.launch({
    executablePath: chromiumPath,
    // cleanUp() handles the signals: Playwright's own handlers would exit before code-server is stopped.
    handleSIGINT: false,
    handleSIGTERM: false,
    args: [
      ...['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run'],
      ...['--disable-background-networking', '--disable-component-update', '--disable-sync'],
      // Nothing but code-server is reachable anyway; fail fast instead of waiting on DNS.
      '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1',
    ],
  });
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });

  let screenshots: Promise<unknown> = Promise.resolve();
  const suiteExit = new Promise<number>((resolve) => {
    // The workbench reports the suite's console output and result through these two functions.
    void page.exposeFunction('codeAutomationExit', (status: number) => resolve(status));
    void page.exposeFunction('codeAutomationLog', (_level: string, args: unknown[]) => {
      // The workbench's own log comes the same way. It is shown only when the suite does not start:
      // the suite's output starts with the line SUITE START (test/suite/index.ts).
      for (const line of format(...args).split('\n')) {
        const shot = /^SCREENSHOT ([\w.-]+)$/.exec(line);
        const keys = /^KEYS ([\w.-]+) (.*)$/.exec(line);
        if (shot) screenshots = screenshots.then(() => takeScreenshot(page, shot[1]!));
        else if (keys) screenshots = screenshots.then(() => pressKeys(page, keys[1]!, JSON.parse(keys[2]!) as string[]));
        else if (suiteStarted) console.log(line);
        else if (line === 'SUITE START') suiteStarted = true;
        else workbenchLog.push(line);
      }
    });
  });

  const remote = (file: string) => `vscode-remote://127.0.0.1:${port}${file}`;
  const payload = [
    ['extensionDevelopmentPath', remote(root)],
    ['extensionTestsPath', remote(suiteIndex)],
    ['skipWelcome', 'true'],
    ['skipReleaseNotes', 'true'],
  ];
  await page.goto(
    `http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`,
  );

  const result = await Promise.race([suiteExit, deadline, serverExit]);
  if (result !== 0 && !suiteStarted) console.error(`editor tests: the workbench's log:\n  ${workbenchLog.join('\n  ')}`);
  if (result === 'timeout') {
    const shot = path.join(root, 'out/editor/timeout.png');
    await mkdir(path.dirname(shot), { recursive: true });
    await page.screenshot({ path: shot }).catch(() => {});
    console.error(`editor tests: no result after ${options.timeout} s (window: ${shot}); code-server's log:\n${tail(log)}`);
  } else {
    await screenshots;
    code = result;
    console.log(`editor tests: suite exited with ${code} after ${elapsed()}`);
  }
} catch (error) {
  // While a signal stops everything, code-server's exit is expected, not an error.
  if (!cleaning) console.error(`editor tests: ${error instanceof Error ? error.message : error}`);
} finally {
  await cleanUp();
}
process.exit(code);

/** Saves the window as <screenshots>/<name>.png, then tells the waiting suite (helpers.ts screenshot()). */
async function takeScreenshot(page: Page, name: string): Promise<void> {
  await sleep(1000); // let the workbench paint what the suite just did (problems panel, squiggles)
  const file = path.join(screenshotDir, `${name}.png`);
  await mkdir(screenshotDir, { recursive: true });
  await page.screenshot({ path: file });
  await writeFile(path.join(acks, `${name}.done`), '');
  console.log(`editor tests: screenshot ${path.relative(root, file)}`);
}

/**
 * Types into the workbench as a user would (an input box, a modal dialog), then tells the waiting
 * suite (helpers.ts keys()). Each step is `type:<text>` or `press:<key>`.
 */
async function pressKeys(page: Page, name: string, steps: string[]): Promise<void> {
  await sleep(500); // let the input box or dialog open and take focus
  for (const step of steps) {
    const [action, value] = [step.slice(0, step.indexOf(':')), step.slice(step.indexOf(':') + 1)];
    if (action === 'type') await page.keyboard.type(value, { delay: 20 });
    else await page.keyboard.press(value);
  }
  await writeFile(path.join(acks, `${name}.done`), '');
}

async function healthy(port: number): Promise<void> {
  for (;;) {
    const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then(
      (response) => response.ok,
      () => false,
    );
    if (ok) return;
    await sleep(100);
  }
}

function tail(file: string): string {
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').slice(-40).join('\n') : '';
}
