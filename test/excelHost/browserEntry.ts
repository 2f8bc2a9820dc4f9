/**
 * The in-memory Excel host as the browser tests load it: served in place of office.js, it
 * defines `Office`, `Excel` and a `CustomFunctions` that records associations, and exposes
 * the workbook to the test as `window.__host`.
 */
import { createFakeExcel } from './fakeExcel';

const host = createFakeExcel();
const w = window as unknown as Record<string, unknown>;
w['__host'] = host;
w['Excel'] = host.excel();
w['Office'] = host.office();
class ShimError extends Error {
  constructor(
    readonly code: string,
    message?: string,
  ) {
    super(message ?? '');
    this.name = 'CustomFunctions.Error';
  }
}
const associated: Record<string, unknown> = {};
w['__associated'] = associated;
w['CustomFunctions'] = {
  associate(id: string, fn: unknown) {
    associated[id] = fn;
  },
  Error: ShimError,
  ErrorCode: { invalidValue: '#VALUE!', notAvailable: '#N/A', divisionByZero: '#DIV/0!', invalidNumber: '#NUM!', nullReference: '#NULL!', invalidName: '#NAME?', invalidReference: '#REF!' },
};
