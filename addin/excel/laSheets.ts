/**
 * The LA officer's sheets, through Office.js: the chase list, and the city aggregates as Excel
 * tables, each with a native chart beside it. Everything is found by name, so a refresh
 * rewrites the same tables and charts in place and never adds a second copy. Three syncs
 * whatever the size: find the sheets and tables, find the charts and what the sheets hold, write.
 */
import { SUPPRESSED, type CountTable } from '../../shared/aggregate/table';
import { CHASE_LIST_HEADER, chaseList, type TrackedSchool } from '../../shared/chaseList';
import { columnLetter } from '../../shared/transition/layout';
import { escapeCell } from '../../shared/workbook/escape';
import { excel } from './run';

type Cell = string | number;

/** One table to write: its name (unique in the workbook), header row, body and where it starts. */
interface TableBlock {
  name: string;
  header: readonly string[];
  rows: readonly Cell[][];
  /** 1-based row and column of the header's first cell. */
  row: number;
  column: number;
}

const blockAddress = (b: TableBlock): string => `${columnLetter(b.column)}${b.row}:${columnLetter(b.column + b.header.length - 1)}${b.row + Math.max(b.rows.length, 1)}`;

/**
 * Writes a block and makes it a table: the existing one (found by name) is resized onto it,
 * otherwise one is added. Old rows below a shrunken table are emptied first, down to `clearTo`.
 */
function writeTable(sheet: Excel.Worksheet, existing: Excel.Table, block: TableBlock, clearTo: number): void {
  const last = columnLetter(block.column + block.header.length - 1);
  if (clearTo > block.row) sheet.getRange(`${columnLetter(block.column)}${block.row + 1}:${last}${clearTo}`).clear('Contents');
  // An empty table still needs one body row.
  const body = block.rows.length > 0 ? block.rows : [block.header.map(() => '')];
  const range = sheet.getRange(blockAddress(block));
  range.values = [block.header.map((h) => escapeCell(h)), ...body.map((r) => r.map((v) => escapeCell(v)))];
  if (existing.isNullObject) {
    const table = sheet.tables.add(blockAddress(block), true);
    table.name = block.name;
    table.style = 'TableStyleMedium2';
  } else {
    existing.resize(blockAddress(block));
  }
}

/** The last row the sheet uses, or 0 when it is empty or new. */
const lastUsedRow = (used: (Excel.Range & { isNullObject: boolean }) | undefined): number =>
  used === undefined || used.isNullObject ? 0 : used.rowIndex + used.rowCount;

// ---------------------------------------------------------------------------------------------
// Chase list

export interface ChaseListInput {
  year: number;
  academicYear: string;
  schools: readonly TrackedSchool[];
  today: Date;
  /** UPNs on more than one school's return (issue 29): the line for the LA and each set of schools sharing them. */
  crossSchool?: { line: string; groups: readonly string[] };
}

export interface ChaseListResult {
  sheet: string;
  created: boolean;
  schools: number;
}

export const chaseListSheetName = (academicYear: string): string => `Chase list ${academicYear}`;
export const chaseListTableName = (year: number): string => `GS_ChaseList_${year}`;
const CHASE_FIRST_ROW = 4;

export async function writeChaseList(input: ChaseListInput): Promise<ChaseListResult> {
  const name = chaseListSheetName(input.academicYear);
  const rows = chaseList(input.schools, input.year, input.today);
  return excel(
    async (context) => {
      let sheet = context.workbook.worksheets.getItemOrNullObject(name);
      const table = context.workbook.tables.getItemOrNullObject(chaseListTableName(input.year));
      await context.sync();
      const created = sheet.isNullObject;
      let used: (Excel.Range & { isNullObject: boolean }) | undefined;
      if (created) sheet = context.workbook.worksheets.add(name);
      else used = sheet.getUsedRangeOrNullObject(true).load(['rowIndex', 'rowCount']);
      await context.sync();

      const title = sheet.getRange('A1');
      title.values = [[`Schools to chase for September ${input.year} (${input.academicYear})`]];
      title.format.font.bold = true;
      title.format.font.size = 14;
      sheet.getRange('A2').values = [
        [`${rows.length} of ${input.schools.length} schools have not submitted. Days are counted to the return deadline from ${input.today.toLocaleDateString('en-GB', { dateStyle: 'medium' })}; refresh from the Good Start pane.`],
      ];
      // Row 3, above the table: the shared UPNs, beside the counts, for the LA to resolve.
      const shared = input.crossSchool ? [input.crossSchool.line, ...input.crossSchool.groups].join(' ') : '';
      sheet.getRange('A3').values = [[escapeCell(shared)]];
      writeTable(sheet, table, { name: chaseListTableName(input.year), header: CHASE_LIST_HEADER, rows, row: CHASE_FIRST_ROW, column: 1 }, lastUsedRow(used));
      sheet.getRange(`A:${columnLetter(CHASE_LIST_HEADER.length)}`).format.autofitColumns();
      sheet.activate();
      await context.sync();
      return { sheet: name, created, schools: rows.length };
    },
    { writes: true },
  );
}

