/**
 * The reader as it was before issue 10, kept only as the bench's yardstick (`npm run bench`):
 * the ZIP directory checked by hand, then exceljs's whole workbook model. The product reads
 * with shared/workbook/reader.ts.
 */
import ExcelJS from 'exceljs';
import { SHEET_LAYOUT, TRANSITION_COLUMNS, type TransitionColumn, WORKBOOK_LIMITS } from '../shared/transition/layout';
import type { CellValue, QueryExplanation, RowInput, RowValues, SheetInput, TransitionReturn } from '../shared/transition/schema';
import { parseDate } from '../shared/transition/normalise';
import { WorkbookError } from '../shared/workbook/errors';
import { unescapeCell } from '../shared/workbook/escape';
import { inspectXlsx, isWorksheetPart, MAX_VALUE_ROWS, type XlsxInspection } from '../shared/workbook/zip';
import { inflateRawSync } from 'node:zlib';

export interface ReadOptions {
  /** The file's name, for the caller's messages; the reader's own messages never need it. */
  fileName?: string;
  /** The columns table whose headers and cells are read; TRANSITION_COLUMNS by default. */
  columns?: readonly TransitionColumn[];
}

const NON_PUPIL_SHEETS = new Set([SHEET_LAYOUT.instructionsSheet, SHEET_LAYOUT.listsSheet, SHEET_LAYOUT.explanationsSheet].map((n) => n.toLowerCase()));
/** (design) A sheet whose headers match at least this share of the layout is taken as a damaged transition sheet, not another sheet. */
const NEAR_MATCH_SHARE = 0.5;
const MAX_EXPLANATIONS = 5000;

const normalise = (s: string): string => s.replace(/\s+/g, ' ').trim().toLowerCase();

export async function readWithExceljs(bytes: Uint8Array, opts: ReadOptions = {}): Promise<TransitionReturn> {
  const columns = opts.columns ?? TRANSITION_COLUMNS;
  const inspection = inspectXlsx(bytes);
  for (const [, rows] of countValueRows(bytes, inspection)) {
    if (rows > MAX_VALUE_ROWS) throw tooManyRows(undefined, rows);
  }

  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) as unknown as ArrayBuffer);
  } catch {
    throw new WorkbookError('corrupt', 'Excel data inside the file could not be read (the workbook may be damaged); open it in Excel, save it again as .xlsx and retry');
  }

  for (const ws of wb.worksheets) {
    if (ws.state !== 'visible') {
      throw new WorkbookError('hidden', `sheet '${ws.name}' is hidden; unhide it (right-click a sheet tab > Unhide), delete it if it is not part of the return, and save again`);
    }
  }

  const sheets: SheetInput[] = [];
  let year: number | null = null;
  for (const ws of wb.worksheets) {
    if (NON_PUPIL_SHEETS.has(normalise(ws.name))) continue;
    if (!isTransitionSheet(ws, columns)) continue;
    if (sheets.length === 0) year = readYear(ws.getCell(SHEET_LAYOUT.yearCell).value);
    sheets.push(readSheet(ws, columns));
    if (sheets.length > WORKBOOK_LIMITS.maxSheets) {
      throw new WorkbookError('too-many-sheets', `the workbook has more than ${WORKBOOK_LIMITS.maxSheets} transition sheets; send one sheet per receiving secondary`);
    }
  }
  if (sheets.length === 0) {
    const first = columns[0];
    const last = columns[columns.length - 1];
    throw new WorkbookError(
      'unknown-layout',
      `no sheet has the Good Start headers in row ${SHEET_LAYOUT.headerRow} (expected '${first?.header ?? ''}' in ${first?.letter ?? ''}${SHEET_LAYOUT.headerRow} through to '${last?.header ?? ''}' in ${last?.letter ?? ''}${SHEET_LAYOUT.headerRow}); copy the pupils into a fresh template (goodstart template) without moving or renaming columns`,
    );
  }
  return { year, sheets, explanations: readExplanations(wb) };
}

function tooManyRows(sheet: string | undefined, rows: number): WorkbookError {
  return new WorkbookError(
    'too-many-rows',
    `${sheet ? `sheet '${sheet}'` : 'a sheet'} holds ${rows} rows, over the limit of ${WORKBOOK_LIMITS.maxRowsPerSheet} pupils; delete unused rows (including any filled far down the sheet) and save again`,
  );
}

/** True when row HEADER_ROW holds the layout's headers; a near match is a layout error, not another sheet. */
function isTransitionSheet(ws: ExcelJS.Worksheet, columns: readonly TransitionColumn[]): boolean {
  const header = ws.getRow(SHEET_LAYOUT.headerRow);
  const mismatches = columns.filter((c) => normalise(cellText(header.getCell(c.letter).value)) !== normalise(c.header));
  if (mismatches.length === 0) return true;
  if (mismatches.length <= columns.length * (1 - NEAR_MATCH_SHARE)) {
    const m = mismatches[0];
    if (m) {
      const found = cellText(header.getCell(m.letter).value).trim();
      throw new WorkbookError(
        'unknown-layout',
        `sheet '${ws.name}' cell ${m.letter}${SHEET_LAYOUT.headerRow} ${found ? `says '${found.slice(0, 60)}'` : 'is empty'} but the layout expects '${m.header}'; put the columns back as in the template, without moving, inserting or renaming any`,
      );
    }
  }
  return false;
}

