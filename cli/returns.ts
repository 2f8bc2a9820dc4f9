/** The school directory from disk for the CLI (read.ts reads the returns). */
import { promises as fs } from 'node:fs';
import { CliError } from './io';
import { SchoolDirectory, schoolDirectorySchema } from '../shared/schools';
import bundledSchools from '../samples/schools.json';

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
