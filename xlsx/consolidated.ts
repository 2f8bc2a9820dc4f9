/**
 * The city's consolidated workbook for LA officers: About, Pupils, Tracker and one sheet
 * per published count table. It holds special-category data about children, so nothing in
 * it is hidden, no cell holds a formula, and every text value is escaped against formula
 * injection (it will be filtered, copied and re-exported).
 */
import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';
import { TRANSITION_COLUMNS, type TransitionColumn } from '../shared/transition/layout';
import { cellText } from '../shared/transition/normalise';
import { alsoOnText, type ConsolidatedPupil, type PupilSource, receivedLine, type ReceivedCounts, SUMMARY_SHEET_NAMES, type TrackerEntry } from '../shared/consolidation';
import type { PupilRow } from '../shared/transition/schema';
import type { CountTable } from '../shared/aggregate/table';
import { escapeCell } from '../shared/workbook/escape';
import { LA_OWNER, type PrintOwner } from '../shared/print';
import { type CellOut, QUEUE_BYTES, type SheetWriter, STYLE, XlsxWriter } from './spreadsheetml';

/** What the workbook says beside its pupils: the run, the tracker and the tables. */
export interface ConsolidatedSummary {
  year: number;
  /** ISO timestamp of the run. */
  generatedAt: string;
  tracker: TrackerEntry[];
  /**
   * What was received, for the About sheet: the tracker alone cannot tell a file read from a
   * school with nothing stored. Without it, every tracker line is taken as a file (read, or not).
   */
  received?: ReceivedCounts;
  tables: CountTable[];
}

export interface ConsolidatedWorkbookOptions extends ConsolidatedSummary {
  /** The pupils, in order. */
  pupils: Iterable<ConsolidatedPupil> | AsyncIterable<ConsolidatedPupil>;
  /** The columns table of the Pupils sheet; TRANSITION_COLUMNS by default. */
  columns?: readonly TransitionColumn[];
}

export const CONSOLIDATED_SHEETS = { about: 'About', pupils: 'Pupils', tracker: 'Tracker' } as const;
/** Excel's limit on sheet-name length and the characters it refuses in one. */
const SHEET_NAME_MAX = 31;
const SHEET_NAME_BAD = /[[\]:*?/\\]/g;
/** (design) Pupil rows between waits for the deflater and the file to take what has been written, so rows never pile up in memory. */
const ROWS_PER_SETTLE = 256;

const text = (v: CellOut): CellOut => escapeCell(v);

/** The consolidated workbook in memory (the API's export). */
export async function writeConsolidatedWorkbook(opts: ConsolidatedWorkbookOptions): Promise<Uint8Array> {
  const writer = ConsolidatedWorkbookWriter.inMemory(opts.columns);
  await writer.addPupils(opts.pupils);
  await writer.finish(opts);
  return writer.bytes();
}

/** The consolidated workbook streamed to a file: neither the pupils nor the output are ever whole in memory. */
export async function writeConsolidatedWorkbookFile(file: string, opts: ConsolidatedWorkbookOptions): Promise<void> {
  const writer = await ConsolidatedWorkbookWriter.toFile(file, opts.columns);
  try {
    await writer.addPupils(opts.pupils);
    await writer.finish(opts);
  } catch (e) {
    writer.abort();
    throw e;
  }
}

/**
 * The consolidated workbook written as the returns are read: pupils first (each school's as
 * it comes, then dropped), then, once every return is in, the About, Tracker and table sheets
 * that count them. The ZIP holds the parts in that order; the workbook shows About first.
 */
export class ConsolidatedWorkbookWriter {
  private readonly pupilSheet: SheetWriter;
  private readonly columns: readonly PupilColumn[];
  private readonly cells: CellOut[];
  private pupilCount = 0;

