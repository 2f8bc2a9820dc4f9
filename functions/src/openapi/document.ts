/**
 * The API's OpenAPI 3.1 description, generated, never hand-written:
 * - components.schemas come from the shared zod schemas through zod 4's `z.toJSONSchema`
 *   (JSON Schema 2020-12, which is OpenAPI 3.1's dialect), so the contract LA data teams
 *   generate clients from is the one the server validates with;
 * - paths come from the live route table (`loadRoutes()`), so every registered route and method
 *   appears, including ones added after this file was written. Routes described in OPERATIONS
 *   below get their parameters, bodies and responses spelled out; any other route still gets an
 *   entry with its path parameters, bearer security and the problem+json error responses;
 * - every status an operation can answer is spelled out (no `default`), each problem status with
 *   the exact schema of every problem type it carries (http/problems.ts PROBLEM_EXTENSIONS), and
 *   every response with the headers it sends (RESPONSE_HEADERS). test/api/conformance.test.ts
 *   holds real responses to this document.
 */
import { z } from 'zod';
import {
  aggregatesSchema,
  cohortSchema,
  crossSchoolCheckRequestSchema,
  crossSchoolCheckSchema,
  healthSchema,
  historySchema,
  jwksSchema,
  meSchema,
  NOTHING_STORED_RULE,
  receiptSchema,
  resourceBaseWithdrawalSchema,
  returnDocumentSchema,
  trackerSchema,
} from '../../../shared/api/responses';
import { DIMENSION_TABLES, DIMENSIONS } from '../../../shared/aggregate/rollup';
import { schoolSummarySchema } from '../../../shared/aggregate/summary';
import { countTableSchema } from '../../../shared/aggregate/table';
import { resourceBaseDatasetSchema } from '../../../shared/resourceBases/dataset';
import { TRANSITION_COLUMNS, type TransitionColumn } from '../../../shared/transition/layout';
import { REPORT_ISSUE_LIMIT, transitionReturnSchema, transitionReturnSchemaFor, validationIssueSchema, validationReportSchema } from '../../../shared/transition/schema';
import { schoolSchema } from '../../../shared/schools';
import { GUID_PATTERN, tenantListSchema, tenantRequestSchema, tenantSchema } from '../../../shared/identity';
import {
  accessRequestBodySchema,
  accessRequestCreatedSchema,
  accessRequestListSchema,
  accessRequestSchema,
  approveBodySchema,
  declineBodySchema,
  identityAuditListSchema,
  invitationListSchema,
  invitationRequestSchema,
  invitationSchema,
  memberListSchema,
  memberSchema,
  myAccessSchema,
} from '../../../shared/api/identity';
import { transferYearSchema, YEAR_RULE, YEAR_TEXT_PATTERN } from '../../../shared/year';
import { JSON_MEDIA_TYPE, XLSX_MEDIA_TYPE } from '../http/negotiate';
import { IDEMPOTENCY_KEY_PATTERN } from '../http/idempotency';
import {
  type AnyProblemSlug,
  PROBLEM_BASE,
  PROBLEM_CONTENT_TYPE,
  PROBLEM_TYPES,
  problemBodySchema,
  problemStatus,
  problemTitle,
  SPECIFIC_PROBLEM_TYPES,
} from '../http/problems';
import { JWK_SET_MEDIA_TYPE } from '../functions/devJwks';
import type { RouteDefinition } from '../http/route';
import { type Include, INCLUDE_VALUES, RETURN_STATUSES, returnStatusSchema, schoolStateSchema } from '../../../shared/status';

export { aggregatesSchema, cohortSchema, healthSchema, historySchema, jwksSchema, meSchema, NOTHING_STORED_RULE, returnDocumentSchema, trackerSchema };
export type { AggregatesResponse, CohortResponse, HistoryResponse, ReturnDocument, TrackerResponse } from '../../../shared/api/responses';

export const OPENAPI_VERSION = '3.1.0';
const ref = (name: SchemaName | `${string}Problem`) => ({ $ref: `#/components/schemas/${name}` });

// ---------------------------------------------------------------------------------------------
// Component schemas (zod → JSON Schema)

/** Any problem (RFC 9457): the base every problem type below narrows. */
export const problemSchema = z.looseObject({
  type: z.url().describe(`A stable URI under ${PROBLEM_BASE}; branch on this, not on title.`),
  title: z.string(),
  status: z.number().int().min(400).max(599),
  detail: z.string().optional(),
  instance: z.string().optional(),
  correlationId: z.string().describe('Quote this when reporting a problem; it is also the X-Correlation-Id header.'),
});

export const NEGOTIATION_RULE =
  'each operation lists the media types it answers in, the first being the default (for no Accept or `*/*`); Accept picks among them by q-value; an Accept that names none of them is 406 `not-acceptable` listing `available`. Problems are always application/problem+json.';
