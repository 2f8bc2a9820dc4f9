/**
 * The transition sheet in the open workbook, through Office.js: build it from the layout plan,
 * read it in one go, show problems at their cells, move the selection, and keep the Query
 * explanations sheet. Each action costs a fixed number of `context.sync()` calls, whatever
 * the row count (STYLE.md habit 7); the numbers are pinned by test/addin/excelAdapters.test.ts.
 *
 * Problem highlights are conditional formats tagged with a marker in their formula, never
 * fills: deleting our formats gives back exactly the formatting the user had.
 */
import { SHEET_LAYOUT, TRANSITION_COLUMNS, UNASSIGNED_COLUMNS, columnLetter, columnNumber, LAST_COLUMN } from '../../shared/transition/layout';
import { explanationsOfGrid, type Grid, gridCell, hasTransitionHeaders, pupilRowsOfGrid, yearOfCell } from '../../shared/transition/grid';
import type { QueryExplanation, RowInput, SheetInput, TransitionReturn, ValidationReport } from '../../shared/transition/schema';
import {
  DATE_FORMAT,
  EXPLANATION_HEADERS,
  EXPLANATION_WIDTHS,
  GROUP_FILL,
  INSTRUCTION_WIDTHS,
  RECEIVING_LABEL,
  UNASSIGNED_WIDTH,
  YEAR_LABEL,
  codedColumns,
  columnErrorAlert,
  columnGroups,
  columnPrompt,
  instructionRows,
  lastInputRow,
} from '../../shared/transition/sheetPlan';
import { escapeCell } from '../../shared/workbook/escape';
import { chunkRows, excel } from './run';

/** Excel column widths are in points; the layout's are in characters of the default font. */
export const POINTS_PER_CHARACTER = 5.6;
const points = (chars: number): number => Math.round(chars * POINTS_PER_CHARACTER + 5);

/** Highlight colours: red for errors, amber for queries (Fluent's danger and warning tints). */
export const HIGHLIGHT = { error: '#FDE7E9', query: '#FFF4CE' } as const;
/** The marker that makes a conditional format ours: `=N("Good Start: error")=0` is always true. */
const MARKER = 'Good Start:';
const markerFormula = (severity: 'error' | 'query'): string => `=N("${MARKER} ${severity}")=0`;
/** Areas per conditional format: keeps each address list short. */
const AREAS_PER_FORMAT = 40;

const LAST_COLUMN_NUMBER = columnNumber(LAST_COLUMN);

export interface TransitionSheetInfo {
  name: string;
  /** The transfer year in A4, when it holds one. */
  year: number | null;
  /** The text of A7. */
  receivingSecondary: string | null;
  /** Rows from row 10 down with anything in them. */
  pupilRows: number;
}

export interface WorkbookInfo {
  transitionSheets: TransitionSheetInfo[];
  sheetNames: string[];
}

interface SheetRead {
  sheet: Excel.Worksheet;
  name: string;
  header: Excel.Range;
  used: Excel.Range;
}

/** Loads every sheet's header row and used values in two syncs; the caller picks out transition sheets. */
async function readSheets(context: Excel.RequestContext, extra?: (reads: SheetRead[]) => void): Promise<SheetRead[]> {
  const sheets = context.workbook.worksheets;
  sheets.load('items/name');
  await context.sync();
  const reads = sheets.items.map((sheet) => {
    const header = sheet.getRange(`A${SHEET_LAYOUT.headerRow}:${LAST_COLUMN}${SHEET_LAYOUT.headerRow}`).load('values');
    const used = sheet.getUsedRangeOrNullObject(true).load(['values', 'rowIndex', 'columnIndex']);
    return { sheet, name: sheet.name, header, used };
  });
  extra?.(reads);
  await context.sync();
  return reads;
}

