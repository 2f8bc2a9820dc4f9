/** TOOLKIT.* custom functions, cell by cell over the toolkit core (shared/toolkit). */
import { bandResultsFromGrid, DEFAULT_BAND_THRESHOLD } from '../toolkit/band';
import { bandGap, bandProgress, supportLevel } from '../toolkit/support';
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

export function toolkitProgress(fromBand: unknown[][], toBand: unknown[][], months: unknown[][]): Cell[][] {
  return perCell([fromBand, toBand, months], (f, t, m) =>
    isBlank(f) || isBlank(t) ? '' : bandProgress(cellText(f), cellText(t), cellNumber(m, 'months')),
  );
}
