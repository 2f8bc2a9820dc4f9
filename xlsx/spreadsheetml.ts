/**
 * A values-only SpreadsheetML writer for exports of many rows: text (inline strings), numbers
 * and dates, a handful of fixed styles (bold headings, a date format, wrapped text), column
 * widths, frozen panes, a header filter and the print setup of shared/print.ts. Nothing else: no formulas, no hidden sheets, no shared-strings
 * table (which would grow with the pupils; inline strings keep memory flat).
 *
 * The ZIP container is fflate's streaming Zip. The large part (a sheet of pupils) is deflated
 * by Node's zlib as it is written: native, and on libuv's thread pool, so compression runs beside
 * the reading of the next return rather than after it. Small parts use fflate's own deflate.
 * Parts go into the ZIP in the order they are finished; the workbook's sheet order is its own
 * (workbook.xml), so a sheet that needs totals can be written after the rows it counts.
 *
 * Measured on the consolidated export of 450 returns (17,894 pupils, 28 MB of sheet XML):
 * exceljs's streaming writer took about 3 s, most of it building row and style objects;
 * zlib's deflate at level 6 alone takes about 0.6 s, fflate's about 1.2 s.
 */
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { crc32, createDeflateRaw, type DeflateRaw, type ZlibOptions } from 'node:zlib';
import { type AsyncFlateStreamHandler, strToU8, Zip, ZipDeflate, type ZipInputFile } from 'fflate';
import { headerFooter, PAPER_A4, PRINT_MARGINS, PRINT_SETUP, type PrintKind, type PrintOwner, type PrintTitles, printTitleRefs, wrappedRowHeight } from '../shared/print';
import { columnLetter } from '../shared/transition/layout';
import { DATE_FORMAT } from '../shared/transition/sheetPlan';

/** A cell as written: text, a number, a date (a serial number in the date style), or nothing. */
export type CellOut = string | number | Date | null;

/** The fixed styles every sheet may use, by their index in styles.xml's cellXfs. */
export const STYLE = { normal: 0, date: 1, bold: 2, title: 3, heading: 4, wrap: 5, boldWrap: 6 } as const;
/** The styles that wrap text in its column: their rows are given the height of their longest cell's lines. */
const WRAPPED: ReadonlySet<number> = new Set([STYLE.wrap, STYLE.boldWrap]);

export type Style = (typeof STYLE)[keyof typeof STYLE];

export interface SheetSpec {
  name: string;
  /** Column widths in characters, from column A. */
  widths: readonly number[];
  /** Columns and rows kept in view when scrolling. */
  frozen?: { columns?: number; rows?: number };
  /** Puts a filter on row 1 across this many columns. */
  filterColumns?: number;
  /** How it prints (shared/print.ts): its kind's setup, whom the pages name, and a pupil sheet's print titles. */
  print?: { kind: PrintKind; who?: PrintOwner; titles?: PrintTitles };
}

/**
 * (design) Characters of sheet XML gathered before they go to the deflater: large enough to keep
 * calls few, small enough to stay flat and well under QUEUE_BYTES. 256 K against 64 K: writing
 * 450 returns' rows took 0.21–0.25 s of CPU against 0.27–0.32 s, in this thread's zlib calls.
 */
const FLUSH_CHARS = 256 * 1024;
/** (design) zlib's output pieces: 64 KB rather than Node's 16 KB, four times fewer calls back into this thread. */
const DEFLATE_CHUNK = 64 * 1024;
/**
 * (design) Bytes zlib and the output may hold queued before the writer waits for them. Above a
 * few flushes, so the deflate runs on its own thread while the next return is read; with
 * Node's default of 16 KB every flush waited for zlib, and parsing and deflating took turns.
 */
export const QUEUE_BYTES = 1024 * 1024;
/**
 * (design) zlib level: 1 makes the export of 450 returns 2.2 MB (exceljs's was 4.2 MB); 6 makes
 * it 1.6 MB for about a quarter more CPU in the whole write (0.35–0.45 s against 0.27–0.37 s,
 * taken in turn), as deflate at 6 does about three times the work.
 */
const DEFLATE_LEVEL = 1;
/** Days from Excel's 1900 epoch (serial 0 = 1899-12-30) to the Unix epoch. */
const UNIX_EPOCH_SERIAL = 25569;
const NS_MAIN = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const NS_REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const NS_PKG_REL = 'http://schemas.openxmlformats.org/package/2006/relationships';
const XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';

