/**
 * Writes the "Every Child Deserves a Good Start" transition workbook from the layout table:
 * one transition sheet per receiving secondary, a visible Lists sheet behind the dropdowns,
 * plain-English Instructions and a Query explanations sheet. Nothing is hidden and no cell
 * holds a formula (ICO: hidden sheets of children's data have led to reprimands).
 */
import type * as ExcelJS from 'exceljs';
import type { Code } from '../shared/codes';
import {
  FILLED_BY,
  type FilledBy,
  SHEET_LAYOUT,
  TRANSITION_COLUMNS,
  type TransitionColumn,
  UNASSIGNED_COLUMNS,
  allowedCodes,
  columnLetter,
  columnNumber,
} from '../shared/transition/layout';
import type { CellValue, QueryExplanation, SheetInput } from '../shared/transition/schema';
import { DATE_FORMAT, INSTRUCTION_WIDTHS, instructionRows } from '../shared/transition/sheetPlan';
import { escapeCell } from '../shared/workbook/escape';
import { withoutNonXmlCharacters } from '../shared/text';
import { excelJs } from './excelJs';
import { LA_OWNER, type PrintOwner, wrappedRowHeight } from '../shared/print';
import { applyPrintSetup } from './excelJsPrint';

/** (design) Data rows that get dropdowns and input prompts: well above the largest Y6 cohort sent to one secondary. */
export const TEMPLATE_INPUT_ROWS = 500;
const UNASSIGNED_WIDTH = 2;
const EXPLANATION_HEADERS = ['Rule', 'Sheet', 'Cell', 'Explanation'] as const;

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export interface TransitionWorkbookOptions {
  /** The transfer year: the September the pupils start Year 7; null leaves A4 blank for the school to fill. */
  year: number | null;
  /** One per receiving secondary; defaults to one empty sheet. */
  sheets?: SheetInput[];
  /** Query explanations already recorded, written to the Query explanations sheet. */
  explanations?: QueryExplanation[];
  /** The columns table to lay out; TRANSITION_COLUMNS by default. */
  columns?: readonly TransitionColumn[];
  /** The school the printed pages name; by default each transition sheet names its receiving secondary, and the rest the LA. */
  owner?: string;
}

export async function writeTransitionWorkbook(opts: TransitionWorkbookOptions): Promise<Uint8Array> {
  const wb = new (excelJs().Workbook)();
  wb.creator = 'Good Start';
  wb.created = new Date(0);
  wb.modified = new Date(0);
  const sheets = opts.sheets && opts.sheets.length > 0 ? opts.sheets : [{ name: SHEET_LAYOUT.sheetName, receivingSecondary: null, rows: [] }];

  const columns = opts.columns ?? TRANSITION_COLUMNS;
  const lists = listRanges(columns);
  const who: PrintOwner = { workbook: `Good Start transition return${opts.year === null ? '' : `, September ${opts.year}`}`, owner: opts.owner ?? LA_OWNER };
  applyPrintSetup(addInstructions(wb, opts.year, columns), 'instructions', who);
  for (const s of sheets) {
    const ws = addTransitionSheet(wb, s, opts.year, lists, columns);
    const owner = opts.owner ?? (s.receivingSecondary ? `For ${s.receivingSecondary}` : LA_OWNER);
    // The group and header rows and the name columns (A:B) on every page, so no page of pupils is without its headers or names.
    applyPrintSetup(ws, 'pupils', { ...who, owner }, { rows: { first: SHEET_LAYOUT.groupRow, last: SHEET_LAYOUT.headerRow }, columns: { first: 1, last: 2 } });
  }
  applyPrintSetup(addExplanations(wb, opts.explanations ?? []), 'explanations', who);
  applyPrintSetup(addLists(wb, columns), 'lists', who);
  const buffer = await wb.xlsx.writeBuffer();
  return new Uint8Array(buffer as ArrayBuffer);
}

/** A Date at UTC midnight for an ISO date, or undefined when the text is not one. */
function isoToDate(s: string): Date | undefined {
  const m = ISO_DATE.exec(s);
  if (!m) return undefined;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCMonth() === Number(m[2]) - 1 ? d : undefined;
}

function cellValue(column: TransitionColumn, v: CellValue | undefined): ExcelJS.CellValue {
  if (v === undefined || v === null) return null;
  if (typeof v === 'string') {
    if (column.type.kind === 'date') {
      const d = isoToDate(v.trim());
      if (d) return d;
    }
    return escapeCell(v);
  }
  return v;
}

/** exceljs supports worksheet data validations but its typings omit the collection. */
function dataValidations(ws: ExcelJS.Worksheet): { add(address: string, v: ExcelJS.DataValidation): void } {
  return (ws as unknown as { dataValidations: { add(address: string, v: ExcelJS.DataValidation): void } }).dataValidations;
}

/** Excel limits input prompts to 255 characters and titles to 32. */
const clip = (s: string, n: number): string => (s.length <= n ? s : `${s.slice(0, n - 1)}…`);

