/**
 * Reads a school's transition workbook into a TransitionReturn: values only, keyed by the
 * layout's column keys, through a streaming unzip (zip.ts, fflate) and a streaming XML parse
 * (xml.ts, htmlparser2's tokenizer). It touches only workbook.xml, its relationships, the shared
 * strings and the sheets it reads; it never builds a workbook model and never loads styles.
 * Anything wrong is a WorkbookError with one plain-English line.
 *
 * Dates: without styles a cell's number format is unknown, so a number in a date column is
 * read as an Excel date serial in the workbook's own date system (1900 or 1904), as Excel
 * itself stores dates; text dates (dd/mm/yyyy) become ISO too.
 */
import { columnLetter, SHEET_LAYOUT, TRANSITION_COLUMNS, type TransitionColumn, WORKBOOK_LIMITS } from '../transition/layout';
import type { CellValue, QueryExplanation, RowInput, RowValues, SheetInput, TransitionReturn } from '../transition/schema';
import { parseDate } from '../transition/normalise';
import { WorkbookError } from './errors';
import { hiddenRowsAndColumnsError } from './hidden';
import { unescapeCell } from './escape';
import { type AsciiDecoder, MAX_VALUE_ROWS, type PartInflater, STOP, WorkbookZip, type ZipEntry } from './zip';
import { type XmlHandlers, parseXml } from './xml';

export interface ReadOptions {
  /** The file's name, for the caller's messages; the reader's own messages never need it. */
  fileName?: string;
  /** The columns table whose headers and cells are read; TRANSITION_COLUMNS by default. */
  columns?: readonly TransitionColumn[];
  /** The host's own inflater (Node's zlib: xlsx/inflate.ts), faster than fflate's; the guard holds either way. */
  inflate?: PartInflater;
  /** The host's own decoder for a part's text up to its first byte beyond ASCII (Node's: xlsx/inflate.ts). */
  asciiText?: AsciiDecoder;
}

const NON_PUPIL_SHEETS = new Set([SHEET_LAYOUT.instructionsSheet, SHEET_LAYOUT.listsSheet, SHEET_LAYOUT.explanationsSheet].map((n) => n.toLowerCase()));
/** (design) A sheet whose headers match at least this share of the layout is taken as a damaged transition sheet, not another sheet. */
const NEAR_MATCH_SHARE = 0.5;
const MAX_EXPLANATIONS = 5000;
/** Days from Excel's 1900 epoch (serial 0 = 1899-12-30) to the Unix epoch; the 1904 system starts 1,462 days later. */
const UNIX_EPOCH_SERIAL = 25569;
const DATE_1904_OFFSET = 1462;

const normalise = (s: string): string => s.replace(/\s+/g, ' ').trim().toLowerCase();

/** A cell as the sheet stores it: text (shared, inline or an error such as '#N/A'), a number, a boolean, or nothing. */
type Raw = string | number | boolean | null;

interface SheetRef {
  name: string;
  state: string;
  part: string | undefined;
}

interface Workbook {
  zip: WorkbookZip;
  sheets: SheetRef[];
  date1904: boolean;
  strings: readonly string[];
}

const unreadable = (): WorkbookError =>
  new WorkbookError('corrupt', 'Excel data inside the file could not be read (the workbook may be damaged); open it in Excel, save it again as .xlsx and retry');

export async function readTransitionWorkbook(bytes: Uint8Array, opts: ReadOptions = {}): Promise<TransitionReturn> {
  return readTransitionWorkbookSync(bytes, opts);
}

