/**
 * A streaming reader of the DfE Common Transfer File (CTF): the XML a school's MIS exports
 * when pupils move. Runtime-neutral (the task pane parses the file in the browser, the CLI in
 * Node), on the maintained `saxes` parser.
 *
 * Data minimisation by construction: only the elements on the allow-list below are ever read
 * into objects. Contacts, addresses, phones, e-mails, attendance, assessments and any free text
 * are walked past by the parser and never copied, so they cannot reach a row, a log or a file.
 *
 * Child order inside an element varies between suppliers (DfE CTF specification: the schema is
 * a sequence, but MIS exports differ), so fields are matched by their path, never by position.
 */
import { SaxesParser, type SaxesTagPlain } from 'saxes';
import { WORKBOOK_LIMITS } from '../transition/layout';
import { codePointName, firstNonXmlCharacter } from '../text';

/** The WHATWG decoder every supported runtime has (browsers, Node); declared here because shared/ compiles without DOM or Node types. */
declare const TextDecoder: new (label: string, options: { fatal: boolean }) => { decode(input?: Uint8Array, options?: { stream: boolean }): string };

/** (design) Caps checked before and while a CTF is parsed. */
export const CTF_LIMITS = {
  /** Largest CTF accepted, in bytes: a large primary's CTF with full history is a few MB. */
  maxBytes: 20 * 1024 * 1024,
  /** More pupils than this is more than one school's return can hold (a sheet's row limit), so the file is refused as the next pupil opens. */
  maxPupils: WORKBOOK_LIMITS.maxRowsPerSheet,
  /**
   * (design) Characters in one field read from the file. The fields read are codes, dates and
   * names of a few dozen characters; a longer one is refused as it grows, so a 19 MB surname is
   * never held, let alone written into a cell.
   */
  maxFieldChars: 1000,
} as const;

/** The root element of every CTF (DfE CTF specification, "XML message structure"). */
export const CTF_ROOT = 'CTfile';

export type CtfErrorCode = 'too-large' | 'too-many-pupils' | 'field-too-long' | 'character' | 'doctype' | 'not-well-formed' | 'not-ctf' | 'encoding';

/** Why a file cannot be read as a CTF: one plain-English line (what is wrong; what to do), never pupil values or a stack. */
export class CtfError extends Error {
  override readonly name = 'CtfError';

  constructor(
    readonly code: CtfErrorCode,
    message: string,
    /** Where the XML broke (1-based), for `not-well-formed`. */
    readonly line?: number,
    readonly column?: number,
  ) {
    super(message);
  }
}

export interface CtfSchool {
  /** The LA code, e.g. 330. */
  readonly lea: string | null;
  /** The establishment number, e.g. 2001. */
  readonly estab: string | null;
  readonly urn: string | null;
  readonly name: string | null;
  readonly academicYear: string | null;
}

export interface CtfHeader {
  readonly version: string | null;
  /** When the MIS wrote the file (ISO date-time as written): the "as at" of the SEN rule. */
  readonly dateTime: string | null;
  readonly source: CtfSchool;
  readonly dest: CtfSchool;
}

/** One `SENhistory/SEN` record: the provision from its start date. */
export interface CtfSenRecord {
  readonly startDate: string | null;
  /** E, K or N as written (older files may hold retired codes: the validator flags them). */
  readonly provision: string | null;
}

/** One `SENneeds/SENneed` record. Need start and end dates exist from CTF 17 on. */
export interface CtfSenNeed {
  readonly rank: number | null;
  readonly type: string | null;
  readonly startDate: string | null;
  readonly endDate: string | null;
}

/** A pupil as the CTF gives them: identity, year group and SEN history only. */
export interface CtfPupil {
  readonly upn: string | null;
  readonly surname: string | null;
  readonly forename: string | null;
  readonly dob: string | null;
  /** `Sex`, or `Gender` in older CTF versions. */
  readonly sex: string | null;
  /** `BasicDetails/NCyearActual`: the year group, e.g. 6. */
  readonly ncYearActual: string | null;
  readonly sen: readonly CtfSenRecord[];
  readonly needs: readonly CtfSenNeed[];
}

export interface CtfFile {
  readonly header: CtfHeader;
  readonly pupils: readonly CtfPupil[];
}

type Writable<T> = { -readonly [K in keyof T]: T[K] };
type SchoolDraft = Writable<CtfSchool>;
interface HeaderDraft extends Writable<Omit<CtfHeader, 'source' | 'dest'>> {
  source: SchoolDraft;
  dest: SchoolDraft;
}
interface PupilDraft extends Writable<Omit<CtfPupil, 'sen' | 'needs'>> {
  sen: Array<Writable<CtfSenRecord>>;
  needs: Array<Writable<CtfSenNeed>>;
}