/** Column runs with the same filler, for the merged group row; column P breaks a run. */
function groups(columns: readonly TransitionColumn[]): Array<{ from: string; to: string; filledBy: FilledBy }> {
  const out: Array<{ from: string; to: string; filledBy: FilledBy }> = [];
  for (const c of columns) {
    const last = out[out.length - 1];
    if (last && last.filledBy === c.filledBy && columnNumber(c.letter) === columnNumber(last.to) + 1) last.to = c.letter;
    else out.push({ from: c.letter, to: c.letter, filledBy: c.filledBy });
  }
  return out;
}

const GROUP_FILL: Record<FilledBy, string> = {
  secondary: 'FFDDEBF7',
  'primary-june': 'FFE2EFDA',
  'primary-july': 'FFFFF2CC',
};

function addTransitionSheet(wb: ExcelJS.Workbook, s: SheetInput, year: number | null, lists: Map<string, string>, columns: readonly TransitionColumn[]): ExcelJS.Worksheet {
  // A sheet's name is the school's text too: a character XML cannot hold would spoil the whole workbook.
  const ws = wb.addWorksheet(withoutNonXmlCharacters(s.name), {
    views: [{ state: 'frozen', xSplit: 2, ySplit: SHEET_LAYOUT.headerRow, activeCell: `C${SHEET_LAYOUT.firstDataRow}` }],
  });
  for (const c of columns) {
    const col = ws.getColumn(c.letter);
    col.width = c.width;
    // A column style also stops exceljs dropping a width that equals its default (9) on write.
    col.alignment = { vertical: 'top', wrapText: c.type.kind === 'text' };
    if (c.type.kind === 'date') col.numFmt = DATE_FORMAT;
  }
  for (const letter of UNASSIGNED_COLUMNS) ws.getColumn(letter).width = UNASSIGNED_WIDTH;

  const title = ws.getCell(SHEET_LAYOUT.titleCell);
  title.value = SHEET_LAYOUT.title;
  title.font = { bold: true, size: 16 };
  ws.getCell(SHEET_LAYOUT.subtitleCell).value = SHEET_LAYOUT.subtitle;
  ws.getCell(SHEET_LAYOUT.yearLabelCell).value = 'Transfer year (the September the pupils start Year 7)';
  ws.getCell(SHEET_LAYOUT.yearCell).value = year;
  ws.getCell(SHEET_LAYOUT.receivingLabelCell).value = `Receiving secondary school: name and LAESTAB (${FILLED_BY.secondary.who.toLowerCase()}, ${FILLED_BY.secondary.when})`;
  const receiving = ws.getCell(SHEET_LAYOUT.receivingCell);
  receiving.value = s.receivingSecondary === null ? null : escapeCell(s.receivingSecondary);
  for (const cell of [SHEET_LAYOUT.yearLabelCell, SHEET_LAYOUT.receivingLabelCell]) ws.getCell(cell).font = { bold: true };
  // The block above the table spills across columns rather than wrapping inside column A.
  for (const cell of [SHEET_LAYOUT.titleCell, SHEET_LAYOUT.subtitleCell, SHEET_LAYOUT.yearLabelCell, SHEET_LAYOUT.yearCell, SHEET_LAYOUT.receivingLabelCell, SHEET_LAYOUT.receivingCell]) {
    ws.getCell(cell).alignment = { horizontal: 'left', vertical: 'top', wrapText: false };
  }

  for (const g of groups(columns)) {
    const cell = ws.getCell(`${g.from}${SHEET_LAYOUT.groupRow}`);
    cell.value = `${FILLED_BY[g.filledBy].who}, ${FILLED_BY[g.filledBy].when}`;
    cell.font = { bold: true };
    cell.alignment = { horizontal: 'center', vertical: 'middle' };
    cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: GROUP_FILL[g.filledBy] } };
    if (g.from !== g.to) ws.mergeCells(`${g.from}${SHEET_LAYOUT.groupRow}:${g.to}${SHEET_LAYOUT.groupRow}`);
  }

  const header = ws.getRow(SHEET_LAYOUT.headerRow);
  header.height = 45;
  const lastRow = SHEET_LAYOUT.firstDataRow + TEMPLATE_INPUT_ROWS - 1;
  for (const c of columns) {
    const cell = ws.getCell(`${c.letter}${SHEET_LAYOUT.headerRow}`);
    cell.value = c.header;
    cell.font = { bold: true };
    cell.alignment = { wrapText: true, vertical: 'top' };
    cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: GROUP_FILL[c.filledBy] } };
    const prompt = { showInputMessage: true, promptTitle: clip(c.header, 32), prompt: clip(c.help, 255) };
    const validations = dataValidations(ws);
    // 'any' is Excel's "Any value" validation: it carries the input prompt without restricting the cell.
    validations.add(cell.address, { type: 'any', ...prompt } as unknown as ExcelJS.DataValidation);

    const list = lists.get(c.key);
    if (list) {
      const strict = c.type.kind === 'code';
      validations.add(`${c.letter}${SHEET_LAYOUT.firstDataRow}:${c.letter}${lastRow}`, {
        type: 'list',
        allowBlank: true,
        formulae: [list],
        ...prompt,
        showErrorMessage: true,
        // Multiple codes, "Y: base name" and scores are typed over the list, so only single-code columns stop.
        errorStyle: strict ? 'stop' : 'information',
        errorTitle: clip(c.header, 32),
        error: clip(strict ? `Choose one value from the list. ${c.help}` : `This is not one of the listed values; keep it only if it follows the rule. ${c.help}`, 255),
      });
    }
  }

  for (const r of s.rows) {
    const row = ws.getRow(r.row);
    const values: Partial<Record<string, CellValue>> = r.values;
    for (const c of columns) {
      const v = cellValue(c, values[c.key]);
      if (v !== null) row.getCell(c.letter).value = v;
    }
  }
  return ws;
}

