/**
 * The consolidated-workbook writer as `goodstart consolidate` had it before issue 10, kept only
 * as the bench's old-path yardstick (`npm run bench`), like bench/exceljsReader.ts: exceljs's
 * streaming WorkbookWriter into a PassThrough, the whole file gathered in memory (as of
 * dd1da38, replaced in the product by xlsx/spreadsheetml.ts in 53ac57b). Not product code: the
 * product writes with xlsx/consolidated.ts. Adapted only to today's types and tables, so it
 * writes the same sheets and cells; every text value is escaped as the old writer did.
 */
import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';
import { TRANSITION_COLUMNS, type TransitionColumn } from '../shared/transition/layout';
import { cellText } from '../shared/transition/normalise';
import { DATE_FORMAT } from '../shared/transition/sheetPlan';
import { alsoOnText, type ConsolidatedPupil, receivedLine, type ReceivedCounts, SUMMARY_SHEET_NAMES, type TrackerEntry } from '../shared/consolidation';
import type { CountTable, PublishedCell } from '../shared/aggregate/table';
import { escapeCell } from '../shared/workbook/escape';

type Writer = ExcelJS.stream.xlsx.WorkbookWriter;

export interface ExceljsConsolidatedOptions {
  year: number;
  /** ISO timestamp of the run. */
  generatedAt: string;
  pupils: ConsolidatedPupil[];
  tracker: TrackerEntry[];
  received?: ReceivedCounts;
  tables: CountTable[];
  columns?: readonly TransitionColumn[];
}

const SHEETS = { about: 'About', pupils: 'Pupils', tracker: 'Tracker' } as const;
const SHEET_NAME_MAX = 31;
const SHEET_NAME_BAD = /[[\]:*?/\\]/g;

type Out = string | number | Date | null;

const text = (v: Out): ExcelJS.CellValue => escapeCell(v);

/** The consolidated workbook through exceljs, whole in memory, as the old CLI wrote it before writing the file. */
export async function writeConsolidatedWithExceljs(opts: ExceljsConsolidatedOptions): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  const sink = new PassThrough();
  sink.on('data', (c: Buffer) => chunks.push(c));
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: sink, useStyles: true, useSharedStrings: false });
  wb.creator = 'Good Start';
  const used = new Set<string>(Object.values(SHEETS).map((n) => n.toLowerCase()));
  const tableSheets = opts.tables.map((t) => ({ table: t, name: uniqueSheetName(SUMMARY_SHEET_NAMES[t.id] ?? t.title, used) }));

  addAbout(wb, opts, tableSheets);
  addPupils(wb, opts.pupils, opts.columns ?? TRANSITION_COLUMNS);
  addTracker(wb, opts.tracker);
  for (const { table, name } of tableSheets) addTable(wb, table, name);

  await wb.commit();
  return new Uint8Array(Buffer.concat(chunks));
}

function uniqueSheetName(title: string, used: Set<string>): string {
  const base = title.replace(SHEET_NAME_BAD, '-').replace(/^'+|'+$/g, '').replace(/\s+/g, ' ').trim() || 'Table';
  let name = base.slice(0, SHEET_NAME_MAX).trim();
  for (let n = 2; used.has(name.toLowerCase()); n++) {
    const suffix = ` (${n})`;
    name = `${base.slice(0, SHEET_NAME_MAX - suffix.length).trim()}${suffix}`;
  }
  used.add(name.toLowerCase());
  return name;
}

function filesReceived(tracker: readonly TrackerEntry[]): ReceivedCounts {
  const unreadable = tracker.filter((t) => t.status === 'Unreadable').length;
  return { returns: tracker.length - unreadable, outstanding: 0, unreadable };
}

function addAbout(wb: Writer, opts: ExceljsConsolidatedOptions, tables: Array<{ table: CountTable; name: string }>): void {
  const ws = wb.addWorksheet(SHEETS.about);
  ws.getColumn('A').width = 120;
  const controlled = tables.filter((t) => t.table.disclosureControlled).map((t) => t.name);
  const open = tables.filter((t) => !t.table.disclosureControlled).map((t) => t.name);
  const lines = [
    'Good Start: city-wide Year 6 to Year 7 transition returns (consolidated)',
    `Transfer year: September ${opts.year}.`,
    `Generated: ${opts.generatedAt}.`,
    receivedLine(opts.pupils.length, opts.received ?? filesReceived(opts.tracker)),
    'Pupil rows with errors are left out of the Pupils sheet and the tables until the school fixes them; an error in a sheet\'s receiving secondary (A7) leaves every pupil on that sheet out, and the Tracker sheet says so.',
    '',
    "This workbook contains special-category personal data about children (SEND, health, safeguarding flags). Handle it under the council's data protection policy:",
    'store it only in approved locations, share it only with people who need it for transition planning, never email it unencrypted, and delete it when it is no longer needed.',
    '',
    controlled.length > 0
      ? `Disclosure-controlled tables (counts of 1 to 4 shown as c, with secondary suppression): ${controlled.join(', ')}.`
      : 'No table in this workbook is disclosure-controlled: do not publish or share the tables outside the LA.',
    ...(open.length > 0 && controlled.length > 0 ? [`Tables with unsuppressed counts, for LA use only: ${open.join(', ')}.`] : []),
  ];
  lines.forEach((l, i) => {
    ws.getCell(`A${i + 1}`).value = text(l);
  });
  ws.getCell('A1').font = { bold: true, size: 14 };
  ws.commit();
}

