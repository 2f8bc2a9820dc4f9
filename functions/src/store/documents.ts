/**
 * The documents kept in Cosmos, one zod schema per kind. Writers build them as these types and
 * parse them before storing; readers parse what they read, so a stored document means the same
 * thing on both sides (containers.ts lists the containers).
 *
 * Container `returns`, partition /school (store/returns.ts says how these fit together):
 * - version `return:{year}:v{n}`: one immutable version of a school's return.
 * - head `head:{year}`: the commit point, naming the current and the latest submitted version.
 * - cohort slice `cohort:{year}:{primary}`, in the RECEIVING SECONDARY's partition.
 * - read receipt `seen:{year}:v{n}:{secondary}`: that secondary's cohort with version n was opened.
 * - action `action:{year}:{actionId}`: the version one idempotent action answered with (store/returns.ts).
 * Container `summaries`, partition /school:
 * - summary `summary:{year}`: counts only (no pupil rows), for the city aggregates.
 * Container `rollups`, partition /id: a shard of the maintained city rollup (store/rollup.ts).
 * Container `audit`, partition /school (or `city`): an audit record (store/audit.ts).
 * Container `schools`, partition /id: the LA's directory, a pointer `directory` and its pages
 *   `directory:{generation}:{page}` (or, as first stored, one document `directory`; store/schoolDirectory.ts).
 * Container `idempotency`, partition /key: a claimed Idempotency-Key and its answer (http/idempotency.ts).
 * Container `crossSchool`, partition /id: the cross-school UPN index (store/upnIndex.ts): an entry per keyed
 *   UPN hash `upn:{year}:{hash}`, what each school has in it `upnSchool:{year}:{school}`, and marks `upnMark:{year}:{uuid}`.
 * (Resource-base datasets are described with their endpoints, functions/resourceBasesGet.ts.)
 *
 * Parsing strips Cosmos's own members (`_rid`, `_etag`, `_ts`, …).
 */
import { z } from 'zod';
import { CITY_TOTAL } from '../../../shared/aggregate/merge';
import { emptySummary, schoolSummarySchema } from '../../../shared/aggregate/summary';
import { schoolDirectorySchema, schoolSchema } from '../../../shared/schools';
import { returnStatusSchema, type ReturnStatus } from '../../../shared/status';
import { transferYearSchema } from '../../../shared/year';
import { pupilRowSchema, transitionReturnSchema, validationReportSchema, validationSummarySchema } from '../../../shared/transition/schema';
import { ROLES } from '../auth/principal';
import { seenBySchema, type SeenBy, submittedBySchema, type SubmittedBy } from '../../../shared/api/responses';

export const versionDocId = (year: number, version: number) => `return:${year}:v${version}`;
export const headDocId = (year: number) => `head:${year}`;
export const cohortSliceDocId = (year: number, primary: string) => `cohort:${year}:${primary}`;
export const summaryDocId = (year: number) => `summary:${year}`;
export const seenDocId = (year: number, version: number, secondary: string) => `seen:${year}:v${version}:${secondary}`;
export const actionDocId = (year: number, action: string) => `action:${year}:${action}`;

/**
 * Summary documents written before the one status vocabulary spelled it `Draft` / `Submitted`;
 * they read as `draft` / `submitted`. Writers only ever write the vocabulary.
 */
const LEGACY_STATUS_SPELLINGS = { Draft: 'draft', Submitted: 'submitted' } as const satisfies Record<string, ReturnStatus>;
const legacyStatusSchema = z.enum(Object.keys(LEGACY_STATUS_SPELLINGS) as [keyof typeof LEGACY_STATUS_SPELLINGS]);

/** A stored status: the vocabulary, or a legacy spelling normalised to it. */
export const storedStatusSchema = z.union([returnStatusSchema, legacyStatusSchema.transform((s): ReturnStatus => LEGACY_STATUS_SPELLINGS[s])]);

const int = z.number().int();
const count = int.nonnegative();
const versionNumber = int.positive();

export { submittedBySchema, type SubmittedBy };

/** A version's issue counts, from its validation report. */
export const countsSchema = z.object({ rows: count, errors: count, queries: count, unexplainedQueries: count });
export type Counts = z.infer<typeof countsSchema>;