const gridOf = (used: Excel.Range): Grid =>
  used.isNullObject ? { values: [], firstRow: 1, firstColumn: 1 } : { values: used.values as Grid['values'], firstRow: used.rowIndex + 1, firstColumn: used.columnIndex + 1 };

const headerGrid = (header: Excel.Range): Grid => ({ values: header.values as Grid['values'], firstRow: SHEET_LAYOUT.headerRow, firstColumn: 1 });

function infoOf(name: string, grid: Grid): TransitionSheetInfo {
  const a7 = gridCell(grid, 7, 1);
  return {
    name,
    year: yearOfCell(gridCell(grid, 4, 1)),
    receivingSecondary: a7 === null || a7 === undefined || String(a7).trim() === '' ? null : String(a7).trim(),
    pupilRows: pupilRowsOfGrid(name, grid).length,
  };
}

/** Which transition sheets the workbook has (found by their headers, whatever their names). Two syncs. */
export async function inspectWorkbook(): Promise<WorkbookInfo> {
  return excel(async (context) => {
    const reads = await readSheets(context);
    return {
      sheetNames: reads.map((r) => r.name),
      transitionSheets: reads.filter((r) => hasTransitionHeaders(headerGrid(r.header))).map((r) => infoOf(r.name, gridOf(r.used))),
    };
  });
}

export interface CreateOptions {
  /** The transfer year for A4 (null leaves it for the school). */
  year: number | null;
  /** A7: the receiving secondary's name and LAESTAB, when known. */
  receivingSecondary: string | null;
  /**
   * What to do when a transition sheet exists already: `refresh` rewrites its layout rows
   * (1–9), dropdowns and prompts and never touches pupil rows; `new` adds another sheet.
   */
  whenExists: 'refresh' | 'new';
}

export interface CreateResult {
  sheet: string;
  /** True when an existing sheet's layout was refreshed. */
  refreshed: boolean;
  /** Pupil rows found on that sheet and left as they were. */
  keptRows: number;
}

/** A free sheet name: "Transition", then "Transition 2", … */
function freeName(base: string, taken: readonly string[]): string {
  const lower = new Set(taken.map((n) => n.toLowerCase()));
  if (!lower.has(base.toLowerCase())) return base;
  for (let i = 2; ; i++) if (!lower.has(`${base} ${i}`.toLowerCase())) return `${base} ${i}`;
}

/**
 * Writes the transition layout into the open workbook: the sheet (title block, A4, A7, bands,
 * headers, widths, frozen panes, dropdowns with prompts on rows 10–509), the Lists,
 * Instructions and Query explanations sheets. Three syncs: two to look, one to write.
 */
export async function createTransitionSheet(options: CreateOptions): Promise<CreateResult> {
  return excel(
    async (context) => {
      const reads = await readSheets(context);
      const names = reads.map((r) => r.name);
      const existing = reads.find((r) => hasTransitionHeaders(headerGrid(r.header)));
      const refresh = existing !== undefined && options.whenExists === 'refresh';
      const name = refresh && existing ? existing.name : freeName(SHEET_LAYOUT.sheetName, names);
      const keptRows = refresh && existing ? pupilRowsOfGrid(existing.name, gridOf(existing.used)).length : 0;
      const existingInfo = refresh && existing ? infoOf(existing.name, gridOf(existing.used)) : undefined;

      const byName = new Map(reads.map((r) => [r.name.toLowerCase(), r.sheet]));
      const sheetFor = (sheetName: string): { sheet: Excel.Worksheet; isNew: boolean } => {
        const found = byName.get(sheetName.toLowerCase());
        return found ? { sheet: found, isNew: false } : { sheet: context.workbook.worksheets.add(sheetName), isNew: true };
      };

      const instructions = sheetFor(SHEET_LAYOUT.instructionsSheet);
      writeInstructions(instructions.sheet, options.year ?? existingInfo?.year ?? null, !instructions.isNew);
      const transition = refresh && existing ? { sheet: existing.sheet, isNew: false } : sheetFor(name);
      writeTransitionLayout(transition.sheet, {
        // A4 and A7 already filled are the school's: kept.
        year: existingInfo?.year ?? options.year,
        receivingSecondary: existingInfo?.receivingSecondary ?? options.receivingSecondary,
        clearValidations: !transition.isNew,
      });
      const explanations = sheetFor(SHEET_LAYOUT.explanationsSheet);
      writeExplanationHeaders(explanations.sheet);
      const lists = sheetFor(SHEET_LAYOUT.listsSheet);
      writeLists(lists.sheet, !lists.isNew);

      transition.sheet.activate();
      transition.sheet.getRange(`C${SHEET_LAYOUT.firstDataRow}`).select();
      await context.sync();
      return { sheet: name, refreshed: refresh, keptRows };
    },
    { writes: true },
  );
}

