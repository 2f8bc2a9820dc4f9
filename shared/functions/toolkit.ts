/** TOOLKIT.* custom functions, cell by cell over the toolkit core (shared/toolkit). */
import { bandResultsFromGrid, DEFAULT_BAND_THRESHOLD } from '../toolkit/band';
import { bandGap, supportLevel } from '../toolkit/support';
import { DomainInputError } from '../errors';
import { HISTORY_TABLE, type HistoryRecord, GROUP_COLUMNS, PUPILS_TABLE } from '../toolkit/historyLayout';
import { refuseOnErrors, validateHistory, withHeader } from '../toolkit/history';
import { bandProgress, GROUP_CATEGORIES, groupProgress, pupilProgress, pupilSeries } from '../toolkit/progress';
import { termOfMonth } from '../toolkit/term';
import { threadPlace } from '../toolkit/threads';
import { parseDate } from '../transition/normalise';
import { upnProblem } from '../upn';
import { asMatrix, type Cell, cellNumber, cellText, isBlank, perCell } from './cells';

export function toolkitBand(grid: unknown[][], threshold?: number | null): Cell[][] {
  return [bandResultsFromGrid(asMatrix(grid), threshold ?? DEFAULT_BAND_THRESHOLD)];
}

export function toolkitGap(band: unknown[][], yearGroup: unknown[][], term?: unknown[][] | null): Cell[][] {
  return perCell([band, yearGroup, term], (b, y, t) => (isBlank(b) ? '' : bandGap(cellText(b), y, t)));
}

export function toolkitSupport(band: unknown[][], yearGroup: unknown[][], bandsGained12m?: unknown[][] | null, term?: unknown[][] | null): Cell[][] {
  return perCell([band, yearGroup, bandsGained12m, term], (b, y, g, t) =>
    isBlank(b) ? '' : supportLevel(cellText(b), y, isBlank(g) ? undefined : cellNumber(g, 'bands gained in 12 months'), t),
  );
}

// ---- Over a history: the Toolkit history table's rows ----

const HISTORY_COLUMNS = HISTORY_TABLE.columns;

/** The history a function is given, checked as the pane checks it (threads as written): any error is the function's answer, never a figure. */
function historyOf(range: unknown, what = 'the history'): HistoryRecord[] {
  const values = withHeader(asMatrix(range), HISTORY_COLUMNS);
  const { issues, rows } = validateHistory({ sheet: HISTORY_TABLE.name, values }, { toolkits: null });
  refuseOnErrors(issues, what);
  if (rows.length === 0) throw new DomainInputError('invalidValue', `${what} has no assessments: give the Toolkit history table's rows (UPN, Toolkit, Thread, Assessment date, Band reached …)`);
  return rows;
}

/** The one pupil a history range is about. */
function onePupil(rows: readonly HistoryRecord[]): string {
  const upns = new Set(rows.map((r) => r.upn));
  if (upns.size > 1) throw new DomainInputError('invalidValue', `the history holds ${upns.size} pupils: give one pupil's rows, e.g. FILTER(history, history[UPN]=A2)`);
  return rows[0]?.upn ?? '';
}

/** An optional date argument as ISO; blank is undefined. */
function dateArg(value: unknown, what: string): string | undefined {
  const v = asMatrix(value)[0]?.[0];
  if (isBlank(v)) return undefined;
  const iso = typeof v === 'number' || typeof v === 'string' ? parseDate(v) : undefined;
  if (iso === undefined) throw new DomainInputError('invalidValue', `${what} "${String(v)}" is not a date: use a date cell or text such as 2026-06-15`);
  return iso;
}

/** Bands a year as shown: to 2 decimal places (the category is decided on the exact rate). */
const shownRate = (rate: number | null): Cell => (rate === null ? '' : Math.round(rate * 100) / 100);

export const PROGRESS_HEADER = ['Toolkit', 'Strand', 'Thread', 'From', 'To', 'From band', 'To band', 'Months', 'Bands a year', 'Progress', 'Weakest thread'] as const;
const ALL_THREADS = 'All threads (median)';

/** The history form of TOOLKIT.PROGRESS: a pupil's threads, strands and overall figure, under a header row. */
function historyProgressTable(history: unknown): Cell[][] {
  const rows = historyOf(history);
  const p = pupilProgress(onePupil(rows), rows);
  const out: Cell[][] = [[...PROGRESS_HEADER]];
  for (const t of p.threads) out.push([t.toolkit, t.strand, t.thread, t.from.date, t.to.date, t.from.band, t.to.band, t.months, shownRate(t.rate), t.category, '']);
  for (const s of p.strands) out.push([s.toolkit, s.strand, ALL_THREADS, '', '', '', '', '', shownRate(s.rate), s.category, s.weakestThread ?? '']);
  out.push(['All', '', ALL_THREADS, '', '', '', '', '', shownRate(p.rate), p.category, '']);
  return out;
}

/**
 * TOOLKIT.PROGRESS: with a band, a band and months, the two-band form, cell by cell; with a
 * pupil's history rows alone, the history form.
 */
