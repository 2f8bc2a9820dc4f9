/**
 * Transition workbooks written the way writers other than exceljs write them, generated here
 * part by part so each convention is explicit:
 *   - inline strings with no shared-strings part (openpyxl, LibreOffice);
 *   - dates as serials under one of Excel's built-in date formats (numFmtId 14, no numFmts entry);
 *   - the 1904 date system (workbookPr date1904, as old Mac workbooks);
 *   - a namespace prefix on every element (x:row, x:c), as some .NET writers do.
 */
import { SHEET_LAYOUT, TRANSITION_COLUMNS } from '../../shared/transition/layout';
import type { CellValue, TransitionReturn } from '../../shared/transition/schema';
import { handZip, xml } from './zip';

export interface Conventions {
  strings: 'inline' | 'shared';
  date1904?: boolean;
  /** A prefix bound to the spreadsheetml namespace on every element of the sheet and workbook. */
  prefix?: string;
  /** Leave out the r attribute of rows and cells, as some streaming writers do. */
  noReferences?: boolean;
}

const NS = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const REL_NS = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const escapeXml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Days since 1899-12-30 (1900 system) or 1904-01-01 (1904 system) of an ISO date. */
function serial(iso: string, date1904: boolean): number {
  const [y, m, d] = iso.split('-').map(Number) as [number, number, number];
  return (Date.UTC(y, m - 1, d) - Date.UTC(date1904 ? 1904 : 1899, date1904 ? 0 : 11, date1904 ? 1 : 30)) / 86_400_000;
}

function letters(n: number): string {
  let s = '';
  for (let x = n; x > 0; x = Math.floor((x - 1) / 26)) s = String.fromCharCode(65 + ((x - 1) % 26)) + s;
  return s;
}

const columnIndex = (letter: string): number => [...letter].reduce((n, ch) => n * 26 + ch.charCodeAt(0) - 64, 0);

