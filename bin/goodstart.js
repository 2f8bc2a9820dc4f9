#!/usr/bin/env node
// The goodstart CLI runs the compiled JavaScript in dist/cli (npm run build:cli; `prepare` builds it
// after npm ci), so it starts without transpiling TypeScript; the sources stay in cli/ and shared/.
'use strict';
let cli;
try {
  cli = require('../dist/cli/cli/main.js');
} catch (e) {
  if (e && e.code === 'MODULE_NOT_FOUND' && String(e.message).includes('dist/cli/cli/main.js')) {
    process.stderr.write('goodstart: the CLI is not built yet; run npm run build:cli (npm ci does it for you)\n');
    process.exit(2);
  }
  throw e;
}
cli.main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
