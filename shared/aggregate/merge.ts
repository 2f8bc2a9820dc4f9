/**
 * Adding and taking away school summaries: every city table is a sum of summaries
 * (rollup.ts), so a running total kept as one summary-shaped document gives the same tables as
 * the summaries it was built from. Zero entries are dropped, so a total reached by any order of
 * additions and removals is the same value as the plain sum.
 */
import { type ProvisionCounts, PROVISIONS, type ResourceBaseDemand, type SchoolSummary, SUPPORT_LEVELS, emptySummary } from './summary';

/** The label a running total carries in place of a school's LAESTAB. */
export const CITY_TOTAL = 'city';

function addCounts(into: Record<string, number>, from: Readonly<Record<string, number>>, sign: 1 | -1): void {
  for (const [k, n] of Object.entries(from)) {
    const v = (Object.hasOwn(into, k) ? (into[k] ?? 0) : 0) + sign * n;
    if (v === 0) delete into[k];
    else into[k] = v;
  }
}

const isZero = (c: ProvisionCounts): boolean => PROVISIONS.every((p) => c[p] === 0);

/** The order summaries keep resource-base demand in: by receiving secondary, then need. */
const byDemandKey = (a: Pick<ResourceBaseDemand, 'secondary' | 'need'>, b: Pick<ResourceBaseDemand, 'secondary' | 'need'>): number =>
  a.secondary.localeCompare(b.secondary) || a.need.localeCompare(b.need);

/** Where `key` is in the sorted `demand`, or where it would go: a binary search, so adding a summary never walks the whole list. */
function demandIndex(demand: readonly ResourceBaseDemand[], key: ResourceBaseDemand): { index: number; found: boolean } {
  let [lo, hi] = [0, demand.length];
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const order = byDemandKey(demand[mid] as ResourceBaseDemand, key);
    if (order === 0) return { index: mid, found: true };
    if (order < 0) lo = mid + 1;
    else hi = mid;
  }
  return { index: lo, found: false };
}

/**
 * Adds (sign 1) or takes away (sign -1) `summary` into `total`, changing `total` in place. Its
 * cost is the size of `summary`, never of `total`, so summing N summaries is linear in N.
 * `total` must keep its demand sorted as summaries do (every summary and total made here does).
 */
export function addInto(total: SchoolSummary, summary: SchoolSummary, sign: 1 | -1 = 1): void {
  total.pupils += sign * summary.pupils;
  for (const p of PROVISIONS) addCounts(total.byProvisionNeed[p], summary.byProvisionNeed[p], sign);
  for (const [secondary, counts] of Object.entries(summary.bySecondary)) {
    const current: ProvisionCounts = Object.hasOwn(total.bySecondary, secondary) ? (total.bySecondary[secondary] as ProvisionCounts) : { E: 0, K: 0, N: 0 };
    for (const p of PROVISIONS) current[p] += sign * counts[p];
    if (isZero(current)) delete total.bySecondary[secondary];
    else total.bySecondary[secondary] = current;
  }
  for (const [secondary, needs] of Object.entries(summary.bySecondaryNeed)) {
    const current: Record<string, number> = Object.hasOwn(total.bySecondaryNeed, secondary) ? (total.bySecondaryNeed[secondary] as Record<string, number>) : {};
    addCounts(current, needs, sign);
    if (Object.keys(current).length === 0) delete total.bySecondaryNeed[secondary];
    else total.bySecondaryNeed[secondary] = current;
  }
  for (const level of SUPPORT_LEVELS) for (const p of PROVISIONS) total.bySupport[level][p] += sign * summary.bySupport[level][p];
  for (const d of summary.resourceBaseDemand) {
    const { index, found } = demandIndex(total.resourceBaseDemand, d);
    const pupils = (found ? (total.resourceBaseDemand[index] as ResourceBaseDemand).pupils : 0) + sign * d.pupils;
    const entry: ResourceBaseDemand = { secondary: d.secondary, need: d.need, pupils };
    if (found && pupils === 0) total.resourceBaseDemand.splice(index, 1);
    else if (found) total.resourceBaseDemand[index] = entry;
    else if (pupils !== 0) total.resourceBaseDemand.splice(index, 0, entry);
  }
}

/** A deep copy of a summary (its demand sorted), to add into without changing the original. */
function copySummary(s: SchoolSummary): SchoolSummary {
  return {
    ...s,
    byProvisionNeed: { E: { ...s.byProvisionNeed.E }, K: { ...s.byProvisionNeed.K }, N: { ...s.byProvisionNeed.N } },
    bySecondary: Object.fromEntries(Object.entries(s.bySecondary).map(([k, c]) => [k, { ...c }])),
    bySecondaryNeed: Object.fromEntries(Object.entries(s.bySecondaryNeed).map(([k, needs]) => [k, { ...needs }])),
    bySupport: { Universal: { ...s.bySupport.Universal }, Targeted: { ...s.bySupport.Targeted }, Specialist: { ...s.bySupport.Specialist } },
    resourceBaseDemand: s.resourceBaseDemand.map((d) => ({ ...d })).sort(byDemandKey),
  };
}

/** `total` plus (sign 1) or minus (sign -1) `summary`, as a new summary labelled `total`'s school. */
export function addSummary(total: SchoolSummary, summary: SchoolSummary, sign: 1 | -1 = 1): SchoolSummary {
  const out = copySummary(total);
  addInto(out, summary, sign);
  return out;
}

/** The plain sum of summaries, labelled CITY_TOTAL: what a maintained total must always equal. */
export function sumSummaries(summaries: readonly SchoolSummary[], year: number): SchoolSummary {
  const total = emptySummary(CITY_TOTAL, year);
  for (const s of summaries) addInto(total, s);
  return total;
}
