/**
 * Statistical disclosure control for published count tables.
 *
 * (design) Counts of 1–4 shown outside the LA role become `c` (primary suppression), and
 * secondary suppression stops the totals from revealing them. Totals are computed from
 * unrounded data, so every published number is the true count.
 *
 * The table is treated as a grid with its totals: row i's cells sum to its row total,
 * column j's cells sum to its column total, the column totals and the row totals both sum
 * to the grand total. Each of those sums is a "line". A suppressed entry can be recovered
 * by subtraction exactly when it is the only suppressed entry in some line, so the table
 * is protected when no line has exactly one.
 */
import type { CountTable, PublishedCell } from './table';
import { SUPPRESSED } from './table';
import type { Role } from '../roles';

/** (design) Counts in this range are suppressed; 0 is published, since an empty cell reveals nothing about a pupil. */
export const SUPPRESSION_THRESHOLD = { min: 1, max: 4 } as const;

export interface DisclosureOptions {
  threshold?: { min: number; max: number };
}

export type { Role };

/** An entry of the grid with totals: `undefined` value when it was already `c` on input. */
interface Grid {
  rows: number;
  cols: number;
  value: (number | undefined)[][];
  suppressed: boolean[][];
}

/** A line: the row or column of the grid with totals; its last entry is the line's total. */
type LineRef = { kind: 'row' | 'col'; index: number };

function toGrid(table: CountTable): Grid {
  const cols = table.columns.length;
  const grid: PublishedCell[][] = [
    ...table.rows.map((r) => [...r.cells, r.total]),
    [...table.columnTotals, table.grandTotal],
  ];
  return {
    rows: grid.length,
    cols: cols + 1,
    value: grid.map((line) => line.map((v) => (v === SUPPRESSED ? undefined : v))),
    suppressed: grid.map((line) => line.map((v) => v === SUPPRESSED)),
  };
}

function entries(grid: Grid, line: LineRef): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  if (line.kind === 'row') for (let c = 0; c < grid.cols; c++) out.push([line.index, c]);
  else for (let r = 0; r < grid.rows; r++) out.push([r, line.index]);
  return out;
}

function allLines(grid: Grid): LineRef[] {
  return [
    ...Array.from({ length: grid.rows }, (_, index): LineRef => ({ kind: 'row', index })),
    ...Array.from({ length: grid.cols }, (_, index): LineRef => ({ kind: 'col', index })),
  ];
}

const isSuppressed = (grid: Grid, [r, c]: [number, number]): boolean => grid.suppressed[r]?.[c] === true;
const valueAt = (grid: Grid, [r, c]: [number, number]): number | undefined => grid.value[r]?.[c];

function suppressedCount(grid: Grid, line: LineRef): number {
  return entries(grid, line).filter((e) => isSuppressed(grid, e)).length;
}

/** The line crossing `line` at entry (r, c). */
function crossing(line: LineRef, [r, c]: [number, number]): LineRef {
  return line.kind === 'row' ? { kind: 'col', index: c } : { kind: 'row', index: r };
}

/**
 * The entry to suppress so that an exposed line has two unknowns: the smallest non-zero
 * published cell, preferring one that also protects its crossing line; the line's total
 * when no non-zero cell is left (a lone `c` among zeros equals its total).
 */
function partnerFor(grid: Grid, line: LineRef): [number, number] | undefined {
  const all = entries(grid, line);
  const total = all[all.length - 1];
  const open = all.slice(0, -1).filter((e) => !isSuppressed(grid, e));
  const rank = (e: [number, number]): [number, number] => [
    suppressedCount(grid, crossing(line, e)) === 1 ? 0 : 1,
    valueAt(grid, e) ?? Number.POSITIVE_INFINITY,
  ];
  const byPreference = (a: [number, number], b: [number, number]): number => {
    const [ra, rb] = [rank(a), rank(b)];
    return ra[0] - rb[0] || ra[1] - rb[1];
  };
  const nonZero = open.filter((e) => (valueAt(grid, e) ?? 1) > 0).sort(byPreference);
  if (nonZero[0]) return nonZero[0];
  if (total && !isSuppressed(grid, total)) return total;
  // Only reachable with inconsistent input (a lone `c` whose line is otherwise all zeros).
  return open.sort(byPreference)[0];
}

function fromGrid(table: CountTable, grid: Grid): CountTable {
  const cell = (r: number, c: number): PublishedCell => (grid.suppressed[r]?.[c] ? SUPPRESSED : (grid.value[r]?.[c] ?? SUPPRESSED));
  const last = grid.cols - 1;
  const totalsRow = grid.rows - 1;
  return {
    ...table,
    rows: table.rows.map((row, r) => ({
      label: row.label,
      cells: row.cells.map((_, c) => cell(r, c)),
      total: cell(r, last),
    })),
    columnTotals: table.columnTotals.map((_, c) => cell(totalsRow, c)),
    grandTotal: cell(totalsRow, last),
    disclosureControlled: true,
  };
}

/**
 * Applies primary and secondary suppression. Counts in the threshold range (1–4 by
 * default), totals included, become `c`; then, until no line has a single `c`, each such
 * line gets a second one. Published numbers are never altered. A table that is already
 * controlled comes back unchanged.
 */
export function disclosureControl(table: CountTable, opts: DisclosureOptions = {}): CountTable {
  const { min, max } = opts.threshold ?? SUPPRESSION_THRESHOLD;
  if (min < 1 || max < min) throw new RangeError(`suppression threshold must satisfy 1 <= min <= max, got ${min}..${max}`);
  const grid = toGrid(table);
  for (let r = 0; r < grid.rows; r++) {
    for (let c = 0; c < grid.cols; c++) {
      const v = grid.value[r]?.[c];
      const row = grid.suppressed[r];
      if (v !== undefined && v >= min && v <= max && row) row[c] = true;
    }
  }
  const lines = allLines(grid);
  const stuck = new Set<string>();
  for (;;) {
    const exposed = lines.find((l) => !stuck.has(`${l.kind}${l.index}`) && suppressedCount(grid, l) === 1);
    if (!exposed) break;
    const partner = partnerFor(grid, exposed);
    const row = partner ? grid.suppressed[partner[0]] : undefined;
    if (partner && row) row[partner[1]] = true;
    else stuck.add(`${exposed.kind}${exposed.index}`);
  }
  return fromGrid(table, grid);
}

/** Where a table's suppression can be undone: each line (row or column, with its total) holding a single `c`. */
export function exposedLines(table: CountTable): string[] {
  const grid = toGrid(table);
  const totalsRow = grid.rows - 1;
  const totalsCol = grid.cols - 1;
  return allLines(grid)
    .filter((l) => suppressedCount(grid, l) === 1)
    .map((l) =>
      l.kind === 'row'
        ? l.index === totalsRow
          ? 'column totals'
          : `row "${table.rows[l.index]?.label ?? l.index}"`
        : l.index === totalsCol
          ? 'row totals'
          : `column "${table.columns[l.index] ?? l.index}"`,
    );
}

/** True when no suppressed entry is the only unknown in any line, so none can be recovered by subtraction. */
export function isProtected(table: CountTable): boolean {
  return exposedLines(table).length === 0;
}

/** The tables a role may see: the LA sees raw counts; trusts and schools see disclosure-controlled tables. */
export function applyDisclosureForRole(tables: readonly CountTable[], role: Role, opts: DisclosureOptions = {}): CountTable[] {
  return role === 'la' ? [...tables] : tables.map((t) => disclosureControl(t, opts));
}
