/**
 * Census-style validation of a transition return. Pure: the CLI, the API and the task
 * pane all call this one function and get the same rule ids and cell references.
 *
 * Cell-level checks come from the layout table (type, codes, caps, required); row rules
 * below carry the census logic between columns. Rule ids, titles and fixes live in
 * `rules.ts`.
 */
import { laestabInText } from '../codes';
import type { SchoolDirectory } from '../schools';
import { bandIndex } from '../toolkit/continuum';
import { bandGap, expectedBand } from '../toolkit/support';
import { isTemporaryUpn, upnCheckLetter, upnProblem } from '../upn';
import { type ColumnKey, SHEET_LAYOUT, TRANSITION_COLUMNS, type TransitionColumn } from './layout';
import { parseRow } from './normalise';
import { ruleById, VALIDATION_THRESHOLDS, type ValidationThresholds } from './rules';
import { notListedLine, REPORT_ISSUE_LIMIT, type PupilRow, type QueryExplanation, type Severity, type SheetInput, type TransitionReturn, type ValidationIssue, type ValidationReport } from './schema';
import { submittability } from './submittability';
import { codePointName, firstNonXmlCharacter } from '../text';

export interface ValidateOptions {
  /** With a directory, feeder primaries and receiving secondaries must be known schools. */
  directory?: SchoolDirectory;
  /** The transfer year the return is for; A4 must match it. */
  year?: number;
  /** The submitting primary (LAESTAB): every row's feeder primary must be this school. */
  school?: string;
  thresholds?: Partial<ValidationThresholds>;
  /** The columns table; TRANSITION_COLUMNS unless a test says otherwise. */
  columns?: readonly TransitionColumn[];
  /** The most issues the report lists; REPORT_ISSUE_LIMIT unless a test says otherwise. */
  issueLimit?: number;
}

/**
 * A validated return: the census-style report, and the pupils of the rows without errors,
 * already typed. A sheet whose receiving secondary (A7) is in error contributes no pupils:
 * they have nowhere to go.
 */
export interface ValidatedReturn {
  report: ValidationReport;
  pupils: PupilRow[];
}

const DAY = 86_400_000;

/** The Year 6 cohort transferring in September `year`: born 1 Sep (year−12) to 31 Aug (year−11). */
export function cohortDates(year: number): { from: string; to: string } {
  return { from: `${year - 12}-09-01`, to: `${year - 11}-08-31` };
}

/** Days since 1970 of an ISO `YYYY-MM-DD` date (the parser's own output), without building a Date string. */
interface Cohort {
  from: string;
  to: string;
  fromDay: number;
  toDay: number;
}

function cohortOf(year: number): Cohort {
  const { from, to } = cohortDates(year);
  return { from, to, fromDay: isoDay(from), toDay: isoDay(to) };
}

const isoDay = (iso: string): number => Date.UTC(Number(iso.slice(0, 4)), Number(iso.slice(5, 7)) - 1, Number(iso.slice(8, 10))) / DAY;
const ukDate = (iso: string): string => `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}`;

/** A row's parsed cells: a failed cell reads as null, and is in `failed`. */
type Values = Partial<PupilRow>;

interface RowContext {
  sheet: SheetInput;
  row: number;
  values: Values;
  /** Keys of the cells in error already (unreadable, or required and blank): row rules skip them. */
  failed: ReadonlySet<ColumnKey>;
  /** The Year 6 cohort the dates of birth are checked against, once per return; null without a year. */
  cohort: Cohort | null;
  thresholds: ValidationThresholds;
}

type Emit = (rule: string, key: ColumnKey, message: string) => void;

const code = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/**
 * Rules across columns. Each reads parsed values only, so a cell that is already in
 * error (wrong code, not a number) raises that one error and nothing that follows from it.
 */