export const BAD_PARAMETER_RULE = 'a malformed year or LAESTAB in the path, or a bad query value, is 400 `invalid-parameter` naming the `parameter`, on every route.';
export const COMPONENT_SCHEMAS = {
  TransitionReturn: transitionReturnSchema,
  ValidationIssue: validationIssueSchema,
  ValidationReport: validationReportSchema,
  SchoolSummary: schoolSummarySchema,
  CountTable: countTableSchema,
  ResourceBaseDataset: resourceBaseDatasetSchema,
  ResourceBaseWithdrawal: resourceBaseWithdrawalSchema,
  Problem: problemSchema,
  Aggregates: aggregatesSchema,
  Receipt: receiptSchema,
  ReturnStatus: returnStatusSchema,
  SchoolState: schoolStateSchema,
  History: historySchema,
  Tracker: trackerSchema,
  Me: meSchema,
  Health: healthSchema,
  ReturnDocument: returnDocumentSchema,
  Cohort: cohortSchema,
  CrossSchoolCheckRequest: crossSchoolCheckRequestSchema,
  CrossSchoolCheck: crossSchoolCheckSchema,
  School: schoolSchema,
  Jwks: jwksSchema,
  Tenant: tenantSchema,
  TenantRequest: tenantRequestSchema,
  Tenants: tenantListSchema,
  InvitationRequest: invitationRequestSchema,
  Invitation: invitationSchema,
  Invitations: invitationListSchema,
  InvitationAccepted: z.strictObject({ invitation: invitationSchema, member: memberSchema }),
  AccessRequestBody: accessRequestBodySchema,
  AccessRequest: accessRequestSchema,
  AccessRequestCreated: accessRequestCreatedSchema,
  AccessRequests: accessRequestListSchema,
  ApproveBody: approveBodySchema,
  DeclineBody: declineBodySchema,
  MyAccess: myAccessSchema,
  Member: memberSchema,
  Members: memberListSchema,
  IdentityAudit: identityAuditListSchema,
  ...problemComponents(),
} as const satisfies Record<string, z.ZodType>;
export type SchemaName = keyof typeof COMPONENT_SCHEMAS;

/** `return-has-errors` → `ReturnHasErrorsProblem`. */
export function problemComponentName(slug: AnyProblemSlug): `${string}Problem` {
  return `${slug.replace(/(^|-)([a-z])/g, (_m, _dash: string, c: string) => c.toUpperCase())}Problem`;
}

/** One component per problem type, with exactly the members it carries. */
function problemComponents(): Record<`${string}Problem`, z.ZodType> {
  const slugs = [...Object.keys(PROBLEM_TYPES), ...Object.keys(SPECIFIC_PROBLEM_TYPES)] as AnyProblemSlug[];
  return Object.fromEntries(slugs.map((slug) => [problemComponentName(slug), problemBodySchema(slug).describe(`${problemTitle(slug)} (${problemStatus(slug)}).`)]));
}

type JsonObject = Record<string, unknown>;

/** The component schemas; the TransitionReturn's pupil cells are those of the columns table. */
export function componentSchemas(columns: readonly TransitionColumn[] = TRANSITION_COLUMNS): Record<SchemaName, JsonObject> {
  const registry = z.registry<{ id: string }>();
  const components: Record<SchemaName, z.ZodType> = {
    ...COMPONENT_SCHEMAS,
    ...(columns === TRANSITION_COLUMNS ? {} : { TransitionReturn: transitionReturnSchemaFor(columns) }),
  };
  for (const [id, schema] of Object.entries(components)) registry.add(schema, { id });
  const { schemas } = z.toJSONSchema(registry, {
    target: 'draft-2020-12',
    // Request bodies are what clients send: fields with defaults are optional to them.
    io: 'input',
    uri: (id) => `#/components/schemas/${id}`,
    unrepresentable: 'any',
  });
  const out: Record<string, JsonObject> = {};
  for (const [id, schema] of Object.entries(schemas)) {
    // Inside an OpenAPI document each component is a subschema: the dialect is the document's.
    const { $schema: _dialect, $id: _id, ...rest } = schema as JsonObject;
    out[id] = rest;
  }
  return out as Record<SchemaName, JsonObject>;
}

// ---------------------------------------------------------------------------------------------
// Operations

interface ParamSpec {
  name: string;
  in: 'path' | 'query' | 'header';
  required?: boolean;
  description?: string;
  schema: JsonObject;
}

