/**
 * The API's answers, stated once: the server documents them (functions/src/openapi/document.ts
 * turns these into the OpenAPI components its conformance suite holds responses to) and the
 * add-in reads with them (addin/api/schemas.ts, which loosens the envelopes so a field the API
 * adds later is ignored rather than refused). Domain shapes inside come from their own modules.
 */
import { z } from 'zod';
import { DIMENSIONS } from '../aggregate/rollup';
import { publishedDemandRowSchema } from '../aggregate/demand';
import { schoolSummarySchema } from '../aggregate/summary';
import { countTableSchema } from '../aggregate/table';
import { guidSchema, MEMBERSHIP_ROLES, membershipSchema } from '../identity';
import { pendingInvitationSchema } from './identity';
import { ROLES } from '../roles';
import { LOCALITY_AREAS, schoolSchema } from '../schools';
import { includeSchema, returnStatusSchema, schoolStateSchema } from '../status';
import { TRANSITION_COLUMNS } from '../transition/layout';
import { pupilRowObjectFor, transitionReturnSchema, validationReportSchema } from '../transition/schema';
import { transferYearSchema } from '../year';

const versionNumber = z.number().int().positive();

/** Who stored a version: the token's subject (an opaque id) and role. */
export const submittedBySchema = z.object({ subject: z.string(), role: z.enum(ROLES) });
export type SubmittedBy = z.infer<typeof submittedBySchema>;

/** What a primary is shown of a read receipt. */
export const seenBySchema = z.strictObject({ secondary: z.string(), version: versionNumber, at: z.string() });
export type SeenBy = z.infer<typeof seenBySchema>;

/** What names a stored version of a return, in every answer that gives one: whose, which, when, by whom and its content hash. */
const storedVersion = {
  school: z.string(),
  year: transferYearSchema,
  version: z.number().int(),
  status: returnStatusSchema,
  contentHash: z.string(),
  submittedAt: z.string(),
  submittedBy: submittedBySchema,
};

/**
 * What a primary is told of its own pupils whose UPN is also on another school's latest submitted
 * return: where they are in its return, never which other school (issue 29). The LA resolves it.
 */
export const crossSchoolNoticeSchema = z.strictObject({
  pupils: z
    .array(z.strictObject({ sheet: z.string(), row: z.number().int(), otherReturns: z.number().int().positive().describe('How many other schools’ returns hold this UPN (not which).') }))
    .describe('This return’s pupils whose UPN is also on another school’s latest submitted return, in sheet and row order.'),
  notice: z.string().describe('What to tell the school, or an empty string when no pupil is on another return.'),
});
export type CrossSchoolNotice = z.infer<typeof crossSchoolNoticeSchema>;

/** What a school is given for a stored version (PUT's answer): the version, its report and its summary. */
export const receiptSchema = z.strictObject({
  ...storedVersion,
  report: validationReportSchema,
  summary: schoolSummarySchema,
  crossSchool: crossSchoolNoticeSchema.optional().describe('Pupils of this version also on another school’s return (absent from receipts stored before the cross-school index).'),
});
export type Receipt = z.infer<typeof receiptSchema>;

/**
 * The "nothing stored" rule, stated once: a view of one school's return (the return, its
 * history) with nothing stored for the year is 404; a view over many schools (the cohort, the
 * tracker, the aggregates, the export) is never 404 for lack of returns: it answers with its
 * usual shape and says so.
 */
export const NOTHING_STORED_RULE =
  'A school with nothing stored for the year is 404 on its return and its history. Views over many schools (cohort, tracker, aggregates, export) are never 404 for lack of returns: they answer 200 with their usual shape and `noReturnsYet: true` (the export says so on its About sheet).';
const noReturnsYet = z.boolean().describe('True when none of the schools this view covers has a return stored for the year (see the "nothing stored" rule).');

