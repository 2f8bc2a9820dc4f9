/**
 * The "Every Child Deserves a Good Start" Y6 → Y7 transition sheet, as data.
 *
 * (design) Birmingham's A–AM column ranges are kept so the sheet stays familiar: the zod
 * schemas (input and PupilRow), the cell parser and normaliser, the template and its dropdowns,
 * the reader, the validator, the export, the OpenAPI description and the README's column
 * reference are all functions of a columns table, TRANSITION_COLUMNS by default. A new column
 * is one row here (test/unit/columnTable.test.ts).
 */
import {
  type Code,
  DESTINATION_CONFIRMED,
  EAL,
  EXTERNAL_AGENCIES,
  KS2_SCORE_CODES,
  KS2_SCALED_SCORE,
  KS2_TEACHER_ASSESSMENT,
  LOOKED_AFTER,
  PLAN_HELD,
  SEN_NEED,
  SEN_PROVISION,
  SEX,
  SUPPORT_LEVEL,
  TRANSITION_PACKAGE,
  YES_NO,
} from '../codes';
import { BANDS, PRE_FIRST_BAND } from '../toolkit/continuum';

/** Who fills a column, and by when (Birmingham's transition timetable). */
export type FilledBy = 'secondary' | 'primary-june' | 'primary-july';

export const FILLED_BY: Record<FilledBy, { readonly who: string; readonly when: string }> = {
  secondary: { who: 'Receiving secondary school', when: 'before May half-term' },
  'primary-june': { who: 'Primary school', when: 'by mid-June' },
  'primary-july': { who: 'Primary school', when: 'by early July' },
};

export type ColumnType =
  /** Free text with a length cap. */
  | { readonly kind: 'text'; readonly maxLength: number }
  /** A calendar date, held as ISO `YYYY-MM-DD`. */
  | { readonly kind: 'date' }
  /** A whole or decimal number within bounds. */
  | { readonly kind: 'number'; readonly min: number; readonly max?: number; readonly integer: boolean }
  /** One code from a list. */
  | { readonly kind: 'code'; readonly codes: readonly Code[] }
  /** Any number of codes from a list, separated by commas or semicolons. */
  | { readonly kind: 'codes'; readonly codes: readonly Code[] }
  /**
   * A code from a list, optionally followed by free text (e.g. "Y: Oak Base"). In a PupilRow it
   * is an object whose two members are named by `fields`: [the code's, the text's].
   */
  | { readonly kind: 'codeWithText'; readonly codes: readonly Code[]; readonly maxLength: number; readonly fields: readonly [string, string] }
  /** A number within bounds, or one of a few codes (e.g. KS2 scaled score or A/D). */
  | { readonly kind: 'scoreOrCode'; readonly min: number; readonly max: number; readonly codes: readonly Code[] }
  /** A 13-character unique pupil number. */
  | { readonly kind: 'upn' }
  /** A school identifier: a 7-digit LAESTAB or a 6-digit URN. */
  | { readonly kind: 'school' };

/** Required always, optional, or required only when another value says so (see the rule table). */
export type Requirement = 'required' | 'optional' | 'conditional';

export interface TransitionColumn {
  /** Spreadsheet column letter, A–AM. */
  readonly letter: string;
  /** Stable key used in JSON returns and code. */
  readonly key: string;
  /** Header text shown in row HEADER_ROW. */
  readonly header: string;
  readonly type: ColumnType;
  readonly requirement: Requirement;
  /** When `requirement` is `conditional`: the condition in plain English. */
  readonly condition?: string;
  readonly filledBy: FilledBy;
  /** Plain-English help for the Instructions sheet and the cell's input prompt. */
  readonly help: string;
  /** Column width in characters for the template. */
  readonly width: number;
}

/** (design) Free-text caps: long enough to be useful, short enough to stay a summary. */
export const TEXT_LIMITS = {
  name: 60,
  keyProvision: 500,
  shortNote: 300,
  contact: 200,
} as const;

