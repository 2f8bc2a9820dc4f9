/**
 * The pieces every written sheet shares: a plan's cells written in one range with its title
 * styled, and a titled column chart placed where the plan says. Queued only: the caller syncs.
 */
import { columnLetter } from '../../shared/transition/layout';
import { escapeCell, type PlanCell, planCellInput } from '../../shared/workbook/escape';

/** Writes a plan's cells from A1 and styles A1 as the sheet's title: its Formula cells as formulas, its text escaped. */
export function writePlanCells(sheet: Excel.Worksheet, cells: readonly (readonly PlanCell[])[]): void {
  const width = cells[0]?.length ?? 1;
  sheet.getRange(`A1:${columnLetter(width)}${cells.length}`).formulas = cells.map((row) => row.map(planCellInput));
  const title = sheet.getRange('A1');
  title.format.font.bold = true;
  title.format.font.size = 16;
}

export interface ColumnChartSpec {
  /** The chart's name and title (so a refresh or a test can find it). */
  name: string;
  source: string;
  categoryAxis: string;
  valueAxis: string;
  /** The top-left cell it is placed at. */
  at: string;
}

/** A clustered column chart of `source` (series by columns), named and titled, with axis titles. */
export function addColumnChart(sheet: Excel.Worksheet, spec: ColumnChartSpec): Excel.Chart {
  const chart = sheet.charts.add('ColumnClustered', sheet.getRange(spec.source), 'Columns');
  chart.name = spec.name;
  chart.title.text = escapeCell(spec.name);
  chart.axes.categoryAxis.title.text = escapeCell(spec.categoryAxis);
  chart.axes.valueAxis.title.text = escapeCell(spec.valueAxis);
  chart.setPosition(spec.at);
  return chart;
}
