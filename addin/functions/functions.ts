/**
 * Good Start's custom functions. Each is a thin edge over the pure core in shared/: read the
 * cells, call the core, shape the result. custom-functions-metadata-plugin builds
 * functions.json from the JSDoc below, which is also the help Excel shows, so it is written
 * for the SENCo or LA officer at the sheet.
 *
 * Value arguments are ranges (`unknown[][]`): a single cell arrives as a 1×1 range and a
 * column of pupils spills a column of answers. A problem with one pupil is an error in that
 * pupil's cell only; an argument that is wrong as a whole makes the function fail.
 */
import { areaOfNeed, SEN_NEED } from '../../shared/codes';
import { DomainInputError } from '../../shared/errors';
import { bandResultsFromGrid, DEFAULT_BAND_THRESHOLD } from '../../shared/toolkit/band';
import { bandGap, bandProgress, supportLevel } from '../../shared/toolkit/support';
import { commissionedPlaces, costPerPlace, costPerPlaceFromRanges, sufficiency } from '../../shared/resourceBases/costing';
import { upnCheckLetter, upnProblem } from '../../shared/upn';
import { excelError, toExcelError } from './excelError';
import { getDemand, getResourceBaseDataset } from './resourceBaseSource';

type Cell = unknown;

const isBlank = (v: Cell): boolean => v === null || v === undefined || (typeof v === 'string' && v.trim() === '');

/** A range as a matrix; a bare scalar (from the CLI or a test) becomes 1×1. */
function asMatrix(value: unknown): Cell[][] {
  if (value === undefined) return [[null]];
  if (!Array.isArray(value)) return [[value]];
  if (value.length === 0) return [[null]];
  return value.every(Array.isArray) ? (value as Cell[][]) : [value as Cell[]];
}

/**
 * Applies `fn` cell by cell across ranges of the same size; a single cell is used for every
 * row (e.g. one year group for a whole class). A domain error becomes that cell's error.
 */
function perCell(args: readonly unknown[], fn: (...cells: Cell[]) => Cell): Cell[][] {
  const matrices = args.map(asMatrix);
  const sized = matrices.filter((m) => m.length > 1 || (m[0]?.length ?? 0) > 1);
  const rows = sized[0]?.length ?? 1;
  const cols = sized[0]?.[0]?.length ?? 1;
  if (sized.some((m) => m.length !== rows || m.some((r) => r.length !== cols))) {
    throw excelError('invalidValue', 'the ranges must be the same size, or a single cell');
  }
  const at = (m: Cell[][], r: number, c: number): Cell => (m.length === 1 && m[0]?.length === 1 ? m[0]?.[0] : m[r]?.[c]);
  const out: Cell[][] = [];
  for (let r = 0; r < rows; r++) {
    const row: Cell[] = [];
    for (let c = 0; c < cols; c++) {
      try {
        row.push(fn(...matrices.map((m) => at(m, r, c))));
      } catch (e) {
        row.push(toExcelError(e));
      }
    }
    out.push(row);
  }
  return out;
}

/** Runs a whole-function body, turning a domain error into the function's error. */
function whole<T>(body: () => T): T {
  try {
    return body();
  } catch (e) {
    throw toExcelError(e);
  }
}

async function wholeAsync<T>(body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (e) {
    throw toExcelError(e);
  }
}

/** A number from a cell; text such as "6" is accepted because pasted class lists hold it. */
function cellNumber(v: Cell, what: string): number {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v.trim()) : Number.NaN;
  if (!Number.isFinite(n)) throw new DomainInputError('invalidValue', `${what} must be a number; got "${String(v ?? '')}"`);
  return n;
}

const text = (v: Cell): string => (isBlank(v) ? '' : String(v).trim());

/**
 * The band on the Birmingham toolkit continuum each pupil has reached, from an assessment grid.
 * The first column holds each criterion's band label (N.1 … Y6.2); each further column is one
 * pupil, ticked with 1, TRUE, S, Y or ✓ where the criterion is secured and left blank where not.
 * A pupil reaches a band when at least the threshold share of its criteria is secured and every
 * lower band is secured too; a pupil who has not secured the first band is "Pre-N.1".
 * @customfunction TOOLKIT.BAND
 * @param grid The assessment grid: band labels in the first column, one column of ticks per pupil. Header rows above the first band label are ignored.
 * @param [threshold] Share of a band's criteria that must be secured, e.g. 80% or 0.8. Default 80%.
 * @returns One band per pupil column, as a row that spills.
 * @helpurl https://localhost:3000/help.html#custom-functions
 */
