/**
 * Consolidation: many schools' returns → one city picture. The CLI feeds it workbooks
 * read from disk; the API feeds it stored returns. Both then write the same workbook.
 */
import type { PupilRow, TransitionReturn, ValidationIssue, ValidationReport } from './transition/schema';
import { SHEET_LAYOUT } from './transition/layout';
import { type CrossSchoolUpn, crossSchoolLine, UpnIndex } from './crossSchool';
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
  /** Why a file could not be read, was left out, or had every pupil left out, in one line. */
  reason?: string;
  /** For a file left out as a copy of another file of the same school: that file, and the rule that chose it. */
  duplicateOf?: string;
  keptBy?: KeptBy;
  /** Pupils of this return whose UPNs are also on other schools' returns, by the other school. */
  alsoOn?: AlsoOn[];
}

/** The UPNs of one return's pupils that are also on another school's return, and that school. */
export interface AlsoOn {
  school: string;
  schoolName?: string;
  upns: string[];
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
  /** Files left out as copies of another file of the same school. */
  duplicates?: number;
  /** UPNs on more than one school's return (counted under each: shared/crossSchool.ts). */
  crossSchoolUpns?: number;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** The About sheet's line on what was received; with nothing received it says so (the "nothing stored" rule). */
export function receivedLine(pupils: number, c: ReceivedCounts): string {
  const parts = [
    c.returns === 0 ? 'No returns received yet' : `${plural(pupils, 'pupil')} from ${plural(c.returns, 'return')} received`,
    ...(c.outstanding > 0 ? [`${plural(c.outstanding, 'school')} outstanding (nothing received)`] : []),
    ...((c.draftsLeftOut ?? 0) > 0 ? [`${plural(c.draftsLeftOut ?? 0, 'school')} with only a draft, left out`] : []),
    ...(c.unreadable > 0 ? [`${plural(c.unreadable, 'return')} that could not be read`] : []),
    ...((c.duplicates ?? 0) > 0 ? [`${plural(c.duplicates ?? 0, 'file')} left out as ${c.duplicates === 1 ? 'a copy' : 'copies'} of another file of the same school`] : []),
  ];
  const cross = c.crossSchoolUpns === undefined ? '' : ` ${crossSchoolLine(c.crossSchoolUpns)}`;
  return `${parts.join('; ')}.${cross} The Tracker sheet lists each school or file: its state, errors and queries.`;
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

/** The status of a return with errors none of whose pupils could be kept (a sheet-level error, or its year). */
export const EVERY_PUPIL_LEFT_OUT = 'Errors: every pupil left out';
/** The status of a file left out as a copy of another file of the same school. */
export const DUPLICATE_LEFT_OUT = 'Duplicate: left out';

/** A return's tracker status; `kept`, its pupils kept, tells a return with some rows left out from one with every pupil left out. */
export function trackerStatus(report: ValidationReport, kept?: number): string {
  const verdict = submittability(report.summary).verdict;
  if (verdict === 'has-errors' && kept === 0 && report.summary.rows > 0) return EVERY_PUPIL_LEFT_OUT;
  return TRACKER_STATUS[verdict];
}

/** "All 40 pupils <where> are", or "The 1 pupil <where> is": the start of a line on pupils left out together. */
export function everyPupil(n: number, where = ''): string {
  const at = where ? ` ${where}` : '';
  return n === 1 ? `The 1 pupil${at} is` : `All ${n} pupils${at} are`;
}

/** A sheet-level error: one in the sheet's receiving secondary (A7), which leaves every pupil on the sheet out, as they have nowhere to go. */
const sheetLevel = (i: ValidationIssue): boolean => i.severity === 'error' && i.cell === SHEET_LAYOUT.receivingCell;

/**
 * Each sheet whose pupils are all left out by a sheet-level error, in one line that says so and
 * why: what `goodstart validate` prints and the consolidation's Tracker sheet says alike.
 */
export function sheetsLeftOut(ret: TransitionReturn, report: ValidationReport): string[] {
  const lines: string[] = [];
  for (const sheet of ret.sheets) {
    const issue = report.errors.find((i) => i.sheet === sheet.name && sheetLevel(i));
    if (!issue || sheet.rows.length === 0) continue;
    lines.push(`${everyPupil(sheet.rows.length, `on sheet '${sheet.name}'`)} left out: ${issue.message} (${issue.rule}, ${issue.cell}) ${issue.fix}`);
  }
  return lines;
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
  const leftOut = sheetsLeftOut(outcome.ret, outcome.report);
  return {
    tracker: {
      school,
      schoolName: directory?.find(school)?.name,
      file: outcome.file,
      rows: outcome.report.summary.rows,
      errors: outcome.report.summary.errors,
      queries: outcome.report.summary.queries,
      status: trackerStatus(outcome.report, valid.length),
      ...(leftOut.length > 0 ? { reason: leftOut.join(' ') } : {}),
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

// ---------------------------------------------------------------------------------------------
// Each pupil once: copies of one school's return, and the same UPN in two schools' returns.

/** The rule that chose which of two copies of a school's return is kept. */
export type KeptBy = 'modified' | 'file name';

/** What tells two copies of a school's return apart: the file's name and when its workbook says it was saved (ISO, or null). */
export interface CopyFacts {
  file: string;
  modified: string | null;
}

/**
 * Of two files of one school whose pupils overlap, the one kept: the one whose workbook was
 * saved later by its own properties (a byte copy keeps them, so it ties); failing that (a tie,
 * or a workbook without the date), the later file name, as names sort ('a.xlsx' after 'a (1).xlsx').
 */
export function keptCopy(a: CopyFacts, b: CopyFacts): { kept: CopyFacts; left: CopyFacts; by: KeptBy } {
  if (a.modified !== null && b.modified !== null && a.modified !== b.modified) {
    return a.modified > b.modified ? { kept: a, left: b, by: 'modified' } : { kept: b, left: a, by: 'modified' };
  }
  return a.file > b.file ? { kept: a, left: b, by: 'file name' } : { kept: b, left: a, by: 'file name' };
}

/** The tracker's line on a file left out as a copy: which file was kept, and by which rule. */
export function duplicateReason(left: CopyFacts, kept: CopyFacts, by: KeptBy, overlap: number): string {
  const shared = `a copy of ${kept.file} for the same school (${plural(overlap, 'pupil')} on both, by UPN), so its pupils are left out`;
  const rule = by === 'modified'
    ? `${kept.file} is kept as its workbook was saved later (${kept.modified} against ${left.modified}, by the workbooks' own properties)`
    : `${kept.file} is kept as its name sorts later (${left.modified === null || kept.modified === null ? 'a workbook gives no save time' : 'both workbooks give the same save time'})`;
  return `${shared}; ${rule}.`;
}

/** A file left out: the file it is a copy of (by its place in the run, and its facts), the rule, and how many UPNs are on both. */
export interface Duplicate {
  of: number;
  kept: CopyFacts;
  by: KeptBy;
  overlap: number;
}

/** What take() decided for a file. */
export interface PupilsOnceDecision {
  /** Left out as a copy of an earlier file, or undefined when kept. */
  duplicate?: Duplicate;
  /** Earlier files, kept until now, that this one replaces (they are copies of it, saved earlier). */
  overruled: number[];
}

/**
 * Each pupil once across the files of a consolidation, one file at a time, in order. A file
 * whose pupils overlap (by UPN) a kept file of the same school is a copy: one of the two is kept
 * (keptCopy) and the other left out. Files of one school that split its pupils are all kept. A
 * UPN on files of different schools is counted under each (shared/crossSchool.ts) and listed.
 *
 * A file that comes later may replace one kept earlier, whose pupils a streaming run has already
 * written: take() says so (`overruled`), and the run starts again with the decisions made
 * (`decided`), which find no more copies, as no two kept files then overlap.
 */
export class PupilsOnce {
  private readonly index = new UpnIndex();
  private readonly facts: CopyFacts[] = [];
  private readonly left: Map<number, Duplicate>;

  /** `decided`: the files already known to be copies, from an earlier run over the same files in the same order. */
  constructor(decided: ReadonlyMap<number, Duplicate> = new Map()) {
    this.left = new Map(decided);
  }

  /** The files left out as copies, by their place in the run. */
  get duplicates(): ReadonlyMap<number, Duplicate> {
    return this.left;
  }

  /** The next file (its place in the run is the order take() is called): its school, its copy facts and its pupils' UPNs. */
  take(school: string, facts: CopyFacts, upns: readonly string[]): PupilsOnceDecision {
    const id = this.index.addReturn(school);
    this.facts.push(facts);
    const decided = this.left.get(id);
    if (decided) return { duplicate: decided, overruled: [] };
    // Kept files of the same school holding any of these UPNs, and how many of them each holds.
    const overlaps = new Map<number, number>();
    for (const upn of upns) {
      for (const h of this.index.holdersOf(upn)) {
        if (h !== id && !this.left.has(h) && this.index.schoolOf(h) === school) overlaps.set(h, (overlaps.get(h) ?? 0) + 1);
      }
    }
    for (const [h, overlap] of overlaps) {
      const earlier = this.facts[h] as CopyFacts;
      const { kept, by } = keptCopy(earlier, facts);
      if (kept === earlier) {
        const duplicate = { of: h, kept, by, overlap };
        this.left.set(id, duplicate);
        return { duplicate, overruled: [] };
      }
    }
    const overruled: number[] = [];
    for (const [h, overlap] of overlaps) {
      this.left.set(h, { of: id, kept: facts, by: keptCopy(this.facts[h] as CopyFacts, facts).by, overlap });
      overruled.push(h);
    }
    for (const upn of upns) this.index.add(id, upn);
    return { overruled };
  }

  /** The file at a place in the run. */
  file(id: number): CopyFacts {
    return this.facts[id] as CopyFacts;
  }

  /** The tracker line of the file at place `id`, left out as a copy (`d`), from its line as read. */
  duplicateLine(id: number, entry: TrackerEntry, d: Duplicate): TrackerEntry {
    return { ...entry, status: DUPLICATE_LEFT_OUT, reason: duplicateReason(this.file(id), d.kept, d.by, d.overlap), duplicateOf: d.kept.file, keptBy: d.by };
  }

  /** UPNs on kept files of more than one school, and the files (by place) that hold each. */
  crossSchool(): CrossSchoolUpn[] {
    return this.index.crossSchool((id) => this.left.has(id));
  }

  /** UPNs held: what the index costs grows with this. */
  get upns(): number {
    return this.index.size;
  }
}

/**
 * Marks each tracker line (by place in the run) with its pupils' UPNs that are also on another
 * school's return, naming that school; the UPNs themselves go only into the workbook, for the LA.
 */
export function markAlsoOn(tracker: TrackerEntry[], cross: readonly CrossSchoolUpn[], directory?: SchoolDirectory): void {
  for (const { upn, returns } of cross) {
    for (const r of returns) {
      const entry = tracker[r];
      if (!entry) continue;
      for (const other of returns) {
        const school = tracker[other]?.school ?? '';
        if (other === r || school === entry.school) continue;
        const list = (entry.alsoOn ??= []);
        let on = list.find((a) => a.school === school);
        if (!on) {
          on = { school, ...(directory?.find(school) ? { schoolName: directory.find(school)?.name } : {}), upns: [] };
          list.push(on);
        }
        if (!on.upns.includes(upn)) on.upns.push(upn);
      }
    }
  }
}

/** (design) UPNs a tracker cell lists for one other school; the rest are counted (a cell holds 32,767 characters). */
const ALSO_ON_LISTED = 100;

/** A tracker cell: each other school, and the UPNs of this return's pupils also on its return. */
export function alsoOnText(alsoOn: readonly AlsoOn[]): string {
  return alsoOn
    .map((a) => {
      const listed = a.upns.slice(0, ALSO_ON_LISTED).join(', ');
      const more = a.upns.length > ALSO_ON_LISTED ? ` and ${a.upns.length - ALSO_ON_LISTED} more` : '';
      return `${a.school}${a.schoolName ? ` ${a.schoolName}` : ''}: ${listed}${more}`;
    })
    .join('; ');
}
