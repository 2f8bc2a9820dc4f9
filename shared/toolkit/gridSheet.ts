/**
 * A class toolkit grid as a sheet, in the shape TOOLKIT.BAND reads: band labels down column A,
 * one column of ticks per pupil, the criterion text to the right; under the pupils the formula
 * rows (band reached, bands gained, gap, support) and beside them a COUNTIF summary of pupils
 * per support level for a chart. Pure: the Excel adapter writes `cells`; only Formula cells are formulas.
 */
import { columnLetter } from '../transition/layout';
import { BANDS, bandIndex } from './continuum';
import { SUPPORT_LEVEL } from '../codes';
import { formula, type PlanCell } from '../workbook/escape';
import type { Term } from './term';

/** Placeholder criteria per band: the real text is PSS's licensed material, which schools load themselves. */
export const PLACEHOLDER_CRITERIA_PER_BAND = 3;

export interface ToolkitCriterion {
  band: string;
  text: string;
}

export interface ToolkitGridOptions {
  pupils: number;
  /** N, R or 1–6: the class's year group now. */
  yearGroup: string;
  term: Term;
  /** The user's own criteria (from the selection); placeholders when absent. */
  criteria?: readonly ToolkitCriterion[];
}

export interface ToolkitGridPlan {
  /** Every cell from A1, row by row: text, numbers and formulas. */
  cells: PlanCell[][];
  /** e.g. "A4:AE4": the header row, for bold. */
  headerRow: string;
  /** e.g. "A5:AE52": the band labels and ticks TOOLKIT.BAND reads. */
  grid: string;
  /** The label column of the formula rows, e.g. "A54:A57", for bold. */
  formulaLabels: string;
  /** The COUNTIF summary (header and one row per support level), the chart's source. */
  summary: string;
  /** Where the chart's top-left corner goes. */
  chartAt: string;
  criterionColumn: string;
  /** How many criterion rows the grid has. */
  criteria: number;
  /** The cell holding =TOOLKIT.BAND(...), e.g. "B54". */
  bandFormulaCell: string;
}

export const TOOLKIT_GRID = { titleRow: 1, settingsRow: 2, headerRow: 4, firstCriterionRow: 5, maxPupils: 60 } as const;

/** Band-labelled rows of a selected range (first column a band, second the criterion text), or undefined when it has none. */
export function criteriaOfSelection(values: readonly (readonly unknown[])[]): ToolkitCriterion[] | undefined {
  const rows = values.flatMap((r) => {
    const band = typeof r[0] === 'string' ? r[0].trim() : '';
    if (bandIndex(band) === undefined) return [];
    const text = r[1] === null || r[1] === undefined ? '' : String(r[1]).trim();
    return [{ band, text }];
  });
  return rows.length > 0 ? rows : undefined;
}

export function placeholderCriteria(): ToolkitCriterion[] {
  return BANDS.flatMap((band) => Array.from({ length: PLACEHOLDER_CRITERIA_PER_BAND }, (_, i) => ({ band, text: `Placeholder criterion ${i + 1} for ${band}: load your licensed toolkit text` })));
}

export function planToolkitGrid(options: ToolkitGridOptions): ToolkitGridPlan {
  const criteria = options.criteria ?? placeholderCriteria();
  const pupils = Math.max(1, Math.min(TOOLKIT_GRID.maxPupils, Math.trunc(options.pupils)));
  const { headerRow, firstCriterionRow } = TOOLKIT_GRID;
  const firstPupil = 2;
  const lastPupil = firstPupil + pupils - 1;
  const criterionCol = lastPupil + 1;
  const summaryCol = criterionCol + 2;
  const width = summaryCol + 1;
  const lastCriterionRow = firstCriterionRow + criteria.length - 1;
  const bandRow = lastCriterionRow + 2;
  const gainedRow = bandRow + 1;
  const gapRow = bandRow + 2;
  const supportRow = bandRow + 3;
  const L = columnLetter;
  const pupilCols = Array.from({ length: pupils }, (_, i) => L(firstPupil + i));

  const cells: PlanCell[][] = Array.from({ length: supportRow }, () => Array.from({ length: width }, () => ''));
  const put = (row: number, col: number, v: PlanCell): void => {
    (cells[row - 1] as PlanCell[])[col - 1] = v;
  };
  put(1, 1, 'Toolkit grid');
  put(2, 1, 'Year group');
  put(2, 2, /^\d$/.test(options.yearGroup) ? Number(options.yearGroup) : options.yearGroup);
  put(2, 3, 'Term');
  put(2, 4, options.term);
  put(3, 1, 'Tick a criterion with 1, S or ✓ when the pupil has secured it; leave it blank when not. Type pupil names over Pupil 01…');
  put(headerRow, 1, 'Band');
  pupilCols.forEach((_, i) => put(headerRow, firstPupil + i, `Pupil ${String(i + 1).padStart(2, '0')}`));
  put(headerRow, criterionCol, 'Criterion');
  criteria.forEach((c, i) => {
    put(firstCriterionRow + i, 1, c.band);
    // The user's own text: a text cell, escaped as it is written, never a formula.
    put(firstCriterionRow + i, criterionCol, c.text);
  });
  const grid = `A${firstCriterionRow}:${L(lastPupil)}${lastCriterionRow}`;
  put(bandRow, 1, 'Band reached');
  // One formula bands the class; its answer spills across the pupil columns.
  put(bandRow, firstPupil, formula(`=TOOLKIT.BAND(${grid})`));
  put(gainedRow, 1, 'Bands gained in 12 months (optional)');
  put(gapRow, 1, 'Gap to expected band');
  put(supportRow, 1, 'Support level');
  pupilCols.forEach((col, i) => {
    put(gapRow, firstPupil + i, formula(`=TOOLKIT.GAP(${col}${bandRow},$B$2,$D$2)`));
    put(supportRow, firstPupil + i, formula(`=TOOLKIT.SUPPORT(${col}${bandRow},$B$2,${col}${gainedRow},$D$2)`));
  });
  const supportCells = `$B$${supportRow}:$${L(lastPupil)}$${supportRow}`;
  put(headerRow, summaryCol, 'Support level');
  put(headerRow, summaryCol + 1, 'Pupils');
  SUPPORT_LEVEL.forEach(({ code: level }, i) => {
    put(headerRow + 1 + i, summaryCol, level);
    put(headerRow + 1 + i, summaryCol + 1, formula(`=COUNTIF(${supportCells},"${level}")`));
  });
  return {
    cells,
    headerRow: `A${headerRow}:${L(width)}${headerRow}`,
    grid,
    formulaLabels: `A${bandRow}:A${supportRow}`,
    summary: `${L(summaryCol)}${headerRow}:${L(summaryCol + 1)}${headerRow + SUPPORT_LEVEL.length}`,
    chartAt: `${L(summaryCol)}${headerRow + SUPPORT_LEVEL.length + 2}`,
    criterionColumn: L(criterionCol),
    criteria: criteria.length,
    bandFormulaCell: `${L(firstPupil)}${bandRow}`,
  };
}