function writeTransitionLayout(ws: Excel.Worksheet, o: { year: number | null; receivingSecondary: string | null; clearValidations: boolean }): void {
  const block: Array<[string, string | number | null, { bold?: boolean; size?: number }]> = [
    [SHEET_LAYOUT.titleCell, SHEET_LAYOUT.title, { bold: true, size: 16 }],
    [SHEET_LAYOUT.subtitleCell, SHEET_LAYOUT.subtitle, {}],
    [SHEET_LAYOUT.yearLabelCell, YEAR_LABEL, { bold: true }],
    [SHEET_LAYOUT.yearCell, o.year, {}],
    [SHEET_LAYOUT.receivingLabelCell, RECEIVING_LABEL, { bold: true }],
    [SHEET_LAYOUT.receivingCell, o.receivingSecondary === null ? null : escapeCell(o.receivingSecondary), {}],
  ];
  for (const [address, value, font] of block) {
    const cell = ws.getRange(address);
    cell.values = [[value ?? '']];
    if (font.bold) cell.format.font.bold = true;
    if (font.size) cell.format.font.size = font.size;
  }

  // Row 8: who fills each band of columns, and by when.
  ws.getRange(`A${SHEET_LAYOUT.groupRow}:${LAST_COLUMN}${SHEET_LAYOUT.groupRow}`).values = [
    Array.from({ length: LAST_COLUMN_NUMBER }, (_, i) => columnGroups().find((g) => g.from === columnLetter(i + 1))?.label ?? ''),
  ];
  for (const g of columnGroups()) {
    const band = ws.getRange(`${g.from}${SHEET_LAYOUT.groupRow}:${g.to}${SHEET_LAYOUT.groupRow}`);
    if (g.from !== g.to) band.merge();
    band.format.fill.color = GROUP_FILL[g.filledBy];
    band.format.font.bold = true;
  }

  // Row 9: the headers, coloured by who fills them.
  const header = ws.getRange(`A${SHEET_LAYOUT.headerRow}:${LAST_COLUMN}${SHEET_LAYOUT.headerRow}`);
  header.values = [Array.from({ length: LAST_COLUMN_NUMBER }, (_, i) => TRANSITION_COLUMNS.find((c) => c.letter === columnLetter(i + 1))?.header ?? '')];
  header.format.font.bold = true;
  header.format.wrapText = true;
  header.format.rowHeight = 45;
  for (const c of TRANSITION_COLUMNS) ws.getRange(`${c.letter}${SHEET_LAYOUT.headerRow}`).format.fill.color = GROUP_FILL[c.filledBy];

  const first = SHEET_LAYOUT.firstDataRow;
  const last = lastInputRow();
  const coded = new Map(codedColumns().map((c) => [c.column.key, c]));
  for (const c of TRANSITION_COLUMNS) {
    ws.getRange(`${c.letter}:${c.letter}`).format.columnWidth = points(c.width);
    const data = ws.getRange(`${c.letter}${first}:${c.letter}${last}`);
    if (c.type.kind === 'date') data.numberFormat = Array.from({ length: last - first + 1 }, () => [DATE_FORMAT]);
    if (c.type.kind === 'text') data.format.wrapText = true;
    if (o.clearValidations) data.dataValidation.clear();
    const list = coded.get(c.key);
    if (list) {
      data.dataValidation.rule = { list: { inCellDropDown: true, source: `=${list.listRange}` } };
      const alert = columnErrorAlert(list);
      data.dataValidation.errorAlert = { showAlert: true, style: alert.style === 'stop' ? 'Stop' : 'Information', title: alert.title, message: alert.message };
    }
    const prompt = columnPrompt(c);
    data.dataValidation.prompt = { showPrompt: true, title: prompt.title, message: prompt.message };
  }
  for (const letter of UNASSIGNED_COLUMNS) ws.getRange(`${letter}:${letter}`).format.columnWidth = points(UNASSIGNED_WIDTH);
  // Names stay in view while scrolling right; the headers while scrolling down.
  ws.freezePanes.freezeAt(ws.getRange(`A1:B${SHEET_LAYOUT.headerRow}`));
}

function writeLists(ws: Excel.Worksheet, clear: boolean): void {
  const lists = codedColumns();
  const height = Math.max(...lists.map((l) => l.codes.length)) + 1;
  const lastLetter = columnLetter(lists.length);
  if (clear) ws.getRange(`A1:${lastLetter}${height + 20}`).clear('Contents');
  const values = Array.from({ length: height }, (_, r) => lists.map((l) => (r === 0 ? l.column.header : (l.codes[r - 1]?.code ?? ''))));
  ws.getRange(`A1:${lastLetter}${height}`).values = values.map((row) => row.map((v) => escapeCell(v)));
  ws.getRange(`A1:${lastLetter}1`).format.font.bold = true;
  for (const l of lists) ws.getRange(`${l.listLetter}:${l.listLetter}`).format.columnWidth = points(Math.max(12, Math.min(40, l.column.header.length + 2)));
  ws.freezePanes.freezeRows(1);
}

function writeInstructions(ws: Excel.Worksheet, year: number | null, clear: boolean): void {
  const { rows, headingRows } = instructionRows(year);
  const width = 4;
  if (clear) ws.getRange(`A1:D${rows.length + 20}`).clear('Contents');
  ws.getRange(`A1:D${rows.length}`).values = rows.map((r) => Array.from({ length: width }, (_, i) => escapeCell(r[i] ?? '')));
  for (const r of headingRows) ws.getRange(`A${r}:D${r}`).format.font.bold = true;
  ws.getRange('A1').format.font.size = 14;
  INSTRUCTION_WIDTHS.forEach((w, i) => {
    const l = columnLetter(i + 1);
    ws.getRange(`${l}:${l}`).format.columnWidth = points(w);
  });
}

function writeExplanationHeaders(ws: Excel.Worksheet): void {
  const header = ws.getRange('A1:D1');
  header.values = [[...EXPLANATION_HEADERS]];
  header.format.font.bold = true;
  EXPLANATION_WIDTHS.forEach((w, i) => {
    const l = columnLetter(i + 1);
    ws.getRange(`${l}:${l}`).format.columnWidth = points(w);
  });
  ws.freezePanes.freezeRows(1);
}

export interface CheckedWorkbook {
  /** The return as read: every transition sheet, A4's year, and the explanations. */
  ret: TransitionReturn;
  report: ValidationReport;
  sheets: TransitionSheetInfo[];
}

/** Thrown when the workbook has no transition sheet to check. */
export class NoTransitionSheet extends Error {
  constructor() {
    super('This workbook has no transition sheet yet. Choose "Create transition sheet" first, or open the workbook that has one.');
    this.name = 'NoTransitionSheet';
  }
}

/**
 * Reads every transition sheet and the explanations in one go, validates, and replaces the
 * problem highlights. Three syncs, whatever the number of rows or problems. With
 * `highlight: false` (a submission) nothing in the workbook changes, not even formats.
 */
