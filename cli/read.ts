/**
 * Reading returns from disk for the CLI: the workbook reader and nothing else, so a reader thread
 * (readWorker.ts) loads only this and starts at once.
 */
import * as path from 'node:path';
import { CliError, readCapped } from './io';
import { readTransitionWorkbookSync, readWorkbookModifiedSync } from '../shared/workbook/reader';
import { WorkbookError } from '../shared/workbook/errors';
import { NODE_READER } from '../xlsx/inflate';
import type { TransitionReturn } from '../shared/transition/schema';

/** Reads a workbook into a return (synchronously: the reader never waits); a file it cannot read is a CliError with the reader's one-line reason. */
export function readReturn(file: string, bytes: Uint8Array): TransitionReturn {
  try {
    return readTransitionWorkbookSync(bytes, { ...NODE_READER, fileName: file });
  } catch (e) {
    if (e instanceof WorkbookError) throw new CliError(`${file}: ${e.message}`);
    throw e;
  }
}

/**
 * A file read as a return, not yet validated, with when the workbook says it was last saved
 * (ISO, or null: which of two copies of one school's return is kept); or, when it cannot be
 * read, its one-line reason.
 */
export type ReadFile = { kind: 'read'; file: string; ret: TransitionReturn; modified: string | null } | { kind: 'unreadable'; file: string; reason: string };

/** Reads one file as a return: all a reader thread does, so it loads only the reader. */
export function readFile(file: string): ReadFile {
  try {
    const bytes = readCapped(file);
    const ret = readReturn(file, bytes);
    return { kind: 'read', file: path.basename(file), ret, modified: readWorkbookModifiedSync(bytes, NODE_READER) };
  } catch (e) {
    if (!(e instanceof CliError)) throw e;
    return { kind: 'unreadable', file: path.basename(file), reason: e.message.replace(`${file}: `, '') };
  }
}

