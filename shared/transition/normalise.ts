/**
 * Cell parsing for the transition layout: each cell (as read from a sheet or sent as JSON) is
 * read once, for its column's type, into the value a PupilRow holds, or a reason it cannot be
 * one. The validator turns reasons into issues, and a row without errors is already a PupilRow.
 *
 * Everything here is a function of a columns table (TRANSITION_COLUMNS by default): the parsers
 * are compiled once per table, with their code lookups built in advance, because validation
 * reads every cell of a city's returns.
 */
import { type Code, isLaestab, isUrn, laestabInText } from '../codes';
import { type ColumnType, TRANSITION_COLUMNS, type TransitionColumn } from './layout';
import type { CellValue, RowValues } from './schema';
import { CELL_MAX_CHARS, codePointName, firstNonXmlCharacter } from '../text';

/** A cell's value in a PupilRow: text, a number, a list of codes, or a code with its text under the column's field names. */
export type ParsedValue = string | number | string[] | { readonly [field: string]: string | null } | null;

export type ProblemReason = 'required' | 'code' | 'length' | 'character' | 'number' | 'date' | 'upn' | 'school';

/** Why a cell cannot be read for its column. */
export class CellProblem {
  constructor(
    readonly reason: ProblemReason,
    readonly detail: string,
  ) {}
}

/** True for a blank cell: nothing, or only whitespace. */
export function isBlank(v: CellValue | undefined): boolean {
  if (v === null || v === undefined) return true;
  if (typeof v !== 'string') return false;
  if (v.length === 0) return true;
  // Most cells start with a printable ASCII character: not blank, and no trim needed to tell.
  const first = v.charCodeAt(0);
  return !(first > 32 && first < 127) && v.trim() === '';
}

const asText = (v: CellValue): string => (typeof v === 'string' ? v.trim() : typeof v === 'boolean' ? (v ? 'TRUE' : 'FALSE') : String(v));

const NUMBER_TEXT = /^\s*([+-]?\d+(?:\.\d+)?)\s*%?\s*$/;

/** A number from a cell: numbers as they are, and text such as "96.5" or "96.5%". */
export function parseNumber(v: CellValue): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v !== 'string') return undefined;
  const m = NUMBER_TEXT.exec(v);
  return m ? Number(m[1]) : undefined;
}

const EXCEL_EPOCH = Date.UTC(1899, 11, 30);
const ISO_DATE_TEXT = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:T00:00:00(?:\.000)?Z?)?$/;
const UK_DATE_TEXT = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/;
const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

const isLeap = (y: number): boolean => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

/** y-m-d as ISO, or undefined for an impossible date (31/02, 29/02 outside a leap year). */
function isoOf(y: number, m: number, d: number): string | undefined {
  if (y < 1000 || m < 1 || m > 12 || d < 1) return undefined;
  if (d > (m === 2 && !isLeap(y) ? 28 : (DAYS_IN_MONTH[m - 1] as number))) return undefined;
  return `${y}-${pad2(m)}-${pad2(d)}`;
}

