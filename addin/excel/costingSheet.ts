/**
 * Inserts the trust lead's costing sheet (shared/resourceBases/costingSheet.ts): a table of
 * locality area × need group with RB.* formulas and a chart of commissioned places. Two syncs for
 * a new sheet, three when an existing one is replaced.
 */
import { COSTING_SHEET, planCostingSheet } from '../../shared/resourceBases/costingSheet';
import { type SheetOccupied, ownSheet } from './ownSheet';
import { excel } from './run';
import { addColumnChart, writePlanCells } from './sheetParts';

export const PLACES_CHART = 'Commissioned places by area and need group';

export interface CostingResult {
  kind: 'written';
  sheet: string;
  rows: number;
}

/** `groups`: the dataset's need group names; `year`: the intake sufficiency is for. */
export async function insertCostingSheet(input: { groups: readonly string[]; year: number; replace: boolean }): Promise<CostingResult | SheetOccupied> {
  return excel(
    async (context) => {
      const oldTable = context.workbook.tables.getItemOrNullObject(COSTING_SHEET.tableName);
      const found = await ownSheet(context, COSTING_SHEET.sheetName, input.replace);
      if ('kind' in found) return found;
      const { sheet } = found;
      if (!oldTable.isNullObject) oldTable.delete();
      const plan = planCostingSheet(input.groups, input.year);
      writePlanCells(sheet, plan.cells);
      sheet.getRange('A3').format.font.bold = true;
      const rows = plan.cells.length - COSTING_SHEET.headerRow;
      sheet.getRange(plan.costColumn).numberFormat = Array.from({ length: rows }, () => ['£#,##0']);
      const table = sheet.tables.add(plan.table, true);
      table.name = COSTING_SHEET.tableName;
      table.style = 'TableStyleMedium2';
      for (const [letter, width] of [['A', 100], ['B', 120], ['C', 130], ['D', 120], ['E', 190]] as const) sheet.getRange(`${letter}:${letter}`).format.columnWidth = width;
      addColumnChart(sheet, { name: PLACES_CHART, source: plan.chartSource, categoryAxis: 'Locality area and need group', valueAxis: 'Commissioned places', at: plan.chartAt });
      sheet.activate();
      await context.sync();
      return { kind: 'written' as const, sheet: COSTING_SHEET.sheetName, rows };
    },
    { writes: true },
  );
}
