/** A return read (here or on a reader thread: read.ts), validated for consolidation. */
import type { ReadFile } from './read';
import { validateReturn } from '../shared/transition/validate';
import { returnShare, type ReturnOutcome, type ReturnShare } from '../shared/consolidation';
import type { SchoolDirectory } from '../shared/schools';

/** A file read, validated. */
export function validated(read: ReadFile, directory: SchoolDirectory): ReturnOutcome {
  return read.kind === 'read' ? { ...read, ...validateReturn(read.ret, { directory }) } : read;
}

/** A return's share of the consolidation (shared/consolidation.ts), and the transfer year it states, if any. */
export type ReadShare = ReturnShare & { year: number | null };

/**
 * A file read (here or on a reader thread), validated, as its share. `year` is the one given
 * for the run, or 0 (the summary's year is set when the tables are made).
 */
export function shareOf(read: ReadFile, directory: SchoolDirectory, year: number): ReadShare {
  const outcome = validated(read, directory);
  return { ...returnShare(outcome, year, directory), year: outcome.kind === 'read' ? outcome.ret.year : null };
}