/** The response headers a client relies on, each described once here and declared on every response that carries it. */
export const RESPONSE_HEADERS = {
  'X-Correlation-Id': { description: 'The request’s correlation id: the caller’s own when it sent a plausible one, else a new one. Every response has it.', schema: { type: 'string', pattern: '^[A-Za-z0-9._:-]{8,128}$' } },
  ETag: { description: 'The entity tag (RFC 9110: a quoted string), for If-Match on the next write or If-None-Match on the next read.', schema: { type: 'string', pattern: '^(W/)?"[^"]*"$' } },
  Location: { description: 'Where the resource just written is read.', schema: { type: 'string', format: 'uri-reference' } },
  'Content-Location': { description: 'The dataset’s own address (`latest` resolves to an academic year).', schema: { type: 'string', format: 'uri-reference' } },
  'Idempotent-Replayed': { description: '`true` when this is the stored answer to an earlier request with the same Idempotency-Key.', schema: { type: 'string', enum: ['true'] } },
  'Retry-After': { description: 'Seconds to wait before retrying.', schema: { type: 'string', pattern: '^\\d+$' } },
  Allow: { description: 'The methods this path does serve.', schema: { type: 'string' } },
  'WWW-Authenticate': { description: 'The bearer challenge (RFC 6750).', schema: { type: 'string', pattern: '^Bearer\\b' } },
  'Content-Disposition': { description: 'The workbook as an attachment, with its file name.', schema: { type: 'string', pattern: '^attachment;' } },
} as const satisfies Record<string, { description: string; schema: JsonObject }>;
export type ResponseHeader = keyof typeof RESPONSE_HEADERS;

/** Declared headers: name → required. */
type HeaderSpec = Partial<Record<ResponseHeader, boolean>>;

interface ResponseSpec {
  description: string;
  content?: Record<string, { schema: JsonObject }>;
  headers?: HeaderSpec;
}

interface OperationSpec {
  summary: string;
  description?: string;
  tags?: string[];
  anonymous?: boolean;
  parameters?: ParamSpec[];
  requestBody?: { required: boolean; content: Record<string, { schema: JsonObject }> };
  /** Success responses: status → description, content and headers. */
  responses: Record<string, ResponseSpec>;
  /** Problem types this operation can answer with, besides the ones every operation can (COMMON_PROBLEMS). */
  problems?: AnyProblemSlug[];
  /** Takes an Idempotency-Key: any answer may be a replay. */
  idempotent?: boolean;
}

/** Problems any operation can answer: content negotiation, our failures, and (signed-in operations) the token checks. */
const COMMON_PROBLEMS: readonly AnyProblemSlug[] = ['not-acceptable', 'internal-error', 'service-unavailable'];
const SIGNED_IN_PROBLEMS: readonly AnyProblemSlug[] = ['invalid-token', 'tenant-not-registered', 'forbidden', 'no-membership'];

/** Headers that come with a problem type. */
const PROBLEM_HEADERS: Partial<Record<AnyProblemSlug, HeaderSpec>> = {
  'invalid-token': { 'WWW-Authenticate': true },
  'tenant-not-registered': { 'WWW-Authenticate': true },
  'method-not-allowed': { Allow: true },
  'request-in-progress': { 'Retry-After': true },
  'service-unavailable': { 'Retry-After': true },
  'precondition-failed': { ETag: false },
  'identity-rate-limited': { 'Retry-After': true },
};

const LAESTAB = { type: 'string', pattern: '^\\d{7}$', description: 'The school’s LAESTAB: 7 digits, e.g. 3302001.' };
const { $schema: _transferYearDialect, ...transferYearJson } = z.toJSONSchema(transferYearSchema);
const TRANSFER_YEAR = { ...transferYearJson, description: `The transfer year: ${YEAR_RULE}.` };
const idempotencyKey: ParamSpec = {
  name: 'Idempotency-Key',
  in: 'header',
  required: true,
  description: 'A new UUID per user action, reused on every retry of it: a repeat replays the first answer.',
  schema: { type: 'string', pattern: IDEMPOTENCY_KEY_PATTERN.source },
};
const ifMatch: ParamSpec = {
  name: 'If-Match',
  in: 'header',
  description: 'The ETag last read, quoted as sent (`"…"`), or `*`; compared strongly (RFC 9110): a weak or stale one is 412.',
  schema: { type: 'string' },
};
const json = (schema: JsonObject) => ({ [JSON_MEDIA_TYPE]: { schema } });
const xlsx = { [XLSX_MEDIA_TYPE]: { schema: { type: 'string', contentMediaType: XLSX_MEDIA_TYPE } } };
const includeParam: ParamSpec = {
  name: 'include',
  in: 'query',
  description: '`drafts` also counts returns whose current version is a `draft` (queries still to explain).',
  schema: { type: 'string', enum: [...INCLUDE_VALUES], default: 'submitted' satisfies Include },
};
const WRITE_PROBLEMS: AnyProblemSlug[] = [
  'invalid-parameter',
  'malformed-body',
  'idempotency-key-missing',
  'idempotency-key-invalid',
  'request-in-progress',
  'precondition-failed',
  'payload-too-large',
  'unsupported-media-type',
  'validation-failed',
  'idempotency-key-reused',
];

