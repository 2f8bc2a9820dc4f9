/**
 * The city's consolidated workbook for LA officers: About, Pupils, Tracker and one sheet
 * per published count table. It holds special-category data about children, so nothing in
 * it is hidden, no cell holds a formula, and every text value is escaped against formula
 * injection (it will be filtered, copied and re-exported).
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';

type Writer = ExcelJS.stream.xlsx.WorkbookWriter;
import { TRANSITION_COLUMNS, type TransitionColumn } from '../shared/transition/layout';
import { cellText } from '../shared/transition/normalise';
import { type ConsolidatedPupil, receivedLine, type ReceivedCounts, SUMMARY_SHEET_NAMES, type TrackerEntry } from '../shared/consolidation';
import type { CountTable, PublishedCell } from '../shared/aggregate/table';
import { escapeCell } from '../shared/workbook/escape';
import { DATE_FORMAT } from './template';

export interface ConsolidatedWorkbookOptions {
  year: number;
  /** ISO timestamp of the run. */
  generatedAt: string;
  /** The pupils, in order: an array, or an async stream (the CLI replays them from disk so memory stays flat). */
  pupils: Iterable<ConsolidatedPupil> | AsyncIterable<ConsolidatedPupil>;
  /** How many pupils there are, for the About sheet; pupils.length when pupils is an array. */
  pupilCount?: number;
  tracker: TrackerEntry[];
  /**
   * What was received, for the About sheet: the tracker alone cannot tell a file read from a
   * school with nothing stored. Without it, every tracker line is taken as a file (read, or not).
   */
  received?: ReceivedCounts;
  tables: CountTable[];
  /** The columns table of the Pupils sheet; TRANSITION_COLUMNS by default. */
  columns?: readonly TransitionColumn[];
}

export const CONSOLIDATED_SHEETS = { about: 'About', pupils: 'Pupils', tracker: 'Tracker' } as const;
/** Excel's limit on sheet-name length and the characters it refuses in one. */
const SHEET_NAME_MAX = 31;
const SHEET_NAME_BAD = /[[\]:*?/\\]/g;

type Out = string | number | Date | null;

const text = (v: Out): ExcelJS.CellValue => escapeCell(v);

/** The consolidated workbook in memory (the API's export). */
export async function writeConsolidatedWorkbook(opts: ConsolidatedWorkbookOptions): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  const sink = new PassThrough();
  sink.on('data', (c: Buffer) => chunks.push(c));
  await write(new ExcelJS.stream.xlsx.WorkbookWriter({ stream: sink, useStyles: true, useSharedStrings: false }), opts, nextTurn);
  return new Uint8Array(Buffer.concat(chunks));
}

/** The consolidated workbook streamed to a file (the CLI): neither the pupils nor the output are ever whole in memory. */
export async function writeConsolidatedWorkbookFile(file: string, opts: ConsolidatedWorkbookOptions): Promise<void> {
  const out = createWriteStream(file);
  // exceljs hands rows to the ZIP without waiting for it, so the rows wait here instead: a turn
  // of the event loop for the deflate to run, and the file's drain when it falls behind.
  const drain = async (): Promise<void> => {
    await nextTurn();
    if (out.writableNeedDrain) await once(out, 'drain');
  };
  await write(new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false }), opts, drain);
}

const nextTurn = (): Promise<void> => new Promise<void>((resolve) => setImmediate(resolve));

async function write(wb: Writer, opts: ConsolidatedWorkbookOptions, drain: () => Promise<void>): Promise<void> {
  // The streaming writer commits each row as it goes: a city of pupils never sits in memory
  // as exceljs cell objects, only as the compressed parts being written. Each sheet is
  // finished before the next is begun, since the ZIP takes one part at a time.
  wb.creator = 'Good Start';
  const used = new Set<string>(Object.values(CONSOLIDATED_SHEETS).map((n) => n.toLowerCase()));
  const tableSheets = opts.tables.map((t) => ({ table: t, name: uniqueSheetName(SUMMARY_SHEET_NAMES[t.id] ?? t.title, used) }));
  const pupilCount = opts.pupilCount ?? (Array.isArray(opts.pupils) ? opts.pupils.length : 0);

  addAbout(wb, opts, pupilCount, tableSheets);
  await addPupils(wb, opts.pupils, opts.columns ?? TRANSITION_COLUMNS, drain);
  addTracker(wb, opts.tracker);
  for (const { table, name } of tableSheets) addTable(wb, table, name);

  await wb.commit();
}

/** A legal, unique sheet name for a table title: ≤ 31 characters, none of []:*?/\, not starting or ending with '. */
export function uniqueSheetName(title: string, used: Set<string>): string {
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

function addAbout(wb: Writer, opts: ConsolidatedWorkbookOptions, pupilCount: number, tables: Array<{ table: CountTable; name: string }>): void {
  const ws = wb.addWorksheet(CONSOLIDATED_SHEETS.about);
  ws.getColumn('A').width = 120;
  const controlled = tables.filter((t) => t.table.disclosureControlled).map((t) => t.name);
  const open = tables.filter((t) => !t.table.disclosureControlled).map((t) => t.name);
  const lines = [
    'Good Start: city-wide Year 6 to Year 7 transition returns (consolidated)',
    `Transfer year: September ${opts.year}.`,
    `Generated: ${opts.generatedAt}.`,
    receivedLine(pupilCount, opts.received ?? filesReceived(opts.tracker)),
    'Pupil rows with errors are left out of the Pupils sheet and the tables until the school fixes them.',
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

/** A pupil's cell for reading: a date as a real date, the rest as the sheet's own text ("Y: base name", "PSS, EPS"). */
function readable(p: ConsolidatedPupil, column: TransitionColumn): Out {
  const v = cellText(p, column);
  if (column.type.kind === 'date' && typeof v === 'string') {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
    return m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : v;
  }
  return v;
}

/** (design) Rows between pauses that let the ZIP drain what has been written (measured: 500 lets the buffers grow with the pupils, 50 does not). */
const ROWS_PER_DRAIN = 50;

async function addPupils(
  wb: Writer,
  pupils: Iterable<ConsolidatedPupil> | AsyncIterable<ConsolidatedPupil>,
  layout: readonly TransitionColumn[],
  drain: () => Promise<void>,
): Promise<void> {
  const ws = wb.addWorksheet(CONSOLIDATED_SHEETS.pupils, { views: [{ state: 'frozen', xSplit: 2, ySplit: 1 }] });
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
  let n = 0;
  for await (const p of pupils) {
    ws.addRow(columns.map((c) => text(c.value(p)))).commit();
    if (++n % ROWS_PER_DRAIN === 0) await drain();
  }
  ws.commit();
}

function addTracker(wb: Writer, tracker: TrackerEntry[]): void {
  const ws = wb.addWorksheet(CONSOLIDATED_SHEETS.tracker, { views: [{ state: 'frozen', ySplit: 1 }] });
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
