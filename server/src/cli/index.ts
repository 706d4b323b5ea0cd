import { main } from './main';

// Entry point of the `safesql` command (bundled to dist/cli.js).
const color = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR && process.env.TERM !== 'dumb';
const chunks: string[] = [];
// A reader that stops early (`safesql lint … | head`) is not an error worth a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});
main(process.argv.slice(2), {
  cwd: process.cwd(),
  stdout: (text) => chunks.push(text),
  stderr: (text) => process.stderr.write(text),
  color,
}).then((code) => {
  // One write, then let Node flush before exiting: large reports must not be cut off at a pipe.
  process.stdout.write(chunks.join(''), () => {
    process.exitCode = code;
  });
});
