/**
 * Merging a CTF's pupils into a transition sheet that already has rows, matched by UPN. Pure:
 * the task pane reads the sheet (one sync), asks this for a plan, shows it, and after the
 * SENCo agrees writes the plan's cells (one sync). Only the prefilled columns are ever written;
 * every other column the SENCo typed is left as it is.
 */
import { SHEET_LAYOUT } from '../transition/layout';
import { isBlank, parseDate } from '../transition/normalise';
import type { CellValue, RowInput, RowValues } from '../transition/schema';
import { CTF_PREFILLED_COLUMNS, type CtfPrefilledKey, type PrefilledValues } from './prefill';

/** A prefilled cell whose sheet value differs from the CTF's. */
export interface CellChange {
  key: CtfPrefilledKey;
  /** What the sheet holds now (null: blank). */
  from: CellValue;
  /** What the CTF says (null: clear the cell). */
  to: string | null;
}

/** A sheet pupil the CTF also has (same UPN), with the prefilled cells that would change. */
export interface RowUpdate {
  row: number;
  upn: string;
  changes: CellChange[];
}

/** A CTF pupil not on the sheet, to be written on a new row. */
export interface RowAddition {
  row: number;
  values: PrefilledValues;
}

/** A sheet pupil the CTF does not have: listed for the SENCo, never removed. */
export interface MissingPupil {
  row: number;
  /** Null where the sheet row has no UPN (it cannot be matched). */
  upn: string | null;
  surname: CellValue;
  forename: CellValue;
}

export interface CtfMergePlan {
  /** Matched pupils whose prefilled cells differ: the SENCo is asked before these are written. */
  updates: RowUpdate[];
  /** New pupils, on rows after the sheet's last used row. */
  additions: RowAddition[];
  missingFromCtf: MissingPupil[];
  /** Matched pupils whose prefilled cells already agree with the CTF. */
  unchanged: number;
}

/** Columns where the CTF's blank means "none now" and clears the cell: a need that has ended. Elsewhere a blank in the CTF never erases what the sheet has. */
const CLEARED_BY_BLANK: ReadonlySet<CtfPrefilledKey> = new Set(['primaryNeed', 'secondaryNeed']);

/** A UPN for matching: upper case, no spaces; null when blank. */
export function upnKey(v: CellValue | undefined): string | null {
  if (v === null || v === undefined || isBlank(v)) return null;
  return String(v).replace(/\s+/g, '').toUpperCase();
}

/** Do the sheet's cell and the CTF's value say the same thing (dates by date, codes by upper case)? */
function same(key: CtfPrefilledKey, sheet: CellValue, ctf: string | null): boolean {
  const blank = sheet === null || isBlank(sheet);
  if (ctf === null) return blank;
  if (blank) return false;
  if (key === 'dob') return parseDate(sheet) !== undefined && parseDate(sheet) === parseDate(ctf);
  const text = String(sheet).trim();
  return key === 'surname' || key === 'forename' ? text === ctf.trim() : text.toUpperCase() === ctf.trim().toUpperCase();
}

const rowIsBlank = (values: RowValues): boolean => Object.values(values).every((v) => v === undefined || v === null || isBlank(v));

/**
 * Plans the merge of prefilled CTF rows into the sheet's rows. Sheet rows are matched by UPN
 * (the first sheet row wins where a UPN is repeated: the validator flags the repeat); CTF
 * pupils without a UPN cannot match, so they are added, and the validator flags them.
 */
export function planCtfMerge(sheetRows: readonly RowInput[], ctfRows: readonly PrefilledValues[]): CtfMergePlan {
  const byUpn = new Map<string, RowInput>();
  let lastRow = SHEET_LAYOUT.firstDataRow - 1;
  for (const r of sheetRows) {
    if (rowIsBlank(r.values)) continue;
    lastRow = Math.max(lastRow, r.row);
    const key = upnKey(r.values.upn);
    if (key !== null && !byUpn.has(key)) byUpn.set(key, r);
  }

  const matched = new Set<RowInput>();
  const updates: RowUpdate[] = [];
  const additions: RowAddition[] = [];
  let unchanged = 0;
  for (const ctf of ctfRows) {
    const key = upnKey(ctf.upn);
    const sheet = key === null ? undefined : byUpn.get(key);
    if (sheet === undefined || matched.has(sheet)) {
      additions.push({ row: ++lastRow, values: ctf });
      continue;
    }
    matched.add(sheet);
    const changes: CellChange[] = [];
    for (const k of CTF_PREFILLED_COLUMNS) {
      const from = sheet.values[k] ?? null;
      const to = ctf[k];
      if (to === null && !CLEARED_BY_BLANK.has(k)) continue;
      if (!same(k, from, to)) changes.push({ key: k, from, to });
    }
    if (changes.length === 0) unchanged++;
    else updates.push({ row: sheet.row, upn: key as string, changes });
  }

  const missingFromCtf: MissingPupil[] = sheetRows
    .filter((r) => !rowIsBlank(r.values) && !matched.has(r))
    .map((r) => ({ row: r.row, upn: upnKey(r.values.upn), surname: r.values.surname ?? null, forename: r.values.forename ?? null }));
  return { updates, additions, missingFromCtf, unchanged };
}

/**
 * The sheet's rows after the plan: updated rows get the CTF's prefilled cells and keep every
 * other cell; additions follow. For the CLI and tests; the pane writes the same cells itself.
 */
export function applyCtfMerge(sheetRows: readonly RowInput[], plan: CtfMergePlan): RowInput[] {
  const updates = new Map(plan.updates.map((u) => [u.row, u]));
  const merged = sheetRows.map((r) => {
    const u = updates.get(r.row);
    if (!u) return r;
    const values: RowValues = { ...r.values };
    for (const c of u.changes) values[c.key] = c.to;
    return { row: r.row, values };
  });
  return [...merged, ...plan.additions.map((a) => ({ row: a.row, values: { ...a.values } }))];
}
