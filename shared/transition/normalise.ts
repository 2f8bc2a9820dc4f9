/**
 * Cell parsing for the transition layout: one function turns any cell (as read from a
 * sheet or sent as JSON) into a typed value or a reason it cannot be one. The validator
 * turns reasons into issues; `normaliseRow` turns a row without errors into a PupilRow.
 */
import { canonicalCode, type Code, isLaestab, isUrn } from '../codes';
import { laestabInText } from '../schools';
import { type ColumnKey, type ColumnType, SHEET_LAYOUT, TRANSITION_COLUMNS, type TransitionColumn } from './layout';
import type { CellValue, PupilRow, RowInput, RowValues, TransitionReturn, ValidationReport } from './schema';

export type Parsed =
  | { ok: true; value: ParsedValue }
  | { ok: false; reason: 'required' | 'code' | 'length' | 'number' | 'date' | 'upn' | 'school'; detail: string };

export type ParsedValue = string | number | string[] | { code: string; text: string | null } | null;

export const isBlank = (v: CellValue | undefined): boolean =>
  v === null || v === undefined || (typeof v === 'string' && v.trim() === '');

const asText = (v: CellValue): string => (typeof v === 'boolean' ? (v ? 'TRUE' : 'FALSE') : String(v)).trim();

/** A number from a cell: numbers as they are, and text such as "96.5" or "96.5%". */
export function parseNumber(v: CellValue): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v !== 'string') return undefined;
  const m = /^\s*([+-]?\d+(?:\.\d+)?)\s*%?\s*$/.exec(v);
  return m ? Number(m[1]) : undefined;
}

const EXCEL_EPOCH = Date.UTC(1899, 11, 30);

/**
 * An ISO date from a cell: `YYYY-MM-DD`, UK `dd/mm/yyyy` (or with dashes or dots), or an
 * Excel date serial left unformatted. Impossible dates (31/02) are refused.
 */
export function parseDate(v: CellValue): string | undefined {
  let y: number;
  let m: number;
  let d: number;
  if (typeof v === 'number') {
    // Excel serials for 1990–2100: a date cell that lost its number format.
    if (!Number.isInteger(v) || v < 32874 || v > 73051) return undefined;
    const dt = new Date(EXCEL_EPOCH + v * 86_400_000);
    return dt.toISOString().slice(0, 10);
  }
  if (typeof v !== 'string') return undefined;
  const s = v.trim();
  let match = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:T00:00:00(?:\.000)?Z?)?$/.exec(s);
  if (match) [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  else {
    match = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(s);
    if (!match) return undefined;
    [d, m, y] = [Number(match[1]), Number(match[2]), Number(match[3])];
  }
  const dt = new Date(Date.UTC(y, m - 1, d));
  if (dt.getUTCFullYear() !== y || dt.getUTCMonth() !== m - 1 || dt.getUTCDate() !== d) return undefined;
  return dt.toISOString().slice(0, 10);
}

/**
 * "Y: Oak Base", "Y - Oak Base", "Targeted, SENCo on 0121…" or just "Y": the code first,
 * then optional free text. Longer codes are tried first so "Y-A" is not read as "Y".
 */
export function parseCodeWithText(list: readonly Code[], raw: string): { code: string; text: string | null } | undefined {
  const s = raw.trim();
  const sorted = [...list].sort((a, b) => b.code.length - a.code.length);
  for (const c of sorted) {
    if (s.length < c.code.length || s.slice(0, c.code.length).toUpperCase() !== c.code.toUpperCase()) continue;
    const rest = s.slice(c.code.length);
    if (rest.trim() === '') return { code: c.code, text: null };
    const m = /^\s*[:\-–—,;]\s*([\s\S]*)$/.exec(rest);
    if (m) return { code: c.code, text: m[1]?.trim() ? (m[1] as string).trim() : null };
  }
  return undefined;
}

/** Splits a multi-code cell ("SaLT, EPS; OT") into canonical codes. */
export function parseCodes(list: readonly Code[], raw: string): { codes: string[]; unknown: string[] } {
  const parts = raw.split(/[,;/]+/).map((p) => p.trim()).filter((p) => p !== '');
  const out: string[] = [];
  const unknown: string[] = [];
  for (const p of parts) {
    const c = canonicalCode(list, p);
    if (c === undefined) unknown.push(p);
    else if (!out.includes(c)) out.push(c);
  }
  return { codes: out, unknown };
}

const codeList = (list: readonly Code[]): string => {
  const names = list.map((c) => c.code);
  return names.length > 12 ? `${names.slice(0, 12).join(', ')} …` : names.join(', ');
};

