/**
 * City roll-up: sums school summaries into the published two-way tables. Tables come out
 * raw (`disclosureControlled: false`); `disclosure.ts` decides what each audience sees.
 */
import { areaOfNeed, AREAS_OF_NEED, SEN_NEED, SEN_PROVISION, type AreaOfNeed } from '../codes';
import { LOCALITY_AREAS, type SchoolDirectory } from '../schools';
import type { DemandRow } from './demand';
import type { CountTable } from './table';
import { emptyProvisionCounts, NO_NEED, PROVISIONS, SUPPORT_LEVELS, type ProvisionCounts, type SchoolSummary } from './summary';

export const DIMENSIONS = ['need', 'area', 'secondary', 'support', 'locality'] as const;
export type Dimension = (typeof DIMENSIONS)[number];

/** Row label for pupils with no primary need recorded, and for receiving secondaries outside the directory's areas. */
export const NO_NEED_LABEL = 'No need recorded';
export const UNKNOWN_LOCALITY = 'Unknown';
/** The census codes OTH and NSA have no broad area of need (SEND Code of Practice 6.28). */
const NO_AREA_LABEL = 'No broad area (OTH or NSA)';

const PROVISION_COLUMNS = SEN_PROVISION.map((p) => `${p.label} (${p.code})`);

export interface RollupOptions {
  directory?: SchoolDirectory;
}

interface Line {
  label: string;
  counts: ProvisionCounts;
}

function add(into: ProvisionCounts, from: ProvisionCounts): void {
  for (const p of PROVISIONS) into[p] += from[p];
}

/** Adds `from` into the map entry for `key`, creating it when absent. */
function addAt<K>(map: Map<K, ProvisionCounts>, key: K, from: ProvisionCounts): void {
  const counts = map.get(key) ?? emptyProvisionCounts();
  add(counts, from);
  map.set(key, counts);
}

function provisionByNeed(summaries: readonly SchoolSummary[]): Map<string, ProvisionCounts> {
  const out = new Map<string, ProvisionCounts>();
  for (const s of summaries) {
    for (const p of PROVISIONS) {
      for (const [need, n] of Object.entries(s.byProvisionNeed[p])) {
        const counts = out.get(need) ?? emptyProvisionCounts();
        counts[p] += n;
        out.set(need, counts);
      }
    }
  }
  return out;
}

function provisionBySecondary(summaries: readonly SchoolSummary[]): Map<string, ProvisionCounts> {
  const out = new Map<string, ProvisionCounts>();
  for (const s of summaries) for (const [laestab, counts] of Object.entries(s.bySecondary)) addAt(out, laestab, counts);
  return out;
}

/** Builds a table from raw lines; every total is summed from the raw counts. */
function countTable(id: string, title: string, rowHeader: string, lines: readonly Line[]): CountTable {
  const columnTotals = PROVISIONS.map((p) => lines.reduce((sum, l) => sum + l.counts[p], 0));
  return {
    id,
    title,
    rowHeader,
    columns: [...PROVISION_COLUMNS],
    rows: lines.map((l) => {
      const cells = PROVISIONS.map((p) => l.counts[p]);
      return { label: l.label, cells, total: cells.reduce((a, b) => a + b, 0) };
    }),
    columnTotals,
    grandTotal: columnTotals.reduce((a, b) => a + b, 0),
    disclosureControlled: false,
  };
}

function needTable(summaries: readonly SchoolSummary[]): CountTable {
  const byNeed = provisionByNeed(summaries);
  const take = (key: string): ProvisionCounts => {
    const counts = byNeed.get(key) ?? emptyProvisionCounts();
    byNeed.delete(key);
    return counts;
  };
  // Every census code is listed, zero or not, so the table's shape does not depend on the data.
  const lines: Line[] = SEN_NEED.map((n) => ({ label: `${n.label} (${n.code})`, counts: take(n.code) }));
  const none = take(NO_NEED);
  const unknown = [...byNeed.entries()].sort(([a], [b]) => a.localeCompare(b));
  for (const [code, counts] of unknown) lines.push({ label: `Unrecognised code (${code})`, counts });
  lines.push({ label: NO_NEED_LABEL, counts: none });
  return countTable('need-by-provision', 'Pupils by primary need and SEN provision', 'Primary need', lines);
}