// The helpers keep each column's literal type, so the PupilRow type is derived from this table.
const text = (maxLength: number) => ({ kind: 'text', maxLength }) as const satisfies ColumnType;
const code = <const T extends readonly Code[]>(codes: T) => ({ kind: 'code', codes }) as const satisfies ColumnType;
const yesNo = code(YES_NO);
const ks2Score = {
  kind: 'scoreOrCode',
  min: KS2_SCALED_SCORE.min,
  max: KS2_SCALED_SCORE.max,
  codes: KS2_SCORE_CODES,
} as const satisfies ColumnType;
/** The toolkit band columns accept any band on the continuum, or Pre-N.1. */
export const BAND_CODES: readonly Code[] = [PRE_FIRST_BAND, ...BANDS].map((b) => ({ code: b, label: b }));

export const TRANSITION_COLUMNS = [
  { letter: 'A', key: 'surname', header: 'Legal surname', type: text(TEXT_LIMITS.name), requirement: 'required', filledBy: 'secondary', help: "The pupil's legal surname, as on the admissions record.", width: 18 },
  { letter: 'B', key: 'forename', header: 'Legal forename', type: text(TEXT_LIMITS.name), requirement: 'required', filledBy: 'secondary', help: "The pupil's legal forename.", width: 16 },
  { letter: 'C', key: 'dob', header: 'Date of birth', type: { kind: 'date' }, requirement: 'required', filledBy: 'secondary', help: 'A date inside the Year 6 cohort: 1 September to 31 August.', width: 13 },
  { letter: 'D', key: 'sex', header: 'Sex', type: code(SEX), requirement: 'required', filledBy: 'secondary', help: 'M or F, as recorded in the school census.', width: 6 },
  { letter: 'E', key: 'feederPrimary', header: 'Feeder primary (LAESTAB or URN)', type: { kind: 'school' }, requirement: 'required', filledBy: 'secondary', help: 'The primary school the pupil attends now: its 7-digit LAESTAB (Birmingham starts 330) or 6-digit URN.', width: 16 },
  { letter: 'F', key: 'upn', header: 'UPN', type: { kind: 'upn' }, requirement: 'required', filledBy: 'primary-june', help: 'The 13-character unique pupil number from your MIS, check letter first.', width: 16 },
  { letter: 'G', key: 'destinationConfirmed', header: 'Destination confirmed', type: code(DESTINATION_CONFIRMED), requirement: 'required', filledBy: 'primary-june', help: 'Y if the pupil is taking up the place at the receiving secondary, N if not yet confirmed, or "Other school".', width: 13 },
  { letter: 'H', key: 'ks2Reading', header: 'KS2 reading (scaled score)', type: ks2Score, requirement: 'optional', filledBy: 'primary-july', help: 'Scaled score 80–120, or A (absent) or D (disapplied).', width: 11 },
  { letter: 'I', key: 'ks2Maths', header: 'KS2 maths (scaled score)', type: ks2Score, requirement: 'optional', filledBy: 'primary-july', help: 'Scaled score 80–120, or A (absent) or D (disapplied).', width: 11 },
  { letter: 'J', key: 'ks2Gps', header: 'KS2 GPS (scaled score)', type: ks2Score, requirement: 'optional', filledBy: 'primary-july', help: 'Grammar, punctuation and spelling: scaled score 80–120, or A or D.', width: 11 },
  { letter: 'K', key: 'writingTa', header: 'Writing TA', type: code(KS2_TEACHER_ASSESSMENT), requirement: 'optional', filledBy: 'primary-july', help: 'Writing teacher assessment: GDS, EXS, WTS, PK1–PK6, BLW, A or D.', width: 10 },
  { letter: 'L', key: 'scienceTa', header: 'Science TA', type: code(KS2_TEACHER_ASSESSMENT), requirement: 'optional', filledBy: 'primary-july', help: 'Science teacher assessment: GDS, EXS, WTS, PK1–PK6, BLW, A or D.', width: 10 },
  { letter: 'M', key: 'readingScore', header: 'Reading age / standardised score', type: { kind: 'number', min: 0, max: 200, integer: false }, requirement: 'optional', filledBy: 'primary-july', help: 'A reading age in years or a standardised score, as a number.', width: 13 },
  { letter: 'N', key: 'toolkitLiteracy', header: 'Toolkit literacy band', type: code(BAND_CODES), requirement: 'optional', filledBy: 'primary-july', help: 'The band reached on the Language & Literacy Toolkit continuum (N.1 to Y6.2, or Pre-N.1).', width: 11 },
  { letter: 'O', key: 'toolkitMaths', header: 'Toolkit maths band', type: code(BAND_CODES), requirement: 'optional', filledBy: 'primary-july', help: 'The band reached on the Maths Toolkit continuum (N.1 to Y6.2, or Pre-N.1).', width: 11 },
  { letter: 'Q', key: 'senProvision', header: 'SEN provision', type: code(SEN_PROVISION), requirement: 'required', filledBy: 'primary-june', help: 'E (EHC plan), K (SEN support) or N (no SEN), as in the school census.', width: 10 },
  { letter: 'R', key: 'primaryNeed', header: 'Primary need', type: code(SEN_NEED), requirement: 'conditional', condition: 'required when SEN provision is E or K', filledBy: 'primary-june', help: 'The DfE SEN type code of the main need (ranked 1). Required for E and K. NSA only with K.', width: 10 },
  { letter: 'S', key: 'secondaryNeed', header: 'Secondary need', type: code(SEN_NEED.filter((n) => n.code !== 'NSA')), requirement: 'optional', filledBy: 'primary-june', help: 'A second DfE SEN type code (ranked 2), different from the primary need.', width: 10 },
  { letter: 'T', key: 'planHeld', header: 'Plan held', type: code(PLAN_HELD), requirement: 'conditional', condition: 'required when SEN provision is E or K; EHCP only with E', filledBy: 'primary-june', help: 'EHCP, SSPP, SEN support plan or None. EHCP only when SEN provision is E.', width: 15 },
  { letter: 'U', key: 'supportLevel', header: 'Support level', type: code(SUPPORT_LEVEL), requirement: 'required', filledBy: 'primary-june', help: 'Universal, Targeted or Specialist.', width: 12 },
  { letter: 'V', key: 'keyProvision', header: 'Key provision and interventions', type: text(TEXT_LIMITS.keyProvision), requirement: 'conditional', condition: 'required when SEN provision is E or K', filledBy: 'primary-june', help: 'What works for this pupil: key provision and interventions, up to 500 characters.', width: 40 },
  { letter: 'W', key: 'resourceBase', header: 'Resource base / specialist placement', type: { kind: 'codeWithText', codes: YES_NO, maxLength: TEXT_LIMITS.name, fields: ['placement', 'base'] }, requirement: 'optional', filledBy: 'primary-june', help: 'N, or Y followed by the base name, e.g. "Y: Oak ASD Base".', width: 20 },
  { letter: 'X', key: 'externalAgencies', header: 'External agencies involved', type: { kind: 'codes', codes: EXTERNAL_AGENCIES }, requirement: 'optional', filledBy: 'primary-june', help: 'Any of PSS, CAT, EPS, SSS, PDSS, CAMHS, SaLT, OT, separated by commas.', width: 18 },
  { letter: 'Y', key: 'healthCarePlan', header: 'Medical / health care plan', type: yesNo, requirement: 'optional', filledBy: 'primary-june', help: 'Y or N. A flag only: share the plan itself through your usual secure route.', width: 10 },
  { letter: 'Z', key: 'attendance', header: 'Attendance % this year', type: { kind: 'number', min: 0, max: 100, integer: false }, requirement: 'required', filledBy: 'primary-june', help: 'Attendance this school year as a percentage, 0–100.', width: 11 },
  { letter: 'AA', key: 'suspensions', header: 'Suspensions this year', type: { kind: 'number', min: 0, integer: true }, requirement: 'optional', filledBy: 'primary-june', help: 'The number of suspensions this school year (a whole number).', width: 11 },
  { letter: 'AB', key: 'safeguarding', header: 'Safeguarding (contact the DSL)', type: yesNo, requirement: 'required', filledBy: 'primary-june', help: 'Y or N only: Y means the secondary DSL should contact yours. Never write details here.', width: 13 },
  { letter: 'AC', key: 'lookedAfter', header: 'Looked after', type: code(LOOKED_AFTER), requirement: 'required', filledBy: 'primary-june', help: 'N, LAC (looked after) or PLAC (previously looked after).', width: 10 },
  { letter: 'AD', key: 'youngCarer', header: 'Young carer', type: yesNo, requirement: 'optional', filledBy: 'primary-june', help: 'Y or N.', width: 8 },
  { letter: 'AE', key: 'eal', header: 'EAL (+ stage)', type: code(EAL), requirement: 'optional', filledBy: 'primary-june', help: 'N, Y, or Y with the proficiency in English stage: Y-A (new to English) to Y-E (fluent).', width: 9 },
  { letter: 'AF', key: 'fsmPp', header: 'FSM / Pupil Premium', type: yesNo, requirement: 'optional', filledBy: 'primary-june', help: 'Y or N.', width: 9 },
  { letter: 'AG', key: 'serviceChild', header: 'Service child', type: yesNo, requirement: 'optional', filledBy: 'primary-june', help: 'Y or N.', width: 8 },
  { letter: 'AH', key: 'semhNotes', header: 'SEMH notes', type: text(TEXT_LIMITS.shortNote), requirement: 'optional', filledBy: 'primary-june', help: 'Social, emotional and mental health: what helps, in a sentence or two.', width: 30 },
  { letter: 'AI', key: 'friendships', header: 'Friendships', type: text(TEXT_LIMITS.shortNote), requirement: 'optional', filledBy: 'primary-june', help: 'Friendships to keep together (or apart) when forming tutor groups.', width: 24 },
  { letter: 'AJ', key: 'strengths', header: 'Strengths and interests', type: text(TEXT_LIMITS.shortNote), requirement: 'optional', filledBy: 'primary-june', help: 'What the pupil is good at and enjoys.', width: 24 },
  { letter: 'AK', key: 'pupilVoice', header: 'Pupil voice', type: text(TEXT_LIMITS.shortNote), requirement: 'optional', filledBy: 'primary-june', help: 'What the pupil says about moving to secondary school.', width: 24 },
  { letter: 'AL', key: 'parentViews', header: 'Parent/carer views + consent to share', type: { kind: 'codeWithText', codes: YES_NO, maxLength: TEXT_LIMITS.shortNote, fields: ['consent', 'views'] }, requirement: 'required', filledBy: 'primary-june', help: 'Consent to share first (Y or N), then the parent/carer views, e.g. "Y: keen on the nurture group".', width: 30 },
  { letter: 'AM', key: 'transitionPackage', header: 'Transition package + primary SENCo contact', type: { kind: 'codeWithText', codes: TRANSITION_PACKAGE, maxLength: TEXT_LIMITS.contact, fields: ['package', 'contact'] }, requirement: 'required', filledBy: 'primary-june', help: 'Universal, Targeted or Enhanced, then the primary SENCo contact, e.g. "Targeted: SENCo, school office".', width: 30 },
] as const satisfies readonly TransitionColumn[];

