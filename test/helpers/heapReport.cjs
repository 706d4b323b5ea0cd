'use strict';
// Preloaded into a language server under measurement (node --expose-gc --require this): on
// SIGUSR2 it collects garbage and writes the process's memory to stderr as one line, so what is
// measured is what the server still holds, not what it has yet to free.
if (typeof global.gc !== 'function') throw new Error('heapReport.cjs needs node --expose-gc');
process.on('SIGUSR2', () => {
  // Twice: the first collection may only queue weakly held objects for the second.
  global.gc();
  global.gc();
  process.stderr.write(`heap-after-gc ${JSON.stringify(process.memoryUsage())}\n`);
});