/** The reader itself, synchronous: the whole file is already in memory and nothing here waits. */
export function readTransitionWorkbookSync(bytes: Uint8Array, opts: ReadOptions = {}): TransitionReturn {
  const columns = opts.columns ?? TRANSITION_COLUMNS;
  const wb = openWorkbook(bytes, opts.inflate, opts.asciiText);

  for (const s of wb.sheets) {
    if (s.state !== 'visible') {
      throw new WorkbookError('hidden', `sheet '${s.name}' is hidden; unhide it (right-click a sheet tab > Unhide), delete it if it is not part of the return, and save again`);
    }
  }

  const sheets: SheetInput[] = [];
  let totalRows = 0;
  let year: number | null = null;
  for (const s of wb.sheets) {
    if (NON_PUPIL_SHEETS.has(normalise(s.name))) continue;
    const read = readTransitionSheet(wb, s, columns);
    if (!read) continue;
    if (sheets.length === 0) year = read.year;
    sheets.push(read.sheet);
    totalRows += read.sheet.rows.length;
    if (totalRows > WORKBOOK_LIMITS.maxRowsPerReturn) {
      throw new WorkbookError(
        'too-many-rows',
        `the workbook's sheets hold ${totalRows} pupil rows in all, over the limit of ${WORKBOOK_LIMITS.maxRowsPerReturn} for one school's return; delete unused rows and save again`,
      );
    }
    if (sheets.length > WORKBOOK_LIMITS.maxSheets) {
      throw new WorkbookError('too-many-sheets', `the workbook has more than ${WORKBOOK_LIMITS.maxSheets} transition sheets; send one sheet per receiving secondary`);
    }
  }
  if (sheets.length === 0) {
    const first = columns[0];
    const last = columns[columns.length - 1];
    throw new WorkbookError(
      'unknown-layout',
      `no sheet has the Good Start headers in row ${SHEET_LAYOUT.headerRow} (expected '${first?.header ?? ''}' in ${first?.letter ?? ''}${SHEET_LAYOUT.headerRow} through to '${last?.header ?? ''}' in ${last?.letter ?? ''}${SHEET_LAYOUT.headerRow}); copy the pupils into a fresh template (goodstart template) without moving or renaming columns`,
    );
  }
  return { year, sheets, explanations: readExplanations(wb) };
}

// ---------------------------------------------------------------------------------------------
// The workbook part, its relationships and the shared strings.

/** Streams one part through the XML tokenizer (xml.ts); handlers get local names (any namespace prefix dropped). */
function parsePart(zip: WorkbookZip, entry: ZipEntry, h: XmlHandlers): void {
  try {
    parseXml(h, (write) => zip.readText(entry, write));
  } catch (e) {
    if (e === STOP) return;
    if (e instanceof WorkbookError) throw e;
    throw unreadable();
  }
}

/** A relationship target as a path inside the ZIP: relative to xl/, or absolute from the root. */
function partPath(target: string): string {
  const out: string[] = [];
  for (const seg of (target.startsWith('/') ? target.slice(1) : `xl/${target}`).split('/')) {
    if (seg === '..') out.pop();
    else if (seg !== '.' && seg !== '') out.push(seg);
  }
  return out.join('/');
}

function openWorkbook(bytes: Uint8Array, inflate: PartInflater | undefined, asciiText: AsciiDecoder | undefined): Workbook {
  const zip = new WorkbookZip(bytes, inflate, asciiText);
  const required = (name: string): ZipEntry => {
    const e = zip.entry(name);
    if (!e) throw unreadable();
    return e;
  };

  const targets = new Map<string, string>();
  let sharedStringsPart: string | undefined;
  const rels = zip.entry('xl/_rels/workbook.xml.rels');
  if (rels) {
    parsePart(zip, rels, {
      open(name, a) {
        if (name !== 'Relationship' || a.Id === undefined || a.Target === undefined || a.TargetMode === 'External') return;
        targets.set(a.Id, partPath(a.Target));
        if (a.Type?.endsWith('/sharedStrings')) sharedStringsPart = partPath(a.Target);
      },
    });
  }

  const sheets: SheetRef[] = [];
  let date1904 = false;
  parsePart(zip, required('xl/workbook.xml'), {
    open(name, a) {
      if (name === 'workbookPr') date1904 = a.date1904 === '1' || a.date1904 === 'true';
      if (name !== 'sheet') return;
      const id = Object.entries(a).find(([k]) => k === 'id' || k.endsWith(':id'))?.[1];
      sheets.push({ name: a.name ?? '', state: a.state ?? 'visible', part: id === undefined ? undefined : targets.get(id) });
    },
  });

  const sst = zip.entry(sharedStringsPart ?? 'xl/sharedStrings.xml');
  return { zip, sheets, date1904, strings: sst ? readSharedStrings(zip, sst) : [] };
}

