/**
 * What the transition workbook holds, as plain data: the text of the block above the table,
 * the "who fills / by when" bands, the headers, widths, dropdown lists, input prompts, the
 * Instructions and the Query explanations headers. Every writer renders this one plan: the
 * task pane through Office.js (addin/excel/) and the CLI's template through exceljs, so the
 * sheet a SENCo builds in Excel and the one `goodstart template` writes are the same sheet.
 */
import type { Code } from '../codes';
import { FILLED_BY, type FilledBy, SHEET_LAYOUT, TRANSITION_COLUMNS, type TransitionColumn, UNASSIGNED_COLUMNS, allowedCodes, columnLetter, columnNumber } from './layout';

/** (design) Data rows that get dropdowns and input prompts: well above the largest Y6 cohort sent to one secondary. */
export const TEMPLATE_INPUT_ROWS = 500;
/** The UK date format the date columns show. */
export const DATE_FORMAT = 'dd/mm/yyyy';
/** Column P is unassigned: a narrow gap, in characters. */
export const UNASSIGNED_WIDTH = 2;
export const EXPLANATION_HEADERS = ['Rule', 'Sheet', 'Cell', 'Explanation'] as const;
export const EXPLANATION_WIDTHS = [10, 20, 8, 80] as const;

/** Band colours by filler (RGB hex), shared by the group row and the header cells. */
export const GROUP_FILL: Record<FilledBy, string> = {
  secondary: '#DDEBF7',
  'primary-june': '#E2EFDA',
  'primary-july': '#FFF2CC',
};

/** Excel limits input prompts and error alerts to 255 characters and their titles to 32. */
export const PROMPT_LIMITS = { title: 32, message: 255 } as const;
export const clip = (s: string, n: number): string => (s.length <= n ? s : `${s.slice(0, n - 1)}…`);

export const YEAR_LABEL = 'Transfer year (the September the pupils start Year 7)';
export const RECEIVING_LABEL = `Receiving secondary school: name and LAESTAB (${FILLED_BY.secondary.who.toLowerCase()}, ${FILLED_BY.secondary.when})`;

/** The last row that gets dropdowns and prompts. */
export const lastInputRow = (): number => SHEET_LAYOUT.firstDataRow + TEMPLATE_INPUT_ROWS - 1;

export interface ColumnGroup {
  from: string;
  to: string;
  filledBy: FilledBy;
  label: string;
}

/** Column runs with the same filler, for the merged group row; column P breaks a run. */
export function columnGroups(columns: readonly TransitionColumn[] = TRANSITION_COLUMNS): ColumnGroup[] {
  const out: ColumnGroup[] = [];
  for (const c of columns) {
    const last = out[out.length - 1];
    if (last && last.filledBy === c.filledBy && columnNumber(c.letter) === columnNumber(last.to) + 1) last.to = c.letter;
    else out.push({ from: c.letter, to: c.letter, filledBy: c.filledBy, label: `${FILLED_BY[c.filledBy].who}, ${FILLED_BY[c.filledBy].when}` });
  }
  return out;
}

export interface CodedColumn {
  column: TransitionColumn;
  codes: readonly Code[];
  /** The column of the Lists sheet that holds the codes. */
  listLetter: string;
  /** e.g. `'Lists'!$A$2:$A$4` */
  listRange: string;
  /** Single-code columns stop other entries; multi-code, "code: text" and score columns only warn. */
  strict: boolean;
}

/** The coded columns, each with its column on the Lists sheet. */
export function codedColumns(columns: readonly TransitionColumn[] = TRANSITION_COLUMNS): CodedColumn[] {
  const out: CodedColumn[] = [];
  for (const column of columns) {
    const codes = allowedCodes(column);
    if (!codes || codes.length === 0) continue;
    const listLetter = columnLetter(out.length + 1);
    out.push({
      column,
      codes,
      listLetter,
      listRange: `'${SHEET_LAYOUT.listsSheet}'!$${listLetter}$2:$${listLetter}$${codes.length + 1}`,
      strict: column.type.kind === 'code',
    });
  }
  return out;
}

