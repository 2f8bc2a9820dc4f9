/** A return read (here or on a reader thread: read.ts), validated and laid out for consolidation. */
import type { ReadFile } from './read';
import { validateReturn } from '../shared/transition/validate';
import { returnShare, type ReturnOutcome, type TrackerEntry } from '../shared/consolidation';
import type { SchoolDirectory } from '../shared/schools';
import type { SchoolSummary } from '../shared/aggregate/summary';
import { pupilRows } from '../xlsx/consolidated';
import type { DetachedRows } from '../xlsx/spreadsheetml';

/** A file read, validated. */
export function validated(read: ReadFile, directory: SchoolDirectory): ReturnOutcome {
  return read.kind === 'read' ? { ...read, ...validateReturn(read.ret, { directory }) } : read;
}

/**
 * A return's share of the consolidation, as small as the main thread needs it: its tracker
 * line and counts, the year it states, and its valid pupils already as rows of the Pupils sheet
 * numbered where they go.
 */
export interface ReadShare {
  tracker: TrackerEntry;
  summary?: SchoolSummary;
  /** The transfer year the return states, if any. */
  year: number | null;
  rows: DetachedRows;
}

/**
 * A file read (here or on a reader thread), validated and laid out as its share. `year` is the
 * one given for the run, or 0 (the summary's year is set when the tables are made); `firstRow`:
 * the Pupils row its pupils start at.
 */
export function shareOf(read: ReadFile, directory: SchoolDirectory, year: number, firstRow: number): ReadShare {
  const outcome = validated(read, directory);
  const { tracker, summary, pupils, source } = returnShare(outcome, year, directory);
  return { tracker, ...(summary ? { summary } : {}), year: outcome.kind === 'read' ? outcome.ret.year : null, rows: pupilRows(pupils, undefined, firstRow, source) };
}
