/**
 * The workbook's ZIP, read without trusting any header. The central directory is checked
 * first (sizes, counts, encryption, ZIP64), so a file that declares itself a bomb is refused
 * before a byte is inflated; then each part the reader needs is inflated in small steps
 * (fflate's streaming Inflate) while its real size is counted, and the inflate stops the
 * moment that count overruns what the directory declared or the workbook's budget. Whatever
 * the headers said, an overrun is a zip bomb.
 *
 * Runtime-neutral: plain Uint8Array and DataView, so the browser, the Functions app and the
 * CLI share it.
 */
import { Inflate, DecodeUTF8, strFromU8 } from 'fflate';
import { WORKBOOK_LIMITS, SHEET_LAYOUT } from '../transition/layout';
import { WorkbookError } from './errors';

/** (design) A part that inflates more than this many times over is treated as a zip bomb. */
export const MAX_COMPRESSION_RATIO = 200;
/** (design) The ratio test applies only to parts at least this large: tiny parts of repeated XML compress well legitimately. */
export const RATIO_CHECK_MIN_BYTES = 256 * 1024;
/** (design) A workbook never needs this many parts; more is a resource-exhaustion attempt. */
export const MAX_ZIP_ENTRIES = 5000;
/**
 * (design) Compressed bytes handed to the inflater at a time. Deflate expands at most about
 * 1,032 times, so one step never produces more than about 8 MB before the count is checked;
 * smaller steps cost time on every honest part (4 KB: +40% on a sheet), larger ones memory.
 */
export const INFLATE_STEP = 8 * 1024;
/** The most one inflate step can produce: deflate's best ratio is 258 bytes per 2 bits, about 1,032 to 1. */
export const MAX_STEP_OUTPUT = INFLATE_STEP * 1032;
/**
 * (design) Parts up to this size are inflated whole by the host's own inflater when it offers
 * one (Node's zlib, about five times fflate's speed); larger ones always stream in steps, so a
 * part never sits whole in memory beyond this. Returns' sheets are tens to hundreds of KB.
 */
export const WHOLE_PART_MAX = 4 * 1024 * 1024;
/** Non-pupil sheets the template adds (Instructions, Lists, Query explanations). */
const TEMPLATE_EXTRA_SHEETS = 3;

export interface ZipEntry {
  name: string;
  compressedSize: number;
  uncompressedSize: number;
  /** 0 = stored, 8 = deflate. */
  method: number;
  /** Offset of the entry's local file header. */
  localHeaderOffset: number;
}

export interface XlsxInspection {
  entries: ZipEntry[];
}

const SIG_LOCAL = 0x04034b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_EOCD = 0x06054b50;
const EOCD_MIN = 22;
const MAX_COMMENT = 0xffff;
const ZIP64_MARK = 0xffffffff;

const mb = (n: number): string => `${(n / (1024 * 1024)).toFixed(1)} MB`;

const encrypted = (): WorkbookError => new WorkbookError('encrypted', 'the file is password-protected or a legacy .xls; save as an unprotected .xlsx');
const corrupt = (what: string): WorkbookError =>
  new WorkbookError('corrupt', `the workbook is damaged or incomplete (${what}); open it in Excel, save it again as .xlsx and send the new copy`);
const zip64 = (): WorkbookError => new WorkbookError('zip-bomb', 'the workbook declares parts far larger than any return could need; save the sheet again as a fresh .xlsx');
const overBudget = (): WorkbookError =>
  new WorkbookError('zip-bomb', `the workbook unpacks to more than ${mb(WORKBOOK_LIMITS.maxUncompressedBytes)}, far more than a return needs; copy the sheet into a fresh workbook, paste values only and save again`);
const overRatio = (name: string): WorkbookError =>
  new WorkbookError('zip-bomb', `part ${name} unpacks to more than ${MAX_COMPRESSION_RATIO} times its stored size, which real workbooks never do; copy the sheet into a fresh workbook and save again`);
