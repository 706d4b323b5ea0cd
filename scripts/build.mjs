// Bundles the CLI, the language server and the VS Code client with esbuild into dist/, which is
// all the packaged extension needs. libpg-query's WebAssembly file goes next to the bundles: its
// loader looks for it in the directory of the script that loads it.
import { copyFile, mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';

const require = createRequire(import.meta.url);

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  logLevel: 'warning',
  external: ['vscode', 'pg-native'],
  // jsonc-parser's UMD build hides its requires from the bundler; its ESM build bundles cleanly.
  mainFields: ['module', 'main'],
  // Some dependencies ship ESM that reads import.meta.url; give the CommonJS bundle the equivalent.
  define: { 'import.meta.url': 'importMetaUrl' },
  banner: { js: "const importMetaUrl = require('url').pathToFileURL(__filename).href;" },
};

// `safesql lint`, what most runs are, starts without the engine and `pg`: the CLI's bundle loads
// the commands that run SQL from a bundle of their own, and only when one is asked for. The lint
// bundles are minified because loading them is a good part of a lint's start-up.
const execApart = {
  name: 'exec-apart',
  setup(build) {
    build.onResolve({ filter: /^\.\/execCommands$/ }, () => ({ path: './cli-exec.js', external: true }));
  },
};

await mkdir('dist', { recursive: true });
await copyFile(join(dirname(require.resolve('libpg-query')), 'libpg-query.wasm'), 'dist/libpg-query.wasm');
await Promise.all([
  build({ ...common, entryPoints: ['server/src/cli/index.ts'], outfile: 'dist/cli.js', minify: true, plugins: [execApart] }),
  build({ ...common, entryPoints: ['server/src/cli/execCommands.ts'], outfile: 'dist/cli-exec.js' }),
  // The lint pool's worker threads load only the SQL front end.
  build({ ...common, entryPoints: ['server/src/cli/factsWorker.ts'], outfile: 'dist/cli-worker.js', minify: true }),
  build({ ...common, entryPoints: ['server/src/lsp/main.ts'], outfile: 'dist/server.js' }),
  build({
    ...common,
    entryPoints: ['client/src/extension.ts'],
    outfile: 'dist/extension.js',
    // Activation time is mostly the time to load this bundle: keep it small, and note when loading starts and ends.
    minify: true,
    banner: { js: `globalThis.safesqlLoadStarted = performance.now();\n${common.banner.js}` },
    footer: { js: 'globalThis.safesqlLoadEnded = performance.now();' },
  }),
]);