/** The shared strings, rich text flattened to its runs' text; phonetic guides (rPh) are not part of the value. */
function readSharedStrings(zip: WorkbookZip, entry: ZipEntry): string[] {
  const strings: string[] = [];
  let current = '';
  let inT = false;
  let inPhonetic = false;
  parsePart(zip, entry, {
    attributes: NO_ATTRIBUTES,
    open(name) {
      if (name === 't') inT = !inPhonetic;
      else if (name === 'si') current = '';
      else if (name === 'rPh') inPhonetic = true;
    },
    close(name) {
      if (name === 't') inT = false;
      else if (name === 'si') strings.push(current);
      else if (name === 'rPh') inPhonetic = false;
    },
    text(t) {
      if (inT) current += t;
    },
  });
  return strings;
}

// ---------------------------------------------------------------------------------------------
// Cells.

const NO_ATTRIBUTES: ReadonlySet<string> = new Set();
/** What readCells reads of <row>, <col> and <c>: places, types and hiding; styles and the rest are skipped. */
const CELL_ATTRIBUTES: ReadonlySet<string> = new Set(['r', 't', 'hidden', 'min', 'max']);

/** 1-based column number of a cell reference's letters ('AB12' → 28), or 0 when it has none. */
function columnNumber(ref: string): number {
  let n = 0;
  for (let i = 0; i < ref.length; i++) {
    const c = ref.charCodeAt(i);
    if (c < 65 || c > 90) break;
    n = n * 26 + (c - 64);
  }
  return n;
}

function rowNumber(ref: string): number {
  const m = /\d+$/.exec(ref);
  return m ? Number(m[0]) : 0;
}

interface CellSink {
  cell(row: number, column: number, value: Raw, formula: boolean): void;
  rowEnd(row: number, hasValue: boolean): void;
}

/**
 * Streams a worksheet's cells in document order. A cell's value is decoded by its type:
 * shared string, inline string (as LibreOffice and openpyxl write), formula string, boolean,
 * error (its text, '#N/A'), ISO date ('d', strict OOXML) or number.
 */
function readCells(wb: Workbook, entry: ZipEntry, sink: CellSink, sheetName: string): void {
  // Hidden rows and columns are refused like hidden sheets (shared/workbook/hidden.ts words it).
  const hiddenRows: number[] = [];
  const hiddenColumns: { min: number; max: number }[] = [];
  const isHidden = (v: string | undefined) => v === '1' || v === 'true';
  let row = 0;
  let column = 0;
  let type = 'n';
  let formula = false;
  let hasValue = false;
  let rowHasValue = false;
  let capture = false;
  let inInline = false;
  let inPhonetic = false;
  let text = '';

  const decode = (): Raw => {
    if (!hasValue) return null;
    switch (type) {
      case 's':
        return wb.strings[Number(text)] ?? null;
      case 'inlineStr':
      case 'str':
      case 'e':
        return text;
      case 'b':
        return text.trim() === '1' || text.trim().toLowerCase() === 'true';
      case 'd':
        return isoDate(new Date(text.trim())) ?? text;
      default: {
        if (text.trim() === '') return null;
        const n = Number(text);
        return Number.isFinite(n) ? n : null;
      }
    }
  };

  parsePart(wb.zip, entry, {
    attributes: CELL_ATTRIBUTES,
    open(name, a) {
      switch (name) {
        case 'row':
          row = a.r ? Number(a.r) : row + 1;
          if (isHidden(a.hidden)) hiddenRows.push(row);
          column = 0;
          rowHasValue = false;
          break;
        case 'col':
          if (isHidden(a.hidden)) hiddenColumns.push({ min: Number(a.min), max: Number(a.max ?? a.min) });
          break;
        case 'c':
          // The row comes from <row>; a cell's own reference only places its column.
          column = a.r ? columnNumber(a.r) : column + 1;
          type = a.t ?? 'n';
          formula = false;
          hasValue = false;
          text = '';
          break;
        case 'v':
          capture = true;
          hasValue = true;
          break;
        case 'f':
          formula = true;
          break;
        case 'is':
          inInline = true;
          hasValue = true;
          break;
        case 't':
          capture = inInline && !inPhonetic;
          break;
        case 'rPh':
          inPhonetic = true;
          break;
      }
    },
    close(name) {
      switch (name) {
        case 'v':
        case 't':
          capture = false;
          break;
        case 'is':
          inInline = false;
          break;
        case 'rPh':
          inPhonetic = false;
          break;
        case 'c': {
          const value = decode();
          if (value !== null || formula) rowHasValue = true;
          sink.cell(row, column, value, formula);
          break;
        }
        case 'row':
          sink.rowEnd(row, rowHasValue);
          break;
        case 'sheetData':
          // What follows (merges, validations, print settings) holds no values.
          throw STOP;
      }
    },
    text(t) {
      if (capture) text += t;
    },
  });
  const hidden = hiddenRowsAndColumnsError({ sheet: sheetName, rows: hiddenRows, columns: hiddenColumns });
  if (hidden) throw hidden;
}