/** The value of two ASCII digits at s[i], s[i+1], or -1. */
function twoDigits(s: string, i: number): number {
  const a = s.charCodeAt(i) - 48;
  const b = s.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/**
 * An ISO date from a cell: `YYYY-MM-DD`, UK `dd/mm/yyyy` (or with dashes or dots), or an
 * Excel date serial left unformatted. Impossible dates (31/02) are refused.
 */
export function parseDate(v: CellValue): string | undefined {
  if (typeof v === 'number') {
    // Excel serials for 1990–2100: a date cell that lost its number format.
    if (!Number.isInteger(v) || v < 32874 || v > 73051) return undefined;
    return new Date(EXCEL_EPOCH + v * 86_400_000).toISOString().slice(0, 10);
  }
  if (typeof v !== 'string') return undefined;
  const s = v.trim();
  // The common case, an ISO date as the reader and the API send it, without a regex.
  if (s.length === 10 && s.charCodeAt(4) === 45 && s.charCodeAt(7) === 45) {
    const hi = twoDigits(s, 0);
    const lo = twoDigits(s, 2);
    const m = twoDigits(s, 5);
    const d = twoDigits(s, 8);
    if (hi >= 0 && lo >= 0 && m >= 0 && d >= 0) return isoOf(hi * 100 + lo, m, d);
  }
  let match = ISO_DATE_TEXT.exec(s);
  if (match) return isoOf(Number(match[1]), Number(match[2]), Number(match[3]));
  match = UK_DATE_TEXT.exec(s);
  return match ? isoOf(Number(match[3]), Number(match[2]), Number(match[1])) : undefined;
}

/** A code list's codes by their own and their upper-case spelling, for case-blind lookups that rarely need to upper-case. */
function codeIndex(list: readonly Code[]): Map<string, string> {
  return new Map(list.flatMap((c) => [[c.code.toUpperCase(), c.code], [c.code, c.code]] as const));
}

const lookup = (index: Map<string, string>, text: string): string | undefined => index.get(text) ?? index.get(text.toUpperCase());

const longestFirst = (list: readonly Code[]): Code[] => [...list].sort((a, b) => b.code.length - a.code.length);

/** True for the characters that may sit between a code and its text: ":", "-", "–", "—", ",", ";". */
const isCodeTextSeparator = (ch: number): boolean => ch === 58 || ch === 45 || ch === 0x2013 || ch === 0x2014 || ch === 44 || ch === 59;
const isSpace = (ch: number): boolean => ch === 32 || (ch >= 9 && ch <= 13) || ch === 160 || ch === 0xfeff || (ch >= 0x2000 && ch <= 0x200a) || ch === 0x2028 || ch === 0x2029 || ch === 0x202f || ch === 0x205f || ch === 0x3000 || ch === 0x1680;

/**
 * "Y: Oak Base", "Y - Oak Base", "Targeted, SENCo on 0121…" or just "Y" (trimmed): the code first,
 * then optional free text. Longer codes are tried first so "Y-A" is not read as "Y". Gives the
 * code and its text (null when none), or undefined.
 */
function codeWithTextParser(list: readonly Code[]): (s: string) => readonly [string, string | null] | undefined {
  const sorted = longestFirst(list).map((c) => ({ code: c.code, upper: c.code.toUpperCase() }));
  return (s) => {
    for (const { code, upper } of sorted) {
      const n = code.length;
      if (s.length < n || (!s.startsWith(code) && s.slice(0, n).toUpperCase() !== upper)) continue;
      let i = n;
      while (i < s.length && isSpace(s.charCodeAt(i))) i++;
      if (i === s.length) return [code, null];
      if (!isCodeTextSeparator(s.charCodeAt(i))) continue;
      i++;
      while (i < s.length && isSpace(s.charCodeAt(i))) i++;
      return [code, i === s.length ? null : s.slice(i)];
    }
    return undefined;
  };
}

const CODES_SEPARATOR = /[,;/]+/;

/** Splits a multi-code cell ("SaLT, EPS; OT") into canonical codes, and the parts that are none. */
function codesParser(index: Map<string, string>): (raw: string) => { codes: string[]; unknown: string[] } {
  return (raw) => {
    const out: string[] = [];
    const unknown: string[] = [];
    for (const part of raw.split(CODES_SEPARATOR)) {
      const p = part.trim();
      if (p === '') continue;
      const c = lookup(index, p);
      if (c === undefined) unknown.push(p);
      else if (!out.includes(c)) out.push(c);
    }
    return { codes: out, unknown };
  };
}

const codeList = (list: readonly Code[]): string => {
  const names = list.map((c) => c.code);
  return names.length > 12 ? `${names.slice(0, 12).join(', ')} …` : names.join(', ');
};

/** Reads one non-blank cell for its column. */
export type CellParser = (v: CellValue) => ParsedValue | CellProblem;

const WHITESPACE = /\s+/g;

/** The parser for a column type, with its code lookups built once. */
export function cellParser(t: ColumnType): CellParser {
  switch (t.kind) {
    case 'text':
      return (v) => {
        const text = asText(v);
        return text.length > t.maxLength ? new CellProblem('length', `${text.length} characters; the limit is ${t.maxLength}`) : text;
      };
    case 'date':
      return (v) => parseDate(v) ?? new CellProblem('date', 'not a date');
    case 'number': {
      const range = t.max === undefined ? `must be ${t.min} or more` : `must be between ${t.min} and ${t.max}`;
      return (v) => {
        const n = parseNumber(v);
        if (n === undefined) return new CellProblem('number', 'not a number');
        if (n < t.min || (t.max !== undefined && n > t.max)) return new CellProblem('number', range);
        if (t.integer && !Number.isInteger(n)) return new CellProblem('number', 'must be a whole number');
        return n;
      };
    }
    case 'code': {
      const index = codeIndex(t.codes);
      return (v) => lookup(index, asText(v)) ?? new CellProblem('code', `not one of ${codeList(t.codes)}`);
    }
    case 'codes': {
      const parse = codesParser(codeIndex(t.codes));
      return (v) => {
        const { codes, unknown } = parse(asText(v));
        return unknown.length === 0
          ? codes
          : new CellProblem('code', `${unknown.length === 1 ? 'one value is' : `${unknown.length} values are`} not on the list (${codeList(t.codes)})`);
      };
    }
    case 'codeWithText': {
      const parse = codeWithTextParser(t.codes);
      const [codeField, textField] = t.fields;
      // Every value of the column shares one shape, copied from this.
      const shape = JSON.parse(JSON.stringify({ [codeField]: null, [textField]: null })) as Record<string, string | null>;
      return (v) => {
        const p = parse(asText(v));
        if (!p) return new CellProblem('code', `must start with one of ${codeList(t.codes)}`);
        const text = p[1];
        if (text !== null && text.length > t.maxLength) return new CellProblem('length', `the text is ${text.length} characters; the limit is ${t.maxLength}`);
        const out = { ...shape };
        out[codeField] = p[0];
        out[textField] = text;
        return out;
      };
    }
    case 'scoreOrCode': {
      const index = codeIndex(t.codes);
      return (v) => {
        const n = parseNumber(v);
        if (n !== undefined) {
          return !Number.isInteger(n) || n < t.min || n > t.max ? new CellProblem('number', `must be a whole-number scaled score from ${t.min} to ${t.max}`) : n;
        }
        return lookup(index, asText(v)) ?? new CellProblem('code', `must be a score ${t.min}–${t.max} or one of ${codeList(t.codes)}`);
      };
    }
    case 'upn':
      return (v) => asText(v).toUpperCase().replace(WHITESPACE, '');
    case 'school':
      return (v) => {
        const s = asText(v);
        return (isLaestab(s) || isUrn(s) ? s : laestabInText(s)) ?? new CellProblem('school', 'needs a 7-digit LAESTAB or a 6-digit URN');
      };
  }
}

interface CompiledColumn {
  readonly column: TransitionColumn;
  readonly key: string;
  /** Position in the table. */
  readonly index: number;
  /** A blankable column's bit in a row's mask of filled cells (0: checked by key instead). */
  readonly bit: number;
  readonly required: boolean;
  /** A multi-code column reads blank as an empty list; every other column as null. */
  readonly list: boolean;
  readonly parse: CellParser;
}

interface CompiledTable {
  readonly columns: readonly CompiledColumn[];
  /** A row with every member present: each parsed row starts as a copy, so all rows share one shape. */
  readonly blankRow: Readonly<Record<string, unknown>>;
  readonly byKey: ReadonlyMap<string, CompiledColumn>;
  /** Columns a blank cell means something for: required ones, and multi-code lists (blank is []). */
  readonly blankable: readonly CompiledColumn[];
}

const compiled = new WeakMap<readonly TransitionColumn[], CompiledTable>();

function compile(columns: readonly TransitionColumn[]): CompiledTable {
  let table = compiled.get(columns);
  if (!table) {
    const members: Record<string, unknown> = { sheet: '', row: 0, receivingSecondary: '' };
    for (const c of columns) members[c.key] = null;
    // Built by JSON.parse on purpose: an object given this many members one key at a time is
    // left in V8's slow dictionary mode, and so would every row copied from it.
    const blankRow = JSON.parse(JSON.stringify(members)) as Record<string, unknown>;
    let bits = 0;
    const compiledColumns = columns.map((column, index) => {
      const required = column.requirement === 'required';
      const list = column.type.kind === 'codes';
      const bit = (required || list) && bits < 31 ? 1 << bits++ : 0;
      return { column, key: column.key, index, bit, required, list, parse: cellParser(column.type) };
    });
    table = {
      columns: compiledColumns,
      blankRow,
      byKey: new Map(compiledColumns.map((c) => [c.key, c])),
      blankable: compiledColumns.filter((c) => c.required || c.list),
    };
    compiled.set(columns, table);
  }
  return table;
}

export interface CellFailure {
  readonly column: TransitionColumn;
  readonly problem: CellProblem;
}

/** Where a row sits: the members of a PupilRow that are not columns. */
export interface RowPlace {
  readonly sheet: string;
  readonly row: number;
  readonly receivingSecondary: string;
}

export interface RowParse {
  /** The row as a PupilRow: its place, then one member per column; a cell that failed reads as null. */
  readonly values: Record<string, unknown>;
  /** Cells that were not blank. */
  readonly filled: number;
  /** Cells that could not be read for their column (none: undefined). */
  readonly failures: CellFailure[] | undefined;
  /** Required columns left blank (none: undefined). */
  readonly missing: TransitionColumn[] | undefined;
}

/**
 * Text no column may hold, whatever its type: more than an Excel cell holds, or a character XML
 * 1.0 cannot (one such character makes the secondary's whole .xlsx unreadable: issue 32).
 */
function unstorable(v: string): CellProblem | undefined {
  if (v.length > CELL_MAX_CHARS) return new CellProblem('length', `${v.length.toLocaleString('en-GB')} characters; an Excel cell holds at most ${CELL_MAX_CHARS.toLocaleString('en-GB')}`);
  const bad = firstNonXmlCharacter(v);
  return bad === undefined ? undefined : new CellProblem('character', `holds ${codePointName(bad)}, a character an Excel file cannot store`);
}

/** Reads every cell of a row once, for its column: a row without failures or missing cells is a complete PupilRow. */
export function parseRow(place: RowPlace, cells: RowValues, columns: readonly TransitionColumn[] = TRANSITION_COLUMNS): RowParse {
  const table = compile(columns);
  const input = cells as Record<string, CellValue | undefined>;
  const values: Record<string, unknown> = { ...table.blankRow };
  values.sheet = place.sheet;
  values.row = place.row;
  values.receivingSecondary = place.receivingSecondary;
  let filled = 0;
  let mask = 0;
  let failures: CellFailure[] | undefined;
  const ordered = table.columns;
  let next = 0;
  // The row's own keys are walked (V8 reads them through its enumeration cache, far cheaper
  // than looking each column's key up), expected in table order; cells the row lacks stay blank.
  for (const key in input) {
    let c = ordered[next];
    if (c === undefined || c.key !== key) c = table.byKey.get(key);
    if (c === undefined) continue;
    next = c.index + 1;
    const v = input[key];
    if (v === undefined || v === null || isBlank(v)) continue;
    filled++;
    mask |= c.bit;
    const p = (typeof v === 'string' ? unstorable(v) : undefined) ?? c.parse(v);
    if (p instanceof CellProblem) (failures ??= []).push({ column: c.column, problem: p });
    else values[key] = p;
  }
  let missing: TransitionColumn[] | undefined;
  for (const c of table.blankable) {
    if (c.bit !== 0 ? (mask & c.bit) !== 0 : values[c.key] !== null || failures?.some((f) => f.column === c.column)) continue;
    if (c.list) values[c.key] = [];
    if (c.required) (missing ??= []).push(c.column);
  }
  return { values, filled, failures, missing };
}

/** A PupilRow's cell back as sheet text, e.g. for exports: "Y: Oak Base", "PSS, EPS", a number. */
export function cellText(row: object, column: TransitionColumn): string | number | null {
  const v = (row as Record<string, unknown>)[column.key];
  if (v === null || v === undefined) return null;
  const t = column.type;
  if (t.kind === 'codes') return Array.isArray(v) && v.length > 0 ? v.join(', ') : null;
  if (t.kind === 'codeWithText') {
    const o = v as Record<string, string | null>;
    const code = o[t.fields[0]] ?? null;
    const text = o[t.fields[1]] ?? null;
    return text ? `${code ?? ''}: ${text}` : code;
  }
  return typeof v === 'number' || typeof v === 'string' ? v : String(v);
}