export function toolkitBand(grid: unknown[][], threshold?: number): unknown[][] {
  return whole(() => {
    const share = threshold === undefined || threshold === null ? DEFAULT_BAND_THRESHOLD : threshold;
    return [bandResultsFromGrid(asMatrix(grid), share).map((r) => (r instanceof DomainInputError ? toExcelError(r) : r))];
  });
}

/**
 * How many bands a pupil is behind the band expected for their year group (0 when at or ahead).
 * A pupil in Year Y is expected to be working in band Y.1 during the year (Y6.1 in Year 6).
 * @customfunction TOOLKIT.GAP
 * @param band The pupil's toolkit band, e.g. Y4.1, or a column of bands for a class.
 * @param yearGroup The pupil's year group now: N, R or 1–6 (one cell for the whole class, or a column).
 * @returns The gap in bands; blank where the band is blank.
 * @helpurl https://localhost:3000/help.html#custom-functions
 */
export function toolkitGap(band: unknown[][], yearGroup: unknown[][]): unknown[][] {
  return whole(() => perCell([band, yearGroup], (b, y) => (isBlank(b) ? '' : bandGap(text(b), y))));
}

/**
 * The level of support a pupil's toolkit band suggests: Universal (gap of 0–1 bands),
 * Targeted (2–4) or Specialist (5 or more, or a pupil on targeted support who gained fewer
 * than 2 bands in the last 12 months).
 * @customfunction TOOLKIT.SUPPORT
 * @param band The pupil's toolkit band, e.g. Y4.1, or a column of bands for a class.
 * @param yearGroup The pupil's year group now: N, R or 1–6.
 * @param [bandsGained12m] Bands gained in the last 12 months, if known.
 * @returns Universal, Targeted or Specialist; blank where the band is blank.
 * @helpurl https://localhost:3000/help.html#custom-functions
 */
export function toolkitSupport(band: unknown[][], yearGroup: unknown[][], bandsGained12m?: unknown[][]): unknown[][] {
  return whole(() =>
    perCell([band, yearGroup, bandsGained12m], (b, y, g) =>
      isBlank(b) ? '' : supportLevel(text(b), y, isBlank(g) ? undefined : cellNumber(g, 'bands gained in 12 months')),
    ),
  );
}

/**
 * Whether a pupil's progress between two toolkit assessments is closing the gap to their peers.
 * 2 bands a year holds the gap and 3 bands closes it (Pupil and School Support), pro rata for
 * shorter or longer periods.
 * @customfunction TOOLKIT.PROGRESS
 * @param fromBand The band at the earlier assessment, e.g. Y3.1.
 * @param toBand The band at the later assessment, e.g. Y4.1.
 * @param months Months between the two assessments, e.g. 12.
 * @returns Widening, Holding or Accelerated; blank where either band is blank.
 * @helpurl https://localhost:3000/help.html#custom-functions
 */
export function toolkitProgress(fromBand: unknown[][], toBand: unknown[][], months: unknown[][]): unknown[][] {
  return whole(() =>
    perCell([fromBand, toBand, months], (f, t, m) =>
      isBlank(f) || isBlank(t) ? '' : bandProgress(text(f), text(t), cellNumber(m, 'months')),
    ),
  );
}

/**
 * Approximate annual cost per commissioned resource base place, from the LA's latest
 * published dataset (the 2019-20 review when offline: £16,678 across the city).
 * @customfunction RB.COSTPERPLACE
 * @param [area] Locality area: East, North, South or West. Leave blank for the whole city.
 * @param [need] A designated need such as ASD or C&L, or a group: ASD/C&L/SLCN or Sensory/Physical. Leave blank for all.
 * @param [phase] Primary or Secondary. The 2019-20 dataset has no phase split, so this gives #N/A on it.
 * @returns Cost per place in pounds.
 * @helpurl https://localhost:3000/help.html#custom-functions
 */
export async function rbCostPerPlace(area?: unknown[][], need?: unknown[][], phase?: unknown[][]): Promise<unknown[][]> {
  return wholeAsync(async () => {
    const ds = await getResourceBaseDataset();
    return perCell([area, need, phase], (a, n, p) => costPerPlace(ds, { area: text(a), need: text(n), phase: text(p) }));
  });
}

/**
 * Cost per place from your own figures: the total of the costs divided by the total of the places.
 * @customfunction RB.COSTPERPLACERANGE
 * @param costs Annual costs, one per resource base.
 * @param places Commissioned places, in the same order and the same number of cells as the costs.
 * @returns Cost per place.
 * @helpurl https://localhost:3000/help.html#custom-functions
 */
