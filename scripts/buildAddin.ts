/**
 * The production add-in (`npm run build`'s first step): webpack in production mode with
 * `--env production`, so every setting webpack.config.js lists in PRODUCTION_SETTINGS must be set
 * and a missing one stops the build by name. dist/ then holds the add-in's files and its two
 * manifests (manifest.xml and the unified manifest.json) for the host ADDIN_BASE_URL names.
 *
 * The settings come from the environment, or after `azd up` from `azd env get-values` (the
 * deployment's outputs): when azd is on PATH and has an environment here, its values fill in any
 * setting the environment leaves unset. The environment wins, so one build can override one value.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..');

/** `azd env get-values` output (dotenv: KEY="value", one a line) as a map. */
export function parseAzdValues(text: string): Map<string, string> {
  const values = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(?:"((?:[^"\\]|\\.)*)"|(.*))$/.exec(line.trim());
    if (!m) continue;
    values.set(m[1] as string, m[2] !== undefined ? m[2].replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c)) : (m[3] ?? '').trim());
  }
  return values;
}

/** azd's values for this project, or none when azd is absent or has no environment here. */
function azdValues(): Map<string, string> {
  try {
    return parseAzdValues(execFileSync('azd', ['env', 'get-values'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
  } catch {
    return new Map();
  }
}

/** The build's environment: the process's own, with azd's values under it. */
export function buildEnvironment(environment: NodeJS.ProcessEnv, fromAzd: ReadonlyMap<string, string>): NodeJS.ProcessEnv {
  const merged: NodeJS.ProcessEnv = { ...environment, GOODSTART_PRODUCTION: '1' };
  for (const [name, value] of fromAzd) if (!merged[name]) merged[name] = value;
  return merged;
}

if (require.main === module) {
  const fromAzd = azdValues();
  if (fromAzd.size > 0) console.log(`build: settings from azd env get-values fill in what the environment leaves unset (${fromAzd.size} values)`);
  const webpackCli = path.join(ROOT, 'node_modules/webpack-cli/bin/cli.js');
  // Further arguments go to webpack, e.g. `--env outDir=/some/dir` (the tests build elsewhere).
  const args = [webpackCli, '--mode', 'production', '--env', 'production', ...process.argv.slice(2)];
  const r = spawnSync(process.execPath, args, { cwd: ROOT, env: buildEnvironment(process.env, fromAzd), stdio: 'inherit' });
  process.exitCode = r.status ?? 1;
}