/** Parses one cell for its column. Blank cells parse to null; `required` is the caller's check. */
export function parseCell(column: TransitionColumn, v: CellValue | undefined): Parsed {
  if (v === undefined || isBlank(v)) return { ok: true, value: null };
  const t: ColumnType = column.type;
  const text = asText(v as CellValue);
  switch (t.kind) {
    case 'text':
      return text.length > t.maxLength
        ? { ok: false, reason: 'length', detail: `${text.length} characters; the limit is ${t.maxLength}` }
        : { ok: true, value: text };
    case 'date': {
      const d = parseDate(v as CellValue);
      return d ? { ok: true, value: d } : { ok: false, reason: 'date', detail: 'not a date' };
    }
    case 'number': {
      const n = parseNumber(v as CellValue);
      if (n === undefined) return { ok: false, reason: 'number', detail: 'not a number' };
      if (n < t.min || (t.max !== undefined && n > t.max)) {
        return { ok: false, reason: 'number', detail: t.max === undefined ? `must be ${t.min} or more` : `must be between ${t.min} and ${t.max}` };
      }
      if (t.integer && !Number.isInteger(n)) return { ok: false, reason: 'number', detail: 'must be a whole number' };
      return { ok: true, value: n };
    }
    case 'code': {
      const c = canonicalCode(t.codes, text);
      return c !== undefined ? { ok: true, value: c } : { ok: false, reason: 'code', detail: `not one of ${codeList(t.codes)}` };
    }
    case 'codes': {
      const { codes, unknown } = parseCodes(t.codes, text);
      return unknown.length === 0
        ? { ok: true, value: codes }
        : { ok: false, reason: 'code', detail: `${unknown.length === 1 ? 'one value is' : `${unknown.length} values are`} not on the list (${codeList(t.codes)})` };
    }
    case 'codeWithText': {
      const p = parseCodeWithText(t.codes, text);
      if (!p) return { ok: false, reason: 'code', detail: `must start with one of ${codeList(t.codes)}` };
      if (p.text !== null && p.text.length > t.maxLength) {
        return { ok: false, reason: 'length', detail: `the text is ${p.text.length} characters; the limit is ${t.maxLength}` };
      }
      return { ok: true, value: p };
    }
    case 'scoreOrCode': {
      const n = parseNumber(v as CellValue);
      if (n !== undefined) {
        if (!Number.isInteger(n) || n < t.min || n > t.max) return { ok: false, reason: 'number', detail: `must be a whole-number scaled score from ${t.min} to ${t.max}` };
        return { ok: true, value: n };
      }
      const c = canonicalCode(t.codes, text);
      return c !== undefined ? { ok: true, value: c } : { ok: false, reason: 'code', detail: `must be a score ${t.min}–${t.max} or one of ${codeList(t.codes)}` };
    }
    case 'upn': {
      const u = text.toUpperCase().replace(/\s+/g, '');
      return { ok: true, value: u };
    }
    case 'school': {
      const s = typeof v === 'number' ? String(v) : text;
      const id = isLaestab(s) || isUrn(s) ? s : laestabInText(s);
      return id ? { ok: true, value: id } : { ok: false, reason: 'school', detail: 'needs a 7-digit LAESTAB or a 6-digit URN' };
    }
  }
}

/** Parses every cell of a row; the result maps keys to values and lists the cells that failed. */
export function parseRow(values: RowValues): { values: Partial<Record<ColumnKey, ParsedValue>>; failures: Array<{ column: TransitionColumn; parsed: Extract<Parsed, { ok: false }> }> } {
  const out: Partial<Record<ColumnKey, ParsedValue>> = {};
  const failures: Array<{ column: TransitionColumn; parsed: Extract<Parsed, { ok: false }> }> = [];
  for (const column of TRANSITION_COLUMNS) {
    const p = parseCell(column, values[column.key]);
    if (p.ok) out[column.key] = p.value;
    else failures.push({ column, parsed: p });
  }
  return { values: out, failures };
}

const str = (v: ParsedValue | undefined): string | null => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : null);
const num = (v: ParsedValue | undefined): number | null => (typeof v === 'number' ? v : null);

/**
 * A validated row as a typed PupilRow. Call only for rows without errors: the casts below
 * rely on the validator having checked codes and required fields.
 */