/** Characters XML 1.0 does not allow (exceljs drops them too); & < > are escaped, the rest kept. */
// eslint-disable-next-line no-control-regex
const XML_SPECIAL = /[&<>"\x00-\x08\x0B\x0C\x0E-\x1F\x7F\uFFFE\uFFFF]/g;
const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };

/** The same characters, found without replacing (no g flag, so test() keeps no state between calls). */
const HAS_XML_SPECIAL = new RegExp(XML_SPECIAL.source);

export function xmlText(s: string): string {
  // Most text needs nothing: a test is cheaper than a replace that finds nothing.
  return HAS_XML_SPECIAL.test(s) ? s.replace(XML_SPECIAL, (c) => XML_ESCAPES[c] ?? '') : s;
}

const letters: string[] = [];
/** Column letters of a 0-based column index (0 → 'A', 27 → 'AB'): the layout's columnLetter, cached, as every cell asks. */
export function columnName(index: number): string {
  return (letters[index] ??= columnLetter(index + 1));
}

/** One cell's XML at 0-based `column` of row `r`, naming its place only when `named`; '' for nothing. */
function cellXml(v: CellOut, style: number, named: boolean, column: number, r: string): string {
  if (v === null) return '';
  const at = named ? ` r="${columnName(column)}${r}"` : '';
  const s = style === STYLE.normal ? '' : ` s="${style}"`;
  if (typeof v === 'string') {
    if (v === '') return '';
    const space = v.trim() === v ? '' : ' xml:space="preserve"';
    return `<c${at}${s} t="inlineStr"><is><t${space}>${xmlText(v)}</t></is></c>`;
  }
  if (typeof v === 'number') return Number.isFinite(v) ? `<c${at}${s}><v>${v}</v></c>` : '';
  const serial = v.getTime() / 86_400_000 + UNIX_EPOCH_SERIAL;
  return Number.isFinite(serial) ? `<c${at} s="${style === STYLE.normal ? STYLE.date : style}"><v>${serial}</v></c>` : '';
}

/**
 * One row's XML, numbered `r`; '' when every cell is empty.
 *
 * (design) A cell names its place (r="C5") only where the order cannot tell it: the row's first
 * cell, and a cell after an empty one. SpreadsheetML makes the reference optional; a cell
 * without one is in the column after the cell before it. LibreOffice, openpyxl and this repo's
 * reader read that anywhere (checked), as Excel does by public reports; exceljs needs the row's
 * first cell named, so it is. On the consolidated export of 450 returns the references were a
 * fifth of the sheet XML and, as each differs from the last, half the compressed file: 4.1 MB
 * with them all, 2.2 MB without, and a fifth less CPU to write (the text to build and to
 * deflate). Each row keeps its number, as rows may be skipped.
 */
function rowXml(cells: readonly CellOut[], style: number, r: string, height?: number): string {
  let xml = '';
  let placed = false;
  for (let i = 0; i < cells.length; i++) {
    const cell = cellXml(cells[i] ?? null, style, !placed, i, r);
    placed = cell !== '';
    xml += cell;
  }
  const ht = height === undefined ? '' : ` ht="${height}" customHeight="1"`;
  return xml === '' ? '' : `<row r="${r}"${ht}>${xml}</row>`;
}

/** Where the ZIP's bytes go: a file stream (with its backpressure and its first failure) or chunks kept in memory. */
type Output = { kind: 'stream'; stream: Writable; failure?: unknown } | { kind: 'memory'; chunks: Uint8Array[] };

/**
 * A part deflated by Node's zlib as it is written, handed to fflate's Zip as a custom input
 * file (fflate reads the size and CRC when the last chunk arrives).
 */
class DeflatedPart implements ZipInputFile {
  readonly compression = 8;
  crc = 0;
  size = 0;
  ondata: AsyncFlateStreamHandler = () => undefined;
  // zlib streams hand their options to Transform, which takes writableHighWaterMark; @types/node's ZlibOptions omits it.
  private readonly deflate: DeflateRaw = createDeflateRaw({ level: DEFLATE_LEVEL, writableHighWaterMark: QUEUE_BYTES, chunkSize: DEFLATE_CHUNK } as ZlibOptions);

  constructor(readonly filename: string) {
    this.deflate.on('data', (chunk: Buffer) => this.ondata(null, chunk as Uint8Array<ArrayBuffer>, false));
    // A failure surfaces where the writer next waits (drained, end), never as an unhandled 'error'.
    this.deflate.on('error', () => undefined);
  }

  /** False when zlib has enough queued; wait for drained() before writing much more. */
  write(text: string): boolean {
    const bytes = Buffer.from(text, 'utf8');
    this.crc = crc32(bytes, this.crc);
    this.size += bytes.length;
    return this.deflate.write(bytes);
  }

