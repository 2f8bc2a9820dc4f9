/**
 * RFC 9457 problem details: the contract between the API and its clients. Every failure the API
 * returns is `application/problem+json` with a stable `type` URI from the tables below, so the
 * add-in and CLI branch on `type` rather than on English text. The base is a documentation
 * namespace, not a live site. The API builds its answers from these (functions/src/http/problems.ts);
 * the add-in maps each slug to the words it shows (addin/api/problems.ts).
 */
import { z } from 'zod';
import { validationReportSchema } from '../transition/schema';
import { WORKBOOK_ERROR_CODES } from '../workbook/errors';

export const PROBLEM_BASE = 'https://goodstart.birmingham.example/problems/';
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** The one table of problem types: slug → status and title. Add a row; never reuse a slug for a new meaning. */
export const PROBLEM_TYPES = {
  'malformed-body': { status: 400, title: 'The request body could not be read' },
  'invalid-token': { status: 401, title: 'A valid bearer token is required' },
  forbidden: { status: 403, title: 'You do not have access to this resource' },
  'not-found': { status: 404, title: 'Not found' },
  'method-not-allowed': { status: 405, title: 'Method not allowed' },
  'not-acceptable': { status: 406, title: 'None of the accepted media types can be produced' },
  conflict: { status: 409, title: 'The request conflicts with the current state' },
  gone: { status: 410, title: 'This is no longer available' },
  'precondition-failed': { status: 412, title: 'The resource has changed since you read it' },
  'payload-too-large': { status: 413, title: 'The request body is too large' },
  'unsupported-media-type': { status: 415, title: 'Unsupported content type' },
  'validation-failed': { status: 422, title: 'The request body is not valid' },
  'too-many-requests': { status: 429, title: 'Too many requests' },
  'internal-error': { status: 500, title: 'Something went wrong on our side' },
  'service-unavailable': { status: 503, title: 'The service is temporarily unavailable' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ProblemSlug = keyof typeof PROBLEM_TYPES;

/**
 * Narrower problem types under a shared status: the client branches on `type`, the status
 * stays the general one (e.g. every 422 kind). Same rule: add a row, never reuse a slug.
 */
export const SPECIFIC_PROBLEM_TYPES = {
  'invalid-parameter': { parent: 'malformed-body', title: 'A parameter in the URL is not valid' },
  'idempotency-key-missing': { parent: 'malformed-body', title: 'An Idempotency-Key header is required' },
  'idempotency-key-invalid': { parent: 'malformed-body', title: 'The Idempotency-Key header is not valid' },
  'request-in-progress': { parent: 'conflict', title: 'A request with this Idempotency-Key is still in progress' },
  'idempotency-key-reused': { parent: 'validation-failed', title: 'This Idempotency-Key was used for a different request' },
  'idempotency-keys-exhausted': { parent: 'too-many-requests', title: 'Too many new Idempotency-Keys from you this hour' },
  'return-has-errors': { parent: 'validation-failed', title: 'The return has errors' },
  'unexplained-queries': { parent: 'validation-failed', title: 'Every query needs a fix or an explanation before submission' },
  'workbook-unreadable': { parent: 'validation-failed', title: 'The workbook could not be read' },
  'tenant-not-registered': { parent: 'invalid-token', title: 'Your organisation is not yet registered with Good Start' },
  'no-membership': { parent: 'forbidden', title: 'You have no role in Good Start yet' },
  'invitation-expired': { parent: 'gone', title: 'This invitation has expired' },
  'invitation-revoked': { parent: 'gone', title: 'This invitation was withdrawn' },
  'invitation-claimed': { parent: 'conflict', title: 'This invitation has already been used' },
  'invitation-wrong-tenant': { parent: 'forbidden', title: 'This invitation must be claimed from the school’s own Microsoft 365 organisation' },
  'request-decided': { parent: 'conflict', title: 'This access request has already been decided' },
  'identity-rate-limited': { parent: 'too-many-requests', title: 'Too many invitations or access requests from you this hour' },
} as const satisfies Record<string, { parent: ProblemSlug; title: string }>;

export type SpecificProblemSlug = keyof typeof SPECIFIC_PROBLEM_TYPES;
export type AnyProblemSlug = ProblemSlug | SpecificProblemSlug;

/** A body-shape issue: where in the body, zod's code and a message that never echoes the value. */
export const bodyIssueSchema = z.strictObject({
  path: z.string().describe('Where in the body, e.g. "sheets.0.rows.3.values".'),
  code: z.string(),
  message: z.string(),
});

/**
 * The extension members (RFC 9457 §3.2) each problem type carries, and nothing else: the
 * OpenAPI document declares exactly these, and the conformance suite holds every body to them.
 * A type not listed carries only the standard members and `correlationId`.
 */
export const PROBLEM_EXTENSIONS = {
  'invalid-parameter': {
    parameter: z.string().describe('The path or query parameter that is not valid.'),
    valid: z.array(z.string()).optional().describe('The values it takes, when there is a short list.'),
  },
  'not-acceptable': { available: z.array(z.string()).describe('The media types this operation can produce.') },
  'unsupported-media-type': { accepted: z.array(z.string()).describe('The request content types this operation reads.') },
  'payload-too-large': {
    maxBytes: z.number().int().optional().describe('The largest body accepted.'),
    code: z.literal('too-large').optional().describe('Set when the workbook itself, not the request, is over its limits.'),
  },
  'validation-failed': { issues: z.array(bodyIssueSchema).describe('Every way the body does not match its schema (at most 200).') },
  // The whole validation report: every error and query, and the summary.
  'return-has-errors': { report: validationReportSchema },
  'unexplained-queries': { report: validationReportSchema },
  'workbook-unreadable': { code: z.enum(WORKBOOK_ERROR_CODES).describe('Why the workbook could not be read (the CLI\'s exit-2 reasons).') },
  'service-unavailable': {
    version: z.string().optional(),
    mode: z.enum(['local', 'cloud']).optional(),
    cosmos: z.literal('unreachable').optional().describe('Health only: Cosmos DB did not answer.'),
  },
} as const satisfies Partial<Record<AnyProblemSlug, z.ZodRawShape>>;

/** The status a problem type is answered with (a narrower type has its parent's). */
export function problemStatus(slug: AnyProblemSlug): number {
  return slug in SPECIFIC_PROBLEM_TYPES ? PROBLEM_TYPES[SPECIFIC_PROBLEM_TYPES[slug as SpecificProblemSlug].parent].status : PROBLEM_TYPES[slug as ProblemSlug].status;
}

export function problemTitle(slug: AnyProblemSlug): string {
  return slug in SPECIFIC_PROBLEM_TYPES ? SPECIFIC_PROBLEM_TYPES[slug as SpecificProblemSlug].title : PROBLEM_TYPES[slug as ProblemSlug].title;
}

/** The exact body schema of one problem type: the standard members, `correlationId`, and its extensions. */
export function problemBodySchema(slug: AnyProblemSlug) {
  return z.strictObject({
    type: z.literal(`${PROBLEM_BASE}${slug}`),
    title: z.literal(problemTitle(slug)),
    status: z.literal(problemStatus(slug)),
    detail: z.string().optional(),
    instance: z.string().optional(),
    correlationId: z.string().describe('Quote this when reporting a problem; it is also the X-Correlation-Id header.'),
    ...((PROBLEM_EXTENSIONS as Partial<Record<AnyProblemSlug, z.ZodRawShape>>)[slug] ?? {}),
  });
}

export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  correlationId?: string;
  /** Extension members (RFC 9457 §3.2), e.g. `issues` for validation failures. */
  [extension: string]: unknown;
}

export function problemType(slug: AnyProblemSlug): string {
  return `${PROBLEM_BASE}${slug}`;
}

