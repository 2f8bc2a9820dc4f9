/**
 * Errors shown in a cell. Inside Excel they are `CustomFunctions.Error`s; in Node (the CLI and
 * tests) `CustomFunctions` does not exist, so an `ExcelError` with the same code and message
 * stands in for it.
 */
import { DomainInputError, type DomainInputErrorKind } from '../../shared/errors';

export type ExcelErrorCode = '#VALUE!' | '#N/A';

const CODES: Record<DomainInputErrorKind, ExcelErrorCode> = {
  invalidValue: '#VALUE!',
  notAvailable: '#N/A',
};

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
  return new ExcelError(CODES[kind], message);
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
