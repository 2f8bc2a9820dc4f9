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
import { transferYearSchema } from '../year';
import type { Code } from '../codes';
import { type ColumnType, TRANSITION_COLUMNS, type TransitionColumn, WORKBOOK_LIMITS } from './layout';
import { codePointName, firstNonXmlCharacter } from '../text';

/**
 * A cell's text has no length or character cap here: too long for its column or for Excel
 * (GS1003), or holding a character an Excel file cannot store (GS1006), it is refused at its
 * cell by the validator, where the pane and the CLI show it. The request's size caps bound it.
 */
export const cellValueSchema = z.union([z.string(), z.number().finite(), z.boolean(), z.null()]);
export type CellValue = z.infer<typeof cellValueSchema>;

/** Text outside the cells (a sheet's name, an explanation): a character an Excel file cannot store is refused, by name. */
const storableText = (text: z.ZodString) =>
  text.superRefine((v, ctx) => {
    const bad = firstNonXmlCharacter(v);
    if (bad !== undefined) ctx.addIssue({ code: 'custom', message: `holds ${codePointName(bad)}, a character an Excel file cannot store; retype the text` });
  });

/** A sheet cell as the add-in, the reader or a JSON client sends it. */
const cellInputSchema = cellValueSchema.optional();

/** One pupil's cells, keyed by a columns table's keys, each described by its column for API clients. */
function rowValuesShape<Cs extends readonly TransitionColumn[]>(columns: Cs): { [K in Cs[number]['key']]: typeof cellInputSchema } {
  return Object.fromEntries(columns.map((c) => [c.key, cellInputSchema.describe(`Column ${c.letter}, ${c.header}: ${c.help}`)])) as {
    [K in Cs[number]['key']]: typeof cellInputSchema;
  };
}

/** A school's transition return for a columns table: what the CLI reads from a workbook and the API accepts as JSON. */
export function transitionReturnSchemaFor<Cs extends readonly TransitionColumn[]>(columns: Cs) {
  /** One pupil's cells, keyed by the layout's column keys. Dates are ISO `YYYY-MM-DD` strings. */
  const rowValues = z.strictObject(rowValuesShape(columns));
  /** A pupil row with its sheet row number (1-based, as Excel shows it). */
  const rowInput = z.strictObject({
    row: z.number().int().min(1).max(1_048_576),
    values: rowValues,
  });
  /** One transition sheet: the pupils going to one receiving secondary (header cell A7). */
  const sheetInput = z.strictObject({
    name: storableText(z.string().min(1).max(31)),
    /** The content of A7, e.g. "Hillcrest Academy (3304001)". */
    receivingSecondary: z.string().max(200).nullable(),
    rows: z.array(rowInput).max(WORKBOOK_LIMITS.maxRowsPerSheet),
  });
  return z
    .strictObject({
      /** The transfer year: the September in which the pupils start Year 7. */
      year: transferYearSchema.nullable(),
      sheets: z.array(sheetInput).min(1).max(WORKBOOK_LIMITS.maxSheets),
      explanations: z.array(queryExplanationSchema).max(5000).default([]),
    })
    .superRefine((ret, ctx) => {
      const message = returnTooLarge(ret);
      if (message !== undefined) ctx.addIssue({ code: 'custom', path: ['sheets'], message });
    });
}

/**
 * Why a return (parsed, or raw JSON before its shape is checked) holds more pupil rows than one
 * school can send, or undefined. Cheap on raw input, so a caller can refuse before parsing rows.
 */
export function returnTooLarge(raw: unknown): string | undefined {
  const sheets = (raw as { sheets?: unknown } | null)?.sheets;
  if (!Array.isArray(sheets)) return undefined;
  let rows = 0;
  for (const sheet of sheets) {
    const r = (sheet as { rows?: unknown } | null)?.rows;
    if (Array.isArray(r)) rows += r.length;
  }
  const max = WORKBOOK_LIMITS.maxRowsPerReturn;
  return rows > max ? `a return holds at most ${max.toLocaleString('en-GB')} pupil rows in all (a school's Year 6 cohort); this one holds ${rows.toLocaleString('en-GB')}` : undefined;
}

/** A school's explanation of a query, kept with the return (census style). */
export const queryExplanationSchema = z.strictObject({
  rule: z.string().regex(/^GS2\d{3}Q$/, 'a query rule id such as GS2010Q'),
  sheet: storableText(z.string().min(1).max(31)),
  cell: z.string().regex(/^[A-Z]{1,3}\d{1,7}$/, 'a cell reference such as Z12'),
  text: storableText(z.string().trim().min(5, 'an explanation of at least 5 characters').max(500)),
});
export type QueryExplanation = z.infer<typeof queryExplanationSchema>;

/** A school's transition return: what the CLI reads from a workbook and the API accepts as JSON. */
export const transitionReturnSchema = transitionReturnSchemaFor(TRANSITION_COLUMNS);
export type TransitionReturn = z.infer<typeof transitionReturnSchema>;
export type TransitionReturnInput = z.input<typeof transitionReturnSchema>;
export type SheetInput = TransitionReturn['sheets'][number];
export type RowInput = SheetInput['rows'][number];
export type RowValues = RowInput['values'];

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

/**
 * (design) The most issues one validation report lists, errors and queries together. A return
 * of 66,000 rows each with a bad code has 924,000 issues: listed, a 202 MB answer that nobody
 * reads past the first screen. The summary and `byRule` still count every issue, so what may be
 * stored and submitted is decided on all of them; the school fixes what is listed and checks again.
 */
