/**
 * How the custom functions read and answer cells, wherever they run (Excel, the CLI, tests).
 *
 * Value arguments are ranges (`unknown[][]`): a single cell arrives as a 1×1 range and a column
 * of pupils spills a column of answers. A problem with one pupil is a `DomainInputError` in that
 * pupil's cell only; an argument that is wrong as a whole is thrown. The edges show either as a
 * cell error: the add-in as `CustomFunctions.Error`, the CLI as its code and message.
 */
import { DomainInputError, type DomainInputErrorKind } from '../errors';

export type Cell = unknown;

/** The Excel error a domain error shows as in a cell. */
export const CELL_ERROR_CODES: Readonly<Record<DomainInputErrorKind, '#VALUE!' | '#N/A'>> = {
  invalidValue: '#VALUE!',
  notAvailable: '#N/A',
};

export const isBlank = (v: Cell): boolean => v === null || v === undefined || (typeof v === 'string' && v.trim() === '');

/** A cell as trimmed text; blank is ''. */
export const cellText = (v: Cell): string => (isBlank(v) ? '' : String(v).trim());

/** A range as a matrix; a bare scalar (from the CLI or a test) becomes 1×1. */
export function asMatrix(value: unknown): Cell[][] {
  if (value === undefined) return [[null]];
  if (!Array.isArray(value)) return [[value]];
  if (value.length === 0) return [[null]];
  return value.every(Array.isArray) ? (value as Cell[][]) : [value as Cell[]];
}

/**
 * Applies `fn` cell by cell across ranges of the same size; a single cell is used for every
 * row (e.g. one year group for a whole class). A domain error becomes that cell's answer.
 */
export function perCell(args: readonly unknown[], fn: (...cells: Cell[]) => Cell): Cell[][] {
  const matrices = args.map(asMatrix);
  const sized = matrices.filter((m) => m.length > 1 || (m[0]?.length ?? 0) > 1);
  const rows = sized[0]?.length ?? 1;
  const cols = sized[0]?.[0]?.length ?? 1;
  if (sized.some((m) => m.length !== rows || m.some((r) => r.length !== cols))) {
    throw new DomainInputError('invalidValue', 'the ranges must be the same size, or a single cell');
  }
  const at = (m: Cell[][], r: number, c: number): Cell => (m.length === 1 && m[0]?.length === 1 ? m[0]?.[0] : m[r]?.[c]);
  const out: Cell[][] = [];
  for (let r = 0; r < rows; r++) {
    const row: Cell[] = [];
    for (let c = 0; c < cols; c++) {
      try {
        row.push(fn(...matrices.map((m) => at(m, r, c))));
      } catch (e) {
        if (!(e instanceof DomainInputError)) throw e;
        row.push(e);
      }
    }
    out.push(row);
  }
  return out;
}

/** A number from a cell; text such as "6" is accepted because pasted class lists hold it. */
export function cellNumber(v: Cell, what: string): number {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v.trim()) : Number.NaN;
  if (!Number.isFinite(n)) throw new DomainInputError('invalidValue', `${what} must be a number; got "${String(v ?? '')}"`);
  return n;
}