// ---------------------------------------------------------------------------------------------
// Aggregates

/**
 * Where each of the API's tables goes: the four views of issue #9, one sheet each, tables side
 * by side with their charts. The cross-tab's chart stacks the areas of need in each locality's
 * column, so a column's height is the locality's pupils and its parts the needs.
 */
export const AGGREGATE_SHEETS = [
  { sheet: 'Need and provision', tables: [{ id: 'need-by-provision', chart: 'BarClustered' }] },
  { sheet: 'Area of need by locality', tables: [{ id: 'area-by-locality', chart: 'ColumnStacked' }] },
  { sheet: 'Receiving secondaries', tables: [{ id: 'secondary-by-provision', chart: 'BarClustered' }] },
  { sheet: 'Support level', tables: [{ id: 'support-by-provision', chart: 'ColumnClustered' }] },
] as const;

export type AggregateTableId = (typeof AGGREGATE_SHEETS)[number]['tables'][number]['id'];
export const AGGREGATE_TABLE_IDS: readonly AggregateTableId[] = AGGREGATE_SHEETS.flatMap((s) => s.tables.map((t) => t.id));

/** Workbook names may not hold hyphens: `need-by-provision` → `GS_need_by_provision`. */
export const aggregateTableName = (id: string): string => `GS_${id.replace(/-/g, '_')}`;
export const aggregateChartName = (id: string): string => `GS_chart_${id.replace(/-/g, '_')}`;

/** Why a cell shows `c`: said on every sheet that has one. */
export const SUPPRESSION_NOTE =
  'c = suppressed: counts of 1 to 4 are hidden outside the LA, and other cells where needed so they cannot be worked out from the totals (statistical disclosure control). Totals are true counts.';

const TABLE_FIRST_ROW = 5;
/** Columns a chart takes beside its table, and the gap before the next table. */
const CHART_COLUMNS = 8;
const CHART_ROWS = 18;
const GAP_COLUMNS = 1;

export interface AggregatesInput {
  year: number;
  academicYear: string;
  tables: readonly CountTable[];
  /** Primaries included of those expected, as the API counted them. */
  schools: { expected: number; included: number };
  /** True for the trust's view: the API has applied disclosure control. */
  disclosureControlled: boolean;
  pulledAt: Date;
}

export interface AggregatesResult {
  sheets: Array<{ sheet: string; tables: string[]; created: boolean }>;
  tables: number;
  charts: number;
  suppressedCells: number;
}

const tableRows = (t: CountTable): Cell[][] => [...t.rows.map((r) => [r.label, ...r.cells, r.total]), ['Total', ...t.columnTotals, t.grandTotal]];
const suppressedIn = (t: CountTable): number => tableRows(t).flat().filter((v) => v === SUPPRESSED).length;

