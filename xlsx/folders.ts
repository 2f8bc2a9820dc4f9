/**
 * Making the folder files go in: the CLI's output (and its code cache), and the API's local data
 * (functions/src/store/journal.ts). It loads nothing but Node's own modules, so the CLI's code
 * cache (cli/compileCache.ts), which is set up before anything else, can use it too.
 */
import { mkdirSync, statSync } from 'node:fs';
import * as path from 'node:path';

/** A folder that cannot be made, in one plain line naming the path at fault. */
export class FolderError extends Error {}

const codeOf = (e: unknown): string | undefined => (e as NodeJS.ErrnoException).code;

/**
 * Makes a folder and any of its parents that are missing, each parent once. (design) Not Node's
 * own `mkdir(dir, { recursive: true })`: where a parent exists but cannot hold the folder (a
 * path under /proc, which answers "no such file" for any new name), Node 20 steps back to the
 * parent, finds it there, and tries again, for ever, at full CPU. `goodstart consolidate --out
 * /proc/x/city.xlsx` never ended, nor did `npm start` with LOCAL_DATA_DIR there. Its errors
 * also named a parent ("EEXIST ... mkdir '/etc/hostname'") and no reason a user could act on.
 */
export function makeFolder(dir: string): void {
  const at = path.resolve(dir);
  try {
    mkdirSync(at);
    return;
  } catch (e) {
    if (codeOf(e) === 'EEXIST') return existingFolder(at);
    const parent = path.dirname(at);
    if ((codeOf(e) !== 'ENOENT' && codeOf(e) !== 'ENOTDIR') || parent === at) throw cannotMake(at, e);
    makeFolder(parent);
  }
  // The parent is a folder now: this is the one more try, and whatever it meets is final.
  try {
    mkdirSync(at);
  } catch (e) {
    if (codeOf(e) === 'EEXIST') return existingFolder(at);
    if (codeOf(e) === 'ENOENT') throw new FolderError(`the folder ${path.dirname(at)} cannot hold a new folder (${path.basename(at)})`);
    throw cannotMake(at, e);
  }
}

/** Something is already at `at`: a folder (made meanwhile, or there all along) is fine; anything else is not. */
function existingFolder(at: string): void {
  let isFolder = false;
  try {
    isFolder = statSync(at).isDirectory();
  } catch {
    // A link to nothing: there, but not a folder.
  }
  if (!isFolder) throw new FolderError(`${at} is not a folder (a file or a link to nothing is in the way)`);
}

function cannotMake(at: string, e: unknown): FolderError {
  const code = codeOf(e);
  if (code === 'EACCES' || code === 'EPERM') return new FolderError(`no permission to make the folder ${at}`);
  if (code === 'EROFS') return new FolderError(`${at} is on a read-only drive`);
  return new FolderError(`could not make the folder ${at} (${code ?? (e as Error).message})`);
}
