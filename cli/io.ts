/** File-system edges of the CLI: size-capped reads and writes that never leave half a file. */
import { promises as fs, readFileSync, rmSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { WORKBOOK_LIMITS } from '../shared/transition/layout';
import { FolderError, makeFolder } from '../xlsx/folders';

/** A problem the user can fix: printed as one line, exit code 2. */
export class CliError extends Error {
  constructor(message: string, readonly exitCode = 2) {
    super(message);
    this.name = 'CliError';
  }
}

/**
 * Reads a workbook, refusing anything over the cap before a byte of it is loaded. Synchronous:
 * the CLI does one thing at a time, and 450 returns read through the thread pool cost a wait
 * on it each (while zlib deflates the export there) for nothing.
 */
export function readCapped(file: string, maxBytes: number = WORKBOOK_LIMITS.maxFileBytes): Uint8Array {
  let stat;
  try {
    stat = statSync(file);
  } catch {
    throw new CliError(`${file}: no such file`);
  }
  if (!stat.isFile()) throw new CliError(`${file}: not a file`);
  if (stat.size > maxBytes) {
    throw new CliError(`${file}: ${formatBytes(stat.size)} is over the ${formatBytes(maxBytes)} limit for a transition workbook`);
  }
  return new Uint8Array(readFileSync(file));
}

/** Refuses to replace an existing file without --force; checked before any work, and again when writing. */
export async function refuseExisting(file: string, { force = false } = {}): Promise<void> {
  if (force) return;
  const exists = await fs.stat(path.resolve(file)).then(() => true, () => false);
  if (exists) throw new CliError(`${file} already exists: choose another --out or add --force to replace it`);
}

/**
 * Writes via a temporary file and a rename, so an interrupted run never leaves a partial
 * workbook: the bytes, or whatever `write` streams into the temporary file it is given.
 */
export async function writeAtomically(file: string, content: Uint8Array | ((tmp: string) => Promise<void>), { force = false } = {}): Promise<void> {
  const target = path.resolve(file);
  await refuseExisting(file, { force });
  try {
    makeFolder(path.dirname(target));
  } catch (e) {
    if (e instanceof FolderError) throw new CliError(`could not write ${file}: ${e.message}; choose another --out`);
    throw e;
  }
  const tmp = `${target}.${process.pid}.tmp`;
  // Stopped (Ctrl-C, or killed) while writing: the half-written file goes too, and the exit code says which signal.
  const stopped = (signal: NodeJS.Signals): void => {
    rmSync(tmp, { force: true });
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', stopped);
  process.once('SIGTERM', stopped);
  try {
    if (typeof content === 'function') await content(tmp);
    else await fs.writeFile(tmp, content);
    await fs.rename(tmp, target);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw new CliError(`could not write ${file}: ${(e as Error).message}`);
  } finally {
    process.off('SIGINT', stopped);
    process.off('SIGTERM', stopped);
  }
}

/** Expands files and folders into the .xlsx files they hold, in a stable order. */
export async function expandInputs(inputs: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const input of inputs) {
    const stat = await fs.stat(input).catch(() => undefined);
    if (!stat) throw new CliError(`${input}: no such file or folder`);
    if (stat.isDirectory()) {
      const names = (await fs.readdir(input)).filter((n) => /\.xlsx$/i.test(n) && !n.startsWith('~$')).sort();
      out.push(...names.map((n) => path.join(input, n)));
    } else {
      out.push(input);
    }
  }
  return out;
}

export function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / (1024 * 1024)).toFixed(1)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(0)} KiB`;
  return `${n} bytes`;
}

/**
 * Lets the CLI's output go unread: where the program reading it has stopped (`goodstart
 * consolidate … --json | head`), what is still written to the stream is dropped, and the command
 * finishes its work (the workbook it writes) and exits as it would. Without this, Node throws the
 * pipe's EPIPE as an uncaught error: a stack trace and exit 1 (a return with errors, to a
 * script); where it was the progress on stderr that went unread, the run stopped there, with no
 * workbook and its temporary file left behind. Any other failure of the stream is thrown as before.
 */
export function tolerateClosedReader(stream: NodeJS.WritableStream): void {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    // A write after the reader has gone fails as the stream is already destroyed: the same case.
    if (e.code !== 'EPIPE' && e.code !== 'ERR_STREAM_DESTROYED') throw e;
  });
}

/** Progress on stderr: a rewritten line on a terminal, a line every tenth of the way otherwise. */
export function progressReporter(total: number, label: string, stream: NodeJS.WriteStream = process.stderr) {
  const tty = stream.isTTY === true;
  let lastDecile = -1;
  return {
    tick(done: number, detail: string): void {
      if (tty) {
        stream.write(`\r${label} ${done}/${total} ${detail}`.slice(0, (stream.columns ?? 100) - 1).padEnd(Math.min(99, (stream.columns ?? 100) - 1)));
      } else {
        const decile = Math.floor((done * 10) / Math.max(1, total));
        if (decile !== lastDecile || done === total) {
          lastDecile = decile;
          stream.write(`${label} ${done}/${total}\n`);
        }
      }
    },
    end(): void {
      if (tty) stream.write('\n');
    },
  };
}