export function toolkitProgress(fromBandOrHistory: unknown[][], toBand?: unknown[][] | null, months?: unknown[][] | null): Cell[][] {
  const history = asMatrix(fromBandOrHistory);
  const omitted = (v: unknown): boolean => asMatrix(v).every((r) => r.every(isBlank));
  if (omitted(toBand) && omitted(months) && (history[0]?.length ?? 0) > 1) return historyProgressTable(history);
  return perCell([fromBandOrHistory, toBand, months], (f, t, m) =>
    isBlank(f) || isBlank(t) ? '' : bandProgress(cellText(f), cellText(t), cellNumber(m, 'months')),
  );
}

/** TOOLKIT.TREND: a pupil's dated series, a row per assessment date and a column per thread. */
export function toolkitTrend(history: unknown[][], yearGroup?: unknown[][] | null, asOf?: unknown[][] | null): Cell[][] {
  const rows = historyOf(history);
  onePupil(rows);
  const year = asMatrix(yearGroup)[0]?.[0];
  const latest = rows.reduce((d, r) => (r.date > d ? r.date : d), '');
  const known = isBlank(year) ? undefined : { yearGroup: year, on: dateArg(asOf, 'asOf') ?? latest };
  const order = (r: HistoryRecord): number => threadPlace(r.toolkit, r.thread)?.order ?? Number.MAX_SAFE_INTEGER;
  const sorted = [...rows].sort((a, b) => a.toolkit.localeCompare(b.toolkit) || order(a) - order(b));
  const threads = [...new Set(sorted.map((r) => r.thread))];
  const out: Cell[][] = [['Date', 'Term', 'Expected band', 'Gap', ...threads]];
  for (const point of pupilSeries(rows, known)) {
    out.push([point.date, termOfMonth(Number(point.date.slice(5, 7))), point.expectedBand ?? '', point.gap ?? '', ...threads.map((t) => point.bands.get(t) ?? '')]);
  }
  return out;
}

export const GROUP_PROGRESS_HEADER = [...GROUP_CATEGORIES, 'Pupils'] as const;

/** The Pupils range's UPNs and the group column's values: by header when it has its header row, else in the layout's order. */
function pupilGroups(range: unknown, groupColumn: unknown): { header: string; pupils: Array<{ upn: string; group: string }> } {
  const values = withHeader(asMatrix(range), PUPILS_TABLE.columns);
  const header = values[0] ?? [];
  const key = (v: unknown): string => cellText(v).replace(/\s+/g, ' ').toLowerCase();
  const wanted = asMatrix(groupColumn)[0]?.[0];
  const layout = PUPILS_TABLE.columns.find((c) => key(c.key) === key(wanted));
  const find = (name: unknown): number => header.findIndex((h) => key(h) === key(name));
  const upnAt = find('UPN');
  const groupAt = find(layout?.header ?? wanted);
  if (upnAt < 0) throw new DomainInputError('invalidValue', 'the pupils range has no UPN column: give the Pupils table with its header row');
  if (isBlank(wanted) || groupAt < 0) {
    throw new DomainInputError('invalidValue', `groupColumn "${cellText(wanted)}" is not a column of the pupils range: use a header such as ${GROUP_COLUMNS.map((k) => PUPILS_TABLE.columns.find((c) => c.key === k)?.header).join(', ')}`);
  }
  const pupils: Array<{ upn: string; group: string }> = [];
  values.slice(1).forEach((row, i) => {
    const upn = cellText(row[upnAt]).toUpperCase();
    if (upn === '') return;
    const problem = upnProblem(upn);
    if (problem !== undefined) throw new DomainInputError('invalidValue', `the pupils range, row ${i + 1}: "${upn}" is not a UPN`);
    pupils.push({ upn, group: cellText(row[groupAt]) });
  });
  return { header: cellText(header[groupAt]), pupils };
}

/**
 * TOOLKIT.GROUPPROGRESS: for each group of the pupil list, the number of its pupils in each
 * category between two dates, then its number of pupils. Counts, never suppressed: a report that
 * leaves the SENCo's hands shows groups under 5 as "fewer than 5" (progress.ts).
 */
export function toolkitGroupProgress(history: unknown[][], pupils: unknown[][], groupColumn: unknown[][], from?: unknown[][] | null, to?: unknown[][] | null): Cell[][] {
  const rows = historyOf(history);
  const { header, pupils: list } = pupilGroups(pupils, groupColumn);
  const window = { from: dateArg(from, 'from'), to: dateArg(to, 'to') };
  if (window.from !== undefined && window.to !== undefined && window.from > window.to) {
    throw new DomainInputError('invalidValue', `from (${window.from}) is after to (${window.to})`);
  }
  const groups = groupProgress(rows, list, (p) => p.group, window);
  return [[header, ...GROUP_PROGRESS_HEADER], ...groups.map((g) => [g.group === '' ? '(blank)' : g.group, ...GROUP_CATEGORIES.map((c) => g.counts[c]), g.pupils])];
}