export function rbCostPerPlaceRange(costs: unknown[][], places: unknown[][]): number {
  return whole(() => costPerPlaceFromRanges(asMatrix(costs), asMatrix(places)));
}

/**
 * Commissioned resource base places from the LA's latest published dataset.
 * @customfunction RB.PLACES
 * @param [area] Locality area: East, North, South or West. Leave blank for the whole city.
 * @param [need] A designated need such as ASD or C&L, or a group: ASD/C&L/SLCN or Sensory/Physical. Leave blank for all.
 * @param [phase] Primary or Secondary. The 2019-20 dataset has no phase split, so this gives #N/A on it.
 * @returns The number of commissioned places (0 where the LA commissions none of that kind).
 * @helpurl https://localhost:3000/help.html#custom-functions
 */
export async function rbPlaces(area?: unknown[][], need?: unknown[][], phase?: unknown[][]): Promise<unknown[][]> {
  return wholeAsync(async () => {
    const ds = await getResourceBaseDataset();
    return perCell([area, need, phase], (a, n, p) => commissionedPlaces(ds, { area: text(a), need: text(n), phase: text(p) }));
  });
}

/**
 * Spare resource base places (positive) or a shortfall (negative): commissioned places minus the
 * incoming Year 7 pupils whose transition returns name that need and a resource base placement.
 * Needs the Good Start API: sign in from the task pane.
 * @customfunction RB.SUFFICIENCY
 * @param [area] Locality area: East, North, South or West. Leave blank for the whole city.
 * @param [need] A designated need such as ASD or C&L, or a group. Leave blank for all.
 * @param [year] The intake: the September the pupils start Year 7, e.g. 2027 (or 2027-28). Leave blank for the current one.
 * @returns Places minus pupils.
 * @helpurl https://localhost:3000/help.html#custom-functions
 */
export async function rbSufficiency(area?: unknown[][], need?: unknown[][], year?: string): Promise<unknown[][]> {
  return wholeAsync(async () => {
    // Excel passes an omitted argument as null; the year rule (blank = the current intake) is getDemand's.
    const [ds, demand] = await Promise.all([getResourceBaseDataset(), getDemand(year ?? undefined)]);
    return perCell([area, need], (a, n) => sufficiency(ds, { area: text(a), need: text(n) }, demand));
  });
}

/**
 * Checks a UPN: 13 characters with the right check letter at the front.
 * @customfunction SEND.UPNCHECK
 * @param upn A UPN, or a column of UPNs.
 * @returns TRUE for a valid UPN, FALSE otherwise; blank where the cell is blank.
 * @helpurl https://localhost:3000/help.html#custom-functions
 */
export function sendUpnCheck(upn: unknown[][]): unknown[][] {
  return whole(() => perCell([upn], (u) => (isBlank(u) ? '' : upnProblem(text(u)) === undefined)));
}

/**
 * The check letter a UPN should start with, to find which character of a rejected UPN is wrong.
 * @customfunction SEND.UPNLETTER
 * @param upn The 12 characters after the check letter, or a whole 13-character UPN.
 * @returns The check letter; blank where the cell is blank.
 * @helpurl https://localhost:3000/help.html#custom-functions
 */
export function sendUpnLetter(upn: unknown[][]): unknown[][] {
  return whole(() =>
    perCell([upn], (u) => {
      if (isBlank(u)) return '';
      const v = text(u);
      const letter = upnCheckLetter(v.length === 13 ? v.slice(1) : v);
      if (letter === undefined) {
        throw new DomainInputError(
          'invalidValue',
          `"${v}" is not a UPN body: 11 digits then a digit (or a letter for a temporary UPN), with or without the check letter`,
        );
      }
      return letter;
    }),
  );
}

/**
 * The broad area of need (SEND Code of Practice) for a DfE SEN type code.
 * @customfunction SEND.NEEDAREA
 * @param code A SEN type code such as ASD, MLD or SEMH, or a column of them.
 * @returns Cognition and Learning, Communication and Interaction, Social, Emotional and Mental Health, Sensory and/or Physical, or None; blank where the cell is blank.
 * @helpurl https://localhost:3000/help.html#custom-functions
 */
export function sendNeedArea(code: unknown[][]): unknown[][] {
  return whole(() =>
    perCell([code], (c) => {
      if (isBlank(c)) return '';
      const area = areaOfNeed(text(c));
      if (area === undefined) {
        throw new DomainInputError(
          'invalidValue',
          `"${text(c)}" is not a DfE SEN type code: use ${SEN_NEED.map((n) => n.code).join(', ')}`,
        );
      }
      return area;
    }),
  );
}
