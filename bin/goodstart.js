#!/usr/bin/env node
// The goodstart CLI runs the TypeScript sources through tsx, so the CLI and the add-in share one domain core.
'use strict';
require('tsx/cjs');
require('../cli/main.ts')
  .main(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });
