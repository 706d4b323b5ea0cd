// Bundles the editor suite (test/suite) into out/suite/ for the extension host: index.js with mocha
// inside (so it loads in any host, whatever mocha's module format), one *.suite.js per test file.
// `vscode` stays external: the extension host provides it.
import { build } from 'esbuild';
import { rm } from 'node:fs/promises';
import * as path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');
// Start empty: index.js runs every *.suite.js it finds, including those of deleted sources.
await rm(path.join(root, 'out/suite'), { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: ['test/suite/index.ts', 'test/suite/**/*.suite.ts'],
  outbase: 'test/suite',
  outdir: 'out/suite',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  external: ['vscode'],
  logLevel: 'warning',
  // mocha's parallel mode (unused here) resolves its worker files at run time.
  logOverride: { 'require-resolve-not-external': 'silent' },
});
