/**
 * City roll-up: sums school summaries into the published two-way tables. Tables come out
 * raw (`disclosureControlled: false`); `disclosure.ts` decides what each audience sees.
 */
import { areaOfNeed, AREAS_OF_NEED, SEN_NEED, SEN_PROVISION } from '../codes';
import { LOCALITY_AREAS, type SchoolDirectory } from '../schools';
import type { DemandRow } from './demand';
import type { CountTable } from './table';
import { emptyProvisionCounts, NO_NEED, PROVISIONS, SUPPORT_LEVELS, type ProvisionCounts, type SchoolSummary } from './summary';

/** The tables the roll-up builds, by the name the API's `by` takes. */
export const DIMENSIONS = ['need', 'area', 'secondary', 'support', 'locality', 'area-locality'] as const;
export type Dimension = (typeof DIMENSIONS)[number];

/** Each dimension's table as rows × columns, in the words the API reference uses. */
export const DIMENSION_TABLES: Readonly<Record<Dimension, string>> = {
  need: 'primary need × SEN provision',
  area: 'broad area of need × SEN provision',
  secondary: 'receiving secondary × SEN provision',
  support: 'level of support × SEN provision',
  locality: "the receiving secondary's locality area × SEN provision",
  'area-locality': "the receiving secondary's locality area × broad area of need",
};

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

/** A row of any table: its label and its raw counts, one per column. */
interface GridLine {
  label: string;
  cells: number[];
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

const sum = (ns: readonly number[]): number => ns.reduce((a, b) => a + b, 0);

/** Builds a table from raw lines under the given columns; every total is summed from the raw counts. */
function gridTable(id: string, title: string, rowHeader: string, columns: readonly string[], lines: readonly GridLine[]): CountTable {
  const columnTotals = columns.map((_, j) => sum(lines.map((l) => l.cells[j] ?? 0)));
  return {
    id,
    title,
    rowHeader,
    columns: [...columns],
    rows: lines.map((l) => ({ label: l.label, cells: [...l.cells], total: sum(l.cells) })),
    columnTotals,
    grandTotal: sum(columnTotals),
    disclosureControlled: false,
  };
}

/** A table against SEN provision, one column per provision. */
function countTable(id: string, title: string, rowHeader: string, lines: readonly Line[]): CountTable {
  return gridTable(id, title, rowHeader, PROVISION_COLUMNS, lines.map((l) => ({ label: l.label, cells: PROVISIONS.map((p) => l.counts[p]) })));
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

/**
 * The broad areas of need as tables show them, in order: the Code of Practice's areas, then
 * codes with no broad area (OTH, NSA, and any code the census does not list), then no need recorded.
 */
const AREA_LABELS: readonly string[] = [...AREAS_OF_NEED.map((area) => (area === 'None' ? NO_AREA_LABEL : area)), NO_NEED_LABEL];

/** The position in AREA_LABELS of the broad area a need key is counted under. */
function areaIndex(need: string): number {
  if (need === NO_NEED) return AREA_LABELS.length - 1;
  return AREAS_OF_NEED.indexOf(areaOfNeed(need) ?? 'None');
}

function areaTable(summaries: readonly SchoolSummary[]): CountTable {
  const byArea = AREA_LABELS.map(() => emptyProvisionCounts());
  for (const [need, counts] of provisionByNeed(summaries)) add(byArea[areaIndex(need)] as ProvisionCounts, counts);
  const lines: Line[] = AREA_LABELS.map((label, i) => ({ label, counts: byArea[i] as ProvisionCounts }));
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

/** Rows by locality area: every area in the directory's order (empty where nobody goes), then Unknown only when someone does. */
function byLocalityArea<T>(counts: ReadonlyMap<string, T>, empty: () => T): [string, T][] {
  const rows: [string, T][] = LOCALITY_AREAS.map((area) => [area, counts.get(area) ?? empty()]);
  const unknown = counts.get(UNKNOWN_LOCALITY);
  if (unknown !== undefined) rows.push([UNKNOWN_LOCALITY, unknown]);
  return rows;
}

function localityTable(summaries: readonly SchoolSummary[], directory?: SchoolDirectory): CountTable {
  const byLocality = new Map<string, ProvisionCounts>();
  for (const [laestab, counts] of provisionBySecondary(summaries)) addAt(byLocality, localityOf(laestab, directory), counts);
  const lines: Line[] = byLocalityArea(byLocality, emptyProvisionCounts).map(([label, counts]) => ({ label, counts }));
  return countTable(
    'locality-by-provision',
    "Pupils by the receiving secondary's locality area and SEN provision",
    'Locality area',
    lines,
  );
}

/**
 * The cross-tab of issue #9: rows are the receiving secondary's locality area (as the locality
 * table: every area, then Unknown when any pupil goes to a secondary the directory does not
 * place), columns the broad areas of need (as the area table's rows).
 */
function areaByLocalityTable(summaries: readonly SchoolSummary[], directory?: SchoolDirectory): CountTable {
  const byLocality = new Map<string, number[]>();
  for (const s of summaries) {
    for (const [laestab, needs] of Object.entries(s.bySecondaryNeed)) {
      const locality = localityOf(laestab, directory);
      const cells = byLocality.get(locality) ?? AREA_LABELS.map(() => 0);
      for (const [need, n] of Object.entries(needs)) cells[areaIndex(need)] = (cells[areaIndex(need)] ?? 0) + n;
      byLocality.set(locality, cells);
    }
  }
  const lines: GridLine[] = byLocalityArea(byLocality, () => AREA_LABELS.map(() => 0)).map(([label, cells]) => ({ label, cells }));
  return gridTable(
    'area-by-locality',
    "Pupils by broad area of need and the receiving secondary's locality area",
    'Locality area',
    AREA_LABELS,
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
      case 'area-locality':
        return areaByLocalityTable(summaries, opts.directory);
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
