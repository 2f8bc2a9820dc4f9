/**
 * The API's answers as the add-in reads them: the schemas the API documents and is held to
 * (shared/api/responses.ts), loosened, so a field the API adds later is ignored rather than refused.
 */
import { z } from 'zod';
import { DIMENSIONS, type Dimension } from '../../shared/aggregate/rollup';
import { loosen } from '../../shared/api/loose';
import * as api from '../../shared/api/responses';
import { resourceBaseDatasetSchema } from '../../shared/resourceBases/dataset';
import { ROLES, type Role } from '../../shared/roles';
import { pupilRowSchema } from '../../shared/transition/schema';

export { returnStatusSchema, schoolStateSchema, type ReturnStatus, type SchoolState } from '../../shared/status';

export const roleSchema = z.enum(ROLES);
export type { Role };

export const healthSchema = loosen(api.healthSchema);
export type Health = z.infer<typeof healthSchema>;

export const meSchema = loosen(api.meSchema);
export type Me = z.infer<typeof meSchema>;
export type ApiPrincipal = Me['principal'];

export const currentReturnSchema = loosen(api.returnDocumentSchema);
export type CurrentReturn = z.infer<typeof currentReturnSchema>;

export const historySchema = loosen(api.historySchema);
export type ReturnHistory = z.infer<typeof historySchema>;

/** The pane shows the version, its status and report; the school's summary counts (for the city's tables) are not checked, so a receipt stored before a count was added still reads. */
export const receiptSchema = loosen(api.receiptSchema.omit({ summary: true }));
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

/** The cohort as documented, each pupil read as a typed pupil row. */
export const cohortSchema = loosen(api.cohortSchema.extend({ pupils: z.array(cohortPupilSchema) }));
export type Cohort = z.infer<typeof cohortSchema>;

export const trackerSchema = loosen(api.trackerSchema);

export const resourceBaseWithdrawalSchema = loosen(api.resourceBaseWithdrawalSchema);
export type ResourceBaseWithdrawal = z.infer<typeof resourceBaseWithdrawalSchema>;
export type Tracker = z.infer<typeof trackerSchema>;

export const crossSchoolCheckSchema = loosen(api.crossSchoolCheckSchema);
export type CrossSchoolCheck = z.infer<typeof crossSchoolCheckSchema>;

/** The API's `by` values: the roll-up's own list, so a dimension added there is read here too. */
export const AGGREGATE_DIMENSIONS = DIMENSIONS;
export type AggregateDimension = Dimension;

export const aggregatesSchema = loosen(api.aggregatesSchema);
export type Aggregates = z.infer<typeof aggregatesSchema>;

/** The API answers with the dataset; an older API answered with its stored document `{ id, year, dataset }`. */
export const resourceBasesResponseSchema = z.union([
  resourceBaseDatasetSchema,
  z.looseObject({ dataset: resourceBaseDatasetSchema }).transform((d) => d.dataset),
]);