  private constructor(
    private readonly xlsx: XlsxWriter,
    layout: readonly TransitionColumn[],
    private readonly file?: WriteStream,
  ) {
    const columns = pupilColumns(layout);
    this.columns = columns;
    this.cells = columns.map(() => null);
    this.pupilSheet = xlsx.sheet({
      name: CONSOLIDATED_SHEETS.pupils,
      widths: columns.map((c) => c.width),
      frozen: { columns: 2, rows: 1 },
      filterColumns: columns.length,
      print: { kind: 'pupils', titles: { rows: { first: 1, last: 1 }, columns: nameColumns(columns) } },
    });
    // Wrapped: a header wider than its column prints whole above it.
    this.pupilSheet.row(columns.map((c) => text(c.header)), STYLE.boldWrap);
  }

  static inMemory(layout: readonly TransitionColumn[] = TRANSITION_COLUMNS): ConsolidatedWorkbookWriter {
    return new ConsolidatedWorkbookWriter(XlsxWriter.inMemory(), layout);
  }

  static async toFile(file: string, layout: readonly TransitionColumn[] = TRANSITION_COLUMNS): Promise<ConsolidatedWorkbookWriter> {
    const out = createWriteStream(file, { highWaterMark: QUEUE_BYTES });
    await once(out, 'open');
    return new ConsolidatedWorkbookWriter(XlsxWriter.toStream(out), layout, out);
  }

  /** Appends pupils to the Pupils sheet, in order, each marked with where it came from. */
  async addPupils(pupils: Iterable<ConsolidatedPupil> | AsyncIterable<ConsolidatedPupil>): Promise<void> {
    for await (const p of pupils) {
      this.pupilRow(p, p);
      if (this.pupilCount % ROWS_PER_SETTLE === 0) await this.pupilSheet.settle();
    }
    await this.pupilSheet.settle();
  }

  /** Appends one return's pupils, all from one `source`. */
  async addReturnPupils(pupils: readonly PupilRow[], source: PupilSource): Promise<void> {
    for (const p of pupils) this.pupilRow(p, source);
    await this.pupilSheet.settle();
  }

  private pupilRow(p: PupilRow, source: PupilSource): void {
    // One array of cells, filled anew for each pupil: row() has written it before the next.
    for (let i = 0; i < this.columns.length; i++) this.cells[i] = text((this.columns[i] as PupilColumn).value(p, source));
    this.pupilSheet.row(this.cells);
    this.pupilCount++;
  }

  /** Ends the Pupils sheet, writes the sheets that count it, and closes the workbook (and its file). */
  async finish(summary: ConsolidatedSummary): Promise<void> {
    const who = printedAs(summary.year);
    await this.pupilSheet.end(who);
    const used = new Set<string>(Object.values(CONSOLIDATED_SHEETS).map((n) => n.toLowerCase()));
    const tableSheets = summary.tables.map((t) => ({ table: t, name: uniqueSheetName(SUMMARY_SHEET_NAMES[t.id] ?? t.title, used) }));
    await writeAbout(this.xlsx, summary, this.pupilCount, tableSheets, who);
    await writeTracker(this.xlsx, summary.tracker, who);
    for (const { table, name } of tableSheets) await writeTable(this.xlsx, table, name, who);
    await this.xlsx.finish([CONSOLIDATED_SHEETS.about, CONSOLIDATED_SHEETS.pupils, CONSOLIDATED_SHEETS.tracker, ...tableSheets.map((t) => t.name)], {
      creator: 'Good Start',
      created: Number.isNaN(Date.parse(summary.generatedAt)) ? new Date() : new Date(summary.generatedAt),
    });
    if (this.file) {
      this.file.end();
      await finished(this.file);
    }
  }

  /** The workbook's bytes, after finish(), for a writer made inMemory(). */
  bytes(): Uint8Array {
    return this.xlsx.bytes();
  }

  /** Stops writing the file after a failure; the caller removes it. */
  abort(): void {
    this.file?.destroy();
  }

  /** Stops writing the file and waits until it is closed, so that it can be written afresh (a run that starts again). */
  async discard(): Promise<void> {
    const file = this.file;
    if (!file || file.closed) return;
    const closed = once(file, 'close');
    file.destroy();
    await closed;
  }
}

/** Whom and what the printed pages name. */
const printedAs = (year: number): PrintOwner => ({ workbook: `Good Start consolidated transition returns, September ${year}`, owner: LA_OWNER });

