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

/** `total` plus (sign 1) or minus (sign -1) `summary`, as a new summary labelled `total`'s school. */
export function addSummary(total: SchoolSummary, summary: SchoolSummary, sign: 1 | -1 = 1): SchoolSummary {
  const out: SchoolSummary = {
    ...total,
    byProvisionNeed: { E: { ...total.byProvisionNeed.E }, K: { ...total.byProvisionNeed.K }, N: { ...total.byProvisionNeed.N } },
    bySecondary: Object.fromEntries(Object.entries(total.bySecondary).map(([k, c]) => [k, { ...c }])),
    bySupport: { Universal: { ...total.bySupport.Universal }, Targeted: { ...total.bySupport.Targeted }, Specialist: { ...total.bySupport.Specialist } },
  };
  out.pupils += sign * summary.pupils;
  for (const p of PROVISIONS) addCounts(out.byProvisionNeed[p], summary.byProvisionNeed[p], sign);
  for (const [secondary, counts] of Object.entries(summary.bySecondary)) {
    const current: ProvisionCounts = Object.hasOwn(out.bySecondary, secondary) ? (out.bySecondary[secondary] as ProvisionCounts) : { E: 0, K: 0, N: 0 };
    for (const p of PROVISIONS) current[p] += sign * counts[p];
    if (isZero(current)) delete out.bySecondary[secondary];
    else out.bySecondary[secondary] = current;
  }
  for (const level of SUPPORT_LEVELS) for (const p of PROVISIONS) out.bySupport[level][p] += sign * summary.bySupport[level][p];
  const demand = new Map<string, ResourceBaseDemand>(out.resourceBaseDemand.map((d): [string, ResourceBaseDemand] => [`${d.secondary}|${d.need}`, { ...d }]));
  for (const d of summary.resourceBaseDemand) {
    const key = `${d.secondary}|${d.need}`;
    const entry: ResourceBaseDemand = demand.get(key) ?? { secondary: d.secondary, need: d.need, pupils: 0 };
    entry.pupils += sign * d.pupils;
    if (entry.pupils === 0) demand.delete(key);
    else demand.set(key, entry);
  }
  out.resourceBaseDemand = [...demand.values()].sort((a, b) => a.secondary.localeCompare(b.secondary) || a.need.localeCompare(b.need));
  return out;
}

/** The plain sum of summaries, labelled CITY_TOTAL: what a maintained total must always equal. */
export function sumSummaries(summaries: readonly SchoolSummary[], year: number): SchoolSummary {
  return summaries.reduce((total, s) => addSummary(total, s), emptySummary(CITY_TOTAL, year));
}