function isoDate(d: Date): string | null {
  if (Number.isNaN(d.getTime())) return null;
  return d.toISOString().slice(0, 10);
}

const DAY_MS = 86_400_000;
const pad2 = (n: number): string => (n < 10 ? `0${n}` : `${n}`);

/**
 * An Excel date serial as ISO, as exceljs reads a date cell (UTC, rounded to the millisecond).
 * The civil date is worked out from the day number (H. Hinnant's days-to-civil), not through a
 * Date and its ISO string, as every date cell of every return asks; years outside 0000–9999
 * (never a pupil's) go through Date as before.
 */
export function serialDate(serial: number, date1904: boolean): string | null {
  const ms = Math.round((serial - UNIX_EPOCH_SERIAL + (date1904 ? DATE_1904_OFFSET : 0)) * DAY_MS);
  const z = Math.floor(ms / DAY_MS) + 719_468;
  if (!(z >= 0 && z < 4_371_000)) return isoDate(new Date(ms));
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  if (year > 9999) return isoDate(new Date(ms));
  return `${String(year).padStart(4, '0')}-${pad2(month)}-${pad2(day)}`;
}

/** Text of any cell: numbers and booleans as written, errors as '#N/A' etc. */
function cellText(v: Raw): string {
  return v === null ? '' : String(v);
}

function normaliseValue(v: Raw, isDateColumn: boolean, date1904: boolean): CellValue {
  if (v === null) return null;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return null;
    return isDateColumn ? (serialDate(v, date1904) ?? v) : v;
  }
  if (typeof v === 'boolean') return v;
  const text = unescapeCell(v.trim());
  if (text === '') return null;
  // A date typed as text (dd/mm/yyyy) becomes ISO; anything else is left for the validator to report.
  return isDateColumn ? (parseDate(text) ?? text) : text;
}

// ---------------------------------------------------------------------------------------------
// Sheets.

function tooManyRows(sheet: string, rows: number): WorkbookError {
  return new WorkbookError(
    'too-many-rows',
    `sheet '${sheet}' holds ${rows} rows, over the limit of ${WORKBOOK_LIMITS.maxRowsPerSheet} pupils; delete unused rows (including any filled far down the sheet) and save again`,
  );
}

function formulaError(sheet: string, address: string): WorkbookError {
  return new WorkbookError('formula', `cell ${address} on '${sheet}' holds a formula; paste values only (Paste Special > Values) and save again`);
}

