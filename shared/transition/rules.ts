/**
 * The validation rule table, census style: an *error* breaks a data rule and blocks
 * submission; a *query* flags something unusual that the school fixes or explains.
 *
 * Ids are stable: a published id is never reused for a different check. The validator,
 * the CLI, the API's problem+json and the README's rule catalogue all read this table.
 */
import type { ColumnKey } from './layout';
import type { Severity } from './schema';

export interface Rule {
  /** `GS1xxx` for errors, `GS2xxxQ` for queries. */
  readonly id: string;
  readonly severity: Severity;
  /** What the rule checks, in plain English. */
  readonly title: string;
  /** How a SENCo fixes (or explains) it. */
  readonly fix: string;
  /** The column the rule is about; absent for rules on header cells or whole rows. */
  readonly column?: ColumnKey;
}

/**
 * (design) Thresholds behind the queries and the cohort check. Named here so that a
 * change is one edit, shown in the README's rule catalogue.
 */
export const VALIDATION_THRESHOLDS = {
  /** Attendance below this percentage raises GS2010Q (DfE: persistent absence is below 90%). */
  attendanceQueryBelow: 90,
  /** A date of birth up to this many days outside the Y6 cohort is a query (GS2020Q); further out it is an error (GS1020). */
  cohortToleranceDays: 365,
  /** A toolkit band at least this many bands behind the end-of-Y6 band (Y6.2), with SEN provision N, raises GS2040Q. */
  toolkitGapQueryBands: 5,
} as const;
export type ValidationThresholds = { -readonly [K in keyof typeof VALIDATION_THRESHOLDS]: number };

const error = (id: string, title: string, fix: string, column?: ColumnKey): Rule => ({ id, severity: 'error', title, fix, ...(column ? { column } : {}) });
const query = (id: string, title: string, fix: string, column?: ColumnKey): Rule => ({ id, severity: 'query', title, fix, ...(column ? { column } : {}) });

