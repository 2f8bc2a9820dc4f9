/**
 * A trust lead's costing sheet: one row per locality area and need group, with the RB.* formulas
 * that read the LA's dataset (places, cost per place) and the live demand (sufficiency). Pure:
 * the Excel adapter writes `cells` and puts a table and a chart over them. The need groups are
 * the LA's dataset's own text, so they are text cells, never formulas, whatever they start with.
 */
import { LOCALITY_AREAS } from '../schools';
import { formula, type PlanCell } from '../workbook/escape';

export const COSTING_SHEET = { sheetName: 'Costing', yearCell: 'B3', headerRow: 5, firstRow: 6, tableName: 'GoodStartCosting' } as const;

export const COSTING_HEADERS = ['Locality area', 'Need group', 'Commissioned places', 'Cost per place (£)', 'Sufficiency (places − pupils)'] as const;

export interface CostingPlan {
  cells: PlanCell[][];
  /** The table: header row and one row per area × group. */
  table: string;
  /** The chart's source: area, group and places. */
  chartSource: string;
  chartAt: string;
  costColumn: string;
}

/** `groups` are the dataset's need group names (e.g. ASD/C&L/SLCN, Sensory/Physical); `year` the intake sufficiency is for. */
export function planCostingSheet(groups: readonly string[], year: number): CostingPlan {
  const { headerRow, firstRow } = COSTING_SHEET;
  const pairs = LOCALITY_AREAS.flatMap((area) => groups.map((group) => [area, group] as const));
  const lastRow = firstRow + pairs.length - 1;
  const width = COSTING_HEADERS.length;
  const cells: PlanCell[][] = Array.from({ length: lastRow }, () => Array.from({ length: width }, () => ''));
  const row = (n: number): PlanCell[] => cells[n - 1] as PlanCell[];
  row(1)[0] = 'Resource base costing';
  row(2)[0] = "Places and cost per place come from the LA's latest published dataset (the bundled 2019-20 figures when offline). Sufficiency is places minus the incoming Year 7 pupils who need that kind of place: sign in for it.";
  row(3)[0] = 'Intake (September the pupils start Year 7)';
  row(3)[1] = year;
  cells[headerRow - 1] = [...COSTING_HEADERS];
  pairs.forEach(([area, group], i) => {
    const r = firstRow + i;
    cells[r - 1] = [area, group, formula(`=RB.PLACES($A${r},$B${r})`), formula(`=RB.COSTPERPLACE($A${r},$B${r})`), formula(`=RB.SUFFICIENCY($A${r},$B${r},${absolute(COSTING_SHEET.yearCell)})`)];
  });
  return {
    cells,
    table: `A${headerRow}:E${lastRow}`,
    chartSource: `A${headerRow}:C${lastRow}`,
    chartAt: `G${headerRow}`,
    costColumn: `D${firstRow}:D${lastRow}`,
  };
}

const absolute = (cell: string): string => cell.replace(/^([A-Z]+)(\d+)$/, '$$$1$$$2');
