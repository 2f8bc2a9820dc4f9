/**
 * zod schemas shared by the workbook reader, the validator, the API and the add-in.
 *
 * Two levels, on purpose:
 * - the *input* schemas (`transitionReturnSchema`) describe the shape of a return as it is
 *   read from a sheet or sent as JSON: every cell a string, number, boolean or null. They
 *   reject unknown fields and wrong shapes, but leave census rules to the rule table so
 *   that every problem is reported with its rule id and cell.
 * - `pupilRowSchema` is a row that has passed validation, with real types.
 */
import { z } from 'zod';
import { COLUMN_KEYS, type ColumnKey, WORKBOOK_LIMITS } from './layout';
import { transferYearSchema } from '../year';

export const cellValueSchema = z.union([z.string().max(5000), z.number().finite(), z.boolean(), z.null()]);
export type CellValue = z.infer<typeof cellValueSchema>;

const valuesShape = Object.fromEntries(COLUMN_KEYS.map((k) => [k, cellValueSchema.optional()])) as Record<
  ColumnKey,
  z.ZodOptional<typeof cellValueSchema>
>;

/** One pupil's cells, keyed by the layout's column keys. Dates are ISO `YYYY-MM-DD` strings. */
export const rowValuesSchema = z.strictObject(valuesShape);
export type RowValues = z.infer<typeof rowValuesSchema>;

/** A pupil row with its sheet row number (1-based, as Excel shows it). */
export const rowInputSchema = z.strictObject({
  row: z.number().int().min(1).max(1_048_576),
  values: rowValuesSchema,
});
export type RowInput = z.infer<typeof rowInputSchema>;

/** One transition sheet: the pupils going to one receiving secondary (header cell A7). */
export const sheetInputSchema = z.strictObject({
  name: z.string().min(1).max(31),
  /** The content of A7, e.g. "Hillcrest Academy (3304001)". */
  receivingSecondary: z.string().max(200).nullable(),
  rows: z.array(rowInputSchema).max(WORKBOOK_LIMITS.maxRowsPerSheet),
});
export type SheetInput = z.infer<typeof sheetInputSchema>;

/** A school's explanation of a query, kept with the return (census style). */
export const queryExplanationSchema = z.strictObject({
  rule: z.string().regex(/^GS2\d{3}Q$/, 'a query rule id such as GS2010Q'),
  sheet: z.string().min(1).max(31),
  cell: z.string().regex(/^[A-Z]{1,3}\d{1,7}$/, 'a cell reference such as Z12'),
  text: z.string().trim().min(5, 'an explanation of at least 5 characters').max(500),
});
export type QueryExplanation = z.infer<typeof queryExplanationSchema>;

/** A school's transition return: what the CLI reads from a workbook and the API accepts as JSON. */
export const transitionReturnSchema = z.strictObject({
  /** The transfer year: the September in which the pupils start Year 7. */
  year: transferYearSchema.nullable(),
  sheets: z.array(sheetInputSchema).min(1).max(WORKBOOK_LIMITS.maxSheets),
  explanations: z.array(queryExplanationSchema).max(5000).default([]),
});
export type TransitionReturn = z.infer<typeof transitionReturnSchema>;
export type TransitionReturnInput = z.input<typeof transitionReturnSchema>;

export const severitySchema = z.enum(['error', 'query']);
export type Severity = z.infer<typeof severitySchema>;

/** (design) Every issue names its rule id, severity, row, column letter, cell and a plain-English fix. */
export const validationIssueSchema = z.strictObject({
  rule: z.string(),
  severity: severitySchema,
  sheet: z.string(),
  /** Sheet row (1-based); header issues use the header cell's row. */
  row: z.number().int(),
  /** Column letter, e.g. "R". */
  column: z.string(),
  /** Cell address, e.g. "R14". */
  cell: z.string(),
  /** The layout key of the field, when the issue is about one field. */
  field: z.string().optional(),
  message: z.string(),
  fix: z.string(),
  /** For queries: the school's explanation, when one was recorded. */
  explanation: z.string().optional(),
});
export type ValidationIssue = z.infer<typeof validationIssueSchema>;

export const validationSummarySchema = z.strictObject({
  sheets: z.number().int(),
  rows: z.number().int(),
  errors: z.number().int(),
  queries: z.number().int(),
  /** Queries that still need a fix or an explanation before submission. */
  unexplainedQueries: z.number().int(),
  /** True when there are no errors and every query is explained. */
  canSubmit: z.boolean(),
});
export type ValidationSummary = z.infer<typeof validationSummarySchema>;

export const validationReportSchema = z.strictObject({
  errors: z.array(validationIssueSchema),
  queries: z.array(validationIssueSchema),
  summary: validationSummarySchema,
});
export type ValidationReport = z.infer<typeof validationReportSchema>;

const yn = z.enum(['Y', 'N']);

/** A pupil row after validation: the typed record that summaries, cohorts and exports use. */
export const pupilRowSchema = z.strictObject({
  sheet: z.string(),
  row: z.number().int(),
  /** LAESTAB of the receiving secondary, from A7. */
  receivingSecondary: z.string().regex(/^\d{7}$/),
  surname: z.string(),
  forename: z.string(),
  dob: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  sex: z.enum(['M', 'F']),
  feederPrimary: z.string(),
  upn: z.string().length(13),
  destinationConfirmed: z.enum(['Y', 'N', 'Other school']),
  ks2Reading: z.union([z.number(), z.enum(['A', 'D'])]).nullable(),
  ks2Maths: z.union([z.number(), z.enum(['A', 'D'])]).nullable(),
  ks2Gps: z.union([z.number(), z.enum(['A', 'D'])]).nullable(),
  writingTa: z.string().nullable(),
  scienceTa: z.string().nullable(),
  readingScore: z.number().nullable(),
  toolkitLiteracy: z.string().nullable(),
  toolkitMaths: z.string().nullable(),
  senProvision: z.enum(['E', 'K', 'N']),
  primaryNeed: z.string().nullable(),
  secondaryNeed: z.string().nullable(),
  planHeld: z.string().nullable(),
  supportLevel: z.enum(['Universal', 'Targeted', 'Specialist']),
  keyProvision: z.string().nullable(),
  resourceBase: z.strictObject({ placement: yn, base: z.string().nullable() }).nullable(),
  externalAgencies: z.array(z.string()),
  healthCarePlan: yn.nullable(),
  attendance: z.number(),
  suspensions: z.number().int().nullable(),
  safeguarding: yn,
  lookedAfter: z.enum(['N', 'LAC', 'PLAC']),
  youngCarer: yn.nullable(),
  eal: z.string().nullable(),
  fsmPp: yn.nullable(),
  serviceChild: yn.nullable(),
  semhNotes: z.string().nullable(),
  friendships: z.string().nullable(),
  strengths: z.string().nullable(),
  pupilVoice: z.string().nullable(),
  parentViews: z.strictObject({ consent: yn, views: z.string().nullable() }),
  transitionPackage: z.strictObject({
    package: z.enum(['Universal', 'Targeted', 'Enhanced']),
    contact: z.string().nullable(),
  }),
});
export type PupilRow = z.infer<typeof pupilRowSchema>;