/** The input prompt of a column (Excel's limits applied). */
export function columnPrompt(c: TransitionColumn): { title: string; message: string } {
  return { title: clip(c.header, PROMPT_LIMITS.title), message: clip(c.help, PROMPT_LIMITS.message) };
}

/** The alert shown when a typed value is not on a column's list. */
export function columnErrorAlert(c: CodedColumn): { style: 'stop' | 'information'; title: string; message: string } {
  const { column } = c;
  return {
    style: c.strict ? 'stop' : 'information',
    title: clip(column.header, PROMPT_LIMITS.title),
    message: clip(c.strict ? `Choose one value from the list. ${column.help}` : `This is not one of the listed values; keep it only if it follows the rule. ${column.help}`, PROMPT_LIMITS.message),
  };
}

/** 'A','B','C','F' → 'A–C, F'. */
export function letterRanges(letters: readonly string[]): string {
  const out: string[] = [];
  let start: string | undefined;
  let prev: string | undefined;
  const flush = (): void => {
    if (start && prev) out.push(start === prev ? start : `${start}–${prev}`);
  };
  for (const l of letters) {
    if (prev && columnNumber(l) === columnNumber(prev) + 1) prev = l;
    else {
      flush();
      start = l;
      prev = l;
    }
  }
  flush();
  return out.join(', ');
}

/** The Instructions sheet, row by row; `headingRows` (1-based) are bold. */
export function instructionRows(year: number | null, columns: readonly TransitionColumn[] = TRANSITION_COLUMNS): { rows: string[][]; headingRows: number[]; tableHeaderRow: number } {
  const rows: string[][] = [
    [`${SHEET_LAYOUT.title}: how to fill this workbook`],
    [`Transfer year: ${year === null ? `see cell ${SHEET_LAYOUT.yearCell} of each transition sheet` : `September ${year}`}. One transition sheet per receiving secondary school.`],
    [],
    ['Who fills what, and by when'],
    ...(Object.keys(FILLED_BY) as FilledBy[]).map((k) => {
      const letters = columns.filter((c) => c.filledBy === k).map((c) => c.letter);
      const extra = k === 'secondary' ? ` and cell ${SHEET_LAYOUT.receivingCell} (the receiving school)` : '';
      return [`${FILLED_BY[k].who}, ${FILLED_BY[k].when}: columns ${letterRanges(letters)}${extra}.`];
    }),
    [`Column ${UNASSIGNED_COLUMNS.join(', ')} is not used: leave it empty.`],
    [`Pupil rows start at row ${SHEET_LAYOUT.firstDataRow}. Type or paste values only: no formulas, no hidden rows, columns or sheets.`],
    ['Safeguarding and medical columns are Y/N flags only. Never write details there: share them through your usual secure route.'],
    [],
    ['How checks and queries work'],
    ['Errors break a data rule (for example a missing UPN) and must be fixed before the return can be submitted.'],
    ['Queries flag something unusual (for example attendance below 90%). Either fix the value, or write an explanation'],
    [`on the '${SHEET_LAYOUT.explanationsSheet}' sheet: the rule id (e.g. GS2010Q), the sheet name, the cell (e.g. Z12) and why the value is right.`],
    [`The dropdown lists come from the '${SHEET_LAYOUT.listsSheet}' sheet. Where a column allows several codes or extra text, type over the list.`],
    [],
    ['Column', 'Heading', 'Filled by', 'What to enter'],
    ...columns.map((c) => [
      c.letter,
      c.header,
      `${FILLED_BY[c.filledBy].who}, ${FILLED_BY[c.filledBy].when}`,
      `${c.requirement === 'required' ? 'Required. ' : c.requirement === 'conditional' ? `Required ${c.condition ?? 'in some cases'}. ` : 'Optional. '}${c.help}`,
    ]),
  ];
  const tableHeaderRow = rows.findIndex((l) => l[0] === 'Column') + 1;
  return { rows, headingRows: [1, 4, 10, tableHeaderRow], tableHeaderRow };
}

/** The Instructions sheet's column widths, in characters. */
export const INSTRUCTION_WIDTHS = [14, 40, 30, 90] as const;