/** `?school=` or `?trust=` on the identity lists: neither is everything (LA admins only). */
const scopeQuery: ParamSpec[] = [
  { name: 'school', in: 'query', description: 'One school’s (its approvers may ask for it; LA admins any).', schema: LAESTAB },
  { name: 'trust', in: 'query', description: 'One trust’s (LA admins).', schema: { type: 'string' } },
];
const BODY_PROBLEMS: AnyProblemSlug[] = ['malformed-body', 'payload-too-large', 'unsupported-media-type', 'validation-failed'];
const ENDED_PROBLEMS: AnyProblemSlug[] = ['invitation-claimed', 'invitation-expired', 'invitation-revoked'];

/** Membership management (issue 25): invitations, access requests, memberships and their audit. */
function identityOperations(): Record<string, OperationSpec> {
  const tags = ['identity'];
  return {
    'POST /invitations': {
      summary: 'Invite a person by e-mail to a role in a scope (LA admins any; a school approver its own school’s SENCos and approvers)',
      description: 'Single use; expires after 7 days. Audited as user-invited. Rate-limited per person (429 with Retry-After). A school not in the directory is 404.',
      tags,
      requestBody: { required: true, content: json(ref('InvitationRequest')) },
      responses: { '201': { description: 'The invitation', content: json(ref('Invitation')) } },
      problems: [...BODY_PROBLEMS, 'not-found', 'identity-rate-limited'],
    },
    'GET /invitations': {
      summary: 'A school’s or trust’s invitations in every state, newest first (the school’s approvers; LA admins any, or all)',
      tags,
      parameters: scopeQuery,
      responses: { '200': { description: 'The invitations', content: json(ref('Invitations')) } },
      problems: ['invalid-parameter'],
    },
    'POST /invitations/{}/accept': {
      summary: 'Claim an invitation sent to the e-mail in your token: binds your (tid, oid) to its role (no role needed yet)',
      description: 'Not yours: 404. Already claimed: 409. Revoked or expired: 410. The school’s recorded tenant is not yours: 403 invitation-wrong-tenant. Audited as invitation-claimed.',
      tags,
      responses: { '200': { description: 'The invitation, claimed, and the membership made', content: json(ref('InvitationAccepted')) } },
      problems: ['invalid-parameter', 'not-found', 'invitation-wrong-tenant', ...ENDED_PROBLEMS],
    },
    'DELETE /invitations/{}': {
      summary: 'Withdraw a pending invitation (its school’s approvers, LA admins)',
      description: 'Claimed first: 409. Already revoked or expired: 410. Of a concurrent accept and revoke exactly one wins. Audited as invitation-revoked.',
      tags,
      responses: { '200': { description: 'The invitation, revoked', content: json(ref('Invitation')) } },
      problems: ['invalid-parameter', 'not-found', ...ENDED_PROBLEMS],
    },
    'POST /access-requests': {
      summary: 'Ask for a role at a school, a trust or the LA (no role needed yet)',
      description: 'Held already or asked already: 409. Rate-limited per person (429 with Retry-After). Audited as access-requested.',
      tags,
      requestBody: { required: true, content: json(ref('AccessRequestBody')) },
      responses: { '201': { description: 'The request and who can approve it', content: json(ref('AccessRequestCreated')) } },
      problems: [...BODY_PROBLEMS, 'not-found', 'conflict', 'identity-rate-limited'],
    },
    'GET /access-requests': {
      summary: 'A school’s or trust’s access requests, pending and decided (the school’s approvers; LA admins any, or all)',
      tags,
      parameters: scopeQuery,
      responses: { '200': { description: 'The requests', content: json(ref('AccessRequests')) } },
      problems: ['invalid-parameter'],
    },
    'GET /access-requests/mine': {
      summary: 'Your own access: a pending invitation for your e-mail, and your requests with their outcomes (no role needed)',
      tags,
      responses: { '200': { description: 'The invitation (or null) and your requests', content: json(ref('MyAccess')) } },
    },
    'POST /access-requests/{}/approve': {
      summary: 'Approve a pending access request, granting its role (its school’s approvers, LA admins; never your own)',
      tags,
      requestBody: { required: true, content: json(ref('ApproveBody')) },
      responses: { '200': { description: 'The request, approved', content: json(ref('AccessRequest')) } },
      problems: ['invalid-parameter', ...BODY_PROBLEMS, 'not-found', 'request-decided'],
    },
    'POST /access-requests/{}/decline': {
      summary: 'Decline a pending access request with a reason the requester is shown',
      tags,
      requestBody: { required: true, content: json(ref('DeclineBody')) },
      responses: { '200': { description: 'The request, declined', content: json(ref('AccessRequest')) } },
      problems: ['invalid-parameter', ...BODY_PROBLEMS, 'not-found', 'request-decided'],
    },
    'GET /memberships': {
      summary: 'Who holds which role in a school or trust (the school’s approvers; LA admins any, or everyone)',
      tags,
      parameters: scopeQuery,
      responses: { '200': { description: 'The members', content: json(ref('Members')) } },
      problems: ['invalid-parameter'],
    },
    'DELETE /memberships/{}': {
      summary: 'Remove one membership: effective on the holder’s next request (its school’s approvers, LA admins; not your own)',
      description: 'Your own: 409. Audited as membership-removed.',
      tags,
      responses: { '200': { description: 'The membership removed', content: json(ref('Member')) } },
      problems: ['invalid-parameter', 'not-found', 'conflict'],
    },
    'GET /audit': {
      summary: 'The identity audit trail, newest first: who changed which membership, invitation, request or tenant (LA admins all; a school’s approvers theirs)',
      tags,
      parameters: scopeQuery,
      responses: {
        '200': {
          description: 'The entries, or the same as a workbook',
          content: { ...json(ref('IdentityAudit')), ...xlsx },
          headers: { 'Content-Disposition': false },
        },
      },
      problems: ['invalid-parameter'],
    },
  };
}

