/** One return read and validated for consolidation, in this thread or on a reader thread (readWorker.ts). */
import * as path from 'node:path';
import { CliError, readCapped } from './io';
import { readReturnSync } from './returns';
import { validateReturn } from '../shared/transition/validate';
import { returnSchool, type ReturnOutcome } from '../shared/consolidation';
import type { SchoolDirectory } from '../shared/schools';

/** Reads and validates one return; a file that cannot be read is an outcome too, with its one-line reason. */
export function readOutcome(file: string, directory: SchoolDirectory): ReturnOutcome {
  try {
    const ret = readReturnSync(file, readCapped(file));
    return { kind: 'read', file: path.basename(file), ret, ...validateReturn(ret, { directory }) };
  } catch (e) {
    if (!(e instanceof CliError)) throw e;
    return { kind: 'unreadable', file: path.basename(file), reason: e.message.replace(`${file}: `, '') };
  }
}

/**
 * An outcome as small as consolidation needs it, to pass between threads: the return's rows
 * (the bulk, and the valid ones again as pupils) are left out, the school they name is kept.
 */
export function compactOutcome(o: ReturnOutcome, directory: SchoolDirectory): ReturnOutcome {
  if (o.kind === 'unreadable') return o;
  const sheets = o.ret.sheets.map((s) => ({ ...s, rows: [] }));
  return { ...o, ret: { ...o.ret, sheets, explanations: [] }, school: returnSchool(o.ret, directory) ?? '' };
}
