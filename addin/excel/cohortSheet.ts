/**
 * The secondary's incoming Year 7 sheet, through Office.js: written from the cohort plan
 * (shared/transition/cohortPlan.ts) and refreshed in place. Three syncs: find the sheet, read
 * what it holds, write; a block too large for one request is cut into more writes.
 */
import { SHEET_LAYOUT, TRANSITION_COLUMNS, columnLetter, columnNumber, LAST_COLUMN } from '../../shared/transition/layout';
import { type CohortPupil, type CohortSummary, LAST_LAYOUT_COLUMN, SOURCE_COLUMN, SOURCE_HEADER, cohortSummary, planCohortSheet, readCohortSheet } from '../../shared/transition/cohortPlan';
import type { Grid, GridCell } from '../../shared/transition/grid';
import { DATE_FORMAT, GROUP_FILL, columnGroups } from '../../shared/transition/sheetPlan';
import { escapeCell } from '../../shared/workbook/escape';
import { cohortCrossSchoolNotice } from '../../shared/crossSchool';
import { chunkRows, excel } from './run';

export interface CohortInput {
  year: number;
  /** e.g. "2027-28", for the sheet name and title. */
  academicYear: string;
  school: { laestab: string; name: string };
  pupils: CohortPupil[];
  /** Feeder primary names by LAESTAB. */
  primaryNames: ReadonlyMap<string, string>;
  pulledAt: Date;
  /** Pupils whose UPN is on more than one school's return (listed once; issue 29): said in A2. */
  crossSchool?: number;
}

export interface CohortResult {
  sheet: string;
  created: boolean;
  summary: CohortSummary;
  added: number;
  left: Array<{ upn: string; surname: string; forename: string }>;
  keptExtraCells: number;
}

export const cohortSheetName = (academicYear: string): string => `Year 7 ${academicYear}`;

const EXCEL_EPOCH = Date.UTC(1899, 11, 30);
const serial = (iso: string): number | string => {
  const t = Date.parse(`${iso}T00:00:00Z`);
  return Number.isNaN(t) ? iso : (t - EXCEL_EPOCH) / 86_400_000;
};
const points = (chars: number): number => Math.round(chars * 5.6 + 5);

export async function pullCohortSheet(input: CohortInput): Promise<CohortResult> {
  const name = cohortSheetName(input.academicYear);
  return excel(
    async (context) => {
      let sheet = context.workbook.worksheets.getItemOrNullObject(name);
      await context.sync();
      const created = sheet.isNullObject;
      let grid: Grid | undefined;
      if (!created) {
        const used = sheet.getUsedRangeOrNullObject(true).load(['formulas', 'rowIndex', 'columnIndex']);
        await context.sync();
        grid = used.isNullObject ? undefined : { values: used.formulas as GridCell[][], firstRow: used.rowIndex + 1, firstColumn: used.columnIndex + 1 };
      } else {
        sheet = context.workbook.worksheets.add(name);
      }
      const existing = grid ? readCohortSheet(grid) : undefined;
      const plan = planCohortSheet(input.pupils, existing, (laestab) => input.primaryNames.get(laestab) ?? laestab);
      const summary = cohortSummary(input.pupils);

      writeFrame(sheet, input, summary, created);
      const dob = columnNumber('C') - 1;
      const first = SHEET_LAYOUT.firstDataRow;
      const lastColumn = columnLetter(plan.width);
      // Old rows the new block does not cover are emptied, so nothing stale is left below.
      if (plan.clearTo >= first) sheet.getRange(`A${first}:${lastColumn}${plan.clearTo}`).clear('Contents');
      const rows = plan.rows.map((r, i) =>
        r.map((v, c) => {
          const isDataRow = plan.leftHeadingRow === undefined || first + i !== plan.leftHeadingRow;
          if (c === dob && isDataRow && typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v)) return serial(v);
          // The secondary's own formulas are written back as formulas; our text is escaped.
          return typeof v === 'string' ? (c >= LAST_LAYOUT_COLUMN && v.startsWith('=') ? v : escapeCell(v)) : (v ?? '');
        }),
      );
      let at = first;
      const chunks = chunkRows(rows);
      for (const [i, chunk] of chunks.entries()) {
        const range = sheet.getRange(`A${at}:${lastColumn}${at + chunk.length - 1}`);
        range.formulas = chunk as (string | number | boolean)[][];
        at += chunk.length;
        if (i < chunks.length - 1) await context.sync();
      }
      if (rows.length > 0) sheet.getRange(`C${first}:C${first + rows.length - 1}`).numberFormat = rows.map(() => [DATE_FORMAT]);
      if (plan.leftHeadingRow !== undefined) sheet.getRange(`A${plan.leftHeadingRow}`).format.font.bold = true;
      sheet.activate();
      await context.sync();
      return { sheet: name, created, summary, added: plan.added.length, left: plan.left, keptExtraCells: plan.keptExtraCells };
    },
    { writes: true },
  );
}