/** The Pupils sheet's name columns (legal surname and forename), repeated on every printed page; none when the layout has no such columns. */
function nameColumns(columns: readonly PupilColumn[]): { first: number; last: number } | undefined {
  const at = (key: string): number => columns.findIndex((c) => c.key === key) + 1;
  const [surname, forename] = [at('surname'), at('forename')];
  if (surname === 0 || forename === 0) return undefined;
  return { first: Math.min(surname, forename), last: Math.max(surname, forename) };
}

interface PupilColumn {
  /** The layout's key, for the layout's columns. */
  key?: string;
  header: string;
  width: number;
  value: (p: PupilRow, source: PupilSource) => CellOut;
}

const pupilColumnsOf = new WeakMap<readonly TransitionColumn[], PupilColumn[]>();

/** The Pupils sheet's columns for a columns table: where each pupil came from, the layout's columns, then its source file, sheet and row. */
function pupilColumns(layout: readonly TransitionColumn[]): PupilColumn[] {
  let columns = pupilColumnsOf.get(layout);
  if (!columns) {
    columns = [
      { header: 'Source school', width: 12, value: (_, source) => source.sourceSchool },
      { header: 'Receiving secondary', width: 12, value: (p) => p.receivingSecondary },
      ...layout.map((c) => ({ key: c.key, header: c.header, width: c.width, value: (p: PupilRow) => readable(p, c) })),
      { header: 'Source file', width: 30, value: (_, source) => source.sourceFile ?? null },
      { header: 'Source sheet', width: 14, value: (p) => p.sheet },
      { header: 'Source row', width: 8, value: (p) => p.row },
    ];
    pupilColumnsOf.set(layout, columns);
  }
  return columns;
}

/** A legal, unique sheet name for a table title: ≤ 31 characters, none of []:*?/\, not starting or ending with '. */
export function uniqueSheetName(title: string, used: Set<string>): string {
  const base = title.replace(SHEET_NAME_BAD, '-').replace(/^'+|'+$/g, '').replace(/\s+/g, ' ').trim() || 'Table';
  let name = base.slice(0, SHEET_NAME_MAX).trim();
  for (let n = 2; used.has(name.toLowerCase()); n++) {
    const suffix = ` (${n})`;
    name = `${base.slice(0, SHEET_NAME_MAX - suffix.length).trim()}${suffix}`;
  }
  used.add(name.toLowerCase());
  return name;
}

function filesReceived(tracker: readonly TrackerEntry[]): ReceivedCounts {
  const unreadable = tracker.filter((t) => t.status === 'Unreadable').length;
  return { returns: tracker.length - unreadable, outstanding: 0, unreadable };
}

async function writeAbout(xlsx: XlsxWriter, opts: ConsolidatedSummary, pupilCount: number, tables: Array<{ table: CountTable; name: string }>, who: PrintOwner): Promise<void> {
  const ws = xlsx.sheet({ name: CONSOLIDATED_SHEETS.about, widths: [120], print: { kind: 'about', who } });
  const controlled = tables.filter((t) => t.table.disclosureControlled).map((t) => t.name);
  const open = tables.filter((t) => !t.table.disclosureControlled).map((t) => t.name);
  const lines = [
    'Good Start: city-wide Year 6 to Year 7 transition returns (consolidated)',
    `Transfer year: September ${opts.year}.`,
    `Generated: ${opts.generatedAt}.`,
    receivedLine(pupilCount, opts.received ?? filesReceived(opts.tracker)),
    'Pupil rows with errors are left out of the Pupils sheet and the tables until the school fixes them; an error in a sheet\'s receiving secondary (A7) leaves every pupil on that sheet out, and the Tracker sheet says so.',
    '',
    "This workbook contains special-category personal data about children (SEND, health, safeguarding flags). Handle it under the council's data protection policy:",
    'store it only in approved locations, share it only with people who need it for transition planning, never email it unencrypted, and delete it when it is no longer needed.',
    '',
    controlled.length > 0
      ? `Disclosure-controlled tables (counts of 1 to 4 shown as c, with secondary suppression): ${controlled.join(', ')}.`
      : 'No table in this workbook is disclosure-controlled: do not publish or share the tables outside the LA.',
    ...(open.length > 0 && controlled.length > 0 ? [`Tables with unsuppressed counts, for LA use only: ${open.join(', ')}.`] : []),
  ];
  // Wrapped in column A, so a long line prints whole on a page one column wide rather than running off its edge.
  lines.forEach((l, i) => ws.row([text(l)], i === 0 ? STYLE.title : STYLE.wrap));
  await ws.end();
}

