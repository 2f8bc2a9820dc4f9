/**
 * Checks an upload's ZIP structure by hand, before any XML parser sees it, so that an
 * oversized file, a zip bomb, an encrypted workbook or a file that is not a workbook is
 * refused cheaply with a reason the user can act on.
 *
 * Only the end-of-central-directory record and the central directory are read; nothing is
 * inflated here except, on request, a worksheet part whose declared size is already known
 * to be within the limits (see countValueRows).
 */
import { inflateRawSync } from 'node:zlib';
import { WORKBOOK_LIMITS, SHEET_LAYOUT } from '../shared/transition/layout';
import { WorkbookError } from '../shared/workbook/errors';

/** (design) A part that inflates more than this many times over is treated as a zip bomb. */
export const MAX_COMPRESSION_RATIO = 200;
/** (design) The ratio test applies only to parts at least this large: tiny parts of repeated XML compress well legitimately. */
export const RATIO_CHECK_MIN_BYTES = 256 * 1024;
/** (design) A workbook never needs this many parts; more is a resource-exhaustion attempt. */
export const MAX_ZIP_ENTRIES = 5000;
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

const mb = (n: number): string => `${(n / (1024 * 1024)).toFixed(1)} MB`;

function isWorksheetPart(name: string): boolean {
  return /^xl\/worksheets\/[^/]+\.xml$/i.test(name);
}

/** Reads the ZIP directory and refuses anything that is not a safe, plausible .xlsx. */
export function inspectXlsx(bytes: Uint8Array): XlsxInspection {
  if (bytes.length > WORKBOOK_LIMITS.maxFileBytes) {
    throw new WorkbookError('too-large', `the file is ${mb(bytes.length)}, over the ${mb(WORKBOOK_LIMITS.maxFileBytes)} limit; remove anything that is not part of the return (pictures, extra sheets) and save again`);
  }
  // OLE compound file: Excel wraps password-protected .xlsx files in one, and it is also the old .xls format.
  if (bytes.length >= 4 && bytes[0] === 0xd0 && bytes[1] === 0xcf && bytes[2] === 0x11 && bytes[3] === 0xe0) {
    throw new WorkbookError('encrypted', 'the file is password-protected or a legacy .xls; save as an unprotected .xlsx');
  }
  if (bytes.length < 4 || bytes[0] !== 0x50 || bytes[1] !== 0x4b) {
    throw new WorkbookError('not-xlsx', 'the file is not an Excel workbook; open it in Excel and save it as an Excel Workbook (.xlsx)');
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const corrupt = (what: string): WorkbookError =>
    new WorkbookError('corrupt', `the workbook is damaged or incomplete (${what}); open it in Excel, save it again as .xlsx and send the new copy`);

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
  if (totalEntries === 0xffff || cdOffset === 0xffffffff || cdSize === 0xffffffff) {
    // ZIP64 is only needed for parts over 4 GB, far beyond any return.
    throw new WorkbookError('zip-bomb', 'the workbook declares parts far larger than any return could need; save the sheet again as a fresh .xlsx');
  }
  if (totalEntries > MAX_ZIP_ENTRIES) {
    throw new WorkbookError('zip-bomb', `the workbook holds ${totalEntries} internal parts, far more than a return needs; copy the sheet into a fresh workbook and save again`);
  }
  if (cdOffset + cdSize > eocd) throw corrupt('its table of contents points past the end of the file');

  const entries: ZipEntry[] = [];
  let totalUncompressed = 0;
  let p = cdOffset;
  const decoder = new TextDecoder('utf-8');
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
    const name = decoder.decode(bytes.subarray(p + 46, p + 46 + nameLen));
    p += 46 + nameLen + extraLen + commentLen;

    if (flags & 0x1) throw new WorkbookError('encrypted', 'the file is password-protected or a legacy .xls; save as an unprotected .xlsx');
    if (localHeaderOffset + 30 > cdOffset || localHeaderOffset + compressedSize > cdOffset) throw corrupt(`part ${name} lies outside the file`);
    totalUncompressed += uncompressedSize;
    if (totalUncompressed > WORKBOOK_LIMITS.maxUncompressedBytes) {
      throw new WorkbookError('zip-bomb', `the workbook unpacks to more than ${mb(WORKBOOK_LIMITS.maxUncompressedBytes)}, far more than a return needs; copy the sheet into a fresh workbook, paste values only and save again`);
    }
    if (uncompressedSize >= RATIO_CHECK_MIN_BYTES && uncompressedSize > MAX_COMPRESSION_RATIO * Math.max(compressedSize, 1)) {
      throw new WorkbookError('zip-bomb', `part ${name} unpacks to more than ${MAX_COMPRESSION_RATIO} times its stored size, which real workbooks never do; copy the sheet into a fresh workbook and save again`);
    }
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
 * Counts the rows holding at least one value in each worksheet part, from the raw XML,
 * so a sheet with far too many rows is refused before exceljs builds it in memory.
 * Rows that are only formatted (no value) are not counted. Sizes were already capped by
 * inspectXlsx, so inflating is bounded.
 */
export function countValueRows(bytes: Uint8Array, inspection: XlsxInspection): Map<string, number> {
  const counts = new Map<string, number>();
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (const e of inspection.entries) {
    if (!isWorksheetPart(e.name)) continue;
    const o = e.localHeaderOffset;
    if (view.getUint32(o, true) !== SIG_LOCAL) continue; // exceljs will report a broken part as corrupt
    const start = o + 30 + view.getUint16(o + 26, true) + view.getUint16(o + 28, true);
    const raw = bytes.subarray(start, start + e.compressedSize);
    let xml: string;
    try {
      const data = e.method === 0 ? raw : inflateRawSync(raw, { maxOutputLength: Math.max(e.uncompressedSize, 1) });
      xml = Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('latin1');
    } catch {
      continue;
    }
    let rows = 0;
    const rowRe = /<(?:\w+:)?row\b[^>]*?(?:\/>|>[\s\S]*?<\/(?:\w+:)?row>)/g;
    for (let m = rowRe.exec(xml); m; m = rowRe.exec(xml)) {
      if (/<(?:\w+:)?(?:v|is|f)[\s>]/.test(m[0])) rows++;
    }
    counts.set(e.name, rows);
  }
  return counts;
}

/** The most rows with values a sheet may hold: the pupil rows plus the header block above them. */
export const MAX_VALUE_ROWS = WORKBOOK_LIMITS.maxRowsPerSheet + SHEET_LAYOUT.firstDataRow - 1;
