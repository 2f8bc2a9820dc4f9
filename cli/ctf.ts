/** Reading a Common Transfer File from disk for the CLI: refused by size before parsing, then streamed. */
import { createReadStream, promises as fs } from 'node:fs';
import { CliError } from './io';
import { CtfError, type CtfFile, checkCtfSize, readCtfStream } from '../shared/ctf';

/** Reads a CTF; a file it cannot read is a CliError with the reader's one-line reason. */
export async function readCtfFile(file: string): Promise<CtfFile> {
  const stat = await fs.stat(file).catch(() => undefined);
  if (!stat) throw new CliError(`${file}: no such file`);
  if (!stat.isFile()) throw new CliError(`${file}: not a file`);
  try {
    checkCtfSize(stat.size);
    return await readCtfStream(createReadStream(file, { highWaterMark: 256 * 1024 }), { size: stat.size });
  } catch (e) {
    if (e instanceof CtfError) throw new CliError(`${file}: ${e.message}`);
    throw e;
  }
}
