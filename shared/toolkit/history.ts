/**
 * Reading and checking the `Pupils` and `Toolkit history` tables (historyLayout.ts), census
 * style: every problem is reported at its cell with a rule id, a plain message and the fix, and
 * only rows without errors become records, so no figure is ever drawn from a bad row. Pure:
 * "today" is passed in, never read from the clock here.
 */
import { DomainInputError } from '../errors';
import { columnLetter } from '../transition/layout';
import { type CellParser, CellProblem, cellParser, isBlank } from '../transition/normalise';
import type { CellValue } from '../transition/schema';
import { codePointName, firstNonXmlCharacter } from '../text';
import { upnCheckLetter, upnProblem } from '../upn';
import { HISTORY_TABLE, type HistoryRecord, PUPILS_TABLE, type PupilRecord, type TableColumn, type TableSeverity, toolkitTableRule, type ToolkitTableRuleId } from './historyLayout';
import { SAMPLE_TOOLKITS, threadPlace, type ToolkitDefinition, type ToolkitId } from './threads';

/** A table as read from a sheet: its header row first, then its rows. */
export interface TableInput {
  readonly sheet: string;
  readonly values: readonly (readonly unknown[])[];
  /** The header row's first cell, 1-based (A1 when absent): where the cells are reported. */
  readonly origin?: { readonly row: number; readonly column: number };
}

/** A problem at a cell, in the transition validator's shape (severity error or notice). */
export interface TableIssue {
  readonly rule: ToolkitTableRuleId;
  readonly severity: TableSeverity;
  readonly sheet: string;
  readonly row: number;
  readonly column: string;
  readonly cell: string;
  readonly field?: string;
  readonly message: string;
  readonly fix: string;
}

const headerKey = (v: unknown): string => (typeof v === 'string' ? v.trim().replace(/\s+/g, ' ').toLowerCase() : '');

interface ColumnsFound {
  /** Each layout column's position in the rows, or undefined when the table lacks it. */
  readonly at: ReadonlyMap<string, number>;
  /** Columns the school added: header and position. */
  readonly extra: readonly (readonly [string, number])[];
}

/** The layout's columns found in a header row by their header text (any order, case and spacing). */
function findColumns(header: readonly unknown[], columns: readonly TableColumn[]): ColumnsFound {
  const byHeader = new Map(columns.map((c) => [headerKey(c.header), c.key]));
  const at = new Map<string, number>();
  const extra: [string, number][] = [];
  header.forEach((h, i) => {
    const key = byHeader.get(headerKey(h));
    if (key !== undefined && !at.has(key)) at.set(key, i);
    else if (!isBlank(h as CellValue)) extra.push([String(h).trim(), i]);
  });
  return { at, extra };
}

/** True when a row is the table's header row: it names at least two of the layout's headers. */
export function isHeaderRow(row: readonly unknown[] | undefined, columns: readonly TableColumn[]): boolean {
  return row !== undefined && findColumns(row, columns).at.size >= 2;
}

/**
 * A range as a table with its header row: as given when its first row is the header row, else
 * the layout's headers are put above it (the range holds the columns in the layout's order, as a
 * table's body without its header does).
 */
export function withHeader(values: readonly (readonly unknown[])[], columns: readonly TableColumn[]): readonly (readonly unknown[])[] {
  return isHeaderRow(values[0], columns) ? values : [columns.map((c) => c.header), ...values];
}

const NO_EXTRA: Record<string, CellValue> = Object.freeze({}) as Record<string, CellValue>;

const parsers = new WeakMap<TableColumn, CellParser>();
const parserOf = (c: TableColumn): CellParser => {
  let p = parsers.get(c);
  if (!p) parsers.set(c, (p = cellParser(c.type)));
  return p;
};

const CELL_RULE: Record<CellProblem['reason'], ToolkitTableRuleId> = { required: 'GS3001', code: 'GS3002', length: 'GS3003', character: 'GS3003', number: 'GS3002', date: 'GS3004', school: 'GS3002', upn: 'GS3010' };