/** The coded columns, each with its column on the Lists sheet. */
function codedColumns(columns: readonly TransitionColumn[]): Array<{ column: TransitionColumn; codes: readonly Code[]; letter: string }> {
  const out: Array<{ column: TransitionColumn; codes: readonly Code[]; letter: string }> = [];
  for (const column of columns) {
    const codes = allowedCodes(column);
    if (codes && codes.length > 0) out.push({ column, codes, letter: columnLetter(out.length + 1) });
  }
  return out;
}

/** Each coded column's key → its list range on the Lists sheet, for the dropdowns. */
function listRanges(columns: readonly TransitionColumn[]): Map<string, string> {
  return new Map(codedColumns(columns).map(({ column, codes, letter }) => [column.key, `'${SHEET_LAYOUT.listsSheet}'!$${letter}$2:$${letter}$${codes.length + 1}`]));
}

/** One column per code list on a visible Lists sheet, headed by the column's header. */
function addLists(wb: ExcelJS.Workbook, columns: readonly TransitionColumn[]): ExcelJS.Worksheet {
  const ws = wb.addWorksheet(SHEET_LAYOUT.listsSheet);
  for (const { column: c, codes, letter } of codedColumns(columns)) {
    ws.getColumn(letter).width = Math.max(12, Math.min(40, c.header.length + 2));
    const head = ws.getCell(`${letter}1`);
    head.value = c.header;
    head.font = { bold: true };
    codes.forEach((code, i) => {
      ws.getCell(`${letter}${i + 2}`).value = escapeCell(code.code);
    });
  }
  ws.views = [{ state: 'frozen', ySplit: 1 }];
  return ws;
}

/** The Instructions sheet, from the same plan the task pane writes (shared/transition/sheetPlan.ts). */
function addInstructions(wb: ExcelJS.Workbook, year: number | null, columns: readonly TransitionColumn[]): ExcelJS.Worksheet {
  const ws = wb.addWorksheet(SHEET_LAYOUT.instructionsSheet);
  INSTRUCTION_WIDTHS.forEach((w, i) => {
    ws.getColumn(i + 1).width = w;
  });
  const { rows, headingRows, tableHeaderRow } = instructionRows(year, columns);
  rows.forEach((cells, i) => {
    const row = ws.getRow(i + 1);
    cells.forEach((v, j) => {
      row.getCell(j + 1).value = escapeCell(v);
    });
    // The column table's cells wrap within their columns (a sentence spills into the empty cells
    // beside it), so a printed page one sheet wide holds every word.
    if (cells.length > 1) {
      row.alignment = { vertical: 'top', wrapText: true };
      const height = wrappedRowHeight(cells.map((text, j) => ({ text, width: INSTRUCTION_WIDTHS[j] })));
      if (height !== undefined) row.height = height;
    }
  });
  ws.getCell('A1').font = { bold: true, size: 14 };
  for (const r of headingRows.filter((r) => r !== 1 && r !== tableHeaderRow)) ws.getCell(`A${r}`).font = { bold: true };
  ws.getRow(tableHeaderRow).font = { bold: true };
  return ws;
}

function addExplanations(wb: ExcelJS.Workbook, explanations: QueryExplanation[]): ExcelJS.Worksheet {
  const ws = wb.addWorksheet(SHEET_LAYOUT.explanationsSheet, { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.columns = [
    { header: EXPLANATION_HEADERS[0], width: 10 },
    { header: EXPLANATION_HEADERS[1], width: 20 },
    { header: EXPLANATION_HEADERS[2], width: 8 },
    { header: EXPLANATION_HEADERS[3], width: 80 },
  ];
  ws.getRow(1).font = { bold: true };
  for (const e of explanations) ws.addRow([e.rule, e.sheet, e.cell, e.text].map((v) => escapeCell(v)));
  return ws;
}

export { EXPLANATION_HEADERS };