export async function checkWorkbook(validate: (ret: TransitionReturn) => ValidationReport, options: { highlight?: boolean } = {}): Promise<CheckedWorkbook> {
  const highlight = options.highlight ?? true;
  return excel(async (context) => {
    let formats: Map<string, Excel.ConditionalFormatCollection> = new Map();
    const reads = await readSheets(context, (rs) => {
      if (highlight) formats = new Map(rs.map((r) => [r.name, loadOurFormats(r.sheet)]));
    });
    const transition = reads.filter((r) => hasTransitionHeaders(headerGrid(r.header)));
    if (transition.length === 0) throw new NoTransitionSheet();
    const explanationsRead = reads.find((r) => r.name.toLowerCase() === SHEET_LAYOUT.explanationsSheet.toLowerCase());
    const grids = new Map(transition.map((r) => [r.name, gridOf(r.used)]));
    const sheets: SheetInput[] = transition.map((r) => sheetInputOf(r.name, grids.get(r.name) as Grid));
    const firstGrid = grids.get(transition[0]?.name ?? '') as Grid;
    const ret: TransitionReturn = {
      year: yearOfCell(gridCell(firstGrid, 4, 1)),
      sheets,
      explanations: explanationsRead ? explanationsOfGrid(gridOf(explanationsRead.used)) : [],
    };
    const report = validate(ret);
    if (highlight) {
      replaceHighlights(transition.map((r) => ({ name: r.name, sheet: r.sheet, formats: formats.get(r.name) })), report);
      await context.sync();
    }
    return { ret, report, sheets: transition.map((r) => infoOf(r.name, grids.get(r.name) as Grid)) };
  });
}

function sheetInputOf(name: string, grid: Grid): SheetInput {
  const a7 = gridCell(grid, 7, 1);
  const receiving = a7 === null || a7 === undefined ? '' : String(a7).trim();
  return { name, receivingSecondary: receiving === '' ? null : receiving, rows: pupilRowsOfGrid(name, grid) };
}

/** Queues a load of the sheet's conditional formats with their formulas, to find ours. */
function loadOurFormats(sheet: Excel.Worksheet): Excel.ConditionalFormatCollection {
  const formats = sheet.getRange(`A1:${LAST_COLUMN}${SHEET_LAYOUT.firstDataRow + 5000}`).conditionalFormats;
  formats.load('items/type,items/custom/rule/formula');
  return formats;
}

function isOurs(cf: Excel.ConditionalFormat): boolean {
  try {
    return cf.type === 'Custom' && cf.custom.rule.formula.includes(MARKER);
  } catch {
    return false;
  }
}

/** Cells of one column in runs: F10,F11,F12,F14 → F10:F12, F14. */
function cellAreas(cells: readonly string[]): string[] {
  const byColumn = new Map<string, number[]>();
  for (const cell of cells) {
    const m = /^([A-Z]+)(\d+)$/.exec(cell);
    if (!m) continue;
    const list = byColumn.get(m[1] as string) ?? [];
    list.push(Number(m[2]));
    byColumn.set(m[1] as string, list);
  }
  const out: string[] = [];
  for (const [letter, rows] of byColumn) {
    const sorted = [...new Set(rows)].sort((a, b) => a - b);
    let start = sorted[0] as number;
    let prev = start;
    for (const r of [...sorted.slice(1), Number.NaN]) {
      if (r === prev + 1) {
        prev = r;
        continue;
      }
      out.push(start === prev ? `${letter}${start}` : `${letter}${start}:${letter}${prev}`);
      start = r;
      prev = r;
    }
  }
  return out;
}

