/**
 * Progress on the toolkit continuum: the one rule that the two-band `TOOLKIT.PROGRESS`, the
 * history functions, the pane and the reports all use.
 *
 * The rule, stated once:
 * - Bands gained between two assessments are taken as a rate per 12 months: bands gained × 12 ÷
 *   months between them (`monthsBetween`). A band lost counts negative.
 * - The rate's category is Widening (under 2 a year), Holding (2 to under 3) or Accelerated (3 or
 *   more): PSS's measure, where 2 bands a year holds the gap to peers and 3 starts to close it.
 *   Widening is the SEND Code of Practice's "less than expected progress" (6.17).
 * - A span under 3 months (one assessment alone is a span of 0) gives no rate: "Too soon to tell".
 */
import { DomainInputError } from '../errors';
import { bandAt, bandIndex, PRE_FIRST_BAND } from './continuum';
import { expectedBand, parseBand } from './support';
import { termOfMonth } from './term';
import { SAMPLE_TOOLKITS, threadPlace, type ToolkitDefinition, type ToolkitId } from './threads';

/** PSS's measure of progress, in bands per 12 months: 2 holds the gap to peers, 3 starts to close it. */
export const PROGRESS_BANDS_PER_12_MONTHS = { holding: 2, accelerated: 3 } as const;

/** (design) The shortest span that gives a rate: under 3 months, progress is too soon to tell (DOMAIN.md). */
export const MIN_MONTHS_FOR_RATE = 3;

export type ProgressRate = 'Widening' | 'Holding' | 'Accelerated';
export const TOO_SOON = 'Too soon to tell';
export type ProgressCategory = ProgressRate | typeof TOO_SOON;

/** Every category a pupil's progress can fall in, in report order. */
export const PROGRESS_CATEGORIES: readonly ProgressCategory[] = ['Widening', 'Holding', 'Accelerated', TOO_SOON];

// A rate is a ratio of whole numbers: the tolerance makes 2.0 exactly Holding however it was divided.
const EPSILON = 1e-9;

/** The category of a rate in bands per 12 months. */
export function rateCategory(ratePer12Months: number): ProgressRate {
  if (ratePer12Months + EPSILON >= PROGRESS_BANDS_PER_12_MONTHS.accelerated) return 'Accelerated';
  if (ratePer12Months + EPSILON >= PROGRESS_BANDS_PER_12_MONTHS.holding) return 'Holding';
  return 'Widening';
}

/** Bands gained over some months as a rate per 12 months, or null when the span is too short for one. */
export function ratePer12Months(bandsGained: number, months: number): number | null {
  return months + EPSILON >= MIN_MONTHS_FOR_RATE ? (bandsGained * 12) / months : null;
}

const categoryOf = (rate: number | null): ProgressCategory => (rate === null ? TOO_SOON : rateCategory(rate));

const isoParts = (iso: string): [number, number, number] => [Number(iso.slice(0, 4)), Number(iso.slice(5, 7)), Number(iso.slice(8, 10))];
const daysInMonth = (y: number, m: number): number => new Date(Date.UTC(y, m, 0)).getUTCDate();

/**
 * (design) Months between two ISO dates, counted in whole calendar months: a month is complete
 * when the later date reaches the earlier date's day of the month, or is the last day of its
 * month. 15 September → 15 December is 3 months, → 14 December 2; 31 August → 30 November is 3.
 * Days beyond the last whole month do not count, so a rate is never flattered by a part month.
 */
export function monthsBetween(fromIso: string, toIso: string): number {
  const [y1, m1, d1] = isoParts(fromIso);
  const [y2, m2, d2] = isoParts(toIso);
  const whole = (y2 - y1) * 12 + (m2 - m1);
  return d2 < d1 && d2 !== daysInMonth(y2, m2) ? whole - 1 : whole;
}

/**
 * The two-band form of `TOOLKIT.PROGRESS`: progress from one band to another over some months,
 * by the rule above (under 3 months: too soon to tell).
 */
export function bandProgress(fromBand: unknown, toBand: unknown, months: number): ProgressCategory {
  const from = parseBand(fromBand, 'from band');
  const to = parseBand(toBand, 'to band');
  if (!Number.isFinite(months) || months <= 0) {
    throw new DomainInputError('invalidValue', `months must be a number above 0; got ${String(months)}`);
  }
  return categoryOf(ratePer12Months(to - from, months));
}

/** The median of some numbers (the mean of the middle two when even); undefined when there are none. */
export function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** One row of a toolkit history, as the progress rule reads it. */
export interface Assessment {
  readonly upn: string;
  readonly toolkit: ToolkitId;
  readonly thread: string;
  /** ISO YYYY-MM-DD. */
  readonly date: string;
  /** A band label on the continuum, e.g. Y3.1 or Pre-N.1. */
  readonly band: string;
}

