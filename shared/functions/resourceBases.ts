/** RB.* custom functions over the resource base costing core, with data from the current source. */
import { commissionedPlaces, costPerPlace, costPerPlaceFromRanges, sufficiency } from '../resourceBases/costing';
import { asMatrix, type Cell, cellText, perCell } from './cells';
import { getDemand, getResourceBaseDataset } from './resourceBaseSource';

export async function rbCostPerPlace(area?: unknown[][] | null, need?: unknown[][] | null, phase?: unknown[][] | null): Promise<Cell[][]> {
  const ds = await getResourceBaseDataset();
  return perCell([area, need, phase], (a, n, p) => costPerPlace(ds, { area: cellText(a), need: cellText(n), phase: cellText(p) }));
}

export function rbCostPerPlaceRange(costs: unknown[][], places: unknown[][]): number {
  return costPerPlaceFromRanges(asMatrix(costs), asMatrix(places));
}

export async function rbPlaces(area?: unknown[][] | null, need?: unknown[][] | null, phase?: unknown[][] | null): Promise<Cell[][]> {
  const ds = await getResourceBaseDataset();
  return perCell([area, need, phase], (a, n, p) => commissionedPlaces(ds, { area: cellText(a), need: cellText(n), phase: cellText(p) }));
}

export async function rbSufficiency(area?: unknown[][] | null, need?: unknown[][] | null, year?: string | number | null): Promise<Cell[][]> {
  // Excel passes an omitted argument as null; the year rule (shared/year.ts; blank = the current intake) is getDemand's.
  const [ds, demand] = await Promise.all([getResourceBaseDataset(), getDemand(year ?? undefined)]);
  return perCell([area, need], (a, n) => sufficiency(ds, { area: cellText(a), need: cellText(n) }, demand));
}