/** Deletes our formats on each sheet and adds one per severity (in chunks) over the problem cells. */
function replaceHighlights(sheets: Array<{ name: string; sheet: Excel.Worksheet; formats: Excel.ConditionalFormatCollection | undefined }>, report: ValidationReport): void {
  for (const { name, sheet, formats } of sheets) {
    for (const cf of formats?.items ?? []) if (isOurs(cf)) cf.delete();
    // Queries first, so an error on the same cell (added later) shows on top.
    for (const severity of ['query', 'error'] as const) {
      const issues = (severity === 'error' ? report.errors : report.queries).filter((i) => i.sheet === name && (severity === 'error' || i.explanation === undefined));
      const areas = cellAreas(issues.map((i) => i.cell));
      for (let i = 0; i < areas.length; i += AREAS_PER_FORMAT) {
        const target = sheet.getRanges(areas.slice(i, i + AREAS_PER_FORMAT).join(','));
        const cf = target.conditionalFormats.add(Excel.ConditionalFormatType.custom);
        cf.custom.rule.formula = markerFormula(severity);
        cf.custom.format.fill.color = HIGHLIGHT[severity];
      }
    }
  }
}

export interface RowsRead {
  sheet: string;
  rows: RowInput[];
  from: number;
  to: number;
}

/**
 * The live re-check: reads only rows `from`–`to` of one sheet, lets the caller merge them into
 * the last read and validate, then replaces the highlights on the transition sheets. Two syncs.
 */
export async function recheckRows(
  sheetName: string,
  from: number,
  to: number,
  transitionSheets: readonly string[],
  revalidate: (read: RowsRead) => ValidationReport,
): Promise<ValidationReport> {
  return excel(async (context) => {
    const first = Math.max(from, SHEET_LAYOUT.firstDataRow);
    const range = first <= to ? context.workbook.worksheets.getItem(sheetName).getRange(`A${first}:${LAST_COLUMN}${to}`).load('values') : undefined;
    const targets = transitionSheets.map((name) => {
      const sheet = context.workbook.worksheets.getItem(name);
      return { name, sheet, formats: loadOurFormats(sheet) };
    });
    await context.sync();
    const grid: Grid = { values: range ? (range.values as Grid['values']) : [], firstRow: first, firstColumn: 1 };
    const report = revalidate({ sheet: sheetName, rows: pupilRowsOfGrid(sheetName, grid, TRANSITION_COLUMNS, first), from: first, to });
    replaceHighlights(targets, report);
    await context.sync();
    return report;
  });
}

/** Activates the issue's sheet and selects its cell. One sync. */
export async function selectCell(sheetName: string, cell: string): Promise<void> {
  await excel(async (context) => {
    const sheet = context.workbook.worksheets.getItem(sheetName);
    sheet.activate();
    sheet.getRange(cell).select();
    await context.sync();
  });
}

/**
 * Records (or replaces, or with empty text removes) the explanation of one query on the Query
 * explanations sheet, so it travels with the workbook and the CLI reads the same text. Two syncs.
 */
export async function saveExplanation(e: QueryExplanation): Promise<QueryExplanation[]> {
  return excel(
    async (context) => {
      let sheet = context.workbook.worksheets.getItemOrNullObject(SHEET_LAYOUT.explanationsSheet);
      const used = sheet.getUsedRangeOrNullObject(true);
      used.load(['values', 'rowIndex', 'columnIndex']);
      await context.sync();
      const current = sheet.isNullObject ? [] : explanationsOfGrid(gridOf(used));
      if (sheet.isNullObject) {
        sheet = context.workbook.worksheets.add(SHEET_LAYOUT.explanationsSheet);
        writeExplanationHeaders(sheet);
      }
      const same = (x: QueryExplanation): boolean => x.rule === e.rule && x.sheet === e.sheet && x.cell === e.cell;
      const text = e.text.trim();
      const next = current.some(same) ? current.flatMap((x) => (same(x) ? (text === '' ? [] : [{ ...x, text }]) : [x])) : text === '' ? current : [...current, { ...e, text }];
      const rows = Math.max(current.length, next.length);
      if (rows > 0) {
        sheet.getRange(`A2:D${rows + 1}`).values = Array.from({ length: rows }, (_, i) => {
          const x = next[i];
          return x ? [x.rule, x.sheet, x.cell, escapeCell(x.text)] : ['', '', '', ''];
        });
      }
      await context.sync();
      return next;
    },
    { writes: true },
  );
}