const ROW_RULES: ReadonlyArray<(ctx: RowContext, emit: Emit) => void> = [
  // UPN form and check letter (DfE).
  ({ values, failed }, emit) => {
    const upn = code(values.upn);
    if (upn === null || failed.has('upn')) return;
    const problem = upnProblem(upn);
    if (problem === 'length' || problem === 'format') emit('GS1010', 'upn', `The UPN has ${upn.length} characters or a character out of place; a UPN is a check letter and 12 digits (the last may be a letter).`);
    else if (problem === 'checkLetter') emit('GS1011', 'upn', `The check letter should be ${upnCheckLetter(upn.slice(1)) ?? '?'} for the rest of this UPN.`);
    else if (isTemporaryUpn(upn)) emit('GS2090Q', 'upn', 'This is a temporary UPN.');
  },
  // Date of birth against the Y6 cohort.
  ({ values, cohort, thresholds }, emit) => {
    const dob = code(values.dob);
    if (dob === null || cohort === null) return;
    const { from, to } = cohort;
    const day = isoDay(dob);
    const before = cohort.fromDay - day;
    const after = day - cohort.toDay;
    const outside = Math.max(before, after);
    if (outside <= 0) return;
    const where = `${outside} day${outside === 1 ? '' : 's'} ${before > 0 ? 'before' : 'after'} the Year 6 cohort (${ukDate(from)} to ${ukDate(to)})`;
    if (outside > thresholds.cohortToleranceDays) emit('GS1020', 'dob', `The date of birth is ${where}.`);
    else emit('GS2020Q', 'dob', `The date of birth is ${where}.`);
  },
  // SEN need (DfE census).
  ({ values, failed }, emit) => {
    const provision = code(values.senProvision);
    const primary = code(values.primaryNeed);
    const secondary = code(values.secondaryNeed);
    if (provision === 'E' || provision === 'K') {
      // A need in the secondary column only is most likely in the wrong column: say that.
      if (primary === null && secondary !== null) emit('GS1034', 'secondaryNeed', 'A secondary need is recorded without a primary need.');
      else if (primary === null && !failed.has('primaryNeed')) emit('GS1030', 'primaryNeed', `SEN provision is ${provision}, so the primary need is required.`);
    } else if (provision === 'N' && (primary !== null || secondary !== null)) {
      emit('GS1031', primary !== null ? 'primaryNeed' : 'secondaryNeed', 'SEN provision is N but a need is recorded.');
    }
    // DfE census: NSA only with K.
    if (primary === 'NSA' && provision !== null && provision !== 'K') emit('GS1033', 'primaryNeed', `NSA is recorded with SEN provision ${provision}.`);
    if (secondary !== null && primary === secondary) emit('GS1032', 'secondaryNeed', `The secondary need repeats the primary need (${primary}).`);
  },
  // Plans and provision.
  ({ values, failed }, emit) => {
    const provision = code(values.senProvision);
    const plan = code(values.planHeld);
    const sen = provision === 'E' || provision === 'K';
    if (sen && plan === null && !failed.has('planHeld')) emit('GS1040', 'planHeld', `SEN provision is ${provision}, so plan held is required.`);
    if (plan === 'EHCP' && provision !== null && provision !== 'E') emit('GS1041', 'planHeld', `EHCP is recorded but SEN provision is ${provision}.`);
    if (provision === 'E' && plan !== null && plan !== 'EHCP') emit('GS2032Q', 'planHeld', `SEN provision is E but plan held is ${plan}.`);
    if (sen && code(values.keyProvision) === null && !failed.has('keyProvision')) emit('GS1050', 'keyProvision', `SEN provision is ${provision}, so key provision is required.`);
  },
  // Support level against provision.
  ({ values }, emit) => {
    const provision = code(values.senProvision);
    const level = code(values.supportLevel);
    if (provision === 'K' && level === 'Universal') emit('GS2030Q', 'supportLevel', 'SEN support (K) with a Universal support level.');
    if (provision === 'N' && level === 'Specialist') emit('GS2033Q', 'supportLevel', 'Specialist support with SEN provision N.');
    const agencies = values.externalAgencies;
    if (provision === 'E' && (!Array.isArray(agencies) || agencies.length === 0)) emit('GS2031Q', 'externalAgencies', 'SEN provision is E but no external agencies are recorded.');
    if (values.resourceBase?.placement === 'Y' && provision !== null && provision !== 'E') emit('GS2070Q', 'resourceBase', `A resource base placement is recorded with SEN provision ${provision}.`);
  },
  // Toolkit bands far behind with no SEN: TOOLKIT.GAP's own rule, in the summer term because the
  // return is made in June and July, so the message agrees with =TOOLKIT.GAP(band, 6, "summer").
  ({ values, thresholds }, emit) => {
    if (code(values.senProvision) !== 'N') return;
    const expected = expectedBand(6, 'summer');
    for (const key of ['toolkitLiteracy', 'toolkitMaths'] as const) {
      const band = code(values[key]);
      if (band === null || bandIndex(band) === undefined) continue;
      const gap = bandGap(band, 6, 'summer');
      if (gap >= thresholds.toolkitGapQueryBands) emit('GS2040Q', key, `${band} is ${gap} bands behind ${expected}, with SEN provision N.`);
    }
  },
  // Attendance, suspensions, destination, consent.
  ({ values, thresholds }, emit) => {
    const attendance = values.attendance;
    if (typeof attendance === 'number' && attendance < thresholds.attendanceQueryBelow) {
      emit('GS2010Q', 'attendance', `Attendance is ${attendance}%, below ${thresholds.attendanceQueryBelow}%.`);
    }
    const suspensions = values.suspensions;
    if (typeof suspensions === 'number' && suspensions > 0 && code(values.semhNotes) === null) {
      emit('GS2080Q', 'semhNotes', `${suspensions} suspension${suspensions === 1 ? '' : 's'} recorded with no SEMH notes.`);
    }
    const destination = code(values.destinationConfirmed);
    if (destination === 'N') emit('GS2050Q', 'destinationConfirmed', 'The destination is not confirmed yet.');
    if (destination === 'Other school') emit('GS2050Q', 'destinationConfirmed', 'The pupil is going to another school.');
    if (values.parentViews?.consent === 'N') emit('GS2060Q', 'parentViews', 'Consent to share is N.');
  },
];

