/**
 * The extension's own costs: the size of the .vsix, and activation time (goal ≤ 50 ms) measured
 * inside a real extension host — the editor suite under code-server records what the extension
 * timed itself (from its bundle starting to load to the end of `activate`; the language server
 * starts afterwards, in the background). Needs test/editor/setup.sh for the activation figure.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(__dirname, '..');

function run(command: string, args: string[], env: NodeJS.ProcessEnv = {}): void {
  const result = spawnSync(command, args, { cwd: root, stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, ...env } });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${result.status}`);
}

run('npm', ['run', 'package']);
const vsix = statSync(join(root, 'safesql.vsix')).size;
console.log(
  `# extension benchmark\n\n.vsix: ${(vsix / 1024).toFixed(0)} KB (dist/extension.js ${(statSync(join(root, 'dist/extension.js')).size / 1024).toFixed(0)} KB minified)`,
);

if (!existsSync(join(root, 'test/editor/node_modules/code-server'))) {
  console.log('activation: skipped (run test/editor/setup.sh to install code-server and Chromium)');
} else {
  const samples: { activationMs: number; loadMs: number; hostMs: number }[] = [];
  for (let i = 0; i < 3; i++) {
    const out = join(mkdtempSync(join(tmpdir(), 'safesql-activation-')), 'ms');
    run('node', ['test/editor/build-suite.mjs']);
    run('node', ['--import', 'tsx', 'test/editor/run.ts'], { SAFESQL_ACTIVATION_OUT: out });
    samples.push(JSON.parse(readFileSync(out, 'utf8')) as { activationMs: number; loadMs: number; hostMs: number });
  }
  samples.sort((a, b) => a.activationMs - b.activationMs);
  const median = samples[1]!;
  console.log(
    `activation in code-server's extension host: median ${median.activationMs.toFixed(1)} ms — evaluating the bundle ${median.loadMs.toFixed(1)} ms, then activate() (runs ${samples.map((s) => s.activationMs.toFixed(1)).join(', ')}) — goal ≤ 50 ms`,
  );
  console.log(
    `  not counted: the extension host's own preparation between loading the bundle and calling activate(), ${median.hostMs.toFixed(1)} ms`,
  );
}