function sheetEntry(wb: Workbook, s: SheetRef): ZipEntry {
  const entry = s.part === undefined ? undefined : wb.zip.entry(s.part);
  if (!entry) throw unreadable();
  return entry;
}

/** A columns table as the reader uses it, worked out once per table rather than once per sheet. */
interface ColumnPlan {
  /** The column at each 1-based column number, or undefined. */
  at: Array<TransitionColumn | undefined>;
  /** Whether the column at each number holds dates. */
  dates: boolean[];
  /** Each column's header, normalised for comparison. */
  headers: Map<TransitionColumn, string>;
  /** A row with every key present and null, to copy for each pupil. */
  blank: Readonly<Record<string, CellValue>>;
}

const plans = new WeakMap<readonly TransitionColumn[], ColumnPlan>();

function columnPlan(columns: readonly TransitionColumn[]): ColumnPlan {
  let plan = plans.get(columns);
  if (!plan) {
    plan = { at: [], dates: [], headers: new Map(), blank: Object.fromEntries(columns.map((c) => [c.key, null])) };
    for (const c of columns) {
      const n = columnNumber(c.letter);
      plan.at[n] = c;
      plan.dates[n] = c.type.kind === 'date';
      plan.headers.set(c, normalise(c.header));
    }
    plans.set(columns, plan);
  }
  return plan;
}

/** True when the header row holds the layout's headers; a near match is a layout error, not another sheet. */
function isTransitionHeader(sheet: string, header: ReadonlyMap<number, Raw>, columns: readonly TransitionColumn[]): boolean {
  const found = (c: TransitionColumn): string => cellText(header.get(columnNumber(c.letter)) ?? null);
  const { headers } = columnPlan(columns);
  // A header as the template writes it needs no normalising (nearly every one, every sheet).
  const mismatches = columns.filter((c) => {
    const text = found(c);
    return text !== c.header && normalise(text) !== headers.get(c);
  });
  if (mismatches.length === 0) return true;
  if (mismatches.length <= columns.length * (1 - NEAR_MATCH_SHARE)) {
    const m = mismatches[0];
    if (m) {
      const text = found(m).trim();
      throw new WorkbookError(
        'unknown-layout',
        `sheet '${sheet}' cell ${m.letter}${SHEET_LAYOUT.headerRow} ${text ? `says '${text.slice(0, 60)}'` : 'is empty'} but the layout expects '${m.header}'; put the columns back as in the template, without moving, inserting or renaming any`,
      );
    }
  }
  return false;
}

function readYear(v: Raw): number | null {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  const m = /\b(\d{4})\b/.exec(cellText(v));
  return m ? Number(m[1]) : null;
}

/**
 * Reads one sheet if it is a transition sheet, in one pass: the header block is held until the
 * header row is seen, then the sheet is either dropped (reading stops there) or read row by
 * row. A formula anywhere on a transition sheet is refused, naming its first cell.
 */
