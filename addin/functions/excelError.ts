/**
 * Errors shown in a cell. Inside Excel they are `CustomFunctions.Error`s; in Node (the CLI and
 * tests) `CustomFunctions` does not exist, so an `ExcelError` with the same code and message
 * stands in for it.
 */
import { DomainInputError, type DomainInputErrorKind } from '../../shared/errors';
import { CELL_ERROR_CODES } from '../../shared/functions/cells';

export type ExcelErrorCode = (typeof CELL_ERROR_CODES)[DomainInputErrorKind];

/** Stand-in for `CustomFunctions.Error` outside Excel. */
export class ExcelError extends Error {
  override readonly name = 'ExcelError';

  constructor(
    readonly code: ExcelErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** What a custom function returns in, or throws from, a cell that has an error. */
export type CellError = ExcelError | CustomFunctions.Error;

/** A cell error of the given kind with a message written for the person at the sheet. */
export function excelError(kind: DomainInputErrorKind, message: string): CellError {
  if (typeof CustomFunctions !== 'undefined') {
    const code = kind === 'invalidValue' ? CustomFunctions.ErrorCode.invalidValue : CustomFunctions.ErrorCode.notAvailable;
    return new CustomFunctions.Error(code, message);
  }
  return new ExcelError(CELL_ERROR_CODES[kind], message);
}

export function isCellError(e: unknown): e is CellError {
  if (e instanceof ExcelError) return true;
  return typeof CustomFunctions !== 'undefined' && e instanceof CustomFunctions.Error;
}

/**
 * The cell error for a caught error: a `DomainInputError` becomes `#VALUE!` or `#N/A` with its
 * message; a cell error passes through. Anything else is a bug and is rethrown, not dressed up.
 */
export function toExcelError(e: unknown): CellError {
  if (isCellError(e)) return e;
  if (e instanceof DomainInputError) return excelError(e.kind, e.message);
  throw e;
}

/** A shared function's answer as Excel takes it: every `DomainInputError` cell becomes a cell error. */
function excelCells<T>(value: T): T {
  if (value instanceof DomainInputError) return toExcelError(value) as T;
  if (Array.isArray(value)) return value.map(excelCells) as T;
  return value;
}

/**
 * Runs a custom function's shared implementation for Excel: an error in one cell becomes that
 * cell's error, and an error in the whole call makes the function fail with it.
 */
export function inExcel<T>(body: () => T): T {
  try {
    return excelCells(body());
  } catch (e) {
    throw toExcelError(e);
  }
}

/** `inExcel` for the functions that wait for data. */
export async function inExcelAsync<T>(body: () => Promise<T>): Promise<T> {
  try {
    return excelCells(await body());
  } catch (e) {
    throw toExcelError(e);
  }
}
