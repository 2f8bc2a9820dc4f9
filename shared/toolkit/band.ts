/**
 * Banding a class from a toolkit assessment grid: `TOOLKIT.BAND` in the add-in.
 *
 * The grid's first column holds each criterion row's band label (e.g. `Y3.1`); every further
 * column is one pupil's ticks. A pupil's band is the highest band with at least the threshold
 * share of its criteria secured, with every lower band in the grid also secured.
 */
import { DomainInputError } from '../errors';
import { BANDS, PRE_FIRST_BAND, bandAt, bandIndex } from './continuum';

/**
 * (design) Share of a band's criteria a pupil must have secured for the band to count: 80%.
 * A parameter of `TOOLKIT.BAND`, so a school can band more strictly or leniently.
 */
export const DEFAULT_BAND_THRESHOLD = 0.8;

/**
 * (design) Cell values that mean "secured", compared after trimming and ignoring case:
 * 1, TRUE, "1", "S", "Y", "Yes", "TRUE", "✓", "✔". "x" is deliberately not one of them:
 * schools use it for both "done" and "not yet", so it is reported rather than guessed.
 */
export const SECURED_TICKS: readonly string[] = ['1', 'S', 'Y', 'YES', 'TRUE', '✓', '✔'];

/** (design) Cell values that mean "not secured": blank, 0, FALSE, "0", "N", "No", "FALSE", "-". */
export const NOT_SECURED_TICKS: readonly string[] = ['', '0', 'N', 'NO', 'FALSE', '-'];

const NO_LABELS_MESSAGE = "the grid's first column has no toolkit band labels (N.1 … Y6.2)";

/**
 * A threshold as a share in (0, 1]. (design) A value above 1 and up to 100 is read as a
 * percentage, so `80` and `0.8` (what Excel stores for 80%) both mean 80%.
 */
export function normaliseThreshold(threshold: number): number {
  if (!Number.isFinite(threshold) || threshold <= 0 || threshold > 100) {
    throw new DomainInputError(
      'invalidValue',
      `the threshold must be a share of the criteria above 0 and up to 100% (e.g. 0.8 or 80); got ${String(threshold)}`,
    );
  }
  return threshold > 1 ? threshold / 100 : threshold;
}

/** true/false for a recognised tick; undefined for anything else. */
export function isSecuredTick(value: unknown): boolean | undefined {
  if (value === null || value === undefined) return false;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value === 1 ? true : value === 0 ? false : undefined;
  if (typeof value !== 'string') return undefined;
  const v = value.trim().toUpperCase();
  if (SECURED_TICKS.includes(v)) return true;
  if (NOT_SECURED_TICKS.includes(v)) return false;
  return undefined;
}

interface CriterionRow {
  readonly band: number;
  readonly row: number;
  readonly cells: readonly unknown[];
}

function criterionRows(grid: readonly (readonly unknown[])[]): CriterionRow[] {
  const rows: CriterionRow[] = [];
  grid.forEach((cells, r) => {
    const label = cells[0];
    const text = label === null || label === undefined ? '' : String(label).trim();
    if (text === '') return; // headers, spacer rows
    const index = bandIndex(text);
    if (index !== undefined && index > 0) {
      rows.push({ band: index, row: r + 1, cells });
    } else if (rows.length > 0) {
      // Text before the first band label is a header; after it, a mistyped label would
      // silently drop a criterion, so it is an error.
      throw new DomainInputError(
        'invalidValue',
        `row ${r + 1} of the grid has "${text}" where a band label (N.1 … Y6.2) should be`,
      );
    }
  });
  if (rows.length === 0) throw new DomainInputError('invalidValue', NO_LABELS_MESSAGE);
  return rows;
}

/**
 * One result per pupil column: the band reached, or the error for that pupil alone
 * (an unrecognised tick), so that one pupil's typo does not blank the whole class.
 */
export function bandResultsFromGrid(
  grid: readonly (readonly unknown[])[],
  threshold: number = DEFAULT_BAND_THRESHOLD,
): Array<string | DomainInputError> {
  const share = normaliseThreshold(threshold);
  const rows = criterionRows(grid);
  const pupils = Math.max(0, ...grid.map((r) => r.length - 1));
  // Bands in continuum order that have criteria in this grid; bands with none are not assessed.
  const assessed = [...new Set(rows.map((r) => r.band))].sort((a, b) => a - b);

  const results: Array<string | DomainInputError> = [];
  for (let p = 1; p <= pupils; p++) {
    const secured = new Map<number, number>();
    const total = new Map<number, number>();
    let problem: DomainInputError | undefined;
    for (const { band, row, cells } of rows) {
      const tick = isSecuredTick(cells[p]);
      if (tick === undefined) {
        problem = new DomainInputError(
          'invalidValue',
          `pupil column ${p} has "${String(cells[p])}" in row ${row}: tick with 1, TRUE, S, Y or ✓, or leave blank`,
        );
        break;
      }
      total.set(band, (total.get(band) ?? 0) + 1);
      if (tick) secured.set(band, (secured.get(band) ?? 0) + 1);
    }
    if (problem) {
      results.push(problem);
      continue;
    }
    let reached = 0;
    for (const band of assessed) {
      const needed = share * (total.get(band) ?? 0);
      // Tolerance: 4 of 5 at 80% must count, whatever 0.8 × 5 rounds to.
      if ((secured.get(band) ?? 0) + 1e-9 < needed) break;
      reached = band;
    }
    results.push(bandAt(reached) ?? PRE_FIRST_BAND);
  }
  return results;
}

/**
 * The band each pupil column has reached; `Pre-N.1` for a pupil who has not secured the
 * lowest band in the grid. Throws `DomainInputError` (invalidValue) for a grid without band
 * labels, a bad threshold, or any unrecognised tick.
 *
 * (design) Bands with no criteria rows in the grid are skipped, not failed, so a school can
 * load only part of the continuum. A pupil who has not secured the grid's lowest band is
 * reported as `Pre-N.1` even when that band is above N.1.
 */
export function bandFromGrid(grid: unknown[][], threshold: number = DEFAULT_BAND_THRESHOLD): string[] {
  return bandResultsFromGrid(grid, threshold).map((r) => {
    if (r instanceof DomainInputError) throw r;
    return r;
  });
}

/** The labels a grid's first column may use, for help text. */
export const BAND_LABELS: readonly string[] = BANDS;
