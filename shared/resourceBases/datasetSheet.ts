/**
 * The resource base dataset as the LA edits it in Excel: the academic year and source above a
 * table of one row per locality area and designated need. The need codes and groups are not on
 * the sheet; they come with the dataset that was loaded and are sent back unchanged, so the
 * schema's "need must be a known code" rule is what an edited need is checked against.
 */
import type { GridCell } from '../transition/grid';
import { unescapeCell } from '../workbook/escape';
import { RESOURCE_BASE_BOUNDS, type ResourceBaseDataset, type ResourceBaseRow, resourceBaseDatasetSchema } from './dataset';

/** Where things are on the sheet (1-based rows). */
export const DATASET_SHEET = {
  sheetName: 'Resource bases',
  tableName: 'GoodStartResourceBases',
  yearCell: 'B3',
  sourceCell: 'B4',
  headerRow: 6,
  firstDataRow: 7,
} as const;

/** The table's columns, in order: the header the LA sees and the row field it holds. */
export const DATASET_COLUMNS = [
  { letter: 'A', header: 'Locality area', field: 'area' },
  { letter: 'B', header: 'Designated need', field: 'need' },
  { letter: 'C', header: 'Commissioned places', field: 'places' },
  { letter: 'D', header: 'Approximate annual cost (£)', field: 'cost' },
  { letter: 'E', header: 'Phase (blank if not split)', field: 'phase' },
] as const satisfies ReadonlyArray<{ letter: string; header: string; field: keyof ResourceBaseRow }>;

export const DATASET_LAST_COLUMN = 'E';

/** A problem in the edited dataset, at the cell the LA should change. */
export interface DatasetProblem {
  /** e.g. "C9"; absent when the problem is not about one cell. */
  cell?: string;
  /** e.g. "Commissioned places"; absent for the year and source. */
  column?: string;
  /** The table's row, 1-based, when the problem is in a row. */
  row?: number;
  message: string;
}

/** The table's body for a dataset, in DATASET_COLUMNS order (a blank phase is an empty cell). */
export function datasetTableRows(dataset: ResourceBaseDataset): (string | number)[][] {
  return dataset.rows.map((r) => DATASET_COLUMNS.map((c) => r[c.field] ?? ''));
}

const blank = (v: GridCell): boolean => v === null || v === undefined || (typeof v === 'string' && v.trim() === '');
/** Text as typed: our formula-injection escape (shared/workbook/escape) is taken off. */
const text = (v: GridCell): string => (blank(v) ? '' : unescapeCell(String(v).trim()));

/** A number cell as the schema should see it: numbers stay, numeric text is read, anything else is kept to be refused. */
function numberOf(v: GridCell): unknown {
  if (typeof v === 'number') return v;
  const t = text(v).replace(/[£,\s]/g, '');
  return t !== '' && Number.isFinite(Number(t)) ? Number(t) : text(v);
}

/**
 * Reads the sheet back into a dataset and checks it with the shared schema. `body` is the
 * table's data rows (from DATASET_SHEET.firstDataRow down, columns A–E); wholly blank rows are
 * skipped. Every schema issue is placed at its cell.
 */
export function datasetFromSheet(
  base: ResourceBaseDataset,
  cells: { year: GridCell; source: GridCell; body: readonly (readonly GridCell[])[] },
): { dataset: ResourceBaseDataset; problems: [] } | { dataset: undefined; problems: DatasetProblem[] } {
  const sheetRows: number[] = [];
  const rows: Record<string, unknown>[] = [];
  cells.body.forEach((r, i) => {
    if (r.every(blank)) return;
    sheetRows.push(DATASET_SHEET.firstDataRow + i);
    const phase = text(r[4]);
    rows.push({ area: text(r[0]), need: text(r[1]), places: numberOf(r[2]), cost: numberOf(r[3]), ...(phase ? { phase } : {}) });
  });
  const { publishedAt: _published, ...kept } = base;
  const candidate = { ...kept, academicYear: text(cells.year), source: text(cells.source), rows };
  const parsed = resourceBaseDatasetSchema.safeParse(candidate);
  if (parsed.success) return { dataset: parsed.data, problems: [] };
  // zod runs the schema's need-code refinement only once the shapes pass, so the unknown needs are added here too.
  const needIssues = rows.flatMap((r, i) => (typeof r['need'] === 'string' && r['need'] !== '' && !(r['need'] in base.needCodes) ? [{ path: ['rows', i, 'need'], message: 'unknown need' }] : []));
  const all = [...parsed.error.issues, ...needIssues].map((issue): DatasetProblem => {
    const [top, index, field] = issue.path;
    if (top === 'academicYear') return { cell: DATASET_SHEET.yearCell, message: `Academic year: ${issue.message}. Type it as e.g. 2026-27.` };
    if (top === 'source') return { cell: DATASET_SHEET.sourceCell, message: 'Source: say where the figures come from.' };
    if (top === 'rows' && typeof index === 'number') {
      const sheetRow = sheetRows[index] ?? DATASET_SHEET.firstDataRow;
      const column = DATASET_COLUMNS.find((c) => c.field === field);
      if (!column) return { row: sheetRow, message: `Row ${sheetRow}: ${issue.message}.` };
      return { cell: `${column.letter}${sheetRow}`, column: column.header, row: sheetRow, message: `${column.header}: ${fixFor(column.field, issue.message, base, 'code' in issue && issue.code === 'custom')}` };
    }
    if (top === 'rows') return { message: 'The table has no rows: a dataset needs at least one resource base.' };
    return { message: issue.message };
  });
  // One problem per cell (the first found), in the order the issues came.
  const seen = new Set<string>();
  const problems = all.filter((p) => {
    const key = p.cell ?? p.message;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return { dataset: undefined, problems };
}

/** What to type instead; `custom` marks a rule of the schema's own (a cost over its bound for the places), whose message says what is wrong. */
function fixFor(field: keyof ResourceBaseRow, message: string, base: ResourceBaseDataset, custom = false): string {
  switch (field) {
    case 'area':
      return 'choose East, North, South or West.';
    case 'need':
      return `use one of the dataset's need codes: ${Object.keys(base.needCodes).join(', ')}.`;
    case 'places':
      return `type a whole number of places, from 0 to ${RESOURCE_BASE_BOUNDS.maxPlaces.toLocaleString('en-GB')}.`;
    case 'cost':
      return `${custom ? `${message}; ` : ''}type the annual cost in pounds, without text: 0 or more, and at most £${RESOURCE_BASE_BOUNDS.maxCostPerPlace.toLocaleString('en-GB')} for each place.`;
    case 'phase':
      return 'leave it blank, or type Primary or Secondary.';
    default:
      return message;
  }
}