/**
 * The issues of one return as they are found: every one counted (by severity, by rule, explained
 * or not), and only those the report can list built, so a return with a million issues costs
 * counting, not a million objects. Explanations attach here, as each query is found, so a query
 * left out of the list is still counted as explained or not.
 */
class IssueTally {
  private readonly explained: Map<string, string>;
  private readonly errors: ValidationIssue[] = [];
  /** Errors in a sheet's header cells (A4, A7): listed whatever the row errors before them, as each leaves a whole sheet out. */
  private readonly headerErrors = new Set<ValidationIssue>();
  private rowErrorsKept = 0;
  /** Queries in sheet order, up to the limit of each kind: which are listed is settled at the end. */
  private readonly queries: ValidationIssue[] = [];
  private readonly byRule: Record<string, number> = {};
  private errorCount = 0;
  private queryCount = 0;
  private unexplainedCount = 0;

  constructor(
    private readonly limit: number,
    explanations: readonly QueryExplanation[],
  ) {
    this.explained = new Map(explanations.map((e) => [`${e.rule}\u0000${e.sheet}\u0000${e.cell}`, e.text.trim()]));
  }

  /**
   * Counts an issue at a cell: a pupil's (in the column of `field`) or, without `field`, a sheet
   * header's. Builds it only when the report may list it; gives its severity.
   */
  add(rule: string, sheet: string, row: number, column: string, message: string, field?: string): Severity {
    const { severity, fix } = ruleById(rule);
    this.byRule[rule] = (this.byRule[rule] ?? 0) + 1;
    if (severity === 'error') {
      this.errorCount++;
      const header = field === undefined;
      if (header ? this.headerErrors.size < this.limit : this.rowErrorsKept++ < this.limit) {
        const issue: ValidationIssue = { rule, severity, sheet, row, column, cell: `${column}${row}`, ...(header ? {} : { field }), message, fix };
        this.errors.push(issue);
        if (header) this.headerErrors.add(issue);
      }
      return severity;
    }
    this.queryCount++;
    const cell = `${column}${row}`;
    const explanation = this.explained.get(`${rule}\u0000${sheet}\u0000${cell}`);
    if (!explanation) this.unexplainedCount++;
    const ofItsKind = explanation ? this.queryCount - this.unexplainedCount : this.unexplainedCount;
    if (ofItsKind <= this.limit) {
      this.queries.push({ rule, severity, sheet, row, column, cell, ...(field === undefined ? {} : { field }), message, fix, ...(explanation ? { explanation } : {}) });
    }
    return severity;
  }