const emptySchool = (): SchoolDraft => ({ lea: null, estab: null, urn: null, name: null, academicYear: null });
const emptyPupil = (): PupilDraft => ({ upn: null, surname: null, forename: null, dob: null, sex: null, ncYearActual: null, sen: [], needs: [] });

/** What an allow-listed element does: opens a record, is a leaf whose text is kept, or only holds allow-listed children. */
interface Target {
  header?: (h: HeaderDraft, text: string) => void;
  pupil?: (p: PupilDraft, text: string) => void;
  container?: 'pupil' | 'sen' | 'need';
}

// The SEN or SENneed element that holds a leaf opened its record, so the record is there.
const senRecord = (p: PupilDraft) => p.sen[p.sen.length - 1] as Writable<CtfSenRecord>;
const senNeed = (p: PupilDraft) => p.needs[p.needs.length - 1] as Writable<CtfSenNeed>;
const source = (key: keyof SchoolDraft): Target => ({ header: (h, t) => void (h.source[key] = t) });
const dest = (key: keyof SchoolDraft): Target => ({ header: (h, t) => void (h.dest[key] = t) });

/**
 * The allow-list, by path from the root (inside a pupil, from "Pupil"). Anything not here, and
 * everything under it, is skipped without its text being kept.
 */
const PATHS: ReadonlyMap<string, Target> = new Map<string, Target>([
  ['CTfile', {}],
  ['CTfile/Header', {}],
  ['CTfile/Header/CTFversion', { header: (h, t) => void (h.version = t) }],
  ['CTfile/Header/DateTime', { header: (h, t) => void (h.dateTime = t) }],
  ['CTfile/Header/SourceSchool', {}],
  ['CTfile/Header/SourceSchool/LEA', source('lea')],
  ['CTfile/Header/SourceSchool/Estab', source('estab')],
  ['CTfile/Header/SourceSchool/URN', source('urn')],
  ['CTfile/Header/SourceSchool/SchoolName', source('name')],
  ['CTfile/Header/SourceSchool/AcademicYear', source('academicYear')],
  ['CTfile/Header/DestSchool', {}],
  ['CTfile/Header/DestSchool/LEA', dest('lea')],
  ['CTfile/Header/DestSchool/Estab', dest('estab')],
  ['CTfile/Header/DestSchool/URN', dest('urn')],
  ['CTfile/Header/DestSchool/SchoolName', dest('name')],
  ['CTfile/CTFpupilData', {}],
  ['CTfile/CTFpupilData/Pupil', { container: 'pupil' }],
  ['Pupil/UPN', { pupil: (p, t) => void (p.upn = t) }],
  ['Pupil/Surname', { pupil: (p, t) => void (p.surname = t) }],
  ['Pupil/Forename', { pupil: (p, t) => void (p.forename = t) }],
  ['Pupil/DOB', { pupil: (p, t) => void (p.dob = t) }],
  ['Pupil/Sex', { pupil: (p, t) => void (p.sex = t) }],
  // CTF before version 25 calls it Gender; Sex wins where a file has both.
  ['Pupil/Gender', { pupil: (p, t) => void (p.sex ??= t) }],
  ['Pupil/BasicDetails', {}],
  ['Pupil/BasicDetails/NCyearActual', { pupil: (p, t) => void (p.ncYearActual = t) }],
  ['Pupil/SENhistory', {}],
  ['Pupil/SENhistory/SEN', { container: 'sen' }],
  ['Pupil/SENhistory/SEN/StartDate', { pupil: (p, t) => void (senRecord(p).startDate = t) }],
  ['Pupil/SENhistory/SEN/SENprovision', { pupil: (p, t) => void (senRecord(p).provision = t) }],
  ['Pupil/SENhistory/SENneeds', {}],
  ['Pupil/SENhistory/SENneeds/SENneed', { container: 'need' }],
  ['Pupil/SENhistory/SENneeds/SENneed/SENtypeRank', { pupil: (p, t) => void (senNeed(p).rank = /^\d+$/.test(t) ? Number(t) : null) }],
  ['Pupil/SENhistory/SENneeds/SENneed/SENtype', { pupil: (p, t) => void (senNeed(p).type = t) }],
  // CTF 17 added need dates as NeedStartDate and NeedEndDate; some exports write StartDate and EndDate.
  ['Pupil/SENhistory/SENneeds/SENneed/NeedStartDate', { pupil: (p, t) => void (senNeed(p).startDate = t) }],
  ['Pupil/SENhistory/SENneeds/SENneed/NeedEndDate', { pupil: (p, t) => void (senNeed(p).endDate = t) }],
  ['Pupil/SENhistory/SENneeds/SENneed/StartDate', { pupil: (p, t) => void (senNeed(p).startDate = t) }],
  ['Pupil/SENhistory/SENneeds/SENneed/EndDate', { pupil: (p, t) => void (senNeed(p).endDate = t) }],
]);

