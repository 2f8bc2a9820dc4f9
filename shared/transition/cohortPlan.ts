/**
 * A secondary's incoming Year 7 sheet, planned as plain data: the transition layout (A–AM)
 * with the source primary in column P (unassigned on a primary's sheet), rows sorted by
 * support level then surname, a summary above, the secondary's own columns right of AM kept
 * with their pupil by UPN on refresh, and pupils who have left the cohort listed below.
 */
import { AREAS_OF_NEED, type AreaOfNeed, SUPPORT_LEVEL, areaOfNeed } from '../codes';
import { SHEET_LAYOUT, TRANSITION_COLUMNS, columnNumber, LAST_COLUMN } from './layout';
import { cellText } from './normalise';
import type { PupilRow } from './schema';
import { type Grid, type GridCell, gridCell } from './grid';

/** Column P holds the source primary on the cohort sheet. */
export const SOURCE_COLUMN = 'P';
export const SOURCE_HEADER = 'Source primary';
export const LAST_LAYOUT_COLUMN = columnNumber(LAST_COLUMN);
/** The heading of the block that lists pupils no longer in the cohort. */
export const LEFT_HEADING = 'No longer in the incoming cohort (kept for your records; delete when no longer needed)';

/** (design) Specialist first: the pupils a secondary SENCo plans for first. */
export const SUPPORT_ORDER = ['Specialist', 'Targeted', 'Universal'] as const;

export type CohortPupil = PupilRow & { sourceSchool: string };

export interface CohortSummary {
  pupils: number;
  feeders: number;
  bySupport: Array<{ level: string; pupils: number }>;
  byArea: Array<{ area: AreaOfNeed; pupils: number }>;
}

/** Sorted by support level (Specialist first), then surname, then forename. */
export function sortCohort<T extends Pick<PupilRow, 'supportLevel' | 'surname' | 'forename'>>(pupils: readonly T[]): T[] {
  const rank = (l: string): number => {
    const i = (SUPPORT_ORDER as readonly string[]).indexOf(l);
    return i < 0 ? SUPPORT_ORDER.length : i;
  };
  return [...pupils].sort((a, b) => rank(a.supportLevel) - rank(b.supportLevel) || a.surname.localeCompare(b.surname, 'en-GB') || a.forename.localeCompare(b.forename, 'en-GB'));
}

/** Counts by support level and by broad area of (primary) need; pupils without SEN count as None. */
export function cohortSummary(pupils: readonly CohortPupil[]): CohortSummary {
  const bySupport = SUPPORT_LEVEL.map((l) => l.code)
    .sort((a, b) => (SUPPORT_ORDER as readonly string[]).indexOf(a) - (SUPPORT_ORDER as readonly string[]).indexOf(b))
    .map((level) => ({ level, pupils: pupils.filter((p) => p.supportLevel === level).length }));
  const byArea = AREAS_OF_NEED.map((area) => ({ area, pupils: pupils.filter((p) => (p.primaryNeed ? (areaOfNeed(p.primaryNeed) ?? 'None') : 'None') === area).length }));
  return { pupils: pupils.length, feeders: new Set(pupils.map((p) => p.sourceSchool)).size, bySupport, byArea };
}

export interface ExistingCohortSheet {
  /** Header texts of the secondary's own columns (right of AM), by column number. */
  extraHeaders: Map<number, GridCell>;
  /** Their cells, by UPN: column number → value or formula. */
  extrasByUpn: Map<string, Map<number, GridCell>>;
  /** Pupils on the sheet now (active rows and the left block), by UPN: the layout's cells. */
  rowsByUpn: Map<string, GridCell[]>;
  lastColumn: number;
  lastRow: number;
}

const text = (v: GridCell): string => (v === null || v === undefined ? '' : String(v).trim());

