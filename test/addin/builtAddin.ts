/**
 * One production build of the add-in for the add-in tests, in .local/addin-test-dist. Test files
 * run in parallel workers, so the build is guarded by a lock directory and reused while no
 * source is newer than it.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

export const REPO = path.resolve(__dirname, '../..');
const OUT = path.join(REPO, '.local/addin-test-dist');
const LOCK = `${OUT}.lock`;
const STAMP = path.join(OUT, '.built-from');
const SOURCES = ['addin', 'shared', 'manifest.xml', 'webpack.config.js', 'package-lock.json'];

function newestMtime(p: string): number {
  const full = path.join(REPO, p);
  if (!fs.existsSync(full)) return 0;
  const st = fs.statSync(full);
  if (!st.isDirectory()) return st.mtimeMs;
  return fs.readdirSync(full).reduce((m, f) => Math.max(m, newestMtime(path.join(p, f))), st.mtimeMs);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function lock(): Promise<void> {
  for (;;) {
    try {
      fs.mkdirSync(LOCK, { recursive: false });
      return;
    } catch {
      // A lock older than the longest build is left over from a killed run.
      const age = Date.now() - (fs.statSync(LOCK, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > 5 * 60_000) fs.rmSync(LOCK, { recursive: true, force: true });
      await sleep(250);
    }
  }
}

/** The directory of a fresh production build (the same command as `npm run build`'s webpack step). */
export async function builtAddin(): Promise<string> {
  fs.mkdirSync(path.dirname(OUT), { recursive: true });
  await lock();
  try {
    const sources = String(Math.max(...SOURCES.map(newestMtime)));
    if (fs.existsSync(STAMP) && fs.readFileSync(STAMP, 'utf8') === sources) return OUT;
    const env = { ...process.env };
    // The committed defaults: dev server URLs, no namespace.
    delete env['ADDIN_BASE_URL'];
    delete env['CF_NAMESPACE'];
    delete env['GOODSTART_API_URL'];
    await promisify(execFile)(process.execPath, [path.join(REPO, 'node_modules/webpack-cli/bin/cli.js'), '--mode', 'production', '--env', `outDir=${OUT}`], {
      cwd: REPO,
      env,
      maxBuffer: 64 * 1024 * 1024,
    });
    fs.writeFileSync(STAMP, sources);
    return OUT;
  } finally {
    fs.rmSync(LOCK, { recursive: true, force: true });
  }
}