/** Megabytes to one decimal, rounded up, so a file just over the cap never reads as equal to it. */
const megabytes = (n: number): string => `${(Math.ceil((n * 10) / (1024 * 1024)) / 10).toFixed(1)} MB`;

/** "PK\x03\x04": the start of a ZIP archive, such as an .xlsx or a zipped export. */
function startsWithZip(chunk: Uint8Array | string): boolean {
  const at = (i: number): number => (typeof chunk === 'string' ? chunk.charCodeAt(i) : (chunk[i] ?? -1));
  return at(0) === 0x50 && at(1) === 0x4b && at(2) === 0x03 && at(3) === 0x04;
}

/** Refuses a file by its size before a byte of it is parsed. */
export function checkCtfSize(bytes: number, maxBytes: number = CTF_LIMITS.maxBytes): void {
  if (bytes > maxBytes) {
    throw new CtfError('too-large', `the file is ${megabytes(bytes)}, over the ${megabytes(maxBytes)} limit for a Common Transfer File; export the CTF for your Year 6 pupils only and try again`);
  }
}

export interface CtfReadOptions {
  maxBytes?: number;
  maxPupils?: number;
}

const figure = (n: number): string => n.toLocaleString('en-GB');

/**
 * A push parser: `write` chunks of the file as they arrive (bytes or text), then `close` for
 * the result. Throws a CtfError as soon as the file is known to be unacceptable.
 */