/** One immutable version: the return as submitted, its validation report and valid pupils, who and when, and a content hash. */
export const versionDocSchema = z.object({
  id: z.string(),
  school: z.string(),
  year: transferYearSchema,
  type: z.literal('version'),
  version: versionNumber,
  status: storedStatusSchema,
  submittedBy: submittedBySchema,
  submittedAt: z.string(),
  contentHash: z.string(),
  ret: transitionReturnSchema,
  report: validationReportSchema,
  /** The pupils of the rows without errors, as validateReturn read them. */
  pupils: z.array(pupilRowSchema),
});
export type VersionDoc = z.infer<typeof versionDocSchema>;

/** What history reads of a version: its metadata and the report's summary, never pupil data. */
export const versionMetaSchema = versionDocSchema.omit({ ret: true, report: true, pupils: true }).extend({ summary: validationSummarySchema });
export type VersionMeta = z.infer<typeof versionMetaSchema>;
/** The members `versionMetaSchema` reads, as a Cosmos projection. */
export const VERSION_META_PROJECTION =
  'c.id, c.school, c.year, c.type, c.version, c.status, c.submittedBy, c.submittedAt, c.contentHash, c.report.summary AS summary';

/** The commit point: readers go through it, so a version no head names is invisible. */
export const headDocSchema = z.object({
  id: z.string(),
  school: z.string(),
  year: transferYearSchema,
  type: z.literal('head'),
  /** The current version (a draft saved after a submission is current). */
  version: versionNumber,
  status: storedStatusSchema,
  contentHash: z.string(),
  submittedAt: z.string(),
  submittedBy: submittedBySchema,
  counts: countsSchema,
  /** The latest submitted version: what secondaries see (a newer draft does not replace it). */
  submittedVersion: versionNumber.optional(),
  /** The secondaries `submittedVersion` routes pupils to. */
  secondaries: z.array(z.string()),
  /** Every version number ever committed, oldest first: history lists these and no others. */
  committed: z.array(versionNumber),
});
export type HeadDoc = z.infer<typeof headDocSchema>;

/** The valid pupils one primary sends to one secondary, from the primary's latest submitted version. */
export const cohortSliceDocSchema = z.object({
  id: z.string(),
  /** The receiving secondary: the slice lives in its partition, so a cohort is a one-partition query. */
  school: z.string(),
  year: transferYearSchema,
  type: z.literal('cohort'),
  primary: z.string(),
  version: versionNumber,
  pupils: z.array(pupilRowSchema),
});
export type CohortSliceDoc = z.infer<typeof cohortSliceDocSchema>;

/**
 * A read receipt, in the PRIMARY's partition: the receiving secondary's cohort, holding this
 * version's pupils, was first opened at `at` (by the secondary, its trust or the LA: `role`).
 * Created once per version and secondary; later reads find it there. Not an audit entry: the
 * audit log says who read what each time, this tells the primary that its data has arrived.
 */
export const seenDocSchema = z.object({
  id: z.string(),
  school: z.string(),
  year: transferYearSchema,
  type: z.literal('seen'),
  version: versionNumber,
  secondary: z.string(),
  at: z.string(),
  role: z.enum(ROLES),
});
export type SeenDoc = z.infer<typeof seenDocSchema>;

export { seenBySchema, type SeenBy };

/**
 * What one idempotent action (an Idempotency-Key's record id, which holds no personal data) was
 * answered with: written before that answer's commit point, so a retry after a crash finds the
 * version it stored (or was given) and answers with it, whatever has been committed since.
 */
export const actionDocSchema = z.object({
  id: z.string(),
  school: z.string(),
  year: transferYearSchema,
  type: z.literal('action'),
  action: z.string(),
  version: versionNumber,
  /** Whether the action stored that version (201) or found it current (200). */
  created: z.boolean(),
  at: z.string(),
});
export type ActionDoc = z.infer<typeof actionDocSchema>;

/** A school's summary for one version: counts only, summed city-wide by the aggregates. */
export const summaryDocSchema = countsSchema.extend({
  id: z.string(),
  school: z.string(),
  year: transferYearSchema,
  type: z.literal('summary'),
  status: storedStatusSchema,
  version: versionNumber,
  submittedAt: z.string(),
  summary: schoolSummarySchema,
});
export type SummaryDoc = z.infer<typeof summaryDocSchema>;

export const rollupShardDocId = (year: number, shard: number) => `rollup:${year}:${String(shard).padStart(2, '0')}`;

/** One include mode's running total in a shard: the sum of its schools' summaries, and which version of each it holds. */
export const rollupTotalSchema = z.object({
  total: schoolSummarySchema,
  /** School → the version whose summary is in `total`. */
  applied: z.record(z.string(), versionNumber),
});
export type RollupTotal = z.infer<typeof rollupTotalSchema>;

