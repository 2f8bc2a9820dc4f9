/**
 * A transition sheet as a grid of cell values (what Office.js's `Range.values` gives, or any
 * reader that yields rows of plain values) → the return's input shapes. Values only: dates
 * arrive as Excel serial numbers or text, and text may carry the formula-injection escape.
 */
import { unescapeCell } from '../workbook/escape';
import { type ColumnKey, SHEET_LAYOUT, TRANSITION_COLUMNS, type TransitionColumn, WORKBOOK_LIMITS, columnNumber } from './layout';
import { parseDate } from './normalise';
import type { CellValue, QueryExplanation, RowInput, RowValues } from './schema';

export type GridCell = string | number | boolean | null | undefined;

/** A grid read from a sheet: `values[0][0]` is the cell at (`firstRow`, `firstColumn`), both 1-based. */
export interface Grid {
  values: readonly (readonly GridCell[])[];
  firstRow: number;
  firstColumn: number;
}

/** The cell at a 1-based row and column, or null outside the grid. */
export function gridCell(grid: Grid, row: number, column: number): GridCell {
  return grid.values[row - grid.firstRow]?.[column - grid.firstColumn] ?? null;
}

/** One cell as the return holds it: blank → null, text trimmed and unescaped, date columns as ISO where they parse. */
export function cellValueOf(v: GridCell, column: Pick<TransitionColumn, 'type'>): CellValue {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return null;
    return column.type.kind === 'date' ? (parseDate(v) ?? v) : v;
  }
  if (typeof v === 'boolean') return v;
  const text = unescapeCell(v.trim());
  if (text === '') return null;
  return column.type.kind === 'date' ? (parseDate(text) ?? text) : text;
}

/** The transfer year in A4: a number, or the first four-digit year in its text. */
export function yearOfCell(v: GridCell): number | null {
  if (typeof v === 'number') return Number.isInteger(v) ? v : null;
  if (typeof v !== 'string') return null;
  const m = /\b(\d{4})\b/.exec(v);
  return m ? Number(m[1]) : null;
}

export class TooManyRowsError extends Error {
  constructor(
    readonly sheet: string,
    readonly rows: number,
  ) {
    super(`sheet '${sheet}' holds ${rows} pupil rows, over the limit of ${WORKBOOK_LIMITS.maxRowsPerSheet}; delete unused rows (including any filled far down the sheet)`);
  }
}

/** True when the header row of the grid holds the layout's headers. */
export function hasTransitionHeaders(grid: Grid, columns: readonly TransitionColumn[] = TRANSITION_COLUMNS): boolean {
  const norm = (s: GridCell): string => String(s ?? '').replace(/\s+/g, ' ').trim().toLowerCase();
  return columns.every((c) => norm(gridCell(grid, SHEET_LAYOUT.headerRow, columnNumber(c.letter))) === norm(c.header));
}

/** The pupil rows of a sheet grid (rows from `firstDataRow`, blank rows skipped). */
export function pupilRowsOfGrid(sheet: string, grid: Grid, columns: readonly TransitionColumn[] = TRANSITION_COLUMNS, fromRow: number = SHEET_LAYOUT.firstDataRow): RowInput[] {
  const rows: RowInput[] = [];
  const numbers = columns.map((c) => [c, columnNumber(c.letter)] as const);
  const last = grid.firstRow + grid.values.length - 1;
  for (let r = Math.max(fromRow, grid.firstRow); r <= last; r++) {
    const values = {} as Record<ColumnKey, CellValue>;
    let any = false;
    for (const [c, n] of numbers) {
      const v = cellValueOf(gridCell(grid, r, n), c);
      values[c.key as ColumnKey] = v;
      if (v !== null) any = true;
    }
    if (!any) continue;
    rows.push({ row: r, values: values as RowValues });
    if (rows.length > WORKBOOK_LIMITS.maxRowsPerSheet) throw new TooManyRowsError(sheet, rows.length);
  }
  return rows;
}

/** The Query explanations sheet's rows (row 1 is the header). */
export function explanationsOfGrid(grid: Grid): QueryExplanation[] {
  const out: QueryExplanation[] = [];
  const last = grid.firstRow + grid.values.length - 1;
  for (let r = Math.max(2, grid.firstRow); r <= last; r++) {
    const [rule, sheet, cell, text] = [1, 2, 3, 4].map((c) => {
      const v = gridCell(grid, r, c);
      return v === null || v === undefined ? '' : unescapeCell(String(v).trim());
    }) as [string, string, string, string];
    if (!rule && !sheet && !cell && !text) continue;
    out.push({ rule, sheet, cell: cell.toUpperCase().replace(/\$/g, ''), text });
  }
  return out;
}