function areaTable(summaries: readonly SchoolSummary[]): CountTable {
  const byArea = new Map<AreaOfNeed | typeof NO_NEED_LABEL, ProvisionCounts>();
  for (const [need, counts] of provisionByNeed(summaries)) {
    const area = need === NO_NEED ? NO_NEED_LABEL : (areaOfNeed(need) ?? 'None');
    addAt(byArea, area, counts);
  }
  const lines: Line[] = AREAS_OF_NEED.map((area) => ({
    label: area === 'None' ? NO_AREA_LABEL : area,
    counts: byArea.get(area) ?? emptyProvisionCounts(),
  }));
  lines.push({ label: NO_NEED_LABEL, counts: byArea.get(NO_NEED_LABEL) ?? emptyProvisionCounts() });
  return countTable('area-by-provision', 'Pupils by broad area of need and SEN provision', 'Broad area of need', lines);
}

function secondaryTable(summaries: readonly SchoolSummary[], directory?: SchoolDirectory): CountTable {
  const lines = [...provisionBySecondary(summaries).entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([laestab, counts]) => {
      const name = directory?.find(laestab)?.name;
      return { label: name ? `${name} (${laestab})` : laestab, counts };
    });
  return countTable('secondary-by-provision', 'Pupils by receiving secondary and SEN provision', 'Receiving secondary', lines);
}

function supportTable(summaries: readonly SchoolSummary[]): CountTable {
  const lines: Line[] = SUPPORT_LEVELS.map((level) => {
    const counts = emptyProvisionCounts();
    for (const s of summaries) add(counts, s.bySupport[level]);
    return { label: level, counts };
  });
  return countTable('support-by-provision', 'Pupils by level of support and SEN provision', 'Level of support', lines);
}

/** The locality area of a receiving secondary, or `Unknown` when the directory does not know it. */
function localityOf(laestab: string, directory?: SchoolDirectory): string {
  return directory?.find(laestab)?.area ?? UNKNOWN_LOCALITY;
}

function localityTable(summaries: readonly SchoolSummary[], directory?: SchoolDirectory): CountTable {
  const byLocality = new Map<string, ProvisionCounts>();
  for (const [laestab, counts] of provisionBySecondary(summaries)) addAt(byLocality, localityOf(laestab, directory), counts);
  const lines: Line[] = LOCALITY_AREAS.map((area) => ({ label: area, counts: byLocality.get(area) ?? emptyProvisionCounts() }));
  const unknown = byLocality.get(UNKNOWN_LOCALITY);
  if (unknown) lines.push({ label: UNKNOWN_LOCALITY, counts: unknown });
  return countTable(
    'locality-by-provision',
    "Pupils by the receiving secondary's locality area and SEN provision",
    'Locality area',
    lines,
  );
}

/** One raw table per requested dimension, in the order asked for, summed from school summaries. */
export function cityRollup(summaries: readonly SchoolSummary[], by: readonly Dimension[], opts: RollupOptions = {}): CountTable[] {
  return by.map((dimension) => {
    switch (dimension) {
      case 'need':
        return needTable(summaries);
      case 'area':
        return areaTable(summaries);
      case 'secondary':
        return secondaryTable(summaries, opts.directory);
      case 'support':
        return supportTable(summaries);
      case 'locality':
        return localityTable(summaries, opts.directory);
    }
  });
}

/**
 * Resource-base demand for sufficiency planning (RB.SUFFICIENCY): incoming Y7 pupils whose
 * return names a resource-base placement, by the receiving secondary's locality and primary need.
 */
export function resourceBaseDemand(summaries: readonly SchoolSummary[], opts: RollupOptions = {}): DemandRow[] {
  const out = new Map<string, DemandRow>();
  for (const s of summaries) {
    for (const d of s.resourceBaseDemand) {
      const area = localityOf(d.secondary, opts.directory);
      const key = `${area}|${d.need}`;
      const entry = out.get(key) ?? { area, need: d.need, pupils: 0 };
      entry.pupils += d.pupils;
      out.set(key, entry);
    }
  }
  const areaOrder = (a: string): number => {
    const i = (LOCALITY_AREAS as readonly string[]).indexOf(a);
    return i === -1 ? LOCALITY_AREAS.length : i;
  };
  return [...out.values()].sort((a, b) => areaOrder(a.area) - areaOrder(b.area) || a.need.localeCompare(b.need));
}