export const aggregatesSchema = z.strictObject({
  year: transferYearSchema,
  by: z.array(z.enum(DIMENSIONS)),
  include: includeSchema,
  noReturnsYet,
  schools: z.strictObject({
    expected: z.number().int().describe('Primaries in scope: the whole directory for the LA, the trust’s own for a trust.'),
    included: z.number().int(),
    outstanding: z.number().int().describe('Schools with nothing committed.'),
    draftOnly: z.number().int().describe('Schools with only a `draft`: left out unless include=drafts.'),
    unreadable: z.number().int().describe('Schools whose stored documents do not match their schema: left out, never guessed at.'),
  }),
  tables: z.array(countTableSchema),
  demand: z.array(publishedDemandRowSchema).describe('Resource-base demand by locality and primary need (RB.SUFFICIENCY).'),
  disclosureControlled: z.boolean(),
});
export type AggregatesResponse = z.infer<typeof aggregatesSchema>;

export const meSchema = z.strictObject({
  principal: z.strictObject({
    tid: guidSchema.describe('The tenant id from the token: with `oid`, the person.'),
    oid: guidSchema.describe('The object id from the token, within its tenant.'),
    subject: z.string().describe('`<tid>/<oid>`, as the audit log records the person.'),
    role: z.enum(ROLES),
    access: z.enum(MEMBERSHIP_ROLES).describe('The membership role acted under.'),
    school: z.string().optional(),
    trust: z.string().optional(),
    name: z.string().optional(),
  }),
  memberships: z.array(membershipSchema).describe('Every membership the person holds (the configured first LA admin’s is `bootstrap`; with the claims source, the one the claims give).'),
  pendingInvitation: pendingInvitationSchema.nullable().describe('An invitation for the e-mail in the token, pending and unexpired, for this person to accept; null when there is none.'),
  schools: z.array(schoolSchema).describe('The caller’s own schools: its school, or its trust’s; empty for the LA (its scope is the city).'),
});

export const healthSchema = z.strictObject({ status: z.literal('ok'), version: z.string(), mode: z.enum(['local', 'cloud']), cosmos: z.literal('reachable') });

/** GET /returns/{laestab}/{year} as JSON: the current version with its validation report. */
export const returnDocumentSchema = z.strictObject({
  ...storedVersion,
  submittedVersion: z.number().int().optional().describe('The latest `submitted` version, when the current one is a later draft.'),
  return: transitionReturnSchema,
  report: validationReportSchema,
  seenBy: z
    .array(seenBySchema)
    .describe('Read receipts: which receiving secondaries have opened which version of this return, first opening first (the first opening of each version only).'),
});
export type ReturnDocument = z.infer<typeof returnDocumentSchema>;

/** GET /cohorts/{laestab}/{year} as JSON. */
export const cohortSchema = z.strictObject({
  school: z.string(),
  year: transferYearSchema,
  noReturnsYet: noReturnsYet,
  feeders: z.array(z.strictObject({ primary: z.string(), name: z.string().nullable().describe('The primary’s name in the LA directory, or null when it is not listed.'), version: z.number().int(), pupils: z.number().int() })).describe('Each feeder primary’s latest submitted version and how many of its pupils come here.'),
  pupils: z.array(pupilRowObjectFor(TRANSITION_COLUMNS).extend({ sourceSchool: z.string().regex(/^\d{7}$/) })),
  crossSchool: z
    .array(
      z.strictObject({
        upn: z.string(),
        sourceSchool: z.string().describe('The feeder whose row is listed (the first by LAESTAB of those sending the pupil here).'),
        alsoFrom: z.array(z.string()).describe('Other feeders of this cohort that sent the same UPN: their rows are left out, so the pupil is listed once.'),
        otherReturns: z.number().int().nonnegative().describe('How many schools’ latest submitted returns hold the UPN besides `sourceSchool`, these feeders included.'),
      }),
    )
    .optional()
    .describe('Pupils whose UPN is on more than one school’s return: listed once, with a warning, until the LA resolves which school is right.'),
});
export type CohortResponse = z.infer<typeof cohortSchema>;