/** Reads a table's cells for the layout: one record of parsed values per row, and the cells' issues. */
function readTable(input: TableInput, columns: readonly TableColumn[], issues: TableIssue[]): Array<{ row: number; values: Record<string, unknown>; failed: boolean; extra: Record<string, CellValue> }> {
  const top = input.origin?.row ?? 1;
  const left = input.origin?.column ?? 1;
  const header = input.values[0] ?? [];
  const { at, extra } = findColumns(header, columns);
  const issue = (id: ToolkitTableRuleId, row: number, index: number, message: string, field?: string): void => {
    const rule = toolkitTableRule(id);
    const column = columnLetter(left + index);
    issues.push({ rule: rule.id as ToolkitTableRuleId, severity: rule.severity, sheet: input.sheet, row, column, cell: `${column}${row}`, ...(field ? { field } : {}), message, fix: rule.fix });
  };
  for (const c of columns) {
    if (c.required && !at.has(c.key)) issue('GS3005', top, Math.max(header.length, 0), `The ${input.sheet} table has no "${c.header}" column.`, c.key);
  }
  const out: Array<{ row: number; values: Record<string, unknown>; failed: boolean; extra: Record<string, CellValue> }> = [];
  const upnProblems = new Map<string, ReturnType<typeof upnProblem>>();
  for (let r = 1; r < input.values.length; r++) {
    const cells = input.values[r] ?? [];
    if (cells.every((v) => isBlank(v as CellValue))) continue;
    const row = top + r;
    const values: Record<string, unknown> = { row };
    let failed = false;
    for (const c of columns) {
      const i = at.get(c.key);
      const v = (i === undefined ? null : cells[i]) as CellValue | undefined;
      values[c.key] = null;
      if (v === undefined || isBlank(v)) {
        if (c.required && i !== undefined) {
          issue('GS3001', row, i, `${c.header} is blank.`, c.key);
          failed = true;
        }
        continue;
      }
      const bad = typeof v === 'string' ? firstNonXmlCharacter(v) : undefined;
      const p = bad !== undefined ? new CellProblem('character', `holds ${codePointName(bad)}, a character an Excel file cannot store`) : parserOf(c)(v);
      if (p instanceof CellProblem) {
        failed = true;
        const id = c.key === 'band' && p.reason === 'code' ? 'GS3020' : CELL_RULE[p.reason];
        const message = id === 'GS3020' ? `"${String(v)}" is not a band on the toolkit continuum (Pre-N.1, N.1 … Y6.2).` : `${c.header} "${String(v)}": ${p.detail}.`;
        issue(id, row, i as number, message, c.key);
        continue;
      }
      if (c.type.kind === 'upn') {
        const upn = p as string;
        // A history holds each UPN many times: each is checked once.
        let problem = upnProblems.get(upn);
        if (problem === undefined && !upnProblems.has(upn)) upnProblems.set(upn, (problem = upnProblem(upn)));
        if (problem !== undefined) {
          failed = true;
          issue('GS3010', row, i as number, problem === 'checkLetter' ? `The check letter should be ${upnCheckLetter(upn.slice(1)) ?? '?'} for the rest of this UPN.` : `"${upn}" is not a UPN: a check letter and 12 characters.`, c.key);
          continue;
        }
      }
      values[c.key] = p;
    }
    // Most tables have no added columns: their rows share one empty record rather than allocate one each.
    let extras = NO_EXTRA;
    if (extra.length > 0) {
      extras = {};
      for (const [h, i] of extra) extras[h] = (cells[i] ?? null) as CellValue;
    }
    out.push({ row, values, failed, extra: extras });
  }
  return out;
}

function issueAt(input: TableInput, columns: readonly TableColumn[], id: ToolkitTableRuleId, row: number, key: string, message: string): TableIssue {
  const index = findColumns(input.values[0] ?? [], columns).at.get(key) ?? 0;
  const column = columnLetter((input.origin?.column ?? 1) + index);
  const rule = toolkitTableRule(id);
  return { rule: rule.id as ToolkitTableRuleId, severity: rule.severity, sheet: input.sheet, row, column, cell: `${column}${row}`, field: key, message, fix: rule.fix };
}

export interface CheckedPupils {
  readonly issues: TableIssue[];
  /** The rows without errors, typed; a UPN on two rows keeps its first. */
  readonly pupils: PupilRecord[];
}

/** Checks the Pupils table at its cells. */
export function validatePupils(input: TableInput): CheckedPupils {
  const columns = PUPILS_TABLE.columns;
  const issues: TableIssue[] = [];
  const pupils: PupilRecord[] = [];
  const firstRow = new Map<string, number>();
  for (const r of readTable(input, columns, issues)) {
    const upn = r.values.upn as string | null;
    if (upn !== null) {
      const first = firstRow.get(upn);
      if (first !== undefined) {
        issues.push(issueAt(input, columns, 'GS3011', r.row, 'upn', `UPN ${upn} is also on row ${first}.`));
        continue;
      }
      firstRow.set(upn, r.row);
    }
    if (!r.failed) pupils.push({ ...(r.values as Omit<PupilRecord, 'extra'>), extra: { ...r.extra } });
  }
  return { issues, pupils };
}