export const REPORT_ISSUE_LIMIT = 200;

const issueCount = z.number().int().nonnegative();

export const validationReportSchema = z.strictObject({
  errors: z
    .array(validationIssueSchema)
    .describe(`Every error in a sheet's header (A4, A7), and the first of the pupils' errors, in sheet, row and column order; errors and queries together list at most ${REPORT_ISSUE_LIMIT} issues.`),
  queries: z
    .array(validationIssueSchema)
    .describe(`The first queries in sheet order, in the room the errors leave: those still to explain before those explained (at most ${REPORT_ISSUE_LIMIT} issues in all).`),
  summary: validationSummarySchema,
  /** Absent only on reports stored before issues were counted by rule, which listed every issue. */
  byRule: z.record(z.string(), issueCount).optional().describe('Every issue counted by rule id, listed or not.'),
  notListed: issueCount.default(0).describe('Issues counted in the summary but left out of `errors` and `queries`.'),
  more: z.string().optional().describe('When issues are left out, a plain line saying so, to show beside the lists.'),
});
export type ValidationReport = z.infer<typeof validationReportSchema>;

/** The plain line a report carries when it lists only some of its issues. */
export function notListedLine(notListed: number): string {
  const n = notListed.toLocaleString('en-GB');
  return `${n} more issue${notListed === 1 ? ' is' : 's are'} not shown; fix these and check again.`;
}

type CodeIn<T> = T extends { readonly codes: ReadonlyArray<{ readonly code: infer S extends string }> } ? S : never;
type Simplify<T> = { -readonly [K in keyof T]: T[K] } & {};

/** A validated cell's value in a PupilRow, by its column's type. */
export type PupilValueOf<T extends ColumnType> = T extends { kind: 'number' }
  ? number
  : T extends { kind: 'code' }
    ? CodeIn<T>
    : T extends { kind: 'codes' }
      ? Array<CodeIn<T>>
      : T extends { kind: 'scoreOrCode' }
        ? number | CodeIn<T>
        : T extends { kind: 'codeWithText'; fields: readonly [infer F extends string, infer X extends string] }
          ? Simplify<Record<F, CodeIn<T>> & Record<X, string | null>>
          : string;

/** A column's member of a PupilRow: null when blank, except a multi-code column, which is a (maybe empty) list. */
type PupilFieldOf<C extends TransitionColumn> = C['type'] extends { kind: 'codes' }
  ? PupilValueOf<C['type']>
  : C['requirement'] extends 'required'
    ? PupilValueOf<C['type']>
    : PupilValueOf<C['type']> | null;

/** Where a pupil row came from and where it goes; every other member is a column of the layout. */
interface PupilRowPlace {
  sheet: string;
  /** Sheet row (1-based). */
  row: number;
  /** LAESTAB of the receiving secondary, from A7. */
  receivingSecondary: string;
}

/** The typed row of a columns table: one member per column, keyed and typed by the table. */
export type PupilRowOf<Cs extends readonly TransitionColumn[]> = Simplify<PupilRowPlace & { [C in Cs[number] as C['key']]: PupilFieldOf<C> }>;

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const enumOf = (codes: readonly Code[]) => z.enum(codes.map((c) => c.code) as [string, ...string[]]);

/** The zod schema of one column's validated value, from its type (null handled by the caller). */
function valueSchema(t: ColumnType): z.ZodType {
  switch (t.kind) {
    case 'text':
      return z.string().max(t.maxLength);
    case 'date':
      return z.string().regex(ISO_DATE);
    case 'number': {
      const n = t.integer ? z.number().int().min(t.min) : z.number().min(t.min);
      return t.max === undefined ? n : n.max(t.max);
    }
    case 'code':
      return enumOf(t.codes);
    case 'codes':
      return z.array(enumOf(t.codes));
    case 'codeWithText':
      return z.strictObject({ [t.fields[0]]: enumOf(t.codes), [t.fields[1]]: z.string().max(t.maxLength).nullable() });
    case 'scoreOrCode':
      return z.union([z.number().int().min(t.min).max(t.max), enumOf(t.codes)]);
    case 'upn':
      return z.string().length(13);
    case 'school':
      return z.string().regex(/^\d{6,7}$/);
  }
}

/** The zod schema of a validated pupil row for a columns table. */
export function pupilRowSchemaFor<Cs extends readonly TransitionColumn[]>(columns: Cs): z.ZodType<PupilRowOf<Cs>> {
  return pupilRowObjectFor(columns) as unknown as z.ZodType<PupilRowOf<Cs>>;
}

/** The same row as a plain strict zod object, for schemas that extend it (a cohort pupil names its source school). */
export function pupilRowObjectFor(columns: readonly TransitionColumn[]) {
  const shape: Record<string, z.ZodType> = {
    sheet: z.string(),
    row: z.number().int(),
    receivingSecondary: z.string().regex(/^\d{7}$/),
  };
  for (const c of columns) {
    const value = valueSchema(c.type);
    shape[c.key] = c.requirement === 'required' || c.type.kind === 'codes' ? value : value.nullable();
  }
  return z.strictObject(shape);
}

/** A pupil row after validation: the typed record that summaries, cohorts and exports use. */
export const pupilRowSchema = pupilRowSchemaFor(TRANSITION_COLUMNS);
export type PupilRow = PupilRowOf<typeof TRANSITION_COLUMNS>;
