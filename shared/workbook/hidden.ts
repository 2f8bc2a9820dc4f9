/**
 * Hidden rows and columns in an uploaded workbook: refused like hidden sheets, because the
 * template's instructions forbid them and a hidden row is where pupils' data goes unseen (ICO:
 * hidden data in shared spreadsheets has led to reprimands).
 *
 * Pure and reader-neutral: any reader (exceljs today, a streaming reader tomorrow) reports each
 * sheet's hidden row numbers and hidden column ranges as read from `<row hidden="1">` and
 * `<col min max hidden="1">`, and this decides and words the refusal.
 */
import { columnLetter } from '../transition/layout';
import { WorkbookError } from './errors';

export interface SheetHiddenParts {
  sheet: string;
  /** 1-based row numbers marked hidden. */
  rows: readonly number[];
  /** 1-based column ranges marked hidden, inclusive, as `<col min max>` gives them. */
  columns: readonly { min: number; max: number }[];
}

/** (design) How many ranges a message names before "and N more": enough to find them, short enough to read. */
const NAMED_RANGES = 5;

/** Consecutive numbers as ranges: [3,4,5,9] → [[3,5],[9,9]]. */
function ranges(numbers: readonly number[]): [number, number][] {
  const sorted = [...new Set(numbers)].sort((a, b) => a - b);
  const out: [number, number][] = [];
  for (const n of sorted) {
    const last = out[out.length - 1];
    if (last && n === last[1] + 1) last[1] = n;
    else out.push([n, n]);
  }
  return out;
}

function listed(parts: [number, number][], name: (n: number) => string): string {
  const shown = parts.slice(0, NAMED_RANGES).map(([a, b]) => (a === b ? name(a) : `${name(a)}-${name(b)}`));
  const more = parts.length - shown.length;
  return more > 0 ? `${shown.join(', ')} and ${more} more` : shown.join(', ');
}

/** The refusal for a sheet with hidden rows or columns, naming them; undefined when nothing is hidden. */
export function hiddenRowsAndColumnsError(parts: SheetHiddenParts): WorkbookError | undefined {
  const rows = ranges(parts.rows);
  const columns = ranges(parts.columns.flatMap(({ min, max }) => Array.from({ length: Math.max(0, max - min + 1) }, (_, i) => min + i)));
  if (rows.length === 0 && columns.length === 0) return undefined;
  const what = [
    ...(rows.length > 0 ? [`hidden ${parts.rows.length === 1 ? 'row' : 'rows'} ${listed(rows, String)}`] : []),
    ...(columns.length > 0 ? [`hidden ${columns.length === 1 && columns[0]![0] === columns[0]![1] ? 'column' : 'columns'} ${listed(columns, columnLetter)}`] : []),
  ].join(' and ');
  return new WorkbookError(
    'hidden',
    `sheet '${parts.sheet}' has ${what}; unhide them (select the whole sheet, right-click a row or column heading > Unhide), delete any that are not part of the return, and save again`,
  );
}