/** (design) Assessments counted between two dates, both included; either end may be open. */
export interface DateWindow {
  readonly from?: string;
  readonly to?: string;
}

const inWindow = (date: string, w: DateWindow): boolean => (w.from === undefined || date >= w.from) && (w.to === undefined || date <= w.to);

export interface ThreadProgress {
  readonly toolkit: ToolkitId;
  readonly strand: string;
  readonly thread: string;
  readonly from: { readonly date: string; readonly band: string };
  readonly to: { readonly date: string; readonly band: string };
  readonly bandsGained: number;
  readonly months: number;
  /** Bands per 12 months; null when the span is under 3 months. */
  readonly rate: number | null;
  readonly category: ProgressCategory;
}

export interface StrandProgress {
  readonly toolkit: ToolkitId;
  readonly strand: string;
  /** The median of its threads' rates; null when none of them has a rate yet. */
  readonly rate: number | null;
  readonly category: ProgressCategory;
  /** The thread with the lowest rate (the first in toolkit order on a tie); undefined without rates. */
  readonly weakestThread: string | undefined;
}

export interface PupilProgress {
  readonly upn: string;
  readonly threads: readonly ThreadProgress[];
  readonly strands: readonly StrandProgress[];
  /**
   * (design) A pupil's figure: the median of the rates of all their threads that have one, across
   * the toolkits in the history given (give one toolkit's rows for that toolkit's figure). Its
   * category is the pupil's in group counts; no thread with a rate is "Too soon to tell".
   */
  readonly rate: number | null;
  readonly category: ProgressCategory;
}

/**
 * A thread's progress: from its first assessment in the window to its last. Rows are of one
 * pupil and thread; undefined when none falls in the window. On the same date twice (a history
 * the validator refuses), the later row wins.
 */
function threadProgress(rows: readonly Assessment[], window: DateWindow, toolkits: readonly ToolkitDefinition[]): ThreadProgress | undefined {
  let first: Assessment | undefined;
  let last: Assessment | undefined;
  for (const r of rows) {
    if (!inWindow(r.date, window)) continue;
    if (first === undefined || r.date < first.date) first = r;
    if (last === undefined || r.date >= last.date) last = r;
  }
  if (first === undefined || last === undefined) return undefined;
  const from = bandIndexOf(first.band);
  const to = bandIndexOf(last.band);
  const months = monthsBetween(first.date, last.date);
  const rate = ratePer12Months(to - from, months);
  const place = threadPlace(first.toolkit, first.thread, toolkits);
  return {
    toolkit: first.toolkit,
    strand: place?.strand ?? '',
    thread: place?.thread.id ?? first.thread,
    from: { date: first.date, band: first.band },
    to: { date: last.date, band: last.band },
    bandsGained: to - from,
    months,
    rate,
    category: categoryOf(rate),
  };
}

function bandIndexOf(band: string): number {
  const i = bandIndex(band);
  if (i === undefined) throw new DomainInputError('invalidValue', `band "${band}" is not on the toolkit continuum`);
  return i;
}

/** The median rate of some threads, with the weakest named. */
function summarise(threads: readonly ThreadProgress[]): { rate: number | null; category: ProgressCategory; weakestThread: string | undefined } {
  const rated = threads.filter((t) => t.rate !== null);
  const rate = median(rated.map((t) => t.rate as number)) ?? null;
  let weakest: ThreadProgress | undefined;
  for (const t of rated) if (weakest === undefined || (t.rate as number) < (weakest.rate as number)) weakest = t;
  return { rate, category: categoryOf(rate), weakestThread: weakest?.thread };
}

const threadKey = (r: Assessment): string => `${r.toolkit}|${r.thread.trim().toUpperCase()}`;

/** Rows grouped by a key, in first-seen order. */
function groupBy<T>(rows: readonly T[], key: (row: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const r of rows) {
    const k = key(r);
    const list = m.get(k);
    if (list) list.push(r);
    else m.set(k, [r]);
  }
  return m;
}

/** One pupil's progress per thread, per strand and overall. `rows` are that pupil's. */
export function pupilProgress(upn: string, rows: readonly Assessment[], window: DateWindow = {}, toolkits: readonly ToolkitDefinition[] = SAMPLE_TOOLKITS): PupilProgress {
  const threads: ThreadProgress[] = [];
  for (const threadRows of groupBy(rows, threadKey).values()) {
    const t = threadProgress(threadRows, window, toolkits);
    if (t) threads.push(t);
  }
  const order = (t: ThreadProgress): number => threadPlace(t.toolkit, t.thread, toolkits)?.order ?? Number.MAX_SAFE_INTEGER;
  threads.sort((a, b) => a.toolkit.localeCompare(b.toolkit) || order(a) - order(b) || a.thread.localeCompare(b.thread));
  const strands: StrandProgress[] = [];
  for (const list of groupBy(threads, (t) => `${t.toolkit}|${t.strand}`).values()) {
    const first = list[0] as ThreadProgress;
    strands.push({ toolkit: first.toolkit, strand: first.strand, ...summarise(list) });
  }
  const { rate, category } = summarise(threads);
  return { upn, threads, strands, rate, category };
}