export function normaliseRow(sheet: string, input: RowInput, receivingSecondary: string): PupilRow {
  const { values: p } = parseRow(input.values);
  const cwt = (k: ColumnKey): { code: string; text: string | null } | null => {
    const v = p[k];
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? v : null;
  };
  const score = (k: ColumnKey): number | 'A' | 'D' | null => {
    const v = p[k];
    return typeof v === 'number' ? v : v === 'A' || v === 'D' ? v : null;
  };
  const rb = cwt('resourceBase');
  const pv = cwt('parentViews');
  const tp = cwt('transitionPackage');
  return {
    sheet,
    row: input.row,
    receivingSecondary,
    surname: str(p.surname) ?? '',
    forename: str(p.forename) ?? '',
    dob: str(p.dob) ?? '',
    sex: str(p.sex) as PupilRow['sex'],
    feederPrimary: str(p.feederPrimary) ?? '',
    upn: str(p.upn) ?? '',
    destinationConfirmed: str(p.destinationConfirmed) as PupilRow['destinationConfirmed'],
    ks2Reading: score('ks2Reading'),
    ks2Maths: score('ks2Maths'),
    ks2Gps: score('ks2Gps'),
    writingTa: str(p.writingTa),
    scienceTa: str(p.scienceTa),
    readingScore: num(p.readingScore),
    toolkitLiteracy: str(p.toolkitLiteracy),
    toolkitMaths: str(p.toolkitMaths),
    senProvision: str(p.senProvision) as PupilRow['senProvision'],
    primaryNeed: str(p.primaryNeed),
    secondaryNeed: str(p.secondaryNeed),
    planHeld: str(p.planHeld),
    supportLevel: str(p.supportLevel) as PupilRow['supportLevel'],
    keyProvision: str(p.keyProvision),
    resourceBase: rb ? { placement: rb.code as 'Y' | 'N', base: rb.text } : null,
    externalAgencies: Array.isArray(p.externalAgencies) ? p.externalAgencies : [],
    healthCarePlan: str(p.healthCarePlan) as PupilRow['healthCarePlan'],
    attendance: num(p.attendance) ?? 0,
    suspensions: num(p.suspensions),
    safeguarding: str(p.safeguarding) as PupilRow['safeguarding'],
    lookedAfter: str(p.lookedAfter) as PupilRow['lookedAfter'],
    youngCarer: str(p.youngCarer) as PupilRow['youngCarer'],
    eal: str(p.eal),
    fsmPp: str(p.fsmPp) as PupilRow['fsmPp'],
    serviceChild: str(p.serviceChild) as PupilRow['serviceChild'],
    semhNotes: str(p.semhNotes),
    friendships: str(p.friendships),
    strengths: str(p.strengths),
    pupilVoice: str(p.pupilVoice),
    parentViews: { consent: (pv?.code ?? 'N') as 'Y' | 'N', views: pv?.text ?? null },
    transitionPackage: { package: (tp?.code ?? 'Universal') as PupilRow['transitionPackage']['package'], contact: tp?.text ?? null },
  };
}

/**
 * The rows of a return that have no errors, as PupilRows. A sheet whose receiving
 * secondary (A7) is in error contributes no rows: its pupils have nowhere to go.
 */
export function validPupils(ret: TransitionReturn, report: ValidationReport): PupilRow[] {
  const badRows = new Set<string>();
  const badSheets = new Set<string>();
  for (const e of report.errors) {
    // A7 issues (GS1080, GS1081) leave the sheet's pupils without a destination.
    if (e.row < SHEET_LAYOUT.firstDataRow) {
      if (e.cell === SHEET_LAYOUT.receivingCell) badSheets.add(e.sheet);
    } else badRows.add(`${e.sheet}\u0000${e.row}`);
  }
  const out: PupilRow[] = [];
  for (const sheet of ret.sheets) {
    if (badSheets.has(sheet.name)) continue;
    const secondary = sheet.receivingSecondary ? laestabInText(sheet.receivingSecondary) : undefined;
    if (!secondary) continue;
    for (const r of sheet.rows) {
      if (!badRows.has(`${sheet.name}\u0000${r.row}`)) out.push(normaliseRow(sheet.name, r, secondary));
    }
  }
  return out;
}

/** Formats a PupilRow's structured cells back to sheet text, e.g. for exports. */
export function cellText(row: PupilRow, key: ColumnKey): string | number | null {
  const v = (row as unknown as Record<string, unknown>)[key];
  if (v === null || v === undefined) return null;
  if (Array.isArray(v)) return v.length > 0 ? v.join(', ') : null;
  if (typeof v === 'object') {
    const o = v as Record<string, string | null>;
    const [code, text] = Object.values(o);
    return text ? `${code}: ${text}` : (code ?? null);
  }
  if (typeof v === 'number' || typeof v === 'string') return v;
  return String(v);
}