export type ColumnKey = (typeof TRANSITION_COLUMNS)[number]['key'];
export const COLUMN_KEYS: readonly ColumnKey[] = TRANSITION_COLUMNS.map((c) => c.key);

/** The last column a table of columns fills (AM for the layout): its last row's letter. */
export function lastColumnOf(columns: readonly TransitionColumn[]): string {
  return columns[columns.length - 1]?.letter ?? 'A';
}

/** The layout's last column, AM. */
export const LAST_COLUMN = lastColumnOf(TRANSITION_COLUMNS);

/** Column P is unassigned in Birmingham's sheet and stays empty. */
export const UNASSIGNED_COLUMNS = ['P'] as const;

/** Where things sit on the sheet (1-based rows, as Excel shows them). */
export const SHEET_LAYOUT = {
  /** The default name of a transition sheet; a workbook may hold one per receiving secondary. */
  sheetName: 'Transition',
  titleCell: 'A1',
  subtitleCell: 'A2',
  /** Label in A3, the transfer year (the September the pupil starts Year 7) in A4. */
  yearLabelCell: 'A3',
  yearCell: 'A4',
  /** Label in A6, the receiving secondary (name + LAESTAB) in A7. */
  receivingLabelCell: 'A6',
  receivingCell: 'A7',
  /** Row 8 bands the columns by who fills them; row 9 holds the headers. */
  groupRow: 8,
  headerRow: 9,
  firstDataRow: 10,
  title: 'Every Child Deserves a Good Start',
  subtitle: 'Year 6 to Year 7 transition: pupil, pastoral and SEND information',
  /** Names of the non-pupil sheets the template adds. */
  instructionsSheet: 'Instructions',
  listsSheet: 'Lists',
  explanationsSheet: 'Query explanations',
} as const;

