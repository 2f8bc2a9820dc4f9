/**
 * Pupil rows as a SENCo types them into the sheet: one row of cells A–AM per pupil, dates as
 * Excel serials (what a date cell holds). Built from the shared synthetic factory.
 */
import { SHEET_LAYOUT, TRANSITION_COLUMNS, columnNumber, LAST_COLUMN } from '../../shared/transition/layout';
import type { RowValues } from '../../shared/transition/schema';
import { validValues } from '../factories/transition';

export type TypedCell = string | number;

const serial = (iso: string): number => (Date.parse(`${iso}T00:00:00Z`) - Date.UTC(1899, 11, 30)) / 86_400_000;

export function typedRow(values: Partial<RowValues>): TypedCell[] {
  const line: TypedCell[] = Array.from({ length: columnNumber(LAST_COLUMN) }, () => '');
  for (const c of TRANSITION_COLUMNS) {
    const x = (values as Record<string, unknown>)[c.key];
    line[columnNumber(c.letter) - 1] = x === null || x === undefined ? '' : c.type.kind === 'date' ? serial(String(x)) : (x as TypedCell);
  }
  return line;
}

/** `count` valid pupils (the factory's), with per-pupil overrides. */
export function pupilGrid(count: number, override: (n: number) => Partial<RowValues> = () => ({})): TypedCell[][] {
  return Array.from({ length: count }, (_, i) => typedRow({ ...validValues(i + 1), ...override(i + 1) }));
}

/** The address of `count` pupil rows from row 10. */
export const pupilRange = (count: number): string => `A${SHEET_LAYOUT.firstDataRow}:${LAST_COLUMN}${SHEET_LAYOUT.firstDataRow + count - 1}`;