export async function pullAggregates(input: AggregatesInput): Promise<AggregatesResult> {
  const byId = new Map(input.tables.map((t) => [t.id, t]));
  const plan = AGGREGATE_SHEETS.map((s) => ({ sheet: s.sheet, tables: s.tables.flatMap((t) => (byId.has(t.id) ? [{ ...t, table: byId.get(t.id) as CountTable }] : [])) })).filter(
    (s) => s.tables.length > 0,
  );
  return excel(
    async (context) => {
      const found = plan.map((s) => ({
        ...s,
        proxy: context.workbook.worksheets.getItemOrNullObject(s.sheet),
        existing: s.tables.map((t) => context.workbook.tables.getItemOrNullObject(aggregateTableName(t.id))),
      }));
      await context.sync();
      const sheets = found.map((s) => {
        const created = s.proxy.isNullObject;
        const sheet = created ? context.workbook.worksheets.add(s.sheet) : s.proxy;
        return {
          ...s,
          name: s.sheet,
          sheet,
          created,
          used: created ? undefined : sheet.getUsedRangeOrNullObject(true).load(['rowIndex', 'rowCount']),
          charts: created ? undefined : s.tables.map((t) => sheet.charts.getItemOrNullObject(aggregateChartName(t.id))),
        };
      });
      await context.sync();

      let suppressedCells = 0;
      for (const s of sheets) {
        const suppressed = s.tables.reduce((n, t) => n + suppressedIn(t.table), 0);
        suppressedCells += suppressed;
        const title = s.sheet.getRange('A1');
        title.values = [[`${s.name}: pupils starting Year 7 in September ${input.year} (${input.academicYear})`]];
        title.format.font.bold = true;
        title.format.font.size = 14;
        s.sheet.getRange('A2').values = [
          [
            `From ${input.schools.included} of ${input.schools.expected} primaries' submitted returns, pulled from Good Start on ${input.pulledAt.toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' })}. Refresh from the Good Start pane.`,
          ],
        ];
        s.sheet.getRange('A3').values = [[suppressed > 0 || input.disclosureControlled ? SUPPRESSION_NOTE : '']];
        let column = 1;
        for (const [i, t] of s.tables.entries()) {
          const block: TableBlock = { name: aggregateTableName(t.id), header: [t.table.rowHeader, ...t.table.columns, 'Total'], rows: tableRows(t.table), row: TABLE_FIRST_ROW, column };
          const heading = s.sheet.getRange(`${columnLetter(column)}${TABLE_FIRST_ROW - 1}`);
          heading.values = [[escapeCell(t.table.title)]];
          heading.format.font.bold = true;
          writeTable(s.sheet, s.existing[i] as Excel.Table, block, lastUsedRow(s.used));
          // The chart plots the counts by provision: no totals, so the bars compare like with like.
          const first = columnLetter(column);
          const lastCount = columnLetter(column + t.table.columns.length);
          const source = s.sheet.getRange(`${first}${TABLE_FIRST_ROW}:${lastCount}${TABLE_FIRST_ROW + t.table.rows.length}`);
          const existing = s.charts?.[i];
          const chart = existing && !existing.isNullObject ? existing : s.sheet.charts.add(t.chart as Excel.ChartType, source, 'Columns' as Excel.ChartSeriesBy);
          if (existing && !existing.isNullObject) chart.setData(source, 'Columns' as Excel.ChartSeriesBy);
          else chart.name = aggregateChartName(t.id);
          chart.title.text = escapeCell(t.table.title);
          chart.axes.categoryAxis.title.text = escapeCell(t.table.rowHeader);
          chart.axes.valueAxis.title.text = 'Pupils';
          const chartFrom = column + block.header.length + GAP_COLUMNS;
          chart.setPosition(`${columnLetter(chartFrom)}${TABLE_FIRST_ROW}`, `${columnLetter(chartFrom + CHART_COLUMNS - 1)}${TABLE_FIRST_ROW + CHART_ROWS - 1}`);
          s.sheet.getRange(`${first}:${columnLetter(column + block.header.length - 1)}`).format.autofitColumns();
          column = chartFrom + CHART_COLUMNS + GAP_COLUMNS;
        }
      }
      sheets[0]?.sheet.activate();
      await context.sync();
      return {
        sheets: sheets.map((s) => ({ sheet: s.name, tables: s.tables.map((t) => t.id), created: s.created })),
        tables: sheets.reduce((n, s) => n + s.tables.length, 0),
        charts: sheets.reduce((n, s) => n + s.tables.length, 0),
        suppressedCells,
      };
    },
    { writes: true },
  );
}

// ---------------------------------------------------------------------------------------------
// Consolidated return

/** How the consolidated workbook was opened: as a new workbook, or handed over as a download. */
export type OpenedWorkbook = { opened: 'workbook' } | { opened: 'unsupported' };

/** Opens a workbook's bytes as a new Excel workbook (ExcelApi 1.8), where the host has the API. */
export async function openAsNewWorkbook(bytes: Uint8Array): Promise<OpenedWorkbook> {
  const create = typeof Excel === 'undefined' ? undefined : (Excel as { createWorkbook?: (base64?: string) => Promise<void> }).createWorkbook;
  if (typeof create !== 'function') return { opened: 'unsupported' };
  await create(toBase64(bytes));
  return { opened: 'workbook' };
}

/** Base64 without a data-URL prefix, as Excel.createWorkbook takes it. */
export function toBase64(bytes: Uint8Array): string {
  let binary = '';
  const step = 0x8000;
  for (let i = 0; i < bytes.length; i += step) binary += String.fromCharCode(...bytes.subarray(i, i + step));
  return btoa(binary);
}
