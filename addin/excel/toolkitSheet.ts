/**
 * Inserts a class toolkit grid (shared/toolkit/gridSheet.ts) on a sheet of its own, with its
 * formula rows and a chart of pupils per support level. Three syncs for a new sheet (read the
 * selection, find the sheet, write), four when an existing one is replaced.
 */
import { type ToolkitCriterion, criteriaOfSelection, planToolkitGrid } from '../../shared/toolkit/gridSheet';
import type { Term } from '../../shared/toolkit/term';
import { type SheetOccupied, ownSheet } from './ownSheet';
import { excel } from './run';
import { addColumnChart, writePlanCells } from './sheetParts';

export const TOOLKIT_SHEET = 'Toolkit grid';
export const SUPPORT_CHART = 'Pupils per support level';

export interface ToolkitGridInput {
  pupils: number;
  yearGroup: string;
  term: Term;
  /** Use band-labelled criteria in the selected range when there are some. */
  fromSelection: boolean;
  replace: boolean;
}

export interface ToolkitGridResult {
  kind: 'written';
  sheet: string;
  criteria: number;
  /** Where the criteria came from: the selection, or placeholders (also when the selection had no band labels). */
  source: 'selection' | 'placeholders';
  /** The selection that was looked at, e.g. "'Sheet1'!A1:B40". */
  selection?: string;
  bandFormulaCell: string;
}

export async function insertToolkitGrid(input: ToolkitGridInput): Promise<ToolkitGridResult | SheetOccupied> {
  return excel(
    async (context) => {
      let criteria: ToolkitCriterion[] | undefined;
      let selection: string | undefined;
      if (input.fromSelection) {
        const selected = context.workbook.getSelectedRange().load(['values', 'address']);
        await context.sync();
        criteria = criteriaOfSelection(selected.values as unknown[][]);
        selection = selected.address;
      }
      const found = await ownSheet(context, TOOLKIT_SHEET, input.replace);
      if ('kind' in found) return found;
      const { sheet } = found;
      const plan = planToolkitGrid({ pupils: input.pupils, yearGroup: input.yearGroup, term: input.term, ...(criteria ? { criteria } : {}) });
      writePlanCells(sheet, plan.cells);
      sheet.getRange('A2:C2').format.font.bold = true;
      sheet.getRange(plan.headerRow).format.font.bold = true;
      sheet.getRange(plan.formulaLabels).format.font.bold = true;
      sheet.getRange('A:A').format.columnWidth = 150;
      sheet.getRange(`${plan.criterionColumn}:${plan.criterionColumn}`).format.columnWidth = 280;
      sheet.freezePanes.freezeAt(sheet.getRange('A1:A4'));
      addColumnChart(sheet, { name: SUPPORT_CHART, source: plan.summary, categoryAxis: 'Support level', valueAxis: 'Pupils', at: plan.chartAt });
      sheet.activate();
      await context.sync();
      return {
        kind: 'written' as const,
        sheet: TOOLKIT_SHEET,
        criteria: plan.criteria,
        source: criteria ? ('selection' as const) : ('placeholders' as const),
        ...(selection ? { selection } : {}),
        bandFormulaCell: plan.bandFormulaCell,
      };
    },
    { writes: true },
  );
}