  async drained(): Promise<void> {
    if (this.deflate.errored) throw this.deflate.errored;
    if (this.deflate.writableNeedDrain) await once(this.deflate, 'drain');
  }

  async end(): Promise<void> {
    this.deflate.end();
    await finished(this.deflate);
    this.ondata(null, new Uint8Array(0), true);
  }
}

/** One worksheet being written, row by row; only one is open at a time (the ZIP takes one part at a time). */
export class SheetWriter {
  /** Rows' XML waiting for the deflater, joined when flushed (one flat string encodes far faster than a string built by +=). */
  private pending: string[] = [];
  private readonly merges: string[] = [];
  private pendingChars = 0;
  private rowNumber = 0;
  private backlog = false;

  constructor(
    readonly spec: SheetSpec,
    private readonly part: DeflatedPart,
    private readonly output: Output,
    private readonly ended: () => void,
  ) {
    this.add(`${XML_HEAD}<worksheet xmlns="${NS_MAIN}" xmlns:r="${NS_REL}">${sheetPr(spec)}${sheetViews(spec)}${cols(spec.widths)}<sheetData>`);
  }

  /**
   * The next row's cells from column A; `style` applies to every cell (a date keeps its date
   * format unless the row is styled). A wrapped row is as tall as its longest cell's lines.
   */
  row(cells: readonly CellOut[], style: Style = STYLE.normal): void {
    const r = ++this.rowNumber;
    const height = WRAPPED.has(style) ? wrappedRowHeight(cells.map((c, i) => ({ text: c, width: this.spec.widths[i] }))) : undefined;
    const xml = rowXml(cells, style, String(r), height);
    if (xml !== '') this.add(xml);
  }

  /** A row of one text across the first `columns` columns (merged), wrapped and as tall as its lines: a note above a narrow table. */
  note(text: string, columns: number): void {
    const r = this.rowNumber + 1;
    if (columns > 1) this.merges.push(`A${r}:${columnName(columns - 1)}${r}`);
    const width = this.spec.widths.slice(0, columns).reduce((a, b) => a + b, 0);
    this.rowNumber = r;
    const xml = rowXml([text], STYLE.wrap, String(r), wrappedRowHeight([{ text, width }]));
    if (xml !== '') this.add(xml);
  }

  /** Skips a row, leaving it empty. */
  blank(): void {
    this.rowNumber++;
  }

  /** Waits while zlib or the output has more queued than it wants: call now and then, so rows never pile up in memory. */
  async settle(): Promise<void> {
    if (this.backlog) {
      this.backlog = false;
      await this.part.drained();
    }
    await outputDrained(this.output);
  }

  /** Ends the sheet; `who` names the pages when the sheet was opened before that was known (the Pupils sheet, written before the summary). */
  async end(who?: PrintOwner): Promise<void> {
    const filter = this.spec.filterColumns ? `<autoFilter ref="A1:${columnName(this.spec.filterColumns - 1)}1"/>` : '';
    const merges = this.merges.length > 0 ? `<mergeCells count="${this.merges.length}">${this.merges.map((m) => `<mergeCell ref="${m}"/>`).join('')}</mergeCells>` : '';
    this.add(`</sheetData>${filter}${merges}${printXml(this.spec, who)}</worksheet>`);
    this.flush();
    await this.settle();
    await this.part.end();
    this.ended();
  }

  private add(xml: string): void {
    this.pending.push(xml);
    this.pendingChars += xml.length;
    if (this.pendingChars >= FLUSH_CHARS) this.flush();
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    if (!this.part.write(this.pending.join(''))) this.backlog = true;
    this.pending = [];
    this.pendingChars = 0;
  }
}

/** Waits while the output has more queued than it wants; throws its failure, if it has failed. */
async function outputDrained(output: Output): Promise<void> {
  if (output.kind !== 'stream') return;
  if (output.failure !== undefined) throw output.failure;
  if (output.stream.writableNeedDrain) await once(output.stream, 'drain');
}

/** fitToPage lives in sheetPr, the worksheet's first element: without it Excel ignores pageSetup's fitToWidth. */
function sheetPr(spec: SheetSpec): string {
  return spec.print && PRINT_SETUP[spec.print.kind].fit ? '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>' : '';
}

