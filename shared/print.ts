/**
 * How every sheet the product writes prints, stated once, for every writer: the template
 * (exceljs), the consolidated return and its tracker (the streaming SpreadsheetML writer), the
 * chase list, the cohort, and the pane's Office.js adapters.
 *
 * (design) SENCos print the Instructions and their transition sheet for transition meetings and
 * LA officers print the tracker (issue 30). Without a setup, LibreOffice printed the blank
 * template on 28 A4 pages with the Instructions cut at the right edge, and the consolidated
 * return of 581 pupils on 136 pages with the pupils split from their headers. So:
 * - the sheets people read (Instructions, About, Tracker, the city tables, the chase list) fit one
 *   page wide and run down as many pages as they need (fitToWidth 1, fitToHeight 0);
 * - the wide pupil sheets print landscape across as many pages as they need, with their header
 *   rows and the pupil's name columns repeated on every page (print titles), so no page of
 *   pupils is without its headers or its names;
 * - every page names the workbook, the school or the LA, the date and the page (&P of &N), and a
 *   sheet with pupil data says it holds personal data about children.
 */
import { columnLetter } from './transition/layout';

/** The kinds of sheet the product writes, each with its one print setup. */
export type PrintKind = 'instructions' | 'about' | 'tracker' | 'table' | 'chaseList' | 'pupils' | 'lists' | 'explanations';

/** Inches, as SpreadsheetML and exceljs hold margins (Office.js takes points: see marginPoints). */
export interface PrintMargins {
  left: number;
  right: number;
  top: number;
  bottom: number;
  header: number;
  footer: number;
}

export interface PrintSetup {
  orientation: 'portrait' | 'landscape';
  /** Pages across (1) and down (0: as many as it needs); undefined prints at 100% across as many pages as it takes. */
  fit?: { width: 1; height: 0 };
  /** Holds pupil-level data: its footer says so. */
  personalData: boolean;
}

/** SpreadsheetML's paperSize for A4 (ECMA-376 Part 1, 18.3.1.63). */
export const PAPER_A4 = 9;

/** (design) Half an inch at the sides (Excel's "Narrow" is 0.25): room for a hole punch and the header and footer. */
export const PRINT_MARGINS: PrintMargins = { left: 0.5, right: 0.5, top: 0.75, bottom: 0.75, header: 0.3, footer: 0.3 };

/** Points per inch, for Office.js's margins. */
const POINTS_PER_INCH = 72;

export const PRINT_SETUP: Record<PrintKind, PrintSetup> = {
  // The Instructions' column table is 174 characters wide: landscape keeps it near full size.
  instructions: { orientation: 'landscape', fit: { width: 1, height: 0 }, personalData: false },
  // (design) Landscape: About is one column 120 characters wide, wider than a portrait page, and
  // LibreOffice does not shrink a single column to fit (it counts one page across already).
  about: { orientation: 'landscape', fit: { width: 1, height: 0 }, personalData: false },
  // The tracker names schools and files, not pupils; its reasons make it wide.
  tracker: { orientation: 'landscape', fit: { width: 1, height: 0 }, personalData: false },
  table: { orientation: 'portrait', fit: { width: 1, height: 0 }, personalData: false },
  chaseList: { orientation: 'landscape', fit: { width: 1, height: 0 }, personalData: false },
  pupils: { orientation: 'landscape', personalData: true },
  lists: { orientation: 'portrait', fit: { width: 1, height: 0 }, personalData: false },
  explanations: { orientation: 'portrait', fit: { width: 1, height: 0 }, personalData: true },
};

/** A pupil sheet's print titles: its header rows and its name columns, 1-based and inclusive. */
export interface PrintTitles {
  rows: { first: number; last: number };
  columns?: { first: number; last: number };
}

/** Who and what the pages name. */
export interface PrintOwner {
  /** The workbook, e.g. "Good Start transition return, September 2025". */
  workbook: string;
  /** The school (name and LAESTAB) or the LA the workbook belongs to. */
  owner: string;
}

export const PERSONAL_DATA_NOTE = 'Personal data about children: keep it secure';
/** The LA, as the pages of its workbooks name it. */
export const LA_OWNER = 'Birmingham City Council';

/** Text as a header or footer holds it: & starts a code there, so a literal one is doubled. */
export function headerFooterText(s: string): string {
  return s.replace(/&/g, '&&');
}

/**
 * The page header and footer, in the codes SpreadsheetML, exceljs and Office.js share: &L and &R
 * sections, &A the sheet, &D the date printed, &P the page and &N the pages. (design) Left and
 * right only: a centre section overlapped the workbook's name on a portrait page.
 */
export function headerFooter(kind: PrintKind, who: PrintOwner): { header: string; footer: string } {
  const note = PRINT_SETUP[kind].personalData ? `&L${headerFooterText(PERSONAL_DATA_NOTE)}` : '';
  return {
    header: `&L${headerFooterText(who.workbook)}&R${headerFooterText(who.owner)}`,
    footer: `${note}&R&A, page &P of &N, printed &D`,
  };
}

/** The margins in points, as Office.js's pageLayout takes them. */
export function marginPoints(m: PrintMargins = PRINT_MARGINS): PrintMargins {
  return {
    left: m.left * POINTS_PER_INCH,
    right: m.right * POINTS_PER_INCH,
    top: m.top * POINTS_PER_INCH,
    bottom: m.bottom * POINTS_PER_INCH,
    header: m.header * POINTS_PER_INCH,
    footer: m.footer * POINTS_PER_INCH,
  };
}

/** "$8:$9" and "$A:$B": print titles as A1 references, for exceljs, Office.js and the defined name. */
export function printTitleRefs(titles: PrintTitles): { rows: string; columns?: string } {
  const rows = `$${titles.rows.first}:$${titles.rows.last}`;
  const c = titles.columns;
  return c ? { rows, columns: `$${columnLetter(c.first)}:$${columnLetter(c.last)}` } : { rows };
}

/** (design) Points a line of Calibri 11 takes: Excel's default row height. */
export const LINE_POINTS = 15;

/**
 * The height in points of a row whose cells wrap: enough lines for the longest text, counting a
 * column's width (in characters) as a line. (design) Neither Excel nor LibreOffice fits a row's
 * height to wrapped text when it opens a file, so a row written without one shows a single line
 * and prints the rest cut off. Prose is narrower than the digit a width counts, so a little
 * over a width's characters fit a line; the estimate still errs tall rather than cut. Undefined
 * when every text fits one line.
 */
export function wrappedRowHeight(cells: ReadonlyArray<{ text: unknown; width: number | undefined }>): number | undefined {
  let lines = 1;
  for (const { text, width } of cells) {
    if (typeof text === 'string' && width !== undefined && width > 0) lines = Math.max(lines, Math.ceil(text.length / (width * 1.1)));
  }
  return lines > 1 ? lines * LINE_POINTS : undefined;
}