/**
 * Known operations, keyed by `METHOD /path` with parameter names blanked (`/returns/{}/{}`),
 * so the description survives a renamed path parameter.
 */
const OPERATIONS: Record<string, OperationSpec> = {
  'GET /health': {
    summary: 'Service health: version, mode and whether Cosmos DB answers',
    tags: ['service'],
    anonymous: true,
    responses: { '200': { description: 'Healthy', content: json(ref('Health')) } },
  },
  'GET /openapi.json': {
    summary: 'This OpenAPI 3.1 description, generated from the zod schemas',
    tags: ['service'],
    anonymous: true,
    responses: { '200': { description: 'The OpenAPI document', content: json({ type: 'object', properties: { openapi: { type: 'string' }, info: { type: 'object' }, paths: { type: 'object' } }, required: ['openapi', 'info', 'paths'] }) } },
  },
  'GET /.well-known/jwks.json': {
    summary: 'Local mode only: the dev signing key’s public JWKS',
    tags: ['service'],
    anonymous: true,
    responses: { '200': { description: 'JWK set', content: { [JWK_SET_MEDIA_TYPE]: { schema: ref('Jwks') } } } },
    problems: ['not-found'],
  },
  'GET /me': {
    summary: 'The signed-in person as the API sees them: (tid, oid), their memberships, any pending invitation',
    tags: ['service'],
    responses: { '200': { description: 'Principal, memberships and directory entries', content: json(ref('Me')) } },
  },
  'GET /tenants': {
    summary: 'The tenant allow-list: the organisations whose people may sign in (LA admin only)',
    tags: ['identity'],
    responses: { '200': { description: 'Every tenant on the list, by name', content: json(ref('Tenants')) } },
  },
  'POST /tenants': {
    summary: 'Put a tenant on the allow-list, with a name and a reason (LA admin only)',
    description: 'Replaces the entry of a tenant already on the list (200). Audited as tenant.add or tenant.update.',
    tags: ['identity'],
    requestBody: { required: true, content: json(ref('TenantRequest')) },
    responses: {
      '200': { description: 'The entry replaced', content: json(ref('Tenant')) },
      '201': { description: 'Added', content: json(ref('Tenant')) },
    },
    problems: ['malformed-body', 'payload-too-large', 'unsupported-media-type', 'validation-failed'],
  },
  'DELETE /tenants/{}': {
    summary: 'Take a tenant off the allow-list (LA admin only): its people are refused from their next request',
    description: 'Not on the list: 404. The admin’s own tenant: 409 (it would sign them out). Audited as tenant.remove.',
    tags: ['identity'],
    responses: { '200': { description: 'The entry removed', content: json(ref('Tenant')) } },
    problems: ['invalid-parameter', 'not-found', 'conflict'],
  },
  'POST /rollup/rebuild': {
    summary: 'After an upgrade: take every stored return into the city rollup, then mark it complete (LA admin only)',
    description: 'What `npm run rollup:rebuild` does locally, run in the API as its managed identity. Harmless to repeat. Audited as rollup.rebuild.',
    tags: ['la'],
    responses: {
      '200': {
        description: 'The years whose returns were taken in (none when nothing is stored)',
        content: json({ type: 'object', properties: { years: { type: 'array', items: { type: 'integer' } } }, required: ['years'], additionalProperties: false }),
      },
    },
  },
  ...identityOperations(),
  'PUT /returns/{}/{}': {
    summary: "Submit a primary school's transition return (JSON or the filled .xlsx)",
    description:
      `Creates a new immutable version. Errors refuse the return (422 \`return-has-errors\`, the report in \`report\`: at most ${REPORT_ISSUE_LIMIT} issues listed, errors first, every one counted in \`summary\` and \`byRule\`, \`more\` saying how many are not listed); unexplained queries refuse \`submitted\` (422 \`unexplained-queries\`) but may be saved as a \`draft\`. ` +
      'A body sent as .xlsx that is not a readable workbook (not an xlsx at all, encrypted, hidden sheets, formulas in data, an unknown layout) is 422 `workbook-unreadable` with its `code`; 415 is only for a content type other than JSON or .xlsx.',
    tags: ['returns'],
    idempotent: true,
    parameters: [
      idempotencyKey,
      ifMatch,
      { name: 'status', in: 'query', description: '`draft` saves without submitting.', schema: { type: 'string', enum: [...RETURN_STATUSES], default: 'submitted' } },
    ],
    requestBody: { required: true, content: { ...json(ref('TransitionReturn')), ...xlsx } },
    responses: {
      '200': { description: 'Receipt: the content and status equal the current version’s, so nothing new was stored', content: json(ref('Receipt')), headers: { ETag: true, Location: true } },
      '201': { description: 'Receipt for a new version', content: json(ref('Receipt')), headers: { ETag: true, Location: true } },
    },
    problems: [...WRITE_PROBLEMS, 'return-has-errors', 'unexplained-queries', 'workbook-unreadable'],
  },
  'GET /returns/{}/{}': {
    summary: "A school's current return and its validation report (JSON, or the workbook via Accept)",
    tags: ['returns'],
    responses: { '200': { description: 'The current version', content: { ...json(ref('ReturnDocument')), ...xlsx }, headers: { ETag: true, 'Content-Disposition': false } } },
    problems: ['invalid-parameter', 'not-found'],
  },
  'GET /returns/{}/{}/history': {
    summary: 'Every version of a return: who submitted what and when, with a content hash',
    tags: ['returns'],
    responses: { '200': { description: 'Versions, newest first', content: json(ref('History')) } },
    problems: ['invalid-parameter', 'not-found'],
  },
  'POST /returns/{}/{}/cross-school': {
    summary: 'Which of a primary’s own UPNs another school’s latest submitted return also holds (never which school)',
    description:
      'The school itself only (as for PUT). Sends the UPNs of its sheet before submitting; the answer lists only those another school’s latest submitted return holds, with how many other returns, and the notice to show: the LA resolves which school is right. Stores nothing; audited as crossSchool.check.',
    tags: ['returns'],
    requestBody: { required: true, content: json(ref('CrossSchoolCheckRequest')) },
    responses: { '200': { description: 'The UPNs also on another school’s return', content: json(ref('CrossSchoolCheck')) } },
    problems: ['invalid-parameter', 'malformed-body', 'payload-too-large', 'unsupported-media-type', 'validation-failed'],
  },
  'GET /cohorts/{}/{}': {
    summary: "A secondary's incoming Year 7 cohort from every feeder primary",
    tags: ['returns'],
    responses: { '200': { description: 'Incoming pupils (JSON, or one transition sheet via Accept)', content: { ...json(ref('Cohort')), ...xlsx }, headers: { 'Content-Disposition': false } } },
    problems: ['invalid-parameter', 'not-found'],
  },
  'GET /tracker/{}': {
    summary: 'Every expected school: submitted, draft or outstanding, with counts of errors and queries',
    tags: ['la'],
    responses: { '200': { description: 'The LA’s chase list (JSON, or via Accept a workbook: school, LAESTAB, area, status, days to the deadline)', content: { ...json(ref('Tracker')), ...xlsx }, headers: { 'Content-Disposition': false } } },
    problems: ['invalid-parameter'],
  },
  'GET /aggregates/{}': {
    summary: 'City roll-up tables (the LA: from the maintained city rollup; a trust: from its schools’ summaries), with resource-base demand',
    description: 'LA: raw counts for every primary. Trust: its own primaries, disclosure-controlled (1–4 shown as `c`, with secondary suppression).',
    tags: ['la'],
    parameters: [
      {
        name: 'by',
        in: 'query',
        description: `Comma-separated tables to build, in the order asked: ${DIMENSIONS.map((d) => `\`${d}\` (${DIMENSION_TABLES[d]})`).join(', ')}. Default: all, in that order.`,
        schema: { type: 'string', pattern: `^(${DIMENSIONS.join('|')})(,(${DIMENSIONS.join('|')}))*$` },
      },
      includeParam,
    ],
    responses: { '200': { description: 'Tables and demand', content: json(ref('Aggregates')) } },
    problems: ['invalid-parameter'],
  },
  'GET /exports/{}/consolidated.xlsx': {
    summary: 'The consolidated city return as a workbook (same as `goodstart consolidate`)',
    description: 'LA only. Audited as export.consolidated. No hidden sheets; text escaped against formula injection. A year with no returns is still a workbook: its About sheet says no returns have been received yet.',
    tags: ['la'],
    parameters: [includeParam],
    responses: { '200': { description: 'The workbook, as an attachment', content: xlsx, headers: { 'Content-Disposition': true } } },
    problems: ['invalid-parameter'],
  },
  'GET /resource-bases/{}': {
    summary: 'The resource-base dataset behind RB.COSTPERPLACE',
    description: '`latest`, or the dataset\'s year by the one year rule: `2019` or `2019-20` is academic year 2019-20; a year with no dataset is 404 `not-found`. Any signed-in role.',
    tags: ['resource bases'],
    parameters: [{ name: 'If-None-Match', in: 'header', description: 'ETags held (weak comparison), or `*`: a match is 304.', schema: { type: 'string' } }],
    responses: {
      '200': { description: 'The dataset', content: json(ref('ResourceBaseDataset')), headers: { ETag: true, 'Content-Location': true } },
      '304': { description: 'Not modified since the ETag given', headers: { ETag: true, 'Content-Location': true } },
    },
    problems: ['invalid-parameter', 'not-found'],
  },
  'PUT /resource-bases/{}': {
    summary: 'Publish the resource-base dataset for an academic year (LA only)',
    tags: ['resource bases'],
    idempotent: true,
    parameters: [idempotencyKey, ifMatch, { name: 'If-None-Match', in: 'header', description: '`*`: only when none exists yet.', schema: { type: 'string' } }],
    requestBody: { required: true, content: json(ref('ResourceBaseDataset')) },
    responses: {
      '200': { description: 'Replaced', content: json(ref('ResourceBaseDataset')), headers: { ETag: true, 'Content-Location': true } },
      '201': { description: 'Created', content: json(ref('ResourceBaseDataset')), headers: { ETag: true, Location: true, 'Content-Location': true } },
    },
    problems: [...WRITE_PROBLEMS, 'method-not-allowed'],
  },
  'DELETE /resource-bases/{}': {
    summary: 'Withdraw the resource-base dataset of an academic year published by mistake (LA only)',
    description:
      '`latest` then names the newest dataset that remains; with none left it is 404, and the add-in\'s RB.* functions use the bundled 2019-20 review. A year with no dataset is 404 `not-found`; `latest` itself is 405. Audited as resourceBases.withdraw.',
    tags: ['resource bases'],
    idempotent: true,
    parameters: [idempotencyKey, ifMatch],
    responses: { '200': { description: 'Withdrawn: the year, and the year `latest` names now', content: json(ref('ResourceBaseWithdrawal')) } },
    // No body is read: none of the body's problems.
    problems: [...WRITE_PROBLEMS.filter((p) => !['malformed-body', 'payload-too-large', 'unsupported-media-type', 'validation-failed'].includes(p)), 'not-found', 'method-not-allowed'],
  },
};

// ---------------------------------------------------------------------------------------------
// Paths

interface TemplateParam {
  name: string;
  constraint?: string;
}

/** A Functions route template as an OpenAPI path: `aggregates/{year:int}` → `/aggregates/{year}`. */
export function openApiPath(route: string): string {
  return `/${route
    .split('/')
    .map((segment) => segment.replace(/^\{\*?([A-Za-z][A-Za-z0-9]*)(?::[^}]*)?\??\}$/, '{$1}'))
    .join('/')}`;
}

function templateParams(route: string): TemplateParam[] {
  return route.split('/').flatMap((segment) => {
    const m = /^\{\*?([A-Za-z][A-Za-z0-9]*)(?::([A-Za-z]+))?[^}]*\}$/.exec(segment);
    return m?.[1] ? [{ name: m[1], ...(m[2] ? { constraint: m[2] } : {}) }] : [];
  });
}

const operationKey = (method: string, path: string) => `${method.toUpperCase()} ${path.replace(/\{[^}]+\}/g, '{}')}`;

function pathParamSchema(p: TemplateParam, path: string): JsonObject {
  if (p.name === 'year' && path.startsWith('/resource-bases/')) {
    return { type: 'string', pattern: `^(?:latest|${YEAR_TEXT_PATTERN})$`, description: `\`latest\`, or a year: ${YEAR_RULE}. \`2019\` and \`2019-20\` both name the 2019-20 dataset.` };
  }
  if (/^year$/i.test(p.name)) return TRANSFER_YEAR;
  if (/^(laestab|school)$/i.test(p.name)) return LAESTAB;
  if (p.name === 'tid') return { type: 'string', pattern: GUID_PATTERN.source, description: 'A Microsoft 365 tenant id: a lowercase GUID.' };
  if (p.constraint === 'int' || p.constraint === 'long') return { type: 'integer' };
  return { type: 'string' };
}

