/** One return read and validated for consolidation, in this thread or on a reader thread (readWorker.ts). */
import * as path from 'node:path';
import { CliError, readCapped } from './io';
import { readReturnSync } from './returns';
import { validateReturn } from '../shared/transition/validate';
import { returnShare, type ReturnOutcome, type TrackerEntry } from '../shared/consolidation';
import type { SchoolDirectory } from '../shared/schools';
import type { SchoolSummary } from '../shared/aggregate/summary';
import { pupilRows } from '../xlsx/consolidated';
import type { DetachedRows } from '../xlsx/spreadsheetml';

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
 * A return's share of the consolidation, as small as the main thread needs it: its tracker
 * line and counts, the year it states, and its valid pupils already as rows of the Pupils sheet
 * (numbered when appended). Flat strings and numbers, so it crosses threads cheaply.
 */
export interface ReadShare {
  tracker: TrackerEntry;
  summary?: SchoolSummary;
  /** The transfer year the return states, if any. */
  year: number | null;
  rows: DetachedRows;
}

/**
 * Reads one file and works out its share; `year` is the one given for the run, or 0 (the
 * summary's year is set when the tables are made). `firstRow`: the Pupils row its pupils will
 * start at, when it is known (read on the writing thread, in its turn).
 */
export function readShare(file: string, directory: SchoolDirectory, year: number, firstRow?: number): ReadShare {
  const outcome = readOutcome(file, directory);
  const { tracker, summary, pupils, source } = returnShare(outcome, year, directory);
  return { tracker, ...(summary ? { summary } : {}), year: outcome.kind === 'read' ? outcome.ret.year : null, rows: pupilRows(pupils, undefined, firstRow, source) };
}
