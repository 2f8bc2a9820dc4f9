/**
 * Text as a cell can hold it, for every writer of cells (the xlsx writers, the Office.js
 * adapters, plan cells and chart titles): the one place that makes a string safe to write.
 * - Formula injection (OWASP "CSV injection"): text that a spreadsheet could take for a formula
 *   when the cell is edited or the data is re-exported gets a leading apostrophe. The reader
 *   strips it again, so values round-trip.
 * - Characters XML 1.0 cannot hold (U+FFFE, most C0 controls, a lone surrogate) are dropped:
 *   one of them makes the whole .xlsx unreadable (shared/text.ts). The schema refuses them at the
 *   cell (GS1006), so only text stored before that rule, or not a return's, ever has them.
 * - Text is cut to Excel's 32,767 characters a cell.
 */
import { CELL_MAX_CHARS, clipText, withoutNonXmlCharacters } from '../text';

/** Leading characters that make spreadsheet software treat text as a formula. */
export const FORMULA_TRIGGERS = ['=', '+', '-', '@', '\t', '\r'] as const;

/** The marker put in front of text that starts with a formula trigger. */
export const ESCAPE_PREFIX = "'";

/** The triggers' character codes: every trigger is one character, and every cell of an export asks. */
const TRIGGER_CODES = new Set(FORMULA_TRIGGERS.map((t) => t.charCodeAt(0)));

function startsWithTrigger(s: string): boolean {
  return s.length > 0 && TRIGGER_CODES.has(s.charCodeAt(0));
}

/**
 * Text as a cell can hold it: without the characters XML cannot hold, a leading apostrophe when
 * it then starts with = + - @ tab or carriage return, and no longer than a cell. Anything that
 * is not text is returned unchanged.
 */
export function escapeCell<T>(v: T): T | string {
  if (typeof v !== 'string') return v;
  // Dropped first: "\u0000=1+1" would start with = once a writer dropped the NUL itself.
  const text = withoutNonXmlCharacters(v);
  return clipText(startsWithTrigger(text) ? `${ESCAPE_PREFIX}${text}` : text, CELL_MAX_CHARS);
}

/** The inverse of escapeCell: an apostrophe followed by a formula trigger is dropped. */
export function unescapeCell(s: string): string {
  return s.startsWith(ESCAPE_PREFIX) && startsWithTrigger(s.slice(1)) ? s.slice(1) : s;
}

/** A formula a sheet plan writes on purpose: every other string in a plan is text, and is escaped as it is written. */
export interface Formula {
  readonly formula: string;
}

export const formula = (text: string): Formula => ({ formula: text });

/** One cell of a sheet plan (shared/toolkit/gridSheet.ts, shared/resourceBases/costingSheet.ts). */
export type PlanCell = string | number | boolean | Formula;

/** A plan's cell as a spreadsheet's formula input takes it: a Formula as written, text through escapeCell. */
export function planCellInput(v: PlanCell): string | number | boolean {
  return typeof v === 'object' ? v.formula : escapeCell(v);
}