/** pageMargins, pageSetup and headerFooter, in CT_Worksheet's order, after sheetData and autoFilter. */
function printXml(spec: SheetSpec, who = spec.print?.who): string {
  const m = PRINT_MARGINS;
  const margins = `<pageMargins left="${m.left}" right="${m.right}" top="${m.top}" bottom="${m.bottom}" header="${m.header}" footer="${m.footer}"/>`;
  if (!spec.print) return margins;
  const setup = PRINT_SETUP[spec.print.kind];
  const fit = setup.fit ? ` fitToWidth="${setup.fit.width}" fitToHeight="${setup.fit.height}"` : '';
  const pageSetup = `<pageSetup paperSize="${PAPER_A4}" orientation="${setup.orientation}"${fit}/>`;
  if (!who) return `${margins}${pageSetup}`;
  const { header, footer } = headerFooter(spec.print.kind, who);
  return `${margins}${pageSetup}<headerFooter><oddHeader>${xmlText(header)}</oddHeader><oddFooter>${xmlText(footer)}</oddFooter></headerFooter>`;
}

/** The workbook's print titles, one _xlnm.Print_Titles per sheet that has them, localSheetId being its place in the workbook. */
function definedNames(listed: ReadonlyArray<{ spec: SheetSpec }>): string {
  const names = listed.flatMap(({ spec }, i) => {
    const titles = spec.print?.titles;
    if (!titles) return [];
    const refs = printTitleRefs(titles);
    const sheet = `'${spec.name.replace(/'/g, "''")}'`;
    const value = [refs.columns, refs.rows].filter((r) => r !== undefined).map((r) => `${sheet}!${r}`).join(',');
    return [`<definedName name="_xlnm.Print_Titles" localSheetId="${i}">${xmlText(value)}</definedName>`];
  });
  return names.length > 0 ? `<definedNames>${names.join('')}</definedNames>` : '';
}

function sheetViews(spec: SheetSpec): string {
  const x = spec.frozen?.columns ?? 0;
  const y = spec.frozen?.rows ?? 0;
  if (x === 0 && y === 0) return '<sheetViews><sheetView workbookViewId="0"/></sheetViews>';
  const pane = x > 0 && y > 0 ? 'bottomRight' : x > 0 ? 'topRight' : 'bottomLeft';
  const split = `${x > 0 ? ` xSplit="${x}"` : ''}${y > 0 ? ` ySplit="${y}"` : ''}`;
  const topLeft = `${columnName(x)}${y + 1}`;
  return `<sheetViews><sheetView workbookViewId="0"><pane${split} topLeftCell="${topLeft}" activePane="${pane}" state="frozen"/><selection pane="${pane}" activeCell="${topLeft}" sqref="${topLeft}"/></sheetView></sheetViews>`;
}

function cols(widths: readonly number[]): string {
  if (widths.length === 0) return '';
  return `<cols>${widths.map((w, i) => `<col min="${i + 1}" max="${i + 1}" width="${w}" customWidth="1"/>`).join('')}</cols>`;
}

/**
 * A workbook written part by part. Open a sheet, write its rows, end it, open the next; then
 * finish with the sheets in the order the workbook should show them.
 */
export class XlsxWriter {
  private readonly zip: Zip;
  private readonly done: Promise<void>;
  private readonly sheets: Array<{ spec: SheetSpec; part: string }> = [];
  private open: SheetWriter | undefined;

  private constructor(private readonly output: Output) {
    let settle: { resolve: () => void; reject: (e: unknown) => void } = { resolve: () => undefined, reject: () => undefined };
    this.done = new Promise<void>((resolve, reject) => {
      settle = { resolve, reject };
    });
    // Awaited by finish(); a failure before then must not count as unhandled.
    this.done.catch(() => undefined);
    this.zip = new Zip((err, chunk, final) => {
      if (err) return settle.reject(err);
      if (output.kind === 'memory') output.chunks.push(chunk);
      else output.stream.write(chunk);
      if (final) settle.resolve();
    });
    if (output.kind === 'stream') {
      output.stream.on('error', (e: unknown) => {
        output.failure ??= e;
      });
    }
  }

  /** Streams the workbook into a writable (a file); the caller ends the stream after finish(). */
  static toStream(stream: Writable): XlsxWriter {
    return new XlsxWriter({ kind: 'stream', stream });
  }

  /** Keeps the workbook's bytes in memory, for bytes(). */
  static inMemory(): XlsxWriter {
    return new XlsxWriter({ kind: 'memory', chunks: [] });
  }

