import { once } from 'node:events';
import { main } from './main';

// Entry point of the `safesql` command (bundled to dist/cli.js).
const color = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR && process.env.TERM !== 'dumb';
// A reader that stops early (`safesql lint … | head`) is not an error worth a stack trace, and
// output that cannot be written (a full disk) is one line, like any other unusable input or output.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  process.stderr.write(`safesql: cannot write the output (${error.message})\n`);
  process.exit(2);
});
let full = false;
main(process.argv.slice(2), {
  cwd: process.cwd(),
  // Written as produced; a reader slower than the report makes the report wait (drain), never
  // makes it pile up. Node flushes what is left before the process exits.
  stdout: (text) => {
    if (!process.stdout.write(text)) full = true;
  },
  drain: async () => {
    if (!full) return;
    full = false;
    await once(process.stdout, 'drain');
  },
  stderr: (text) => process.stderr.write(text),
  color,
}).then((code) => {
  process.exitCode = code;
});