/** POST /returns/{laestab}/{year}/cross-school: the school's own UPNs, asked about before it submits. */
export const crossSchoolCheckRequestSchema = z.strictObject({
  upns: z.array(z.string().trim().min(1).max(20)).max(2_000).describe('UPNs from the school’s own sheet (at most a return’s 2,000 rows).'),
});
/** Its answer: which of those UPNs another school's latest submitted return holds; never which school. */
export const crossSchoolCheckSchema = z.strictObject({
  school: z.string(),
  year: transferYearSchema,
  upns: z.array(z.strictObject({ upn: z.string(), otherReturns: z.number().int().positive() })).describe('Only UPNs the request sent, each with how many other schools’ returns hold it.'),
  notice: z.string().describe('What to tell the school, or an empty string when none is on another return.'),
});
export type CrossSchoolCheckResponse = z.infer<typeof crossSchoolCheckSchema>;

/** GET /.well-known/jwks.json (local mode). */
export const jwksSchema = z.strictObject({ keys: z.array(z.looseObject({ kty: z.string(), kid: z.string().optional(), alg: z.string().optional(), use: z.string().optional() })) });

const issueCounts = { rows: z.number().int(), errors: z.number().int(), queries: z.number().int(), unexplainedQueries: z.number().int() };

/** GET /returns/{laestab}/{year}/history. */
export const historySchema = z.strictObject({
  school: z.string(),
  year: transferYearSchema,
  versions: z
    .array(
      z.strictObject({
        version: z.number().int(),
        status: returnStatusSchema,
        submittedBy: z.strictObject({ subject: z.string(), role: z.enum(ROLES) }),
        submittedAt: z.string(),
        contentHash: z.string(),
        ...issueCounts,
        seenBy: z
          .array(z.strictObject({ secondary: z.string(), at: z.string() }))
          .describe('Read receipts: each receiving secondary whose cohort with this version has been opened, and when first.'),
      }),
    )
    .describe('Newest first.'),
});
export type HistoryResponse = z.infer<typeof historySchema>;

/** GET /tracker/{year}. */
export const trackerSchema = z.strictObject({
  year: transferYearSchema,
  noReturnsYet,
  schools: z.array(
    z.strictObject({
      school: z.string(),
      name: z.string(),
      area: z.enum(LOCALITY_AREAS),
      phase: z.enum(['primary', 'secondary']),
      email: z.email().nullable().describe('The school’s SEND contact address from the LA directory, for chase e-mails; null where the directory has none.'),
      status: schoolStateSchema.describe('The school’s state for the year: `submitted` stays while a correction is drafted.'),
      version: z.number().int().nullable(),
      submittedVersion: z.number().int().nullable(),
      submittedAt: z.string().nullable(),
      ...issueCounts,
      crossSchoolUpns: z.number().int().optional().describe('UPNs on this school’s latest submitted return that another school’s also holds.'),
    }),
  ),
  totals: z.strictObject({
    expected: z.number().int(),
    submitted: z.number().int(),
    draft: z.number().int(),
    outstanding: z.number().int(),
    rows: z.number().int(),
    unexplainedQueries: z.number().int(),
  }),
  crossSchool: z
    .strictObject({
      upns: z.number().int().describe('UPNs on two or more schools’ latest submitted returns, of schools in scope. Each such pupil is counted under every school that returned them in the city tables.'),
      groups: z
        .array(z.strictObject({ schools: z.array(z.string()).min(2), count: z.number().int().positive() }))
        .describe('Each set of schools sharing UPNs, and how many: the LA resolves them. A trust sees only sets within its own schools.'),
      line: z.string(),
    })
    .optional()
    .describe('UPNs on more than one school’s return (issue 29). The UPNs themselves are not given: the schools named hold them.'),
});
export type TrackerResponse = z.infer<typeof trackerSchema>;

/** DELETE /resource-bases/{year}: what was withdrawn, and what `latest` names now. */
export const resourceBaseWithdrawalSchema = z.strictObject({
  withdrawn: z.string().describe('The academic year withdrawn, e.g. 2099-00.'),
  latest: z.string().nullable().describe('The academic year `latest` names now: the newest that remains, or null when none does (the RB.* functions then use the bundled 2019-20 review).'),
});
export type ResourceBaseWithdrawal = z.infer<typeof resourceBaseWithdrawalSchema>;
