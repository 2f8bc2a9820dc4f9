/**
 * Consolidation: many schools' returns → one city picture. The CLI feeds it workbooks
 * read from disk; the API feeds it stored returns. Both then write the same workbook.
 */
import type { PupilRow, TransitionReturn, ValidationReport } from './transition/schema';
import { submittability, type Verdict } from './transition/submittability';
import type { ValidatedReturn } from './transition/validate';
import { addInto, CITY_TOTAL } from './aggregate/merge';
import { emptySummary, type SchoolSummary, schoolSummary } from './aggregate/summary';
import { cityRollup, type Dimension } from './aggregate/rollup';
import { disclosureControl } from './aggregate/disclosure';
import type { CountTable } from './aggregate/table';
import type { SchoolDirectory } from './schools';
import type { SchoolState } from './status';

/** One input to consolidation: a return that was read and validated (its report and valid pupils), or the reason it could not be. */
export type ReturnOutcome =
  | ({ kind: 'read'; file?: string; ret: TransitionReturn } & ValidatedReturn)
  | { kind: 'unreadable'; file: string; reason: string };

/** One line of the tracker: a school (or an unreadable file) and how its return stands. */
export interface TrackerEntry {
  /** LAESTAB of the submitting primary, or '' when it could not be told. */
  school: string;
  schoolName?: string;
  file?: string;
  rows: number;
  errors: number;
  queries: number;
  /** The school's state for the year, for a stored return (the API's export); files have none. */
  state?: SchoolState | undefined;
  status: string;
  /** Why a file could not be read, in one line. */
  reason?: string;
}

/** Where a pupil row came from: the school (and, from the CLI, the file). */
export interface PupilSource {
  sourceSchool: string;
  sourceFile?: string;
}

/** A valid pupil row, with the school (and, from the CLI, the file) it came from. */
export type ConsolidatedPupil = PupilRow & PupilSource;

export interface Consolidation {
  tracker: TrackerEntry[];
  pupils: ConsolidatedPupil[];
  tables: CountTable[];
}

export const CONSOLIDATED_DIMENSIONS: readonly Dimension[] = ['need', 'area', 'secondary', 'support', 'area-locality'];

/**
 * Each summary table's sheet name: short and whole (Excel cuts names at 31 characters, which
 * would end mid-phrase); the sheet itself carries the full title.
 */
export const SUMMARY_SHEET_NAMES: Readonly<Record<string, string>> = {
  'need-by-provision': 'By need',
  'area-by-provision': 'By area of need',
  'secondary-by-provision': 'By receiving secondary',
  'support-by-provision': 'By support level',
  'locality-by-provision': 'By locality',
  'area-by-locality': 'By area of need and locality',
};

