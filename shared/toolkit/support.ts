/**
 * Gap to the expected band and level of support on the toolkit continuum:
 * `TOOLKIT.GAP` and `TOOLKIT.SUPPORT` in the add-in (progress is progress.ts's).
 */
import type { SupportLevel } from '../codes';
import { DomainInputError } from '../errors';
import { BANDS, bandAt, bandIndex, PRE_FIRST_BAND } from './continuum';
import { parseTerm, type Term } from './term';

/**
 * (design) Support level from the gap to the expected band, in bands (Good Start domain brief):
 * gap ≤ 1 Universal, 2–4 Targeted, ≥ 5 Specialist. Specialist too when a pupil on targeted
 * support gained fewer than 2 bands in 12 months.
 */
export const SUPPORT_THRESHOLDS = {
  /** Largest gap still met by quality-first teaching. */
  universalMaxGap: 1,
  /** Largest gap for targeted support; anything wider is specialist. */
  targetedMaxGap: 4,
  /** Fewer bands than this in 12 months, despite targeted support, makes support specialist. */
  minBandsGainedIn12Months: 2,
} as const;

export type YearGroup = 'N' | 'R' | '1' | '2' | '3' | '4' | '5' | '6';

const YEAR_GROUPS: readonly YearGroup[] = ['N', 'R', '1', '2', '3', '4', '5', '6'];

/**
 * A year group as the toolkit knows it. Accepts N, R, 0 (the national curriculum's year 0 is
 * Reception), 1–6 as numbers or text, and "Y6" / "Year 6". The continuum ends at Year 6, so
 * Year 7 and above are not accepted.
 */
export function parseYearGroup(yearGroup: unknown): YearGroup {
  const text =
    typeof yearGroup === 'number' || typeof yearGroup === 'string' ? String(yearGroup).trim().toUpperCase() : '';
  const bare = text.replace(/^(YEAR|Y)\s*/, '');
  const normal = bare === '0' ? 'R' : bare;
  const found = YEAR_GROUPS.find((y) => y === normal);
  if (found === undefined) {
    throw new DomainInputError(
      'invalidValue',
      `year group "${String(yearGroup ?? '')}" is not on the toolkit continuum: use N, R or 1–6`,
    );
  }
  return found;
}

/** The continuum index of a band label, or invalidValue naming the argument. */
export function parseBand(band: unknown, argument = 'band'): number {
  const index = typeof band === 'string' ? bandIndex(band) : undefined;
  if (index === undefined) {
    throw new DomainInputError(
      'invalidValue',
      `${argument} "${String(band ?? '')}" is not a toolkit band: use Pre-N.1 or ${BANDS[0]} … ${BANDS[BANDS.length - 1]}`,
    );
  }
  return index;
}

/**
 * The continuum index of the band a pupil in this year group has secured, on track, by the term:
 * `(Y-1).2` in the autumn, `Y.1` by the spring and `Y.2` by the summer (Good Start domain brief).
 *
 * (design) The year before Reception is Nursery and the year before Nursery is none, so a
 * Nursery pupil in the autumn is expected at Pre-N.1 (no band yet) and is never behind; a
 * Reception pupil in the autumn is expected at N.2, a Year 1 pupil at R.2.
 */
function expectedIndex(yearGroup: unknown, term: unknown): number {
  const year = YEAR_GROUPS.indexOf(parseYearGroup(yearGroup)); // N = 0, R = 1, Y1 = 2 … Y6 = 7
  const yearFirstBand = 2 * year + 1; // bandIndex of `Y.1`
  const offset: Record<Term, number> = { autumn: -1, spring: 0, summer: 1 };
  return yearFirstBand + offset[parseTerm(term)];
}

/**
 * The band a pupil in this year group is expected to have secured by the term (default spring):
 * e.g. Y5.2 in the autumn of Year 6, Y6.1 in the spring, Y6.2 in the summer.
 *
 * (design) Without a term the benchmark is the spring's, `Y.1`, the band a pupil works through
 * mid-year: a Year 6 pupil at Y4.1 is 4 bands behind (Targeted). The transition return is made
 * in the summer, so its checks ask for the summer expectation, Y6.2.
 */
export function expectedBand(yearGroup: unknown, term?: unknown): string {
  return bandAt(expectedIndex(yearGroup, term)) ?? PRE_FIRST_BAND;
}

/**
 * Bands between a pupil's band and the band expected for the year group by the term (default
 * spring), floored at 0: a pupil at or ahead of the expected band is 0 behind.
 */
export function bandGap(band: unknown, yearGroup: unknown, term?: unknown): number {
  const have = parseBand(band);
  return Math.max(0, expectedIndex(yearGroup, term) - have);
}

/**
 * Level of support from the gap to the band expected by the term (default spring; see
 * `SUPPORT_THRESHOLDS`).
 *
 * (design) Slow progress (fewer than 2 bands gained in 12 months) escalates Targeted to
 * Specialist only: it is the "despite targeted support" case. A pupil within a band of
 * expected stays Universal.
 */
export function supportLevel(band: unknown, yearGroup: unknown, bandsGained12m?: number | null, term?: unknown): SupportLevel {
  const gap = bandGap(band, yearGroup, term);
  if (bandsGained12m !== undefined && bandsGained12m !== null && !Number.isFinite(bandsGained12m)) {
    throw new DomainInputError('invalidValue', `bands gained in 12 months must be a number; got ${String(bandsGained12m)}`);
  }
  if (gap <= SUPPORT_THRESHOLDS.universalMaxGap) return 'Universal';
  if (gap > SUPPORT_THRESHOLDS.targetedMaxGap) return 'Specialist';
  if (
    bandsGained12m !== undefined &&
    bandsGained12m !== null &&
    bandsGained12m < SUPPORT_THRESHOLDS.minBandsGainedIn12Months
  ) {
    return 'Specialist';
  }
  return 'Targeted';
}

/** The canonical spelling of a band label (e.g. "y4.1" → "Y4.1"). */
export function canonicalBand(band: unknown): string {
  return bandAt(parseBand(band)) ?? String(band);
}