/** Title, summary, A7 and the header rows; the layout rows only when the sheet is new. */
function writeFrame(sheet: Excel.Worksheet, input: CohortInput, summary: CohortSummary, created: boolean): void {
  const title = sheet.getRange('A1');
  title.values = [[`Incoming Year 7: September ${input.year} (${input.academicYear})`]];
  title.format.font.bold = true;
  title.format.font.size = 16;
  sheet.getRange('A2').values = [
    [
      `Pulled from Good Start on ${input.pulledAt.toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' })}: ${summary.pupils} pupils from ${summary.feeders} feeder primaries. Refresh from the Good Start pane; your own columns right of ${LAST_COLUMN} stay with their pupil.${input.crossSchool ? ` ${cohortCrossSchoolNotice(input.crossSchool)}` : ''}`,
    ],
  ];
  const support = summary.bySupport.flatMap((s) => [s.level, s.pupils]);
  const areas = summary.byArea.flatMap((a) => [a.area, a.pupils]);
  const width = Math.max(support.length, areas.length) + 1;
  const pad = (row: (string | number)[]): (string | number)[] => [...row, ...Array.from({ length: width - row.length }, () => '')];
  const block = sheet.getRange(`A3:${columnLetter(width)}5`);
  block.values = [pad(['Support level', ...support]), pad(['Broad area of need', ...areas]), pad(['Pupils', summary.pupils, 'Feeder primaries', summary.feeders])];
  sheet.getRange('A3:A5').format.font.bold = true;
  const a6 = sheet.getRange('A6');
  a6.values = [['Receiving secondary school']];
  a6.format.font.bold = true;
  sheet.getRange('A7').values = [[escapeCell(`${input.school.name} (${input.school.laestab})`)]];
  if (!created) return;

  const header = Array.from({ length: LAST_LAYOUT_COLUMN }, (_, i) => {
    const letter = columnLetter(i + 1);
    return letter === SOURCE_COLUMN ? SOURCE_HEADER : (TRANSITION_COLUMNS.find((c) => c.letter === letter)?.header ?? '');
  });
  const headerRange = sheet.getRange(`A${SHEET_LAYOUT.headerRow}:${LAST_COLUMN}${SHEET_LAYOUT.headerRow}`);
  headerRange.values = [header];
  headerRange.format.font.bold = true;
  headerRange.format.wrapText = true;
  sheet.getRange(`A${SHEET_LAYOUT.groupRow}:${LAST_COLUMN}${SHEET_LAYOUT.groupRow}`).values = [
    Array.from({ length: LAST_LAYOUT_COLUMN }, (_, i) => columnGroups().find((g) => g.from === columnLetter(i + 1))?.label ?? ''),
  ];
  for (const g of columnGroups()) {
    const band = sheet.getRange(`${g.from}${SHEET_LAYOUT.groupRow}:${g.to}${SHEET_LAYOUT.groupRow}`);
    band.format.fill.color = GROUP_FILL[g.filledBy];
    band.format.font.bold = true;
  }
  for (const c of TRANSITION_COLUMNS) sheet.getRange(`${c.letter}:${c.letter}`).format.columnWidth = points(c.width);
  sheet.getRange(`${SOURCE_COLUMN}:${SOURCE_COLUMN}`).format.columnWidth = points(24);
  sheet.freezePanes.freezeAt(sheet.getRange(`A1:B${SHEET_LAYOUT.headerRow}`));
}
