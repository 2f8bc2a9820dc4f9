/**
 * Text that leaves the product: which characters a workbook can hold, how much a cell can hold,
 * and how text from a school's file is shown on a terminal. The schema, the CTF reader and the
 * cell writers (shared/workbook/escape.ts) all ask here, so they agree on one set of characters.
 */

/** Excel's limit on the characters in one cell ("Excel specifications and limits": 32,767). */
export const CELL_MAX_CHARS = 32_767;

/**
 * Characters XML 1.0 cannot hold (its Char production): the C0 controls other than tab, line
 * feed and carriage return, U+FFFE and U+FFFF, and a surrogate without its pair. With the u
 * flag a well-formed pair is one code point, so only a lone surrogate matches the range.
 */
const NOT_XML = '[\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\uD800-\\uDFFF\\uFFFE\\uFFFF]';
const NOT_XML_ONE = new RegExp(NOT_XML, 'u');
const NOT_XML_ALL = new RegExp(NOT_XML, 'gu');

/** "U+FFFE": how a message names a character, since the character itself may not print. */
export const codePointName = (c: string): string => `U+${(c.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;

/** The first character of `s` that XML 1.0 (and so an .xlsx) cannot hold, or undefined when there is none. */
export function firstNonXmlCharacter(s: string): string | undefined {
  return NOT_XML_ONE.exec(s)?.[0];
}

/** `s` without the characters XML 1.0 cannot hold; `s` itself when it has none. */
export function withoutNonXmlCharacters(s: string): string {
  return NOT_XML_ONE.test(s) ? s.replace(NOT_XML_ALL, '') : s;
}

/** `s` cut to at most `max` UTF-16 units, never between the two halves of a surrogate pair. */
export function clipText(s: string, max: number): string {
  if (s.length <= max) return s;
  const last = s.charCodeAt(max - 1);
  return s.slice(0, last >= 0xd800 && last <= 0xdbff ? max - 1 : max);
}

/**
 * Characters that change what a terminal shows rather than show themselves: C0 and C1 controls
 * (a line feed or an escape sequence can forge or hide output) and the bidirectional marks,
 * embeddings, overrides and isolates (U+202E turns the rest of a line around, as in "Trojan
 * Source", CVE-2021-42574).
 */
const UNPRINTABLE = /[\u0000-\u001F\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;
const HAS_UNPRINTABLE = new RegExp(UNPRINTABLE.source);

/** Text from a school's file as a terminal may print it: every control and bidirectional character shown as <U+202E>. */
export function terminalText(s: string): string {
  return HAS_UNPRINTABLE.test(s) ? s.replace(UNPRINTABLE, (c) => `<${codePointName(c)}>`) : s;
}