/** Every pupil's progress in a history, by UPN. */
export function historyProgress(rows: readonly Assessment[], window: DateWindow = {}, toolkits: readonly ToolkitDefinition[] = SAMPLE_TOOLKITS): Map<string, PupilProgress> {
  const out = new Map<string, PupilProgress>();
  for (const [upn, pupilRows] of groupBy(rows, (r) => r.upn)) out.set(upn, pupilProgress(upn, pupilRows, window, toolkits));
  return out;
}

// ---- The gap to the expected band over time ----

/** A school year by the September it starts in: 2025-09-01 … 2026-08-31 is 2025. */
const schoolYearOf = (iso: string): number => {
  const [y, m] = isoParts(iso);
  return m >= 9 ? y : y - 1;
};

/** Year groups as numbers: Nursery −1, Reception 0, then 1 … 13. */
const YEAR_ORDINAL = new Map<string, number>([['N', -1], ['R', 0], ['0', 0], ...Array.from({ length: 13 }, (_, i) => [String(i + 1), i + 1] as [string, number])]);

/** A year group's number (N −1, R 0, 1 … 13), from N, R, 0–13, "Y6" or "Year 6". */
export function yearOrdinal(yearGroup: unknown): number {
  const text = typeof yearGroup === 'number' || typeof yearGroup === 'string' ? String(yearGroup).trim().toUpperCase().replace(/^(YEAR|Y)\s*/, '') : '';
  const n = YEAR_ORDINAL.get(text);
  if (n === undefined) throw new DomainInputError('invalidValue', `year group "${String(yearGroup ?? '')}" is not a year group: use N, R or 1–13`);
  return n;
}

/** A pupil's year group on a known date: what the Pupils table says today, or the year group given beside a date. */
export interface YearGroupOn {
  readonly yearGroup: unknown;
  /** ISO date the year group is true on. */
  readonly on: string;
}

/**
 * The continuum index of the band expected on a date (the term-aware expectation of
 * `TOOLKIT.GAP`), for a pupil whose year group on `known.on` is `known.yearGroup`. Pupils move
 * up a year group each 1 September. (design) The continuum ends at Year 6, so a pupil above
 * Year 6 is expected at Y6.2; a pupil below Nursery, at Pre-N.1.
 */
export function expectedIndexOn(date: string, known: YearGroupOn): number {
  const year = yearOrdinal(known.yearGroup) - (schoolYearOf(known.on) - schoolYearOf(date));
  if (year < -1) return 0;
  if (year > 6) return bandIndexOf('Y6.2');
  const label = year === -1 ? 'N' : year === 0 ? 'R' : String(year);
  return bandIndexOf(expectedBand(label, termOfMonth(isoParts(date)[1])));
}

export type GapTrend = 'Narrowing' | 'Unchanged' | 'Widening';

export interface GapPoint {
  readonly date: string;
  readonly expectedBand: string;
  /** Bands behind the expected band, floored at 0 as `TOOLKIT.GAP` floors it. */
  readonly gap: number;
}

export interface ThreadGaps {
  readonly toolkit: ToolkitId;
  readonly thread: string;
  readonly points: readonly GapPoint[];
  /** From the first point to the last: a smaller gap is narrowing. */
  readonly trend: GapTrend;
}

const trendOf = (first: number, last: number): GapTrend => (last < first ? 'Narrowing' : last > first ? 'Widening' : 'Unchanged');

/** The gap to the expected band at each assessment of each thread, and whether it is narrowing. `rows` are one pupil's. */
export function gapsOverTime(rows: readonly Assessment[], known: YearGroupOn, window: DateWindow = {}): ThreadGaps[] {
  const out: ThreadGaps[] = [];
  for (const list of groupBy(rows, threadKey).values()) {
    const points = list
      .filter((r) => inWindow(r.date, window))
      .sort((a, b) => a.date.localeCompare(b.date))
      .map((r) => {
        const expected = expectedIndexOn(r.date, known);
        return { date: r.date, expectedBand: bandAtIndex(expected), gap: Math.max(0, expected - bandIndexOf(r.band)) };
      });
    const first = points[0];
    const last = points[points.length - 1];
    if (first && last) out.push({ toolkit: (list[0] as Assessment).toolkit, thread: (list[0] as Assessment).thread, points, trend: trendOf(first.gap, last.gap) });
  }
  return out;
}