/** What a cohort sheet holds now, read from its used range (formulas, so the secondary's formulas survive). */
export function readCohortSheet(grid: Grid): ExistingCohortSheet {
  const upnColumn = columnNumber('F');
  const lastColumn = grid.firstColumn + Math.max(0, ...grid.values.map((r) => r.length)) - 1;
  const lastRow = grid.firstRow + grid.values.length - 1;
  const extraHeaders = new Map<number, GridCell>();
  for (let c = LAST_LAYOUT_COLUMN + 1; c <= lastColumn; c++) {
    const h = gridCell(grid, SHEET_LAYOUT.headerRow, c);
    if (text(h) !== '') extraHeaders.set(c, h);
  }
  const extrasByUpn = new Map<string, Map<number, GridCell>>();
  const rowsByUpn = new Map<string, GridCell[]>();
  for (let r = SHEET_LAYOUT.firstDataRow; r <= lastRow; r++) {
    const upn = text(gridCell(grid, r, upnColumn)).toUpperCase();
    if (!/^[A-Z0-9]{13}$/.test(upn)) continue;
    rowsByUpn.set(upn, Array.from({ length: LAST_LAYOUT_COLUMN }, (_, i) => gridCell(grid, r, i + 1) ?? ''));
    const extras = new Map<number, GridCell>();
    for (let c = LAST_LAYOUT_COLUMN + 1; c <= lastColumn; c++) {
      const v = gridCell(grid, r, c);
      if (text(v) !== '') extras.set(c, v);
    }
    if (extras.size > 0) extrasByUpn.set(upn, extras);
  }
  return { extraHeaders, extrasByUpn, rowsByUpn, lastColumn, lastRow };
}

export interface CohortSheetPlan {
  /** Rows from `SHEET_LAYOUT.firstDataRow`, each `width` cells wide (layout, then extra columns). */
  rows: GridCell[][];
  width: number;
  /** Row (1-based) of the left-the-cohort heading, when any pupil has left. */
  leftHeadingRow: number | undefined;
  added: string[];
  left: Array<{ upn: string; surname: string; forename: string }>;
  keptExtraCells: number;
  /** Rows the previous sheet used below the header that the plan no longer fills: cleared. */
  clearTo: number;
}

/**
 * The data block of a refreshed cohort sheet. `sourceName` names a primary for column P.
 * Pupils are matched by UPN: their extra cells follow them; those no longer in the cohort move
 * to a block below, with every cell they had.
 */
export function planCohortSheet(pupils: readonly CohortPupil[], existing: ExistingCohortSheet | undefined, sourceName: (laestab: string) => string): CohortSheetPlan {
  const width = Math.max(LAST_LAYOUT_COLUMN, existing?.lastColumn ?? 0);
  const sourceColumn = columnNumber(SOURCE_COLUMN);
  const sorted = sortCohort(pupils);
  const upns = new Set(sorted.map((p) => p.upn.toUpperCase()));
  let kept = 0;
  const rows: GridCell[][] = sorted.map((p) => {
    const line: GridCell[] = Array.from({ length: width }, () => '');
    for (const c of TRANSITION_COLUMNS) line[columnNumber(c.letter) - 1] = cellText(p, c) ?? '';
    line[sourceColumn - 1] = sourceName(p.sourceSchool);
    const extras = existing?.extrasByUpn.get(p.upn.toUpperCase());
    for (const [c, v] of extras ?? []) {
      line[c - 1] = v ?? '';
      kept++;
    }
    return line;
  });
  const added = sorted.filter((p) => existing !== undefined && !existing.rowsByUpn.has(p.upn.toUpperCase())).map((p) => p.upn);
  const left: CohortSheetPlan['left'] = [];
  const leftRows: GridCell[][] = [];
  for (const [upn, cells] of existing?.rowsByUpn ?? []) {
    if (upns.has(upn)) continue;
    left.push({ upn, surname: text(cells[0]), forename: text(cells[1]) });
    const line: GridCell[] = Array.from({ length: width }, (_, i) => (i < LAST_LAYOUT_COLUMN ? (cells[i] ?? '') : ''));
    for (const [c, v] of existing?.extrasByUpn.get(upn) ?? []) {
      line[c - 1] = v ?? '';
      kept++;
    }
    leftRows.push(line);
  }
  let leftHeadingRow: number | undefined;
  if (leftRows.length > 0) {
    rows.push(Array.from({ length: width }, () => ''));
    leftHeadingRow = SHEET_LAYOUT.firstDataRow + rows.length;
    rows.push(Array.from({ length: width }, (_, i) => (i === 0 ? LEFT_HEADING : '')));
    rows.push(...leftRows);
  }
  const lastPlanned = SHEET_LAYOUT.firstDataRow + rows.length - 1;
  return { rows, width, leftHeadingRow, added, left, keptExtraCells: kept, clearTo: Math.max(lastPlanned, existing?.lastRow ?? 0) };
}
