/**
 * The identity audit trail as a workbook (GET /api/audit with an .xlsx Accept): one visible sheet,
 * a frozen, filterable header, values only, and every text escaped so nothing in it can run as a
 * formula (an e-mail or a reason typed by a person is exactly where `=…` could hide).
 */
import type { IdentityAuditEntry } from '../shared/api/identity';
import { escapeCell } from '../shared/workbook/escape';
import { excelJs } from './excelJs';

export const IDENTITY_AUDIT_SHEET = 'Audit';
export const IDENTITY_AUDIT_HEADER = ['When (UTC)', 'Who', 'Type', 'Sub-type', 'Scope', 'Target', 'Changed', 'Reason'] as const;
const WIDTHS = [22, 40, 16, 22, 20, 40, 60, 40];

/** One entry as a row, in IDENTITY_AUDIT_HEADER's order. */
export function auditRow(e: IdentityAuditEntry): string[] {
  const changed = e.edited.map((f) => `${f.name}: ${f.oldValue ?? '—'} → ${f.newValue ?? '—'}`).join('; ');
  return [e.at, e.who, e.type, e.subType, e.scope, e.target, changed, e.reason ?? ''];
}

export async function writeIdentityAuditWorkbook(entries: readonly IdentityAuditEntry[]): Promise<Uint8Array> {
  const wb = new (excelJs().Workbook)();
  const ws = wb.addWorksheet(IDENTITY_AUDIT_SHEET, { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.columns = IDENTITY_AUDIT_HEADER.map((header, i) => ({ header, width: WIDTHS[i] ?? 20 }));
  ws.getRow(1).font = { bold: true };
  ws.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: IDENTITY_AUDIT_HEADER.length } };
  for (const e of entries) ws.addRow(auditRow(e).map((v) => escapeCell(v)));
  return new Uint8Array((await wb.xlsx.writeBuffer()) as ArrayBuffer);
}