export interface HistoryCheckOptions {
  /** The UPNs on the Pupils table; without it, UPNs are not checked against the list. */
  readonly pupils?: ReadonlySet<string>;
  /** Today, ISO: a later assessment date is an error. Without it, dates are not checked against today. */
  readonly today?: string;
  /** The toolkits whose threads are allowed; null takes threads as written. Default the sample toolkits. */
  readonly toolkits?: readonly ToolkitDefinition[] | null;
}

export interface CheckedHistory {
  readonly issues: TableIssue[];
  /** The rows without errors, typed, thread ids in the toolkit's spelling. */
  readonly rows: HistoryRecord[];
}

/** Checks the Toolkit history table at its cells, and against the pupil list and today when given. */
export function validateHistory(input: TableInput, options: HistoryCheckOptions = {}): CheckedHistory {
  const columns = HISTORY_TABLE.columns;
  const toolkits = options.toolkits === undefined ? SAMPLE_TOOLKITS : options.toolkits;
  const issues: TableIssue[] = [];
  const rows: HistoryRecord[] = [];
  const seen = new Map<string, Map<string, Map<string, number>>>();
  const at = (id: ToolkitTableRuleId, row: number, key: string, message: string): void => {
    issues.push(issueAt(input, columns, id, row, key, message));
  };
  for (const r of readTable(input, columns, issues)) {
    const v = r.values as { upn: string | null; toolkit: ToolkitId | null; thread: string | null; date: string | null };
    let failed = r.failed;
    if (v.toolkit !== null && v.thread !== null && toolkits !== null) {
      const place = threadPlace(v.toolkit, v.thread, toolkits);
      if (place === undefined) {
        at('GS3021', r.row, 'thread', `"${v.thread}" is not a thread of the ${v.toolkit} toolkit.`);
        failed = true;
      } else r.values.thread = place.thread.id;
    }
    if (v.date !== null && options.today !== undefined && v.date > options.today) {
      at('GS3022', r.row, 'date', `${ukDate(v.date)} is after today (${ukDate(options.today)}).`);
      failed = true;
    }
    if (v.upn !== null && options.pupils !== undefined && !options.pupils.has(v.upn)) {
      at('GS3024', r.row, 'upn', `UPN ${v.upn} is not on the Pupils table.`);
      failed = true;
    }
    if (v.upn !== null && v.toolkit !== null && v.thread !== null && v.date !== null) {
      // Nested by pupil, then thread, then date: a few thousand small maps rather than one key string per row.
      let threads = seen.get(v.upn);
      if (!threads) seen.set(v.upn, (threads = new Map()));
      const thread = `${v.toolkit}|${String(r.values.thread).toUpperCase()}`;
      let days = threads.get(thread);
      if (!days) threads.set(thread, (days = new Map()));
      const first = days.get(v.date);
      if (first !== undefined) {
        at('GS3023', r.row, 'date', `${v.toolkit} ${String(r.values.thread)} on ${ukDate(v.date)} for this pupil is also on row ${first}.`);
        failed = true;
      } else days.set(v.date, r.row);
    }
    if (!failed) rows.push(r.values as HistoryRecord);
  }
  // A notice, not an error: the rows are sound, there is just nothing to compare them with yet.
  const dates = new Map<string, Map<ToolkitId, { row: number; dates: Set<string> }>>();
  for (const h of rows) {
    let toolkits = dates.get(h.upn);
    if (!toolkits) dates.set(h.upn, (toolkits = new Map()));
    const d = toolkits.get(h.toolkit);
    if (d) d.dates.add(h.date);
    else toolkits.set(h.toolkit, { row: h.row, dates: new Set([h.date]) });
  }
  for (const toolkits of dates.values()) {
    for (const [toolkit, d] of toolkits) {
      if (d.dates.size === 1) at('GS3050N', d.row, 'date', `This pupil's only ${toolkit} assessment is on ${ukDate([...d.dates][0] ?? '')}: no rate until the next, at least 3 months later.`);
    }
  }
  return { issues, rows };
}

const ukDate = (iso: string): string => `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}`;

/**
 * The first error of a check as one `DomainInputError`, for the custom functions: a figure drawn
 * from a history with a bad row would be wrong, so the function shows the problem instead.
 */
export function refuseOnErrors(issues: readonly TableIssue[], what: string): void {
  const errors = issues.filter((i) => i.severity === 'error');
  const first = errors[0];
  if (first === undefined) return;
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more problem${errors.length === 2 ? '' : 's'})` : '';
  const header = [...HISTORY_TABLE.columns, ...PUPILS_TABLE.columns].find((c) => c.key === first.field)?.header;
  throw new DomainInputError('invalidValue', `${what}, row ${first.row - 1}${header ? ` (${header})` : ''}: ${first.message}${more}`);
}