const rollupShardFields = {
  id: z.string(),
  year: transferYearSchema,
  shard: int.nonnegative(),
  type: z.literal('rollup'),
  /** False until every directory primary of the shard has been applied once (store/rollup.ts: seeding). */
  seeded: z.boolean(),
  /** While seeding: the directory primaries up to this LAESTAB (in sorted order) have been applied. */
  seededThrough: z.string().optional(),
  /** `unreadable:<school>` → the school and when it was last tried (ms since the epoch). */
  pending: z.record(z.string(), z.object({ school: z.string(), at: z.number() })),
};

const currentRollupShardSchema = z.object({ ...rollupShardFields, submitted: rollupTotalSchema, drafts: rollupTotalSchema });

/**
 * A shard written before summaries counted pupils by receiving secondary and need
 * (`bySecondaryNeed`): its totals cannot give the area-by-locality table, and no sum of old
 * and new summaries would be right. It reads as a shard never seeded, with empty totals, so the
 * next read seeds it afresh from the heads (schools it could not read stay pending).
 */
const legacyRollupTotalSchema = z.object({ total: schoolSummarySchema.omit({ bySecondaryNeed: true }), applied: z.record(z.string(), versionNumber) });
const legacyRollupShardSchema = z
  .object({ ...rollupShardFields, submitted: legacyRollupTotalSchema, drafts: legacyRollupTotalSchema })
  .transform((old): z.infer<typeof currentRollupShardSchema> => {
    const unseeded = (): RollupTotal => ({ total: emptySummary(CITY_TOTAL, old.year), applied: {} });
    return { id: old.id, year: old.year, shard: old.shard, type: old.type, seeded: false, pending: old.pending, submitted: unseeded(), drafts: unseeded() };
  });

/**
 * Container `rollups`, partition /id: one shard of a year's city rollup (store/rollup.ts).
 * `pending` names schools whose documents could not be read, tried again on every read.
 */
export const rollupShardDocSchema = z.union([currentRollupShardSchema, legacyRollupShardSchema]);
export type RollupShardDoc = z.infer<typeof rollupShardDocSchema>;

/**
 * Container `rollups`: a mark `mark:{year}:{uuid}`, made before a head commit and deleted once
 * the commit is in its shard; one left behind says the shard may be behind that school's head.
 */
export const rollupMarkDocSchema = z.object({
  id: z.string(),
  type: z.literal('mark'),
  year: transferYearSchema,
  shard: int.nonnegative(),
  school: z.string(),
  /** When it was made, ms since the epoch. */
  at: z.number(),
});
export type RollupMarkDoc = z.infer<typeof rollupMarkDocSchema>;

export const ROLLUP_COMPLETE_DOC_ID = 'rollup:complete';

/**
 * Container `rollups`: present once every return in the database is in the rollup (or marked),
 * and every write goes through it: a year's shards then need no seeding (store/rollup.ts).
 */
export const rollupCompleteDocSchema = z.object({
  id: z.literal(ROLLUP_COMPLETE_DOC_ID),
  type: z.literal('rollupComplete'),
  /** `rebuild`: the maintenance step took in existing returns; `new database`: there were none. */
  by: z.enum(['rebuild', 'new database']),
  at: z.string(),
});
export type RollupCompleteDoc = z.infer<typeof rollupCompleteDocSchema>;

/** Who did what to which documents, never pupil values (store/audit.ts checks the entry first). */
export const auditRecordSchema = z.object({
  id: z.string(),
  /** Partition key: the school's LAESTAB, or "city". */
  school: z.string(),
  at: z.string(),
  who: z.string(),
  role: z.enum(ROLES),
  action: z.string(),
  ids: z.array(z.string()),
  correlationId: z.string(),
});
export type AuditRecord = z.infer<typeof auditRecordSchema>;

export const DIRECTORY_DOC_ID = 'directory';

/**
 * The LA's school directory as it was first stored: one document holding every school. Still
 * read (a deployment from before paging keeps working until its next publish); never written,
 * as 24,000 schools would pass Cosmos's 2 MB item limit.
 */
export const directoryDocSchema = z.object({
  id: z.literal(DIRECTORY_DOC_ID),
  schools: schoolDirectorySchema,
  updatedAt: z.string(),
});
export type DirectoryDoc = z.infer<typeof directoryDocSchema>;