  /** Opens the next sheet; the previous one must have ended. */
  sheet(spec: SheetSpec): SheetWriter {
    if (this.open) throw new Error(`sheet '${this.open.spec.name}' is still open`);
    const part = `xl/worksheets/sheet${this.sheets.length + 1}.xml`;
    this.sheets.push({ spec, part });
    const file = new DeflatedPart(part);
    this.zip.add(file);
    const writer = new SheetWriter(spec, file, this.output, () => {
      this.open = undefined;
    });
    this.open = writer;
    return writer;
  }

  /** Writes the workbook's own parts, listing the sheets in `order` (names), and closes the ZIP. */
  async finish(order: readonly string[], meta: { creator: string; created: Date }): Promise<void> {
    if (this.open) throw new Error(`sheet '${this.open.spec.name}' is still open`);
    const byName = new Map(this.sheets.map((s, i) => [s.spec.name, { ...s, id: i + 1 }]));
    const listed = order.map((name) => {
      const s = byName.get(name);
      if (!s) throw new Error(`no sheet '${name}' was written`);
      return s;
    });
    if (listed.length !== this.sheets.length) throw new Error('every sheet written must be listed once');
    const sheetEntries = listed.map((s, i) => `<sheet name="${xmlText(s.spec.name)}" sheetId="${i + 1}" r:id="rId${s.id}"/>`).join('');
    const stylesId = this.sheets.length + 1;
    this.small('xl/workbook.xml', `${XML_HEAD}<workbook xmlns="${NS_MAIN}" xmlns:r="${NS_REL}"><bookViews><workbookView/></bookViews><sheets>${sheetEntries}</sheets>${definedNames(listed)}</workbook>`);
    this.small(
      'xl/_rels/workbook.xml.rels',
      `${XML_HEAD}<Relationships xmlns="${NS_PKG_REL}">${this.sheets.map((s, i) => `<Relationship Id="rId${i + 1}" Type="${NS_REL}/worksheet" Target="worksheets/${s.part.slice('xl/worksheets/'.length)}"/>`).join('')}<Relationship Id="rId${stylesId}" Type="${NS_REL}/styles" Target="styles.xml"/></Relationships>`,
    );
    this.small('xl/styles.xml', STYLES_XML);
    this.small(
      'docProps/core.xml',
      `${XML_HEAD}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:creator>${xmlText(meta.creator)}</dc:creator><dcterms:created xsi:type="dcterms:W3CDTF">${meta.created.toISOString().replace(/\.\d{3}Z$/, 'Z')}</dcterms:created></cp:coreProperties>`,
    );
    this.small(
      '_rels/.rels',
      `${XML_HEAD}<Relationships xmlns="${NS_PKG_REL}"><Relationship Id="rId1" Type="${NS_REL}/officeDocument" Target="xl/workbook.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/></Relationships>`,
    );
    this.small(
      '[Content_Types].xml',
      `${XML_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>${this.sheets.map((s) => `<Override PartName="/${s.part}" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`).join('')}<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/><Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/></Types>`,
    );
    this.zip.end();
    await this.done;
    await outputDrained(this.output);
  }

  /** The whole workbook, after finish(), for a writer made inMemory(). */
  bytes(): Uint8Array {
    if (this.output.kind !== 'memory') throw new Error('bytes() is for a writer made inMemory()');
    return new Uint8Array(Buffer.concat(this.output.chunks));
  }

  private small(name: string, xml: string): void {
    const file = new ZipDeflate(name, { level: DEFLATE_LEVEL });
    this.zip.add(file);
    file.push(strToU8(xml), true);
  }
}

/** The styles of STYLE, in its order: normal, date, bold, title (bold 14), heading (bold 13), wrap (text wrapped in its column, top-aligned), boldWrap (the same, bold). */
const STYLES_XML =
  `${XML_HEAD}<styleSheet xmlns="${NS_MAIN}">` +
  `<numFmts count="1"><numFmt numFmtId="164" formatCode="${xmlText(DATE_FORMAT)}"/></numFmts>` +
  '<fonts count="4"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font><font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font><font><b/><sz val="14"/><name val="Calibri"/><family val="2"/></font><font><b/><sz val="13"/><name val="Calibri"/><family val="2"/></font></fonts>' +
  '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>' +
  '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>' +
  '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>' +
  '<cellXfs count="7"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/><xf numFmtId="0" fontId="2" fillId="0" borderId="0" xfId="0" applyFont="1"/><xf numFmtId="0" fontId="3" fillId="0" borderId="0" xfId="0" applyFont="1"/><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1"><alignment vertical="top" wrapText="1"/></xf><xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1" applyAlignment="1"><alignment vertical="top" wrapText="1"/></xf></cellXfs>' +
  '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>';
