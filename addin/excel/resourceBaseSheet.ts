/**
 * The LA's resource base dataset in a sheet (shared/resourceBases/datasetSheet.ts): loaded as an
 * Excel table, read back and checked with the shared schema, problems filled at their cells.
 * Writing costs two syncs (three when replacing the sheet); checking three; recalculating one.
 */
import type { ResourceBaseDataset } from '../../shared/resourceBases/dataset';
import { DATASET_COLUMNS, DATASET_LAST_COLUMN, DATASET_SHEET, type DatasetProblem, datasetFromSheet, datasetTableRows } from '../../shared/resourceBases/datasetSheet';
import type { GridCell } from '../../shared/transition/grid';
import { escapeCell } from '../../shared/workbook/escape';
import { type SheetOccupied, ownSheet } from './ownSheet';
import { excel } from './run';
import { HIGHLIGHT } from './transitionSheet';

export interface DatasetSheetResult {
  kind: 'written';
  sheet: string;
  rows: number;
}

/** Writes the dataset to the 'Resource bases' sheet as a table; an existing sheet with content is replaced only when asked. */
export async function writeResourceBaseSheet(dataset: ResourceBaseDataset, options: { replace: boolean }): Promise<DatasetSheetResult | SheetOccupied> {
  const { sheetName, tableName, headerRow, firstDataRow } = DATASET_SHEET;
  return excel(
    async (context) => {
      const oldTable = context.workbook.tables.getItemOrNullObject(tableName);
      const found = await ownSheet(context, sheetName, options.replace);
      if ('kind' in found) return found;
      const { sheet } = found;
      if (!oldTable.isNullObject) oldTable.delete();
      const title = sheet.getRange('A1');
      title.values = [[escapeCell(`Resource base dataset ${dataset.academicYear}`)]];
      title.format.font.bold = true;
      title.format.font.size = 16;
      sheet.getRange('A2').values = [['Edit places and costs in the table, add or remove rows, then Publish from the Good Start pane. Need codes must be ones the dataset already has.']];
      sheet.getRange(`A3:B4`).values = [
        ['Academic year', escapeCell(dataset.academicYear)],
        ['Source', escapeCell(dataset.source)],
      ];
      sheet.getRange('A3:A4').format.font.bold = true;
      const body = datasetTableRows(dataset).map((r) => r.map((v) => escapeCell(v)));
      const lastRow = firstDataRow + body.length - 1;
      sheet.getRange(`A${headerRow}:${DATASET_LAST_COLUMN}${lastRow}`).values = [DATASET_COLUMNS.map((c) => c.header), ...body];
      sheet.getRange(`D${firstDataRow}:D${lastRow}`).numberFormat = body.map(() => ['£#,##0']);
      const table = sheet.tables.add(`A${headerRow}:${DATASET_LAST_COLUMN}${lastRow}`, true);
      table.name = tableName;
      table.style = 'TableStyleMedium2';
      for (const [letter, width] of [['A', 90], ['B', 110], ['C', 120], ['D', 150], ['E', 140]] as const) sheet.getRange(`${letter}:${letter}`).format.columnWidth = width;
      sheet.activate();
      await context.sync();
      return { kind: 'written' as const, sheet: sheetName, rows: body.length };
    },
    { writes: true },
  );
}

export class NoDatasetSheet extends Error {
  constructor() {
    super(`There is no '${DATASET_SHEET.sheetName}' sheet. Choose Edit resource bases first.`);
    this.name = 'NoDatasetSheet';
  }
}

export type CheckedDataset = { dataset: ResourceBaseDataset; problems: [] } | { dataset: undefined; problems: DatasetProblem[] };

/**
 * Reads the sheet, checks it with the shared schema (on top of `base`'s need codes and groups)
 * and fills each problem cell, clearing old fills first. Three syncs, whatever the row count.
 */
export async function checkResourceBaseSheet(base: ResourceBaseDataset): Promise<CheckedDataset> {
  const { sheetName, firstDataRow, yearCell, sourceCell } = DATASET_SHEET;
  return excel(async (context) => {
    const sheet = context.workbook.worksheets.getItemOrNullObject(sheetName);
    await context.sync();
    if (sheet.isNullObject) throw new NoDatasetSheet();
    const used = sheet.getUsedRangeOrNullObject(true).load(['values', 'rowIndex', 'columnIndex', 'rowCount']);
    await context.sync();
    const values = (used.isNullObject ? [] : used.values) as GridCell[][];
    const top = used.isNullObject ? 1 : used.rowIndex + 1;
    const left = used.isNullObject ? 1 : used.columnIndex + 1;
    const at = (row: number, column: number): GridCell => values[row - top]?.[column - left] ?? null;
    const lastRow = top + values.length - 1;
    const body = Array.from({ length: Math.max(0, lastRow - firstDataRow + 1) }, (_, i) => DATASET_COLUMNS.map((_c, c) => at(firstDataRow + i, c + 1)));
    const checked = datasetFromSheet(base, { year: at(3, 2), source: at(4, 2), body });

    // Our fills only: the year, the source and the table body.
    sheet.getRange(`${yearCell}:${sourceCell}`).format.fill.clear();
    if (body.length > 0) sheet.getRange(`A${firstDataRow}:${DATASET_LAST_COLUMN}${firstDataRow + body.length - 1}`).format.fill.clear();
    const cells = [...new Set(checked.problems.flatMap((p) => (p.cell ? [p.cell] : [])))];
    if (cells.length > 0) sheet.getRanges(cells.join(',')).format.fill.color = HIGHLIGHT.error;
    await context.sync();
    return checked;
  }, { writes: true });
}

/** Selects a problem cell on the dataset sheet. One sync. */
export async function selectDatasetCell(cell: string): Promise<void> {
  await excel(async (context) => {
    const sheet = context.workbook.worksheets.getItem(DATASET_SHEET.sheetName);
    sheet.activate();
    sheet.getRange(cell).select();
    await context.sync();
  });
}

/** Asks Excel to recalculate every formula, so the RB.* functions read the new dataset. One sync. */
export async function recalculateWorkbook(): Promise<void> {
  await excel(async (context) => {
    context.workbook.application.calculate(Excel.CalculationType.full);
    await context.sync();
  });
}