  /**
   * The report: up to the limit, the headers' errors (at most a year and one A7 a sheet), then
   * as many of the pupils' errors as fit, then queries still to explain, then explained ones;
   * each list in sheet order. The summary counts every issue.
   */
  report(sheets: number, rows: number): ValidationReport {
    let rowRoom = this.limit - this.headerErrors.size;
    const errors = this.errors.filter((e) => this.headerErrors.has(e) || rowRoom-- > 0);
    let unexplainedRoom = Math.min(this.limit - errors.length, this.unexplainedCount);
    let explainedRoom = this.limit - errors.length - unexplainedRoom;
    const queries = this.queries.filter((q) => (q.explanation === undefined ? unexplainedRoom-- > 0 : explainedRoom-- > 0));
    const notListed = this.errorCount + this.queryCount - errors.length - queries.length;
    const counts = { errors: this.errorCount, unexplainedQueries: this.unexplainedCount };
    return {
      errors,
      queries,
      summary: { sheets, rows, errors: this.errorCount, queries: this.queryCount, unexplainedQueries: this.unexplainedCount, canSubmit: submittability(counts).verdict === 'ready' },
      byRule: this.byRule,
      notListed,
      ...(notListed > 0 ? { more: notListedLine(notListed) } : {}),
    };
  }
}

/** Most rows have no cell in error: they share this empty set. */
const NO_FAILURES: Set<ColumnKey> = new Set();

const CELL_RULE: Record<string, string> = { required: 'GS1001', code: 'GS1002', length: 'GS1003', character: 'GS1006', number: 'GS1004', date: 'GS1005', school: 'GS1070', upn: 'GS1010' };