/** (design) Caps checked before a workbook is parsed. */
export const WORKBOOK_LIMITS = {
  /** Largest upload accepted, in bytes. */
  maxFileBytes: 5 * 1024 * 1024,
  /** Largest uncompressed size of the workbook's parts, against zip bombs. */
  maxUncompressedBytes: 60 * 1024 * 1024,
  /** Pupil rows per sheet: a Year 6 cohort, with generous headroom. */
  maxRowsPerSheet: 2000,
  /**
   * Pupil rows in one return, all sheets together: a primary's whole Year 6 cohort (the largest
   * are a few hundred), with the same headroom. It bounds the work one request can ask for: 40
   * sheets of 2,000 rows each would be 80,000 pupils from one school.
   */
  maxRowsPerReturn: 2000,
  /** Transition sheets per workbook (one per receiving secondary). */
  maxSheets: 40,
} as const;

const byLetter = new Map<string, TransitionColumn>(TRANSITION_COLUMNS.map((c) => [c.letter, c]));
const byKey = new Map<string, TransitionColumn>(TRANSITION_COLUMNS.map((c) => [c.key, c]));

export function columnByLetter(letter: string): TransitionColumn | undefined {
  return byLetter.get(letter.toUpperCase());
}

export function columnByKey(key: string): TransitionColumn | undefined {
  return byKey.get(key);
}

/** 'A' → 1, 'Z' → 26, 'AA' → 27, 'AM' → 39. */
export function columnNumber(letter: string): number {
  let n = 0;
  for (const ch of letter.toUpperCase()) n = n * 26 + (ch.charCodeAt(0) - 64);
  return n;
}

/** 1 → 'A', 39 → 'AM'. */
export function columnLetter(n: number): string {
  let s = '';
  let x = n;
  while (x > 0) {
    const r = (x - 1) % 26;
    s = String.fromCharCode(65 + r) + s;
    x = Math.floor((x - 1) / 26);
  }
  return s;
}

/** The list of allowed codes for a coded column (used for dropdowns), or undefined. */
export function allowedCodes(column: TransitionColumn): readonly Code[] | undefined {
  const t = column.type;
  return t.kind === 'code' || t.kind === 'codes' || t.kind === 'codeWithText' || t.kind === 'scoreOrCode' ? t.codes : undefined;
}