function readYear(v: ExcelJS.CellValue): number | null {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  const m = /\b(\d{4})\b/.exec(cellText(v));
  return m ? Number(m[1]) : null;
}

function readSheet(ws: ExcelJS.Worksheet, columns: readonly TransitionColumn[]): SheetInput {
  const rows: RowInput[] = [];
  ws.eachRow({ includeEmpty: false }, (row, rowNumber) => {
    row.eachCell({ includeEmpty: false }, (cell) => {
      if (isFormula(cell)) {
        throw new WorkbookError('formula', `cell ${cell.address} on '${ws.name}' holds a formula; paste values only (Paste Special > Values) and save again`);
      }
    });
    if (rowNumber < SHEET_LAYOUT.firstDataRow) return;
    const values: Record<string, CellValue> = {};
    let any = false;
    for (const c of columns) {
      const v = normaliseValue(row.getCell(c.letter).value, c.type.kind === 'date');
      values[c.key] = v;
      if (v !== null) any = true;
    }
    if (!any) return;
    rows.push({ row: rowNumber, values: values as RowValues });
    if (rows.length > WORKBOOK_LIMITS.maxRowsPerSheet) throw tooManyRows(ws.name, rows.length);
  });
  const receiving = cellText(ws.getCell(SHEET_LAYOUT.receivingCell).value).trim();
  return { name: ws.name, receivingSecondary: receiving === '' ? null : unescapeCell(receiving), rows };
}

function isFormula(cell: ExcelJS.Cell): boolean {
  if (cell.type === ExcelJS.ValueType.Formula) return true;
  const v = cell.value;
  return typeof v === 'object' && v !== null && !(v instanceof Date) && ('formula' in v || 'sharedFormula' in v);
}

/** A Date cell as ISO; exceljs gives dates at UTC midnight. */
function isoDate(d: Date): string | null {
  if (Number.isNaN(d.getTime())) return null;
  return d.toISOString().slice(0, 10);
}

/** Text of any cell value: rich text flattened, hyperlinks by their text, errors as '#N/A' etc. */
function cellText(v: ExcelJS.CellValue): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v instanceof Date) return isoDate(v) ?? '';
  if ('richText' in v) return v.richText.map((t) => t.text).join('');
  if ('hyperlink' in v) return cellText(v.text as ExcelJS.CellValue);
  if ('error' in v) return String(v.error);
  if ('result' in v) return cellText(v.result as ExcelJS.CellValue);
  return '';
}

function normaliseValue(v: ExcelJS.CellValue, isDateColumn: boolean): CellValue {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'boolean') return v;
  if (v instanceof Date) return isoDate(v);
  const text = unescapeCell(cellText(v).trim());
  if (text === '') return null;
  // A date typed as text (dd/mm/yyyy) becomes ISO; anything else is left for the validator to report.
  return isDateColumn ? (parseDate(text) ?? text) : text;
}

function readExplanations(wb: ExcelJS.Workbook): QueryExplanation[] {
  const ws = wb.worksheets.find((w) => normalise(w.name) === normalise(SHEET_LAYOUT.explanationsSheet));
  if (!ws) return [];
  const out: QueryExplanation[] = [];
  ws.eachRow({ includeEmpty: false }, (row, rowNumber) => {
    if (rowNumber === 1) return;
    const [rule, sheet, cell, text] = [1, 2, 3, 4].map((i) => unescapeCell(cellText(row.getCell(i).value).trim()));
    if (!rule && !sheet && !cell && !text) return;
    out.push({ rule: rule ?? '', sheet: sheet ?? '', cell: (cell ?? '').toUpperCase().replace(/\$/g, ''), text: text ?? '' });
    if (out.length > MAX_EXPLANATIONS) {
      throw new WorkbookError('too-many-rows', `the '${ws.name}' sheet holds more than ${MAX_EXPLANATIONS} explanations; keep one per query`);
    }
  });
  return out;
}

/** Rows holding values in each worksheet part, from the raw XML (node:zlib), before exceljs builds them. */
function countValueRows(bytes: Uint8Array, inspection: XlsxInspection): Map<string, number> {
  const counts = new Map<string, number>();
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (const e of inspection.entries) {
    if (!isWorksheetPart(e.name)) continue;
    const o = e.localHeaderOffset;
    if (view.getUint32(o, true) !== 0x04034b50) continue; // exceljs will report a broken part as corrupt
    const start = o + 30 + view.getUint16(o + 26, true) + view.getUint16(o + 28, true);
    const raw = bytes.subarray(start, start + e.compressedSize);
    let xml: string;
    try {
      const data = e.method === 0 ? raw : inflateRawSync(raw, { maxOutputLength: Math.max(e.uncompressedSize, 1) });
      xml = Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('latin1');
    } catch {
      continue;
    }
    let rows = 0;
    const rowRe = /<(?:\w+:)?row\b[^>]*?(?:\/>|>[\s\S]*?<\/(?:\w+:)?row>)/g;
    for (let m = rowRe.exec(xml); m; m = rowRe.exec(xml)) {
      if (/<(?:\w+:)?(?:v|is|f)[\s>]/.test(m[0])) rows++;
    }
    counts.set(e.name, rows);
  }
  return counts;
}