/**
 * The directory's pointer, at the same id: which generation of pages is the directory. Replacing
 * this one small document is what publishes a new directory (store/schoolDirectory.ts).
 */
export const directoryPointerDocSchema = z.object({
  id: z.literal(DIRECTORY_DOC_ID),
  type: z.literal('directoryPointer'),
  generation: z.string().min(1),
  pages: count,
  schools: count,
  updatedAt: z.string(),
});
export type DirectoryPointerDoc = z.infer<typeof directoryPointerDocSchema>;

export const directoryPageDocId = (generation: string, page: number) => `directory:${generation}:${String(page).padStart(4, '0')}`;

/** One page of a directory generation: up to DIRECTORY_PAGE_SIZE schools, in directory order. */
export const directoryPageDocSchema = z.object({
  id: z.string(),
  type: z.literal('directoryPage'),
  generation: z.string().min(1),
  page: count,
  schools: z.array(schoolSchema),
  /** When it was written, ms since the epoch: a page no pointer names is removed once old enough. */
  at: z.number(),
});
export type DirectoryPageDoc = z.infer<typeof directoryPageDocSchema>;

/** A response kept for replay: JSON as it was, any other body as base64. */
export const storedResponseSchema = z.object({
  status: int,
  headers: z.record(z.string(), z.string()),
  /** JSON body, when the handler answered with jsonBody. */
  json: z.unknown().optional(),
  /** Any other body, base64. */
  base64: z.string().optional(),
  /** A body too large to keep (http/idempotency.ts KEEP_WHOLE_BYTES): its digest and size only. */
  digest: z.string().optional(),
  bytes: int.optional(),
  /** A large problem's standard members (type, title, status, detail), replayed without its extensions. */
  problem: z.record(z.string(), z.unknown()).optional(),
});
export type StoredResponse = z.infer<typeof storedResponseSchema>;

/** A claimed Idempotency-Key: pending while its request runs, then done with the response to replay. */
export const idempotencyRecordSchema = z.object({
  id: z.string(),
  key: z.string(),
  /** SHA-256 of method, path and query, content type and body bytes. */
  hash: z.string(),
  state: z.enum(['pending', 'done']),
  /** A nonce per claim: lets a request whose create() answer was lost recognise its own record. */
  owner: z.string().optional(),
  createdAt: z.string(),
  leaseUntil: z.number().optional(),
  response: storedResponseSchema.optional(),
});
export type IdempotencyRecord = z.infer<typeof idempotencyRecordSchema>;

export const upnEntryDocId = (year: number, hash: string) => `upn:${year}:${hash}`;
export const upnSchoolDocId = (year: number, school: string) => `upnSchool:${year}:${school}`;

/**
 * Container `crossSchool`: one keyed UPN hash (HMAC-SHA256 with the server's CROSS_SCHOOL_KEY,
 * never the UPN) and which schools' latest submitted returns hold it. A school that no longer
 * holds it stays, `on: false`, with the version that dropped it: a settle of an older version
 * finishing late cannot put it back (store/upnIndex.ts).
 */
export const upnEntryDocSchema = z.object({
  id: z.string(),
  type: z.literal('upnEntry'),
  year: transferYearSchema,
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  /** School → the submitted version this says is on (or off) for it. */
  schools: z.record(z.string(), z.object({ version: count, on: z.boolean() })),
  /** True when two or more schools are on: what the LA's tracker queries for. */
  shared: z.boolean(),
});
export type UpnEntryDoc = z.infer<typeof upnEntryDocSchema>;

/**
 * Container `crossSchool`: the hashes one school's submitted version put in the index, so the
 * next version can take out the ones it drops. `touched` lists hashes a settle may have changed
 * before it finished: the next settle looks at them again.
 */
export const upnSchoolDocSchema = z.object({
  id: z.string(),
  type: z.literal('upnSchool'),
  year: transferYearSchema,
  school: z.string(),
  /** The submitted version the entries hold (0: none). */
  version: count,
  hashes: z.array(z.string()),
  touched: z.array(z.string()),
});
export type UpnSchoolDoc = z.infer<typeof upnSchoolDocSchema>;

/** Container `crossSchool`: made before a submitted head commit, deleted once the index holds it (like the rollup's marks). */
export const upnMarkDocSchema = z.object({
  id: z.string(),
  type: z.literal('upnMark'),
  year: transferYearSchema,
  school: z.string(),
  /** When it was made, ms since the epoch. */
  at: z.number(),
});
export type UpnMarkDoc = z.infer<typeof upnMarkDocSchema>;