const headerRefs = (spec: HeaderSpec = {}): Record<string, JsonObject> =>
  Object.fromEntries(
    (['X-Correlation-Id', ...Object.keys(spec)] as ResponseHeader[]).map((name) => [
      name,
      { ...RESPONSE_HEADERS[name], required: name === 'X-Correlation-Id' || spec[name] === true },
    ]),
  );

/** The problem response for one status: every type the operation can answer with there, each with its exact schema. */
function problemResponse(slugs: readonly AnyProblemSlug[], idempotent: boolean): JsonObject {
  const refs = slugs.map((slug) => ref(problemComponentName(slug)));
  const headers: HeaderSpec = idempotent ? { 'Idempotent-Replayed': false } : {};
  for (const [name, required] of slugs.flatMap((slug) => Object.entries(PROBLEM_HEADERS[slug] ?? {})) as [ResponseHeader, boolean][]) {
    // Required only when every type at this status carries it.
    headers[name] = required && slugs.every((slug) => PROBLEM_HEADERS[slug]?.[name] === true);
  }
  return {
    description: slugs.map((slug) => `${problemTitle(slug)} (type ${PROBLEM_BASE}${slug})`).join('; or '),
    headers: headerRefs(headers),
    content: { [PROBLEM_CONTENT_TYPE]: { schema: refs.length === 1 ? refs[0] : { oneOf: refs } } },
  };
}

