/** Reading returns and the school directory from disk for the CLI. */
import { promises as fs } from 'node:fs';
import { CliError } from './io';
import { readTransitionWorkbookSync } from '../shared/workbook/reader';
import { WorkbookError } from '../shared/workbook/errors';
import { zlibInflate } from '../xlsx/inflate';
import { SchoolDirectory, schoolDirectorySchema } from '../shared/schools';
import bundledSchools from '../samples/schools.json';
import type { TransitionReturn } from '../shared/transition/schema';

/** Reads a workbook into a return; a file it cannot read is a CliError with the reader's one-line reason. */
export async function readReturn(file: string, bytes: Uint8Array): Promise<TransitionReturn> {
  return readReturnSync(file, bytes);
}

/** readReturn, synchronously: the reader never waits, and a reader thread has nothing else to do. */
export function readReturnSync(file: string, bytes: Uint8Array): TransitionReturn {
  try {
    return readTransitionWorkbookSync(bytes, { fileName: file, inflate: zlibInflate });
  } catch (e) {
    if (e instanceof WorkbookError) throw new CliError(`${file}: ${e.message}`);
    throw e;
  }
}

export async function loadDirectory(file: string): Promise<SchoolDirectory> {
  let raw: unknown;
  try {
    raw = JSON.parse(await fs.readFile(file, 'utf8'));
  } catch (e) {
    throw new CliError(`${file}: cannot read the school directory (${(e as Error).message})`);
  }
  const parsed = schoolDirectorySchema.safeParse(raw);
  if (!parsed.success) throw new CliError(`${file}: not a school directory: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return new SchoolDirectory(parsed.data);
}

/** Where the CLI's school directory came from, to say so: the file given with --schools, or the bundled one. */
export const BUNDLED_DIRECTORY_NAME = 'the bundled directory (samples/schools.json)';

/** The directory given with --schools, or else the bundled one; `source` names which, for the user. */
export async function directoryFor(file: string | undefined): Promise<{ directory: SchoolDirectory; source: string }> {
  if (file !== undefined) return { directory: await loadDirectory(file), source: file };
  return { directory: new SchoolDirectory(schoolDirectorySchema.parse(bundledSchools)), source: BUNDLED_DIRECTORY_NAME };
}