/** The return as a workbook in the given conventions: one transition sheet per sheet of the return, plus its explanations. */
export function otherWriterWorkbook(ret: TransitionReturn, c: Conventions): Uint8Array {
  const p = c.prefix ? `${c.prefix}:` : '';
  const nsDecl = c.prefix ? `xmlns:${c.prefix}="${NS}"` : `xmlns="${NS}"`;
  const shared: string[] = [];
  const sharedIndex = new Map<string, number>();

  const cell = (ref: string, v: CellValue, isDate = false): string => {
    const r = c.noReferences ? '' : ` r="${ref}"`;
    if (v === null) return '';
    if (typeof v === 'number') return `<${p}c${r}><${p}v>${v}</${p}v></${p}c>`;
    if (typeof v === 'boolean') return `<${p}c${r} t="b"><${p}v>${v ? 1 : 0}</${p}v></${p}c>`;
    if (isDate && /^\d{4}-\d{2}-\d{2}$/.test(v)) return `<${p}c${r} s="1"><${p}v>${serial(v, c.date1904 === true)}</${p}v></${p}c>`;
    if (c.strings === 'inline') return `<${p}c${r} t="inlineStr"><${p}is><${p}t xml:space="preserve">${escapeXml(v)}</${p}t></${p}is></${p}c>`;
    let i = sharedIndex.get(v);
    if (i === undefined) {
      i = shared.push(v) - 1;
      sharedIndex.set(v, i);
    }
    return `<${p}c${r} t="s"><${p}v>${i}</${p}v></${p}c>`;
  };
  const row = (n: number, cells: Array<[number, CellValue, boolean?]>): string => {
    const body = cells.map(([col, v, isDate]) => cell(`${letters(col)}${n}`, v, isDate)).join('');
    return body === '' ? '' : `<${p}row${c.noReferences ? '' : ` r="${n}"`}>${body}</${p}row>`;
  };
  // Without references a writer emits every row and cell in order, blanks as empty cells.
  const dense = (cells: Array<[number, CellValue, boolean?]>): Array<[number, CellValue, boolean?]> => {
    if (!c.noReferences) return cells;
    const last = Math.max(0, ...cells.map(([col]) => col));
    return Array.from({ length: last }, (_, i) => cells.find(([col]) => col === i + 1) ?? [i + 1, null]);
  };
  const sheetXml = (rows: string[]): string =>
    `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<${p}worksheet ${nsDecl}><${p}sheetData>${rows.join('')}</${p}sheetData></${p}worksheet>`;

  const sheets = ret.sheets.map((s) => {
    const rows: string[] = [];
    const byRow = new Map<number, Array<[number, CellValue, boolean?]>>();
    const put = (r: number, col: number, v: CellValue, isDate = false): void => void (byRow.get(r) ?? byRow.set(r, []).get(r)!).push([col, v, isDate]);
    put(1, 1, SHEET_LAYOUT.title);
    put(4, 1, ret.year);
    put(7, 1, s.receivingSecondary);
    for (const col of TRANSITION_COLUMNS) put(SHEET_LAYOUT.headerRow, columnIndex(col.letter), col.header);
    for (const r of s.rows) {
      for (const col of TRANSITION_COLUMNS) put(r.row, columnIndex(col.letter), (r.values as Record<string, CellValue>)[col.key] ?? null, col.type.kind === 'date');
    }
    const last = Math.max(...byRow.keys());
    for (let r = 1; r <= last; r++) {
      const cells = byRow.get(r) ?? [];
      rows.push(c.noReferences ? `<${p}row>${dense(cells).map(([col, v, d]) => cell('', v, d) || `<${p}c/>`).join('')}</${p}row>` : row(r, cells));
    }
    return { name: s.name, xml: sheetXml(rows) };
  });
  const explanationRows = [row(1, [[1, 'Rule'], [2, 'Sheet'], [3, 'Cell'], [4, 'Explanation']]), ...ret.explanations.map((e, i) => row(i + 2, [[1, e.rule], [2, e.sheet], [3, e.cell], [4, e.text]]))];
  const all = [...sheets, { name: SHEET_LAYOUT.explanationsSheet, xml: sheetXml(explanationRows) }];

  const workbook =
    `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<${p}workbook ${nsDecl} xmlns:r="${REL_NS}">` +
    `${c.date1904 ? `<${p}workbookPr date1904="1"/>` : ''}<${p}sheets>` +
    all.map((s, i) => `<${p}sheet name="${escapeXml(s.name)}" sheetId="${i + 1}" r:id="rId${i + 1}"/>`).join('') +
    `</${p}sheets></${p}workbook>`;
  const rels =
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
    all.map((_, i) => `<Relationship Id="rId${i + 1}" Type="${REL_NS}/worksheet" Target="/xl/worksheets/sheet${i + 1}.xml"/>`).join('') +
    `<Relationship Id="rId${all.length + 1}" Type="${REL_NS}/styles" Target="styles.xml"/>` +
    (c.strings === 'shared' ? `<Relationship Id="rId${all.length + 2}" Type="${REL_NS}/sharedStrings" Target="sharedStrings.xml"/>` : '') +
    '</Relationships>';
  // Built-in format 14 (m/d/yyyy, shown in the locale's short date) needs no numFmts entry.
  const styles = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet xmlns="${NS}"><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/></cellXfs></styleSheet>`;
  const sst = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="${NS}" count="${shared.length}" uniqueCount="${shared.length}">${shared.map((s) => `<si><t xml:space="preserve">${escapeXml(s)}</t></si>`).join('')}</sst>`;
  return handZip([
    { name: '[Content_Types].xml', data: xml('<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'), deflate: true },
    { name: 'xl/workbook.xml', data: xml(workbook), deflate: true },
    { name: 'xl/_rels/workbook.xml.rels', data: xml(rels), deflate: true },
    { name: 'xl/styles.xml', data: xml(styles), deflate: true },
    ...(c.strings === 'shared' ? [{ name: 'xl/sharedStrings.xml', data: xml(sst), deflate: true }] : []),
    ...all.map((s, i) => ({ name: `xl/worksheets/sheet${i + 1}.xml`, data: xml(s.xml), deflate: true })),
  ]);
}