function operation(route: RouteDefinition, method: string, path: string): JsonObject {
  const spec: OperationSpec = OPERATIONS[operationKey(method, path)] ?? {
    summary: `${method.toUpperCase()} ${path}`,
    responses: { '200': { description: 'Success', content: json({}) } },
  };
  const slugs = new Set<AnyProblemSlug>([...(spec.problems ?? []), ...(spec.anonymous ? [] : SIGNED_IN_PROBLEMS), ...COMMON_PROBLEMS]);
  const byStatus = new Map<number, AnyProblemSlug[]>();
  for (const slug of slugs) byStatus.set(problemStatus(slug), [...(byStatus.get(problemStatus(slug)) ?? []), slug]);

  const responses: Record<string, unknown> = {};
  for (const [status, r] of Object.entries(spec.responses)) {
    const headers: HeaderSpec = { ...(spec.idempotent ? { 'Idempotent-Replayed': false } : {}), ...r.headers };
    responses[status] = { description: r.description, headers: headerRefs(headers), ...(r.content ? { content: r.content } : {}) };
  }
  for (const status of [...byStatus.keys()].sort()) responses[String(status)] = problemResponse(byStatus.get(status) ?? [], spec.idempotent === true);

  const pathParams: ParamSpec[] = templateParams(route.route).map((p) => ({ name: p.name, in: 'path', required: true, schema: pathParamSchema(p, path) }));
  const methods = route.methods.length;
  return {
    operationId: methods > 1 ? `${route.name}_${method.toLowerCase()}` : route.name,
    summary: spec.summary,
    ...(spec.description ? { description: spec.description } : {}),
    ...(spec.tags ? { tags: spec.tags } : {}),
    ...(spec.anonymous ? { security: [] } : {}),
    parameters: [...pathParams, ...(spec.parameters ?? [])],
    ...(spec.requestBody ? { requestBody: spec.requestBody } : {}),
    responses,
  };
}

