/**
 * The API's answers as the add-in reads them. Domain shapes come from shared/ (the same schemas
 * the API validates with); the envelopes around them are loose objects, so a field the API adds
 * later is ignored rather than refused.
 */
import { z } from 'zod';
import { publishedDemandRowSchema } from '../../shared/aggregate/demand';
import { DIMENSIONS, type Dimension } from '../../shared/aggregate/rollup';
import { countTableSchema } from '../../shared/aggregate/table';
import { schoolSummarySchema } from '../../shared/aggregate/summary';
import { resourceBaseDatasetSchema } from '../../shared/resourceBases/dataset';
import { schoolSchema } from '../../shared/schools';
import { includeSchema, returnStatusSchema, schoolStateSchema } from '../../shared/status';
import { pupilRowSchema, transitionReturnSchema, validationReportSchema } from '../../shared/transition/schema';

export { returnStatusSchema, schoolStateSchema, type ReturnStatus, type SchoolState } from '../../shared/status';

/** Roles as the API's tokens carry them (functions/src/auth/principal.ts). */
export const roleSchema = z.enum(['school', 'trust', 'la']);
export type Role = z.infer<typeof roleSchema>;

export const healthSchema = z.looseObject({
  status: z.literal('ok'),
  version: z.string(),
  /** `local`: the embedded database and dev sign-in; `cloud`: Azure, Entra sign-in. */
  mode: z.enum(['local', 'cloud']),
  cosmos: z.string(),
});
export type Health = z.infer<typeof healthSchema>;

export const principalSchema = z.looseObject({
  subject: z.string(),
  role: roleSchema,
  school: z.string().optional(),
  trust: z.string().optional(),
  name: z.string().optional(),
});
export type ApiPrincipal = z.infer<typeof principalSchema>;

export const meSchema = z.looseObject({ principal: principalSchema, schools: z.array(schoolSchema) });
export type Me = z.infer<typeof meSchema>;

const submittedBySchema = z.looseObject({ subject: z.string(), role: roleSchema });

export const currentReturnSchema = z.looseObject({
  school: z.string(),
  year: z.number().int(),
  version: z.number().int().positive(),
  status: returnStatusSchema,
  submittedAt: z.string(),
  submittedBy: submittedBySchema,
  contentHash: z.string(),
  /** The latest submitted version, when a newer draft is current. */
  submittedVersion: z.number().int().positive().optional(),
  return: transitionReturnSchema,
  report: validationReportSchema,
  /** Read receipts: which receiving secondaries opened which version, first opening first. */
  seenBy: z.array(z.looseObject({ secondary: z.string(), version: z.number().int(), at: z.string() })).optional(),
});
export type CurrentReturn = z.infer<typeof currentReturnSchema>;

export const historySchema = z.looseObject({
  school: z.string(),
  year: z.number().int(),
  versions: z.array(
    z.looseObject({
      version: z.number().int().positive(),
      status: returnStatusSchema,
      submittedBy: submittedBySchema,
      submittedAt: z.string(),
      contentHash: z.string(),
      rows: z.number().int(),
      errors: z.number().int(),
      queries: z.number().int(),
      unexplainedQueries: z.number().int(),
    }),
  ),
});
export type ReturnHistory = z.infer<typeof historySchema>;

export const receiptSchema = z.looseObject({
  school: z.string(),
  year: z.number().int(),
  version: z.number().int().positive(),
  status: returnStatusSchema,
  contentHash: z.string(),
  submittedAt: z.string(),
  submittedBy: submittedBySchema,
  report: validationReportSchema,
  summary: schoolSummarySchema,
});
export type Receipt = z.infer<typeof receiptSchema>;

/** A validated pupil row (shared/) plus `sourceSchool`, the LAESTAB of the primary that sent them. */
export const cohortPupilSchema = z.looseObject({ sourceSchool: z.string() }).transform(({ sourceSchool, ...row }, ctx) => {
  const pupil = pupilRowSchema.safeParse(row);
  if (!pupil.success) {
    ctx.addIssue({ code: 'custom', message: 'not a validated pupil row' });
    return z.NEVER;
  }
  return { ...pupil.data, sourceSchool };
});

export const cohortSchema = z.looseObject({
  school: z.string(),
  year: z.number().int(),
  feeders: z.array(z.looseObject({ primary: z.string(), version: z.number().int(), pupils: z.number().int() })),
  /** Every incoming pupil, with the LAESTAB of the primary that sent them. */
  pupils: z.array(cohortPupilSchema),
});
export type Cohort = z.infer<typeof cohortSchema>;

export const trackerSchema = z.looseObject({
  year: z.number().int(),
  schools: z.array(
    z.looseObject({
      school: z.string(),
      name: z.string(),
      area: z.string(),
      phase: z.string().optional(),
      email: z.string().nullable().optional(),
      status: schoolStateSchema,
      version: z.number().int().nullable(),
      submittedVersion: z.number().int().nullable(),
      submittedAt: z.string().nullable(),
      rows: z.number().int(),
      errors: z.number().int(),
      queries: z.number().int(),
      unexplainedQueries: z.number().int(),
    }),
  ),
  totals: z.looseObject({
    expected: z.number().int(),
    submitted: z.number().int(),
    draft: z.number().int(),
    outstanding: z.number().int(),
    rows: z.number().int(),
    unexplainedQueries: z.number().int(),
  }),
});
export type Tracker = z.infer<typeof trackerSchema>;

/** The API's `by` values: the roll-up's own list, so a dimension added there is read here too. */
export const AGGREGATE_DIMENSIONS = DIMENSIONS;
export type AggregateDimension = Dimension;

export const aggregatesSchema = z.looseObject({
  year: z.number().int(),
  by: z.array(z.enum(AGGREGATE_DIMENSIONS)),
  include: includeSchema,
  schools: z.looseObject({
    expected: z.number().int(),
    included: z.number().int(),
    outstanding: z.number().int(),
    draftOnly: z.number().int(),
    unreadable: z.number().int(),
  }),
  tables: z.array(countTableSchema),
  demand: z.array(publishedDemandRowSchema),
  disclosureControlled: z.boolean(),
});
export type Aggregates = z.infer<typeof aggregatesSchema>;

/** The API answers with the dataset; an older API answered with its stored document `{ id, year, dataset }`. */
export const resourceBasesResponseSchema = z.union([
  resourceBaseDatasetSchema,
  z.looseObject({ dataset: resourceBaseDatasetSchema }).transform((d) => d.dataset),
]);
