/**
 * One production build of the add-in for the add-in tests, in .local/addin-test-dist (and, with
 * the dev sign-in bundled as `npm start` has it, in .local/addin-test-dist-devsignin). Test files
 * run in parallel workers, so each build is guarded by a lock directory and reused while no
 * source is newer than it.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

export const REPO = path.resolve(__dirname, '../..');
const DEFAULT_OUT = path.join(REPO, '.local/addin-test-dist');
const DEV_SIGNIN_OUT = path.join(REPO, '.local/addin-test-dist-devsignin');
const SOURCES = ['addin', 'shared', 'manifest.xml', 'manifest.json', 'webpack.config.js', 'package-lock.json'];

function newestMtime(p: string): number {
  const full = path.join(REPO, p);
  if (!fs.existsSync(full)) return 0;
  const st = fs.statSync(full);
  if (!st.isDirectory()) return st.mtimeMs;
  return fs.readdirSync(full).reduce((m, f) => Math.max(m, newestMtime(path.join(p, f))), st.mtimeMs);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function lock(lockDir: string): Promise<void> {
  for (;;) {
    try {
      fs.mkdirSync(lockDir, { recursive: false });
      return;
    } catch {
      // A lock older than the longest build is left over from a killed run.
      const age = Date.now() - (fs.statSync(lockDir, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > 5 * 60_000) fs.rmSync(lockDir, { recursive: true, force: true });
      await sleep(250);
    }
  }
}

export interface BuildOptions {
  /** Bundle the dev sign-in picker (GOODSTART_DEV_SIGNIN), as the dev server and the browser tests do. */
  devSignIn?: boolean;
}

/**
 * The directory of a fresh production build (the same command as `npm run build`'s webpack
 * step; with `devSignIn`, plus `--env devSignIn`, in a directory of its own).
 */
export async function builtAddin(options: BuildOptions = {}): Promise<string> {
  const out = options.devSignIn ? DEV_SIGNIN_OUT : DEFAULT_OUT;
  const lockDir = `${out}.lock`;
  const stamp = path.join(out, '.built-from');
  fs.mkdirSync(path.dirname(out), { recursive: true });
  await lock(lockDir);
  try {
    const sources = String(Math.max(...SOURCES.map(newestMtime)));
    if (fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === sources) return out;
    const env = { ...process.env };
    // The committed defaults: dev server URLs, no namespace.
    delete env['ADDIN_BASE_URL'];
    delete env['CF_NAMESPACE'];
    delete env['GOODSTART_API_URL'];
    for (const name of ['GOODSTART_AAD_CLIENT_ID', 'GOODSTART_AAD_AUTHORITY', 'GOODSTART_API_SCOPE', 'GOODSTART_DEV_SIGNIN', 'GOODSTART_PRODUCTION']) delete env[name];
    const args = ['--mode', 'production', '--env', `outDir=${out}`, ...(options.devSignIn ? ['--env', 'devSignIn'] : [])];
    await promisify(execFile)(process.execPath, [path.join(REPO, 'node_modules/webpack-cli/bin/cli.js'), ...args], {
      cwd: REPO,
      env,
      maxBuffer: 64 * 1024 * 1024,
    });
    fs.writeFileSync(stamp, sources);
    return out;
  } finally {
    fs.rmSync(lockDir, { recursive: true, force: true });
  }
}