export interface OpenApiOptions {
  version: string;
  /** The columns table the return schemas describe; TRANSITION_COLUMNS by default. */
  columns?: readonly TransitionColumn[];
}

/** The OpenAPI 3.1 document for a route table. Pure: the caller passes `loadRoutes()`. */
export function buildOpenApiDocument(routes: readonly RouteDefinition[], options: OpenApiOptions): JsonObject {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const path = openApiPath(route.route);
    const item = (paths[path] ??= {});
    for (const method of route.methods) item[method.toLowerCase()] = operation(route, method, path);
  }
  return {
    openapi: OPENAPI_VERSION,
    jsonSchemaDialect: 'https://spec.openapis.org/oas/3.1/dialect/base',
    info: {
      title: 'Good Start API',
      version: options.version,
      summary: "Birmingham's SEND Year 6 to Year 7 transition returns",
      description:
        'Collects every primary school’s transition return, routes pupils to their secondary and gives the LA its city-wide picture. ' +
        'Errors are RFC 9457 problem+json with a stable `type` and the request’s `correlationId`. Writes need an Idempotency-Key. ' +
        `Content negotiation: ${NEGOTIATION_RULE} Bad path parameters: ${BAD_PARAMETER_RULE} Nothing stored: ${NOTHING_STORED_RULE}`,
      license: { name: 'MIT', identifier: 'MIT' },
    },
    servers: [{ url: '/api' }],
    security: [{ bearer: [] }],
    paths,
    components: {
      schemas: componentSchemas(options.columns),
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: 'An Entra ID access token for the API (local mode: `npm run token -- --role la`). Roles: school, trust, la.',
        },
      },
    },
  };
}
