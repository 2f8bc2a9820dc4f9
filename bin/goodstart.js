#!/usr/bin/env node
// The goodstart CLI runs the compiled JavaScript in dist/cli (npm run build:cli; `prepare` builds it
// after npm ci), so it starts without transpiling TypeScript; the sources stay in cli/ and shared/.
// Its modules compile with V8's code from the last run where there is some (cli/compileCache.ts).
'use strict';
let cli;
try {
  require('../dist/cli/cli/compileCache.js').useCompileCache({ write: true });
  cli = require('../dist/cli/cli/main.js');
} catch (e) {
  if (e && e.code === 'MODULE_NOT_FOUND' && /dist\/cli\/cli\/(main|compileCache)\.js/.test(String(e.message))) {
    process.stderr.write('goodstart: the CLI is not built yet; run npm run build:cli (npm ci does it for you)\n');
    process.exit(2);
  }
  throw e;
}
cli.useProcessOutput();
cli.main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