function readable(p: ConsolidatedPupil, column: TransitionColumn): Out {
  const v = cellText(p, column);
  if (column.type.kind === 'date' && typeof v === 'string') {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
    return m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : v;
  }
  return v;
}

function addPupils(wb: Writer, pupils: ConsolidatedPupil[], layout: readonly TransitionColumn[]): void {
  const ws = wb.addWorksheet(SHEETS.pupils, { views: [{ state: 'frozen', xSplit: 2, ySplit: 1 }] });
  const columns: Array<{ header: string; width: number; value: (p: ConsolidatedPupil) => Out; date?: boolean }> = [
    { header: 'Source school', width: 12, value: (p) => p.sourceSchool },
    { header: 'Receiving secondary', width: 12, value: (p) => p.receivingSecondary },
    ...layout.map((c) => ({ header: c.header, width: c.width, value: (p: ConsolidatedPupil) => readable(p, c), date: c.type.kind === 'date' })),
    { header: 'Source file', width: 30, value: (p) => p.sourceFile ?? null },
    { header: 'Source sheet', width: 14, value: (p) => p.sheet },
    { header: 'Source row', width: 8, value: (p) => p.row },
  ];
  ws.columns = columns.map((c) => ({ header: String(text(c.header)), width: c.width, ...(c.date ? { style: { numFmt: DATE_FORMAT } } : {}) }));
  ws.getRow(1).font = { bold: true };
  ws.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: columns.length } };
  ws.getRow(1).commit();
  for (const p of pupils) ws.addRow(columns.map((c) => text(c.value(p)))).commit();
  ws.commit();
}

function addTracker(wb: Writer, tracker: TrackerEntry[]): void {
  const ws = wb.addWorksheet(SHEETS.tracker, { views: [{ state: 'frozen', ySplit: 1 }] });
  const columns: Array<{ header: string; width: number; value: (t: TrackerEntry) => Out }> = [
    { header: 'School (LAESTAB)', width: 14, value: (t) => t.school || null },
    { header: 'School name', width: 30, value: (t) => t.schoolName ?? null },
    { header: 'File', width: 36, value: (t) => t.file ?? null },
    { header: 'Pupil rows', width: 10, value: (t) => t.rows },
    { header: 'Errors', width: 8, value: (t) => t.errors },
    { header: 'Queries', width: 8, value: (t) => t.queries },
    { header: 'State', width: 12, value: (t) => t.state ?? null },
    { header: 'Status', width: 16, value: (t) => t.status },
    { header: 'Reason', width: 80, value: (t) => t.reason ?? null },
    { header: "Also on another school's return (same UPN)", width: 60, value: (t) => (t.alsoOn ? alsoOnText(t.alsoOn) : null) },
  ];
  ws.columns = columns.map((c) => ({ header: c.header, width: c.width }));
  ws.getRow(1).font = { bold: true };
  ws.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: columns.length } };
  for (const t of tracker) ws.addRow(columns.map((c) => text(c.value(t))));
  ws.commit();
}

function addTable(wb: Writer, t: CountTable, name: string): void {
  const ws = wb.addWorksheet(name, { views: [{ state: 'frozen', xSplit: 1, ySplit: 4 }] });
  // Widths first: the streaming writer writes the column definitions before the first row.
  ws.getColumn(1).width = Math.max(16, t.rowHeader.length + 2, ...t.rows.map((x) => Math.min(40, x.label.length + 2)));
  for (let i = 2; i <= t.columns.length + 2; i++) ws.getColumn(i).width = 12;
  ws.getCell('A1').value = text(t.title);
  ws.getCell('A1').font = { bold: true, size: 13 };
  ws.getCell('A2').value = text(
    t.disclosureControlled
      ? 'Disclosure-controlled: c marks a count of 1 to 4, or a cell suppressed so that totals do not reveal one. Totals are computed from unrounded data.'
      : 'Not disclosure-controlled: for LA use only; do not publish.',
  );
  // The note spans the table, as the product's writer merges it.
  if (t.columns.length + 2 > 1) ws.mergeCells(2, 1, 2, t.columns.length + 2);
  const cell = (v: PublishedCell): ExcelJS.CellValue => v;
  const header = ws.getRow(4);
  header.values = [t.rowHeader, ...t.columns, 'Total'].map((v) => text(v));
  header.font = { bold: true };
  let r = 5;
  for (const row of t.rows) {
    ws.getRow(r++).values = [text(row.label), ...row.cells.map(cell), cell(row.total)];
  }
  const totals = ws.getRow(r);
  totals.values = ['Total', ...t.columnTotals.map(cell), cell(t.grandTotal)];
  totals.font = { bold: true };
  ws.commit();
}