/** A pupil's cell for reading: a date as a real date, the rest as the sheet's own text ("Y: base name", "PSS, EPS"). */
function readable(p: PupilRow, column: TransitionColumn): CellOut {
  const v = cellText(p, column);
  if (column.type.kind === 'date' && typeof v === 'string') {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
    return m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : v;
  }
  return v;
}

async function writeTracker(xlsx: XlsxWriter, tracker: TrackerEntry[], who: PrintOwner): Promise<void> {
  const columns: Array<{ header: string; width: number; value: (t: TrackerEntry) => CellOut }> = [
    { header: 'School (LAESTAB)', width: 14, value: (t) => t.school || null },
    { header: 'School name', width: 30, value: (t) => t.schoolName ?? null },
    { header: 'File', width: 36, value: (t) => t.file ?? null },
    { header: 'Pupil rows', width: 10, value: (t) => t.rows },
    { header: 'Errors', width: 8, value: (t) => t.errors },
    { header: 'Queries', width: 8, value: (t) => t.queries },
    { header: 'State', width: 12, value: (t) => t.state ?? null },
    { header: 'Status', width: 16, value: (t) => t.status },
    // Wrapped rather than wide, so the sheet prints one page wide at a readable size.
    { header: 'Reason', width: 48, value: (t) => t.reason ?? null },
    { header: "Also on another school's return (same UPN)", width: 40, value: (t) => (t.alsoOn ? alsoOnText(t.alsoOn) : null) },
  ];
  const ws = xlsx.sheet({
    name: CONSOLIDATED_SHEETS.tracker,
    widths: columns.map((c) => c.width),
    frozen: { rows: 1 },
    filterColumns: columns.length,
    print: { kind: 'tracker', who, titles: { rows: { first: 1, last: 1 } } },
  });
  ws.row(columns.map((c) => text(c.header)), STYLE.boldWrap);
  for (const [i, t] of tracker.entries()) {
    // Wrapped, so a long reason prints whole within its column on a page one sheet wide.
    ws.row(columns.map((c) => text(c.value(t))), STYLE.wrap);
    if (i % ROWS_PER_SETTLE === 0) await ws.settle();
  }
  await ws.end();
}

async function writeTable(xlsx: XlsxWriter, t: CountTable, name: string, who: PrintOwner): Promise<void> {
  const first = Math.max(16, t.rowHeader.length + 2, ...t.rows.map((x) => Math.min(40, x.label.length + 2)));
  const ws = xlsx.sheet({ name, widths: [first, ...t.columns.map(() => 12), 12], frozen: { columns: 1, rows: 4 }, print: { kind: 'table', who } });
  ws.row([text(t.title)], STYLE.heading);
  // Across the table, wrapped, so the page one table wide holds the whole note.
  ws.note(
    text(
      t.disclosureControlled
        ? 'Disclosure-controlled: c marks a count of 1 to 4, or a cell suppressed so that totals do not reveal one. Totals are computed from unrounded data.'
        : 'Not disclosure-controlled: for LA use only; do not publish.',
    ) as string,
    t.columns.length + 2,
  );
  ws.blank();
  ws.row([t.rowHeader, ...t.columns, 'Total'].map((v) => text(v)), STYLE.boldWrap);
  for (const row of t.rows) ws.row([text(row.label), ...row.cells, row.total]);
  ws.row(['Total', ...t.columnTotals, t.grandTotal], STYLE.bold);
  await ws.end();
}
