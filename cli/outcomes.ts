/** A return read (here or on a reader thread: read.ts), validated for consolidation. */
import type { ReadFile } from './read';
import { validateReturn } from '../shared/transition/validate';
import { everyPupil, returnShare, type ReturnOutcome, type ReturnShare } from '../shared/consolidation';
import type { SchoolDirectory } from '../shared/schools';

/** A file read, validated (against the run's transfer year, when one was given). */
export function validated(read: ReadFile, directory: SchoolDirectory | undefined, year?: number): ReturnOutcome {
  return read.kind === 'read' ? { ...read, ...validateReturn(read.ret, year === undefined ? { directory } : { directory, year }) } : read;
}

/** A return's share of the consolidation (shared/consolidation.ts), and the transfer year it states, if any. */
export type ReadShare = ReturnShare & { year: number | null };

/**
 * A file read (here or on a reader thread), validated, as its share. `givenYear` is the run's
 * (--year), if one was given; without it the summary's year is set when the tables are made. A
 * return that states another transfer year than the one given is tracked with its error
 * (GS1090), and none of its pupils join the run: they move up to secondary school in another September.
 */
export function shareOf(read: ReadFile, directory: SchoolDirectory | undefined, givenYear: number | undefined): ReadShare {
  const outcome = validated(read, directory, givenYear);
  const stated = outcome.kind === 'read' ? outcome.ret.year : null;
  const otherYear = givenYear !== undefined && stated !== null && stated !== givenYear;
  const counted = otherYear && outcome.kind === 'read' ? { ...outcome, pupils: [] } : outcome;
  const share = returnShare(counted, givenYear ?? 0, directory);
  if (otherYear && share.tracker.rows > 0) {
    share.tracker.reason = `${everyPupil(share.tracker.rows)} left out: the workbook is for transfer in ${stated}, not ${givenYear} (GS1090, A4).`;
  }
  return { ...share, year: stated };
}