const overDeclared = (name: string): WorkbookError =>
  new WorkbookError('zip-bomb', `part ${name} unpacks to more than its header declares, which only a doctored file does; copy the sheet into a fresh workbook and save again`);

export function isWorksheetPart(name: string): boolean {
  return /^xl\/worksheets\/[^/]+\.xml$/i.test(name);
}

/** Reads the ZIP directory and refuses anything that is not a safe, plausible .xlsx, without inflating anything. */
export function inspectXlsx(bytes: Uint8Array): XlsxInspection {
  if (bytes.length > WORKBOOK_LIMITS.maxFileBytes) {
    throw new WorkbookError('too-large', `the file is ${mb(bytes.length)}, over the ${mb(WORKBOOK_LIMITS.maxFileBytes)} limit; remove anything that is not part of the return (pictures, extra sheets) and save again`);
  }
  // OLE compound file: Excel wraps password-protected .xlsx files in one, and it is also the old .xls format.
  if (bytes.length >= 4 && bytes[0] === 0xd0 && bytes[1] === 0xcf && bytes[2] === 0x11 && bytes[3] === 0xe0) throw encrypted();
  if (bytes.length < 4 || bytes[0] !== 0x50 || bytes[1] !== 0x4b) {
    throw new WorkbookError('not-xlsx', 'the file is not an Excel workbook; open it in Excel and save it as an Excel Workbook (.xlsx)');
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);

  // The end-of-central-directory record is the last 22 bytes, plus an optional comment of up to 64 KB.
  let eocd = -1;
  const stop = Math.max(0, bytes.length - EOCD_MIN - MAX_COMMENT);
  for (let i = bytes.length - EOCD_MIN; i >= stop; i--) {
    if (view.getUint32(i, true) === SIG_EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw corrupt('its end is missing, as if the copy was cut short');
  const totalEntries = view.getUint16(eocd + 10, true);
  const cdSize = view.getUint32(eocd + 12, true);
  const cdOffset = view.getUint32(eocd + 16, true);
  // ZIP64 is only needed for parts over 4 GB or 65,535 parts, far beyond any return.
  if (totalEntries === 0xffff || cdOffset === ZIP64_MARK || cdSize === ZIP64_MARK) throw zip64();
  if (totalEntries > MAX_ZIP_ENTRIES) {
    throw new WorkbookError('zip-bomb', `the workbook holds ${totalEntries} internal parts, far more than a return needs; copy the sheet into a fresh workbook and save again`);
  }
  if (cdOffset + cdSize > eocd) throw corrupt('its table of contents points past the end of the file');

  const entries: ZipEntry[] = [];
  let totalUncompressed = 0;
  let p = cdOffset;
  for (let n = 0; n < totalEntries; n++) {
    if (p + 46 > eocd || view.getUint32(p, true) !== SIG_CENTRAL) throw corrupt('its table of contents is broken');
    const flags = view.getUint16(p + 8, true);
    const method = view.getUint16(p + 10, true);
    const compressedSize = view.getUint32(p + 20, true);
    const uncompressedSize = view.getUint32(p + 24, true);
    const nameLen = view.getUint16(p + 28, true);
    const extraLen = view.getUint16(p + 30, true);
    const commentLen = view.getUint16(p + 32, true);
    const localHeaderOffset = view.getUint32(p + 42, true);
    if (p + 46 + nameLen > eocd) throw corrupt('its table of contents is broken');
    const name = strFromU8(bytes.subarray(p + 46, p + 46 + nameLen));
    p += 46 + nameLen + extraLen + commentLen;

    if (flags & 0x1) throw encrypted();
    if (compressedSize === ZIP64_MARK || uncompressedSize === ZIP64_MARK || localHeaderOffset === ZIP64_MARK) throw zip64();
    if (localHeaderOffset + 30 > cdOffset || localHeaderOffset + compressedSize > cdOffset) throw corrupt(`part ${name} lies outside the file`);
    totalUncompressed += uncompressedSize;
    if (totalUncompressed > WORKBOOK_LIMITS.maxUncompressedBytes) throw overBudget();
    if (uncompressedSize >= RATIO_CHECK_MIN_BYTES && uncompressedSize > MAX_COMPRESSION_RATIO * Math.max(compressedSize, 1)) throw overRatio(name);
    entries.push({ name, compressedSize, uncompressedSize, method, localHeaderOffset });
  }

  const names = new Set(entries.map((e) => e.name));
  if (!names.has('[Content_Types].xml') || !names.has('xl/workbook.xml')) {
    throw new WorkbookError('not-xlsx', 'the file is a ZIP archive but not an Excel workbook (is it a .docx, .ods or a folder of files?); save the sheet as an Excel Workbook (.xlsx)');
  }
  const sheets = entries.filter((e) => isWorksheetPart(e.name)).length;
  const maxSheets = WORKBOOK_LIMITS.maxSheets + TEMPLATE_EXTRA_SHEETS;
  if (sheets > maxSheets) {
    throw new WorkbookError('too-many-sheets', `the workbook has ${sheets} sheets, over the limit of ${maxSheets}; send one transition sheet per receiving secondary and delete any others`);
  }
  return { entries };
}

/**
 * A host's own inflater for one whole part (raw deflate in): the part's bytes, or undefined as
 * soon as they would pass `maxBytes`, without inflating further. Node's zlib does this with
 * maxOutputLength (xlsx/inflate.ts); without one, fflate streams the part.
 */
export type PartInflater = (compressed: Uint8Array, maxBytes: number) => Uint8Array | undefined;

/**
 * A host's own decoder for bytes that are all ASCII (found so by asciiLength): Node copies them
 * into a string (xlsx/inflate.ts); without one, the host's TextDecoder (fflate's strFromU8)
 * checks each byte again as UTF-8.
 */
export type AsciiDecoder = (bytes: Uint8Array) => string;

const decodeAscii: AsciiDecoder = (bytes) => strFromU8(bytes);

/** Runs of characters above U+00FF. */
const ABOVE_LATIN1 = /[^\u0000-\u00ff]+/g;

/**
 * A whole part's text, as one string, or, when it holds characters above U+00FF, as pieces
 * that keep them apart. V8 stores a string, and every piece later cut from it, two bytes a
 * character once anything in it is above U+00FF: one dash in a workbook's instructions would
 * make every shared string two bytes a character, and so every row a consolidation lays out
 * from them, each then copied, handed over and encoded at twice the bytes. Cut where such
 * characters start and end (never inside one), the text between them decodes one byte a
 * character. Searching a string that is one byte a character for them costs nothing. The
 * pieces joined are always the text decoded whole, and bytes it refuses are refused.
 *
 * A sheet's text is ASCII up to its end, or to the prompts of its dropdowns (after the values):
 * that much is decoded once, whole (the host's AsciiDecoder, else TextDecoder), and only what
 * follows is searched and cut. The pieces come as they are taken, so a reader that stops at the
 * end of a sheet's values never decodes the prompts: reading 150 returns, 4.6% fewer instructions.
 */
export function* latin1Pieces(bytes: Uint8Array, asciiText: AsciiDecoder = decodeAscii): Generator<string, void, undefined> {
  const ascii = asciiLength(bytes);
  if (ascii === bytes.length) {
    if (ascii > 0) yield asciiText(bytes);
    return;
  }
  if (ascii <= 1) {
    yield* piecesAroundWideText(bytes);
    return;
  }
  // The rest starts at the last ASCII byte, so its decoder starts on a character that is no byte order mark (a leading one is dropped; not one within).
  yield asciiText(bytes.subarray(0, ascii - 1));
  yield* piecesAroundWideText(bytes.subarray(ascii - 1));
}

/** How many bytes from the start are ASCII: the place of the first byte from 0x80 on, or the length. Four bytes at a time. */
export function asciiLength(bytes: Uint8Array): number {
  const n = bytes.length;
  // Whole words from the first four-byte boundary of the buffer, if there are any; the bytes either side one by one.
  const from = Math.min(n, (4 - (bytes.byteOffset & 3)) & 3);
  const words = (n - from) >> 2;
  let i = 0;
  for (; i < from; i++) if ((bytes[i] as number) & 0x80) return i;
  if (words > 0) {
    const view = new Uint32Array(bytes.buffer, bytes.byteOffset + from, words);
    let w = 0;
    while (w < words && ((view[w] as number) & 0x80808080) === 0) w++;
    i += w * 4;
  }
  for (; i < n; i++) if ((bytes[i] as number) & 0x80) return i;
  return n;
}

/** latin1Pieces, for bytes that may hold anything from their start. */
function piecesAroundWideText(bytes: Uint8Array): string[] {
  let whole = '';
  // fflate's streaming decoder, as for a part read in steps: what it refuses (a sequence cut off at the end) is refused here too.
  new DecodeUTF8((text) => {
    whole += text;
  }).push(bytes, true);
  ABOVE_LATIN1.lastIndex = 0;
  let run = ABOVE_LATIN1.exec(whole);
  if (!run) return whole === '' ? [] : [whole];
  const pieces: string[] = [];
  let decoded = 0;
  const decoder = new DecodeUTF8((text) => {
    decoded += text.length;
    if (text !== '') pieces.push(text);
  });
  // Where the next piece starts, in bytes and in characters (UTF-16 units, as the search counts);
  // every cut falls between characters, so each piece decodes whole as it is pushed.
  let from = 0;
  while (run) {
    // The run's first byte: a character takes a byte at least, so it is no nearer than this, and
    // no byte from 0xC4 (the lead of U+0100) on comes before it.
    let start = from + (run.index - decoded);
    while ((bytes[start] as number) < 0xc4) start++;
    // Its end: the next ASCII byte (any Latin-1 letters right after it go with it).
    let end = start;
    while (end < bytes.length && (bytes[end] as number) >= 0x80) end++;
    decoder.push(bytes.subarray(from, start));
    decoder.push(bytes.subarray(start, end));
    from = end;
    // Bytes that are not UTF-8 decode as U+FFFD, which has no lead byte to find: the rest goes whole.
    if (decoded <= run.index) break;
    ABOVE_LATIN1.lastIndex = decoded;
    run = ABOVE_LATIN1.exec(whole);
  }
  decoder.push(bytes.subarray(from), true);
  return pieces;
}

/**
 * Thrown by a consumer to stop reading a part early (it has seen what it needs); not an error.
 * One shared instance, since building an Error (its stack) for every sheet costs time.
 */
export const STOP: unknown = Object.freeze({ stop: 'reading' });

/**
 * An opened workbook ZIP: its checked directory, and each part inflated on demand under
 * one shared budget of real, counted bytes.
 */
export class WorkbookZip {
  private readonly byName = new Map<string, ZipEntry>();
  private readonly byLowerName = new Map<string, ZipEntry>();
  /** Real bytes inflated so far, across every part. */
  private inflated = 0;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly inflateWhole?: PartInflater,
    private readonly asciiText: AsciiDecoder = decodeAscii,
  ) {
    for (const e of inspectXlsx(bytes).entries) {
      this.byName.set(e.name, e);
      this.byLowerName.set(e.name.toLowerCase(), e);
    }
  }

  /** Real bytes inflated so far, across every part read: what the guard has let into memory, chunk by chunk. */
  get inflatedBytes(): number {
    return this.inflated;
  }

  /** The entry at a path inside the ZIP, matched exactly and then without case (some writers differ in case from their own relationships). */
  entry(name: string): ZipEntry | undefined {
    return this.byName.get(name) ?? this.byLowerName.get(name.toLowerCase());
  }

  /**
   * Streams one part's text to `onText` in pieces, counting the real inflated bytes as they
   * come. Whatever the consumer throws (STOP to stop early, or its own error) passes through
   * untouched.
   */
  readText(entry: ZipEntry, onText: (text: string) => void): void {
    // The consumer's own failures pass through as they are; only the unpacking's become 'corrupt'.
    let consumerFailed = false;
    const deliver = (text: string): void => {
      if (text.length === 0) return;
      try {
        onText(text);
      } catch (e) {
        consumerFailed = true;
        throw e;
      }
    };
    const decoder = new DecodeUTF8(deliver);
    let seen = 0;
    const counted = (chunk: Uint8Array): void => {
      seen += chunk.length;
      this.count(entry, seen, chunk.length);
    };
    const sink = (chunk: Uint8Array, final: boolean): void => {
      counted(chunk);
      decoder.push(chunk, final);
    };
    const data = this.compressedData(entry);
    try {
      if (entry.method === 0) {
        sink(data, true);
        return;
      }
      if (entry.method !== 8) throw corrupt(`part ${entry.name} is packed in a way Excel does not use`);
      if (this.inflateWhole && entry.uncompressedSize <= WHOLE_PART_MAX) {
        // The cap is what the directory declared, or what is left of the budget: the inflater stops there.
        const cap = Math.min(entry.uncompressedSize, WORKBOOK_LIMITS.maxUncompressedBytes - this.inflated);
        const whole = this.inflateWhole(data, cap);
        if (whole === undefined) {
          this.count(entry, cap + 1, cap + 1);
          return;
        }
        counted(whole);
        for (const text of latin1Pieces(whole, this.asciiText)) deliver(text);
        return;
      }
      let finished = false;
      const inflate = new Inflate((chunk, final) => {
        finished = final;
        sink(chunk, final);
      });
      for (let i = 0; i < data.length; i += INFLATE_STEP) inflate.push(data.subarray(i, Math.min(data.length, i + INFLATE_STEP)), i + INFLATE_STEP >= data.length);
      if (data.length === 0) inflate.push(data, true);
      if (!finished) throw corrupt(`part ${entry.name} is cut short`);
    } catch (e) {
      if (consumerFailed || e instanceof WorkbookError) throw e;
      throw corrupt(`part ${entry.name} cannot be unpacked`);
    }
  }

  /**
   * Counts real bytes of `entry` and stops at the first cap they overrun, whatever the headers
   * said. Real bytes never exceed the declared size, and the directory already held declared
   * sizes to the ratio cap and the budget; the budget is counted again for a part read twice
   * (two sheets naming one part).
   */
  private count(entry: ZipEntry, seen: number, n: number): void {
    this.inflated += n;
    if (seen > entry.uncompressedSize) throw overDeclared(entry.name);
    if (this.inflated > WORKBOOK_LIMITS.maxUncompressedBytes) throw overBudget();
  }

  /** The stored bytes of a part, located through its local header (whose own sizes are ignored). */
  private compressedData(entry: ZipEntry): Uint8Array {
    const view = new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength);
    const o = entry.localHeaderOffset;
    if (view.getUint32(o, true) !== SIG_LOCAL) throw corrupt(`part ${entry.name} is missing`);
    if (view.getUint16(o + 6, true) & 0x1) throw encrypted();
    const start = o + 30 + view.getUint16(o + 26, true) + view.getUint16(o + 28, true);
    if (start + entry.compressedSize > this.bytes.length) throw corrupt(`part ${entry.name} lies outside the file`);
    return this.bytes.subarray(start, start + entry.compressedSize);
  }
}

/** The most rows with values a sheet may hold: the pupil rows plus the header block above them. */
export const MAX_VALUE_ROWS = WORKBOOK_LIMITS.maxRowsPerSheet + SHEET_LAYOUT.firstDataRow - 1;