function readTransitionSheet(wb: Workbook, s: SheetRef, columns: readonly TransitionColumn[]): { sheet: SheetInput; year: number | null } | undefined {
  const { headerRow, firstDataRow } = SHEET_LAYOUT;
  const yearAt = { row: rowNumber(SHEET_LAYOUT.yearCell), column: columnNumber(SHEET_LAYOUT.yearCell) };
  const receivingAt = { row: rowNumber(SHEET_LAYOUT.receivingCell), column: columnNumber(SHEET_LAYOUT.receivingCell) };
  const plan = columnPlan(columns);
  const header = new Map<number, Raw>();
  let yearValue: Raw = null;
  let receivingValue: Raw = null;
  let firstFormula: string | undefined;
  let decided = false;
  let transition = false;
  const rows: RowInput[] = [];
  let valueRows = 0;
  let values: Record<string, CellValue> | undefined;

  /** Settles whether this is a transition sheet, once its header row has gone by. */
  const decide = (): boolean => {
    decided = true;
    transition = isTransitionHeader(s.name, header, columns);
    if (transition && firstFormula !== undefined) throw formulaError(s.name, firstFormula);
    return transition;
  };

  readCells(wb, sheetEntry(wb, s), {
    cell(row, column, value, formula) {
      if (!decided && row > headerRow && !decide()) throw STOP;
      if (formula) {
        const address = `${columnLetter(column)}${row}`;
        if (decided) throw formulaError(s.name, address);
        firstFormula ??= address;
      }
      if (row === headerRow) header.set(column, value);
      else if (row === yearAt.row && column === yearAt.column) yearValue = value;
      else if (row === receivingAt.row && column === receivingAt.column) receivingValue = value;
      if (row < firstDataRow || value === null) return;
      const c = plan.at[column];
      if (!c) return;
      const v = normaliseValue(value, plan.dates[column] === true, wb.date1904);
      if (v === null) return;
      values ??= { ...plan.blank };
      values[c.key] = v;
    },
    rowEnd(row, hasValue) {
      if (hasValue && ++valueRows > MAX_VALUE_ROWS) throw tooManyRows(s.name, valueRows);
      if (!values) return;
      rows.push({ row, values: values as RowValues });
      values = undefined;
      if (rows.length > WORKBOOK_LIMITS.maxRowsPerSheet) throw tooManyRows(s.name, rows.length);
    },
  }, s.name);
  if (!decided) decide();
  if (!transition) return undefined;
  const receiving = cellText(receivingValue).trim();
  return { sheet: { name: s.name, receivingSecondary: receiving === '' ? null : unescapeCell(receiving), rows }, year: readYear(yearValue) };
}

function readExplanations(wb: Workbook): QueryExplanation[] {
  const s = wb.sheets.find((w) => normalise(w.name) === normalise(SHEET_LAYOUT.explanationsSheet));
  if (!s) return [];
  const out: QueryExplanation[] = [];
  let fields: string[] = ['', '', '', ''];
  readCells(wb, sheetEntry(wb, s), {
    cell(row, column, value) {
      if (row > 1 && column >= 1 && column <= 4) fields[column - 1] = unescapeCell(cellText(value).trim());
    },
    rowEnd(row) {
      const [rule = '', sheet = '', cell = '', text = ''] = fields;
      fields = ['', '', '', ''];
      if (row === 1 || (!rule && !sheet && !cell && !text)) return;
      out.push({ rule, sheet, cell: cell.toUpperCase().replace(/\$/g, ''), text });
      if (out.length > MAX_EXPLANATIONS) {
        throw new WorkbookError('too-many-rows', `the '${s.name}' sheet holds more than ${MAX_EXPLANATIONS} explanations; keep one per query`);
      }
    },
  }, s.name);
  return out;
}

/**
 * When the workbook was last saved, by its own properties (docProps/core.xml, dcterms:modified,
 * which Excel sets on every save), as an ISO timestamp; null where the part, the property or a
 * readable date is missing. Copying the file leaves it as it was, so two copies of one save
 * tell as the same; the file system's times would not.
 */
export function readWorkbookModifiedSync(bytes: Uint8Array, opts: Pick<ReadOptions, 'inflate' | 'asciiText'> = {}): string | null {
  const zip = new WorkbookZip(bytes, opts.inflate, opts.asciiText);
  const core = zip.entry('docProps/core.xml');
  if (!core) return null;
  let text: string | null = null;
  // A damaged or oversized properties part only loses the date: the return itself is read apart.
  try {
    readModified(zip, core, (t) => (text = t));
  } catch (e) {
    if (e instanceof WorkbookError) return null;
    throw e;
  }
  const ms = text === null ? NaN : Date.parse((text as string).trim());
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

function readModified(zip: WorkbookZip, core: ZipEntry, found: (text: string) => void): void {
  let text = '';
  let inModified = false;
  parsePart(zip, core, {
    attributes: NO_ATTRIBUTES,
    open(name) {
      if (name === 'modified') inModified = true;
    },
    close(name) {
      if (name === 'modified') {
        found(text);
        throw STOP;
      }
    },
    text(t) {
      if (inModified) text += t;
    },
  });
}
