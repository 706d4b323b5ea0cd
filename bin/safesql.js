#!/usr/bin/env node
'use strict';
// `safesql lsp …` loads only the language server; everything else, only the CLI.
if (process.argv[2] === 'lsp') require('../dist/server.js');
else require('../dist/cli.js');