/** What the consolidation was built from, as the About sheet reports it. */
export interface ReceivedCounts {
  /** Returns read and included (a file, or a school's stored version). */
  returns: number;
  /** Schools in the directory with nothing received. */
  outstanding: number;
  /** Files or stored returns that could not be read. */
  unreadable: number;
  /** Schools with only a draft, left out (the API's export without include=drafts). */
  draftsLeftOut?: number;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** The About sheet's line on what was received; with nothing received it says so (the "nothing stored" rule). */
export function receivedLine(pupils: number, c: ReceivedCounts): string {
  const parts = [
    c.returns === 0 ? 'No returns received yet' : `${plural(pupils, 'pupil')} from ${plural(c.returns, 'return')} received`,
    ...(c.outstanding > 0 ? [`${plural(c.outstanding, 'school')} outstanding (nothing received)`] : []),
    ...((c.draftsLeftOut ?? 0) > 0 ? [`${plural(c.draftsLeftOut ?? 0, 'school')} with only a draft, left out`] : []),
    ...(c.unreadable > 0 ? [`${plural(c.unreadable, 'return')} that could not be read`] : []),
  ];
  return `${parts.join('; ')}. The Tracker sheet lists each school or file: its state, errors and queries.`;
}

/** The submitting primary of a return: the feeder primary most of its rows name. */
export function returnSchool(ret: TransitionReturn, directory?: SchoolDirectory): string | undefined {
  const counts = new Map<string, number>();
  for (const sheet of ret.sheets) {
    for (const row of sheet.rows) {
      const raw = row.values.feederPrimary;
      if (raw === null || raw === undefined || raw === '') continue;
      const id = directory ? directory.laestabOf(String(raw)) : String(raw).trim();
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
  }
  let best: string | undefined;
  let bestCount = 0;
  for (const [id, n] of counts) if (n > bestCount) [best, bestCount] = [id, n];
  return best;
}

const TRACKER_STATUS: Record<Verdict, string> = {
  'has-errors': 'Errors: rows with errors left out',
  'unexplained-queries': 'Queries to explain',
  ready: 'Ready to submit',
};

export function trackerStatus(report: ValidationReport): string {
  return TRACKER_STATUS[submittability(report.summary).verdict];
}

/** What a consolidation keeps once every return's pupils have gone on their way: small, one line per school. */
export type ConsolidationTotals = Omit<Consolidation, 'pupils'> & { pupilCount: number };

/**
 * One return's share of a consolidation, worked out on its own (the CLI appends each as it
 * comes): its tracker line, its school's counts (none for a file that could not be read), its
 * valid pupils and the school and file they all came from (one source for the lot, rather than
 * a copy of every pupil marked with it).
 */
export interface ReturnShare {
  tracker: TrackerEntry;
  summary?: SchoolSummary;
  pupils: PupilRow[];
  source: PupilSource;
}

export function returnShare(outcome: ReturnOutcome, year: number, directory?: SchoolDirectory): ReturnShare {
  if (outcome.kind === 'unreadable') {
    return { tracker: { school: '', file: outcome.file, rows: 0, errors: 0, queries: 0, status: 'Unreadable', reason: outcome.reason }, pupils: [], source: { sourceSchool: '', sourceFile: outcome.file } };
  }
  const school = returnSchool(outcome.ret, directory) ?? '';
  const valid = outcome.pupils;
  return {
    tracker: {
      school,
      schoolName: directory?.find(school)?.name,
      file: outcome.file,
      rows: outcome.report.summary.rows,
      errors: outcome.report.summary.errors,
      queries: outcome.report.summary.queries,
      status: trackerStatus(outcome.report),
    },
    summary: schoolSummary(school, year, valid),
    pupils: valid,
    source: { sourceSchool: school, ...(outcome.file ? { sourceFile: outcome.file } : {}) },
  };
}

/**
 * Consolidation one return at a time: `add` gives back the return's valid pupils to append
 * to the output and keeps only its tracker line, adding its counts into one running city
 * total (every city table is a sum of school summaries), so memory stays flat in the number of
 * pupils and nearly so in the number of schools; `finish` turns the total into the city tables.
 */
export class ConsolidationFold {
  private readonly tracker: TrackerEntry[] = [];
  /** The sum of every school's summary so far (shared/aggregate/merge.ts). */
  private readonly total = emptySummary(CITY_TOTAL, 0);
  private pupilCount = 0;

  constructor(private readonly options: { directory?: SchoolDirectory; publish?: boolean }) {}

  add(outcome: ReturnOutcome, year: number): ConsolidatedPupil[] {
    const share = returnShare(outcome, year, this.options.directory);
    this.take(share.tracker, share.summary, share.pupils.length);
    return share.pupils.map((p) => ({ ...p, ...share.source }));
  }

  /** A return's share worked out elsewhere (returnShare, on a reader thread), its pupils already on their way. */
  take(tracker: TrackerEntry, summary: SchoolSummary | undefined, pupilCount: number): void {
    this.tracker.push(tracker);
    if (summary) addInto(this.total, summary);
    this.pupilCount += pupilCount;
  }

  finish(year: number): ConsolidationTotals {
    const raw = cityRollup([{ ...this.total, year }], [...CONSOLIDATED_DIMENSIONS], { directory: this.options.directory });
    const tables = this.options.publish ? raw.map((t) => disclosureControl(t)) : raw;
    return { tracker: this.tracker, tables, pupilCount: this.pupilCount };
  }
}

/**
 * Folds outcomes into the tracker, the valid pupils, one summary per school and the city
 * tables. `publish` applies disclosure control, for tables shown outside the LA.
 */
export function consolidate(
  outcomes: Iterable<ReturnOutcome>,
  options: { year: number; directory?: SchoolDirectory; publish?: boolean },
): Consolidation {
  const fold = new ConsolidationFold(options);
  const pupils: ConsolidatedPupil[] = [];
  for (const outcome of outcomes) for (const p of fold.add(outcome, options.year)) pupils.push(p);
  const { tracker, tables } = fold.finish(options.year);
  return { tracker, pupils, tables };
}
