/**
 * Spreadsheet formula injection guard (OWASP "CSV injection"): text that a spreadsheet
 * could take for a formula when the cell is edited or the data is re-exported gets a
 * leading apostrophe. The reader strips it again, so values round-trip.
 */

/** Leading characters that make spreadsheet software treat text as a formula. */
export const FORMULA_TRIGGERS = ['=', '+', '-', '@', '\t', '\r'] as const;

/** The marker put in front of text that starts with a formula trigger. */
export const ESCAPE_PREFIX = "'";

/** The triggers' character codes: every trigger is one character, and every cell of an export asks. */
const TRIGGER_CODES = new Set(FORMULA_TRIGGERS.map((t) => t.charCodeAt(0)));

function startsWithTrigger(s: string): boolean {
  return s.length > 0 && TRIGGER_CODES.has(s.charCodeAt(0));
}

/** Text starting with = + - @ tab or carriage return gets a leading apostrophe; anything else is returned unchanged. */
export function escapeCell<T>(v: T): T | string {
  return typeof v === 'string' && startsWithTrigger(v) ? `${ESCAPE_PREFIX}${v}` : v;
}

/** The inverse of escapeCell: an apostrophe followed by a formula trigger is dropped. */
export function unescapeCell(s: string): string {
  return s.startsWith(ESCAPE_PREFIX) && startsWithTrigger(s.slice(1)) ? s.slice(1) : s;
}
