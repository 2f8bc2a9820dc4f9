/**
 * The tracker as a workbook (GET /api/tracker/{year} with Accept: .xlsx): one sheet holding the
 * chase list (shared/chaseList.ts: its columns, order and deadline), a frozen, filterable
 * header, values only, and every text escaped so nothing in it can run as a formula.
 */
import { CHASE_LIST_HEADER, chaseList, type TrackedSchool } from '../shared/chaseList';
import { returnDeadline } from '../shared/timetable';
import { escapeCell } from '../shared/workbook/escape';
import { excelJs } from './excelJs';
import { LA_OWNER } from '../shared/print';
import { applyPrintSetup } from './excelJsPrint';

export const CHASE_LIST_SHEET = 'Chase list';
const WIDTHS = [36, 10, 14, 16, 16, 32];

export async function writeChaseListWorkbook(opts: { year: number; today: Date; schools: readonly TrackedSchool[] }): Promise<Uint8Array> {
  const wb = new (excelJs().Workbook)();
  const ws = wb.addWorksheet(CHASE_LIST_SHEET, { views: [{ state: 'frozen', ySplit: 1 }] });
  // Never narrower than its bold header and the filter button beside it, so no header is cut.
  ws.columns = CHASE_LIST_HEADER.map((header, i) => ({ header, width: Math.max(WIDTHS[i] ?? 16, header.length + 5) }));
  ws.getRow(1).font = { bold: true };
  ws.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: CHASE_LIST_HEADER.length } };
  for (const row of chaseList(opts.schools, opts.year, opts.today)) ws.addRow(row.map((v) => escapeCell(v)));
  const workbook = `Good Start chase list, September ${opts.year}: due by ${returnDeadline(opts.year).toISOString().slice(0, 10)}; counted on ${opts.today.toISOString().slice(0, 10)}`;
  applyPrintSetup(ws, 'chaseList', { workbook, owner: LA_OWNER }, { rows: { first: 1, last: 1 } });
  return new Uint8Array((await wb.xlsx.writeBuffer()) as ArrayBuffer);
}