export const RULES: readonly Rule[] = [
  // Cell-level errors, checked for every column from the layout table.
  error('GS1001', 'A required field is blank', 'Fill in the cell; the column header says what it needs.'),
  error('GS1002', 'The value is not one of the codes allowed for the column', 'Choose a value from the cell\'s dropdown list.'),
  error('GS1003', 'Free text is longer than the column allows', 'Shorten the text to a summary; share full documents through your usual secure route.'),
  error('GS1004', 'A number is missing, not a number, or outside its range', 'Type a plain number in the range the column header gives.'),
  error('GS1005', 'A date is not a real date', 'Type the date as dd/mm/yyyy, e.g. 15/01/2016.'),
  error('GS1006', 'The text holds a character a workbook cannot keep', 'Retype the text: a character pasted from another program (named in the message, e.g. U+FFFE) cannot be stored in an Excel file, and would spoil the secondary\'s workbook.'),
  // UPN (DfE: 13 characters, check letter first).
  error('GS1010', 'The UPN is not 13 characters of the right form', 'Copy the UPN from your MIS: a check letter, then 12 digits (or 11 and a final letter for a temporary UPN).', 'upn'),
  error('GS1011', 'The UPN\'s check letter does not match the rest of the UPN', 'Re-copy the UPN from your MIS; one character is mistyped.', 'upn'),
  error('GS1012', 'The same UPN appears on more than one row of the return', 'Remove the duplicate row, or correct the UPN that was copied twice.', 'upn'),
  // Cohort.
  error('GS1020', 'The date of birth is more than a year outside the Year 6 cohort', 'Check the date of birth; Year 6 pupils transferring this September were born between 1 September and 31 August.', 'dob'),
  // SEN need (DfE census).
  error('GS1030', 'Primary need is blank although SEN provision is E or K', 'Enter the DfE SEN type code of the pupil\'s main need.', 'primaryNeed'),
  error('GS1031', 'A need is recorded although SEN provision is N', 'Either set SEN provision to K or E, or clear the need columns.', 'primaryNeed'),
  error('GS1032', 'Secondary need is the same as primary need', 'Clear the secondary need, or choose a different second need.', 'secondaryNeed'),
  error('GS1033', 'NSA is used although SEN provision is not K', 'NSA (no specialist assessment) is valid only with SEN support (K); choose the assessed need.', 'primaryNeed'),
  error('GS1034', 'Secondary need is filled but primary need is blank', 'Enter the primary need first; the secondary need ranks second.', 'secondaryNeed'),
  // Plans and provision.
  error('GS1040', 'Plan held is blank although SEN provision is E or K', 'Choose the plan the pupil has: EHCP, SSPP, SEN support plan or None.', 'planHeld'),
  error('GS1041', 'EHCP is recorded although SEN provision is not E', 'An EHC plan means SEN provision E: correct one or the other.', 'planHeld'),
  error('GS1050', 'Key provision is blank although SEN provision is E or K', 'Summarise what works for the pupil: key provision and interventions.', 'keyProvision'),
  // Safeguarding is a flag only.
  error('GS1060', 'Safeguarding holds something other than Y or N', 'Enter Y or N only. Never write details here: Y asks the secondary DSL to contact yours.', 'safeguarding'),
  // Schools.
  error('GS1070', 'Feeder primary is not a 7-digit LAESTAB or a 6-digit URN', 'Enter the primary school\'s LAESTAB (e.g. 3302001) or URN.', 'feederPrimary'),
  error('GS1071', 'Feeder primary is not a school in the LA\'s directory', 'Check the LAESTAB or URN against Get Information about Schools.', 'feederPrimary'),
  error('GS1072', 'Feeder primary is not the school submitting the return', 'Each primary submits its own pupils; remove the row or correct the feeder primary.', 'feederPrimary'),
  error('GS1080', 'The receiving secondary in A7 is blank or has no 7-digit LAESTAB', 'Put the receiving secondary\'s name and LAESTAB in A7, e.g. "Hillcrest Academy (3304001)".'),
  error('GS1081', 'The receiving secondary in A7 is not a secondary school in the LA\'s directory', 'Check the LAESTAB in A7 against the LA\'s school list.'),
  error('GS1090', 'The transfer year in A4 is blank or not the year of this return', 'Put the September in which the pupils start Year 7 in A4, e.g. 2027.'),
  // Queries.
  query('GS2010Q', 'Attendance is below 90%', 'Check the figure; if it is right, explain what support is in place.', 'attendance'),
  query('GS2020Q', 'The date of birth is just outside the Year 6 cohort', 'Check the date; if the pupil is out of their year group, say so in the explanation.', 'dob'),
  query('GS2030Q', 'SEN support (K) with a Universal support level', 'SEN support usually means Targeted or Specialist support; change it or explain.', 'supportLevel'),
  query('GS2031Q', 'EHC plan (E) with no external agencies recorded', 'Add the agencies involved, or explain why there are none.', 'externalAgencies'),
  query('GS2032Q', 'EHC plan (E) but plan held is not EHCP', 'Set plan held to EHCP, or explain (e.g. the plan is still being finalised).', 'planHeld'),
  query('GS2033Q', 'Specialist support level with no SEN recorded (N)', 'Check SEN provision; if the pupil has no SEN, explain the specialist support.', 'supportLevel'),
  query('GS2040Q', 'A toolkit band well behind the end-of-Year-6 band with no SEN recorded', 'Check the band and SEN provision; explain if both are right.', 'toolkitLiteracy'),
  query('GS2050Q', 'Destination is not confirmed, or the pupil is going to another school', 'Confirm the destination with the family, or explain where the pupil is going.', 'destinationConfirmed'),
  query('GS2060Q', 'Parents/carers have not consented to sharing', 'Check consent with the family; explain what may be shared and on what basis.', 'parentViews'),
  query('GS2070Q', 'A resource base placement without an EHC plan (E)', 'Resource base places are usually named in an EHC plan; check SEN provision or explain.', 'resourceBase'),
  query('GS2080Q', 'Suspensions recorded with no SEMH notes', 'Add a sentence on what helps in the SEMH notes, or explain.', 'semhNotes'),
  query('GS2090Q', 'A temporary UPN (ending in a letter)', 'Replace it with the permanent UPN when you have it, or explain.', 'upn'),
];

const byId = new Map(RULES.map((r) => [r.id, r]));

export function ruleById(id: string): Rule {
  const rule = byId.get(id);
  if (!rule) throw new Error(`unknown rule ${id}`);
  return rule;
}