const bandAtIndex = (i: number): string => bandAt(i) ?? PRE_FIRST_BAND;

/** One date of a pupil's series: each thread's band that day, and the median gap. */
export interface SeriesPoint {
  readonly date: string;
  readonly bands: ReadonlyMap<string, string>;
  readonly expectedBand: string | undefined;
  /** The median of the threads' gaps that day; undefined without a year group. */
  readonly gap: number | undefined;
}

/** A pupil's dated series, oldest first: what `TOOLKIT.TREND` spills. `rows` are one pupil's. */
export function pupilSeries(rows: readonly Assessment[], known?: YearGroupOn): SeriesPoint[] {
  const byDate = groupBy([...rows].sort((a, b) => a.date.localeCompare(b.date)), (r) => r.date);
  return [...byDate].map(([date, list]) => {
    const bands = new Map(list.map((r) => [r.thread, r.band]));
    if (!known) return { date, bands, expectedBand: undefined, gap: undefined };
    const expected = expectedIndexOn(date, known);
    return { date, bands, expectedBand: bandAtIndex(expected), gap: median(list.map((r) => Math.max(0, expected - bandIndexOf(r.band)))) };
  });
}

// ---- Groups ----

/** A pupil with no assessment between the dates: counted, so that a group's counts sum to its pupils. */
export const NOT_ASSESSED = 'Not assessed';
export type GroupCategory = ProgressCategory | typeof NOT_ASSESSED;
export const GROUP_CATEGORIES: readonly GroupCategory[] = [...PROGRESS_CATEGORIES, NOT_ASSESSED];

/** (design) Groups under this size are shown as "fewer than 5" in reports that leave the SENCo's hands. */
export const SMALL_GROUP = 5;
export const FEWER_THAN_5 = 'fewer than 5';

export interface GroupCount {
  /** The group's value in the Pupils column, e.g. "6B" or "Y"; '' for pupils with the cell blank. */
  readonly group: string;
  readonly pupils: number;
  readonly counts: Readonly<Record<GroupCategory, number>>;
}

const zeroCounts = (): Record<GroupCategory, number> => ({ Widening: 0, Holding: 0, Accelerated: 0, [TOO_SOON]: 0, [NOT_ASSESSED]: 0 });

/**
 * For each group of the pupil list, the number of its pupils in each category between two dates.
 * A pupil's category is their figure (`PupilProgress.rate`); a pupil with no assessment between
 * the dates is "Not assessed". Each pupil on the list is counted once, in the group `groupOf`
 * gives; history rows of UPNs not on the list are left out (the validator reports them).
 * Groups are in the order of their values, blank last.
 */
export function groupProgress<P extends { readonly upn: string }>(
  history: readonly Assessment[],
  pupils: readonly P[],
  groupOf: (pupil: P) => string,
  window: DateWindow = {},
  toolkits: readonly ToolkitDefinition[] = SAMPLE_TOOLKITS,
): GroupCount[] {
  return groupCounts(historyProgress(history, window, toolkits), pupils, groupOf);
}

/** `groupProgress` from progress already worked out (`historyProgress`), for several groupings of one history. */
export function groupCounts<P extends { readonly upn: string }>(progress: ReadonlyMap<string, PupilProgress>, pupils: readonly P[], groupOf: (pupil: P) => string): GroupCount[] {
  const groups = new Map<string, { pupils: number; counts: Record<GroupCategory, number> }>();
  const seen = new Set<string>();
  for (const p of pupils) {
    if (seen.has(p.upn)) continue;
    seen.add(p.upn);
    const group = groupOf(p);
    let g = groups.get(group);
    if (!g) groups.set(group, (g = { pupils: 0, counts: zeroCounts() }));
    const pp = progress.get(p.upn);
    g.pupils++;
    g.counts[pp === undefined || pp.threads.length === 0 ? NOT_ASSESSED : pp.category]++;
  }
  return [...groups]
    .sort(([a], [b]) => (a === '' ? 1 : b === '' ? -1 : a.localeCompare(b, 'en-GB', { numeric: true })))
    .map(([group, g]) => ({ group, pupils: g.pupils, counts: g.counts }));
}

/** A count as a report that leaves the SENCo's hands shows it: a group under 5 pupils is "fewer than 5". */
export function disclosedCount(groupPupils: number, count: number, leavesSencosHands: boolean): number | typeof FEWER_THAN_5 {
  return leavesSencosHands && groupPupils < SMALL_GROUP ? FEWER_THAN_5 : count;
}
