/**
 * Commissioned places, cost per place and sufficiency from the resource base dataset:
 * `RB.PLACES`, `RB.COSTPERPLACE`, `RB.COSTPERPLACERANGE` and `RB.SUFFICIENCY` in the add-in.
 *
 * Cost per commissioned place = approximate overall cost ÷ commissioned places, for the filter.
 * Over the whole 2019-20 dataset that is £10,990,995 ÷ 659 = £16,678.29. The review's stated
 * city average (£20,115) and its primary and secondary averages cannot be derived from its
 * own tables, so they are not reproduced here.
 */
import type { DemandRow } from '../aggregate/demand';
import { DomainInputError } from '../errors';
import type { ResourceBaseDataset, ResourceBaseRow } from './dataset';
import { RESOURCE_BASE_PHASES } from './dataset';
import { needCodesFor, senCodesForNeed } from './needs';

export interface ResourceBaseFilter {
  /** Locality area (East, North, South, West), any case; blank = all. */
  readonly area?: string | null;
  /** A need code (`C&L`) or group name (`ASD/C&L/SLCN`); blank = all. */
  readonly need?: string | null;
  /** Primary or Secondary; blank = both. Only for datasets that split by phase. */
  readonly phase?: string | null;
}

const blank = (v: string | null | undefined): boolean => v === null || v === undefined || v.trim() === '';

function areasOf(ds: ResourceBaseDataset): string[] {
  return [...new Set(ds.rows.map((r) => r.area))];
}

function canonicalArea(ds: ResourceBaseDataset, area: string): string {
  const areas = areasOf(ds);
  const found = areas.find((a) => a.toUpperCase() === area.trim().toUpperCase());
  if (found === undefined) {
    throw new DomainInputError(
      'invalidValue',
      `area "${area.trim()}" is not a locality area: use ${areas.join(', ')}, or leave it blank for the whole city`,
    );
  }
  return found;
}

/** Rows matching the filter; an empty list is a valid answer (no base of that kind there). */
export function matchingRows(ds: ResourceBaseDataset, filter: ResourceBaseFilter): ResourceBaseRow[] {
  const area = blank(filter.area) ? undefined : canonicalArea(ds, filter.area ?? '');
  const needs = new Set(needCodesFor(ds, filter.need));
  let phase: string | undefined;
  if (!blank(filter.phase)) {
    const wanted = (filter.phase ?? '').trim().toUpperCase();
    phase = RESOURCE_BASE_PHASES.find((p) => p.toUpperCase() === wanted);
    if (phase === undefined) {
      throw new DomainInputError('invalidValue', `phase "${(filter.phase ?? '').trim()}" must be Primary or Secondary, or blank for both`);
    }
    if (!ds.rows.every((r) => r.phase !== undefined)) {
      throw new DomainInputError('notAvailable', `the ${ds.academicYear} dataset has no primary/secondary split`);
    }
  }
  return ds.rows.filter(
    (r) => (area === undefined || r.area === area) && needs.has(r.need) && (phase === undefined || r.phase === phase),
  );
}

/** Commissioned places for the filter; 0 where the LA commissions no base of that kind. */
export function commissionedPlaces(ds: ResourceBaseDataset, filter: ResourceBaseFilter = {}): number {
  return matchingRows(ds, filter).reduce((sum, r) => sum + r.places, 0);
}

/** Approximate overall annual cost for the filter. */
export function overallCost(ds: ResourceBaseDataset, filter: ResourceBaseFilter = {}): number {
  return matchingRows(ds, filter).reduce((sum, r) => sum + r.cost, 0);
}

/**
 * Overall cost ÷ commissioned places for the filter, unrounded. notAvailable when no base
 * matches (there is no cost per place without places).
 */
export function costPerPlace(ds: ResourceBaseDataset, filter: ResourceBaseFilter = {}): number {
  const rows = matchingRows(ds, filter);
  const places = rows.reduce((sum, r) => sum + r.places, 0);
  if (places === 0) {
    throw new DomainInputError('notAvailable', `the ${ds.academicYear} dataset has no commissioned places for ${describe(filter)}`);
  }
  return rows.reduce((sum, r) => sum + r.cost, 0) / places;
}

function describe(filter: ResourceBaseFilter): string {
  const parts = [filter.need, filter.area, filter.phase].filter((p): p is string => !blank(p)).map((p) => p.trim());
  return parts.length > 0 ? parts.join(' in ') : 'the whole city';
}

function cellNumber(value: unknown, what: string, index: number): number | undefined {
  if (value === null || value === undefined || (typeof value === 'string' && value.trim() === '')) return undefined;
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value.trim()) : Number.NaN;
  if (!Number.isFinite(n) || n < 0) {
    throw new DomainInputError('invalidValue', `${what} cell ${index + 1} ("${String(value)}") is not a number of 0 or more`);
  }
  return n;
}

/**
 * Cost per place from the user's own ranges: sum of costs ÷ sum of places. The ranges must
 * have the same number of cells; a row blank in both is skipped, blank in only one is an error.
 */
export function costPerPlaceFromRanges(costs: unknown[][], places: unknown[][]): number {
  const c = costs.flat();
  const p = places.flat();
  if (c.length !== p.length) {
    throw new DomainInputError('invalidValue', `the costs range has ${c.length} cells but the places range has ${p.length}: they must match`);
  }
  let totalCost = 0;
  let totalPlaces = 0;
  c.forEach((raw, i) => {
    const cost = cellNumber(raw, 'costs', i);
    const place = cellNumber(p[i], 'places', i);
    if ((cost === undefined) !== (place === undefined)) {
      throw new DomainInputError('invalidValue', `cell ${i + 1} has a ${cost === undefined ? 'places' : 'cost'} figure but no ${cost === undefined ? 'cost' : 'places'} figure`);
    }
    totalCost += cost ?? 0;
    totalPlaces += place ?? 0;
  });
  if (totalPlaces === 0) throw new DomainInputError('invalidValue', 'the places range adds up to 0, so there is no cost per place');
  return totalCost / totalPlaces;
}

/**
 * Commissioned places minus demand for an area and need: positive is spare capacity, negative
 * a shortfall. Demand is counted for the DfE SEN codes the need maps to (see `needs.ts`).
 */
export function sufficiency(
  ds: ResourceBaseDataset,
  filter: { readonly area?: string | null; readonly need?: string | null },
  demand: readonly DemandRow[],
): number {
  const places = commissionedPlaces(ds, filter);
  const area = blank(filter.area) ? undefined : canonicalArea(ds, filter.area ?? '');
  const sen = new Set<string>(senCodesForNeed(ds, filter.need));
  const pupils = demand
    .filter((d) => (area === undefined || d.area.trim().toUpperCase() === area.toUpperCase()) && sen.has(d.need.trim().toUpperCase()))
    .reduce((sum, d) => sum + d.pupils, 0);
  return places - pupils;
}