export class CtfReader {
  private readonly parser = new SaxesParser({ xmlns: false, position: true });
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });
  private readonly maxBytes: number;
  private readonly maxPupils: number;
  private bytes = 0;
  /** Pupils opened so far, counting the one being read: where a refusal says which pupil. */
  private pupilCount = 0;
  private readonly header: HeaderDraft = { version: null, dateTime: null, source: emptySchool(), dest: emptySchool() };
  private readonly pupils: PupilDraft[] = [];
  private pupil: PupilDraft | undefined;
  /** One entry per open element: its allow-listed path, or null inside a skipped subtree. */
  private readonly stack: Array<string | null> = [];
  /** The leaf being read, and its text so far. */
  private leaf: Target | undefined;
  private text = '';
  private sawRoot = false;

  constructor(options: CtfReadOptions = {}) {
    this.maxBytes = options.maxBytes ?? CTF_LIMITS.maxBytes;
    this.maxPupils = options.maxPupils ?? CTF_LIMITS.maxPupils;
    const p = this.parser;
    // A DTD is how entity bombs and external entities get in; a CTF never has one.
    p.on('doctype', () => {
      throw new CtfError('doctype', 'the file declares a DOCTYPE (which can hide entity expansions or external entities), and a Common Transfer File never has one; export the CTF from your MIS again');
    });
    p.on('error', (e) => {
      throw this.notWellFormed(e.message);
    });
    p.on('opentag', (tag) => this.open(tag));
    p.on('closetag', () => this.close());
    p.on('text', (t) => this.leafText(t));
    p.on('cdata', (t) => this.leafText(t));
  }

  /** A text chunk counts its UTF-16 length against the cap, bytes their byte length. */
  write(chunk: Uint8Array | string): this {
    const length = typeof chunk === 'string' ? chunk.length : chunk.byteLength;
    if (this.bytes === 0 && startsWithZip(chunk)) {
      throw new CtfError('not-ctf', 'this is not a Common Transfer File: it is a ZIP archive or an Excel workbook; choose the .xml file your MIS exported (unzip it first if it came zipped)');
    }
    this.bytes += length;
    checkCtfSize(this.bytes, this.maxBytes);
    this.parser.write(typeof chunk === 'string' ? chunk : this.decode(chunk, true));
    return this;
  }

  /** Ends the file: a truncated file fails here, with the line and column where it stopped. */
  end(): CtfFile {
    const rest = this.decode(undefined, false);
    if (rest !== '') this.parser.write(rest);
    this.parser.close();
    return { header: this.header, pupils: this.pupils };
  }

  private decode(chunk: Uint8Array | undefined, stream: boolean): string {
    try {
      return this.decoder.decode(chunk, { stream });
    } catch {
      throw new CtfError('encoding', `the file is not UTF-8 text near line ${this.parser.line}; a Common Transfer File is UTF-8 XML: export it from your MIS again`);
    }
  }

  private notWellFormed(saxesMessage: string): CtfError {
    const { line } = this.parser;
    const column = this.parser.column + 1;
    const reason = saxesMessage.replace(/^[^:]*:?\d+:\d+:\s*/, '').replace(/\.$/, '');
    return new CtfError('not-well-formed', `the file is not well-formed XML at line ${line}, column ${column} (${reason}); it may be cut short or damaged: export the CTF from your MIS again`, line, column);
  }

  private open(tag: SaxesTagPlain): void {
    const { name } = tag;
    if (!this.sawRoot) {
      this.sawRoot = true;
      if (name !== CTF_ROOT) {
        throw new CtfError('not-ctf', `this is not a Common Transfer File: its root element is <${name.slice(0, 40)}>, not <${CTF_ROOT}>; export a CTF (not a census or other return) from your MIS`);
      }
    }
    const parent = this.stack.length === 0 ? '' : this.stack[this.stack.length - 1];
    let path: string | null = null;
    if (parent !== null) {
      const full = parent === '' ? name : `${parent}/${name}`;
      const target = PATHS.get(full);
      if (target) {
        path = full;
        if (target.container === 'pupil') {
          // Refused as the pupil past the cap opens: the rest of the file is never read into memory.
          if (++this.pupilCount > this.maxPupils) {
            throw new CtfError(
              'too-many-pupils',
              `the file holds at least ${figure(this.pupilCount)} pupils, more than the ${figure(this.maxPupils)} rows a school's transition return can hold; export the CTF for your Year 6 pupils only and try again`,
            );
          }
          this.pupil = emptyPupil();
          // Inside a pupil, paths restart at "Pupil" so the table stays short.
          path = 'Pupil';
        } else if (target.container === 'sen') this.pupil?.sen.push({ startDate: null, provision: null });
        else if (target.container === 'need') this.pupil?.needs.push({ rank: null, type: null, startDate: null, endDate: null });
        if (target.header || target.pupil) {
          this.leaf = target;
          this.text = '';
        }
      }
    }
    this.stack.push(path);
  }

  private leafText(t: string): void {
    if (!this.leaf) return;
    this.text += t;
    if (this.text.length > CTF_LIMITS.maxFieldChars) {
      throw new CtfError('field-too-long', `${this.fieldName(this.stack.at(-1))} is longer than ${figure(CTF_LIMITS.maxFieldChars)} characters, which no field of a Common Transfer File is; export the CTF from your MIS again`);
    }
  }

  /** "pupil 12's Surname" or "the header's SchoolName": where a field is, never what it holds. */
  private fieldName(path: string | null | undefined): string {
    const element = (path ?? '').slice((path ?? '').lastIndexOf('/') + 1);
    return this.leaf?.pupil ? `pupil ${figure(this.pupilCount)}'s ${element}` : `the header's ${element}`;
  }

  private close(): void {
    const path = this.stack.pop();
    const leaf = this.leaf;
    if (leaf && path !== null && path !== undefined) {
      const value = this.text.trim();
      // Only a surrogate without its pair gets past the parser's own check of XML's characters (text handed in as strings).
      const bad = firstNonXmlCharacter(value);
      if (bad !== undefined) throw new CtfError('character', `${this.fieldName(path)} holds ${codePointName(bad)}, a character an Excel file cannot store; export the CTF from your MIS again`);
      this.leaf = undefined;
      this.text = '';
      if (value !== '') {
        if (leaf.header) leaf.header(this.header, value);
        else if (leaf.pupil && this.pupil) leaf.pupil(this.pupil, value);
      }
    } else if (path === 'Pupil' && this.pupil) {
      this.pupils.push(this.pupil);
      this.pupil = undefined;
    }
  }
}

/** Reads a whole CTF held in memory (bytes or text). */
export function readCtf(input: Uint8Array | string, options: CtfReadOptions = {}): CtfFile {
  checkCtfSize(typeof input === 'string' ? input.length : input.byteLength, options.maxBytes);
  return new CtfReader(options).write(input).end();
}

/**
 * Reads a CTF as it streams in (a Node read stream, or a browser File's stream). Give the
 * file's `size` when it is known, so an oversized file is refused before any parsing.
 */
export async function readCtfStream(chunks: AsyncIterable<Uint8Array | string>, options: CtfReadOptions & { size?: number } = {}): Promise<CtfFile> {
  if (options.size !== undefined) checkCtfSize(options.size, options.maxBytes);
  const reader = new CtfReader(options);
  for await (const chunk of chunks) reader.write(chunk);
  return reader.end();
}