/** Validates a whole return, reading each cell once. Issues come out in sheet, row and column order. */
export function validateReturn(ret: TransitionReturn, options: ValidateOptions = {}): ValidatedReturn {
  const thresholds: ValidationThresholds = { ...VALIDATION_THRESHOLDS, ...options.thresholds };
  const { directory } = options;
  const columns = options.columns ?? TRANSITION_COLUMNS;
  const letters = new Map<string, string>(columns.map((c) => [c.key, c.letter]));
  const issues = new IssueTally(options.issueLimit ?? REPORT_ISSUE_LIMIT, ret.explanations ?? []);
  const headerIssue = (rule: string, sheet: string, cell: string, message: string): void => {
    const m = /^([A-Z]+)(\d+)$/.exec(cell);
    issues.add(rule, sheet, Number(m?.[2] ?? 1), m?.[1] ?? 'A', message);
  };
  const pupils: PupilRow[] = [];
  const firstSheet = ret.sheets[0]?.name ?? SHEET_LAYOUT.sheetName;

  if (ret.year === null) {
    headerIssue('GS1090', firstSheet, SHEET_LAYOUT.yearCell, 'The transfer year is blank.');
  } else if (options.year !== undefined && ret.year !== options.year) {
    headerIssue('GS1090', firstSheet, SHEET_LAYOUT.yearCell, `The workbook is for transfer in ${ret.year}, but this return is for ${options.year}.`);
  }
  const year = ret.year ?? options.year ?? null;
  const cohort = year === null ? null : cohortOf(year);
  const submitting = options.school !== undefined ? (directory?.laestabOf(options.school) ?? options.school) : undefined;

  const seenUpn = new Map<string, { sheet: string; row: number }>();
  let rows = 0;
  for (const sheet of ret.sheets) {
    const a7 = sheet.receivingSecondary?.trim() ?? '';
    const secondary = a7 === '' ? undefined : laestabInText(a7);
    let destination: string | undefined = secondary;
    if (!secondary) {
      headerIssue('GS1080', sheet.name, SHEET_LAYOUT.receivingCell, a7 === '' ? 'The receiving secondary is blank.' : 'A7 has no 7-digit LAESTAB.');
    } else if (directory && directory.find(secondary)?.phase !== 'secondary') {
      headerIssue('GS1081', sheet.name, SHEET_LAYOUT.receivingCell, `${secondary} is not a secondary school in the LA's directory.`);
      destination = undefined;
    }
    const unstorable = firstNonXmlCharacter(a7);
    if (unstorable !== undefined) headerIssue('GS1006', sheet.name, SHEET_LAYOUT.receivingCell, `A7 holds ${codePointName(unstorable)}, a character an Excel file cannot store.`);

    for (const input of sheet.rows) {
      const { values: parsed, filled, failures, missing } = parseRow({ sheet: sheet.name, row: input.row, receivingSecondary: destination ?? '' }, input.values, columns);
      if (filled === 0) continue;
      rows++;
      const values = parsed as Values;
      const failed = failures || missing ? new Set<ColumnKey>() : NO_FAILURES;
      let rowErrors = 0;
      const emit: Emit = (rule, key, message) => {
        if (issues.add(rule, sheet.name, input.row, letters.get(key) ?? 'A', message, key) === 'error') rowErrors++;
      };
      for (const { column, problem } of failures ?? []) {
        const key = column.key as ColumnKey;
        failed.add(key);
        // Safeguarding has its own rule: it must never hold narrative.
        const rule = column.key === 'safeguarding' ? 'GS1060' : (CELL_RULE[problem.reason] ?? 'GS1002');
        emit(rule, key, key === 'safeguarding' ? 'Safeguarding must be Y or N only.' : `${column.header}: ${problem.detail}.`);
      }
      for (const column of missing ?? []) {
        emit('GS1001', column.key as ColumnKey, `${column.header} is required.`);
        failed.add(column.key as ColumnKey);
      }
      const ctx: RowContext = { sheet, row: input.row, values, failed, cohort, thresholds };
      for (const rule of ROW_RULES) rule(ctx, emit);

      const feeder = code(values.feederPrimary);
      if (feeder !== null) {
        const known = directory?.find(feeder);
        if (directory && (!known || known.phase !== 'primary')) emit('GS1071', 'feederPrimary', `${feeder} is not a primary school in the LA's directory.`);
        else if (submitting !== undefined && (directory?.laestabOf(feeder) ?? feeder) !== submitting) {
          emit('GS1072', 'feederPrimary', `The feeder primary is ${feeder}, but this return is from ${submitting}.`);
        }
      }
      const upn = code(values.upn);
      if (upn !== null && !failed.has('upn')) {
        const first = seenUpn.get(upn);
        if (first) emit('GS1012', 'upn', `The same UPN is on ${first.sheet === sheet.name ? `row ${first.row}` : `'${first.sheet}' row ${first.row}`}.`);
        else seenUpn.set(upn, { sheet: sheet.name, row: input.row });
      }
      if (rowErrors === 0 && destination !== undefined) pupils.push(parsed as PupilRow);
    }
  }
  return { report: issues.report(ret.sheets.length, rows), pupils };
}
