/** The school directory from disk for the CLI (read.ts reads the returns). */
import { promises as fs } from 'node:fs';
import { CliError } from './io';
import { SchoolDirectory, schoolDirectorySchema } from '../shared/schools';

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

/** What the CLI says when no --schools was given: school codes are checked for their form alone. */
export const NOT_CHECKED = "schools were not checked against the LA's list (no --schools given): school codes were checked for form only";

/**
 * The one directory rule of `goodstart validate` and `goodstart consolidate`: the LA's list given
 * with --schools, or none. The synthetic sample directory (samples/schools.json) is for the local
 * demo (`npm start`) and is never taken in its place: real schools judged against invented ones
 * would leave out real pupils. Without one, school codes are checked for form only
 * (shared/transition/validate.ts), and `source` says so, for the user.
 */
export async function directoryFor(file: string | undefined): Promise<{ directory?: SchoolDirectory; source: string }> {
  if (file !== undefined) return { directory: await loadDirectory(file), source: file };
  return { source: NOT_CHECKED };
}
