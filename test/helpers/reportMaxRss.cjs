// Preloaded (`node --require`) into a child whose peak memory is measured: prints the whole
// process's peak resident set (worker threads included) on stderr as it exits.
'use strict';
process.on('exit', () => {
  process.stderr.write(`\nmaxRSS ${process.resourceUsage().maxRSS}\n`);
});