/** Calls `onChange(sheet, fromRow, toRow)` when the user edits a transition sheet; returns a stop function. */
export async function watchTransitionSheets(sheetNames: readonly string[], onChange: (sheet: string, from: number, to: number, event: { triggerSource?: string }) => void): Promise<() => Promise<void>> {
  return excel(async (context) => {
    const handlers: OfficeExtension.EventHandlerResult<Excel.WorksheetChangedEventArgs>[] = [];
    for (const name of sheetNames) {
      const sheet = context.workbook.worksheets.getItem(name);
      handlers.push(
        sheet.onChanged.add(async (event) => {
          const rows = rowsOfAddress(event.address);
          if (rows) onChange(name, rows[0], rows[1], event as { triggerSource?: string });
        }),
      );
    }
    await context.sync();
    return async () => {
      for (const h of handlers) h.remove();
    };
  });
}

/** "C12:D14" → [12, 14]; a whole-column address gives the data rows. */
export function rowsOfAddress(address: string): [number, number] | undefined {
  const a = address.replace(/^.*!/, '').replace(/\$/g, '');
  const parts = a.split(':');
  const row = (p: string | undefined): number | undefined => {
    const m = /^[A-Z]*(\d+)$/i.exec(p ?? '');
    return m ? Number(m[1]) : undefined;
  };
  const r1 = row(parts[0]);
  const r2 = row(parts[1] ?? parts[0]);
  if (r1 === undefined || r2 === undefined) return [SHEET_LAYOUT.firstDataRow, lastInputRow()];
  return [Math.min(r1, r2), Math.max(r1, r2)];
}

/** The pupil rows of one transition sheet, as the validator reads them. One sync. */
export async function readPupilRows(sheetName: string): Promise<RowInput[]> {
  return excel(async (context) => {
    const used = context.workbook.worksheets.getItem(sheetName).getUsedRangeOrNullObject(true).load(['values', 'rowIndex', 'columnIndex']);
    await context.sync();
    return pupilRowsOfGrid(sheetName, gridOf(used));
  });
}

/** One cell to write: a prefilled value, null to clear it. */
export interface CellWrite {
  row: number;
  key: string;
  value: string | null;
}

const EXCEL_EPOCH_MS = Date.UTC(1899, 11, 30);

/**
 * Writes prefilled cells (CTF prefill) into a transition sheet: only the cells named, nothing
 * else on the row. Dates go in as Excel dates (serials), text escaped. One sync per request-sized
 * chunk: one for any real class.
 */
export async function writeCells(sheetName: string, cells: readonly CellWrite[]): Promise<number> {
  const byKey = new Map(TRANSITION_COLUMNS.map((c) => [c.key as string, c]));
  return excel(
    async (context) => {
      const sheet = context.workbook.worksheets.getItem(sheetName);
      const chunks = chunkRows(cells);
      for (const [i, chunk] of chunks.entries()) {
        for (const cell of chunk) {
          const column = byKey.get(cell.key);
          if (!column) continue;
          const v = cell.value;
          const iso = v !== null && column.type.kind === 'date' && /^\d{4}-\d{2}-\d{2}$/.test(v) ? (Date.parse(`${v}T00:00:00Z`) - EXCEL_EPOCH_MS) / 86_400_000 : undefined;
          sheet.getRange(`${column.letter}${cell.row}`).values = [[iso ?? (v === null ? '' : escapeCell(v))]];
        }
        if (i < chunks.length - 1) await context.sync();
      }
      await context.sync();
      return cells.length;
    },
    { writes: true },
  );
}
