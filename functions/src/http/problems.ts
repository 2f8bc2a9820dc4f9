/**
 * RFC 9457 problem details. Every failure the API returns is `application/problem+json` with a
 * stable `type` URI from the table below, so the add-in and CLI can branch on `type` rather than
 * on English text. The base is a documentation namespace, not a live site.
 */
import type { HttpResponseInit } from '@azure/functions';

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
  'return-has-errors': { parent: 'validation-failed', title: 'The return has errors' },
  'unexplained-queries': { parent: 'validation-failed', title: 'Every query needs a fix or an explanation before submission' },
  'workbook-unreadable': { parent: 'validation-failed', title: 'The workbook could not be read' },
} as const satisfies Record<string, { parent: ProblemSlug; title: string }>;

export type SpecificProblemSlug = keyof typeof SPECIFIC_PROBLEM_TYPES;

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

export interface ProblemOptions {
  detail?: string;
  instance?: string;
  headers?: Record<string, string>;
  /** Extension members. They are shown to the client: never put pupil values here. */
  extensions?: Record<string, unknown>;
}

export function problemType(slug: ProblemSlug): string {
  return `${PROBLEM_BASE}${slug}`;
}

/**
 * A failure thrown from anywhere below a handler; `withErrors` turns it into the response.
 * The detail is client-facing, so it must describe the request, never echo pupil data.
 */
export class HttpProblem extends Error {
  readonly status: number;

  constructor(
    readonly slug: ProblemSlug,
    readonly options: ProblemOptions = {},
  ) {
    super(options.detail ?? PROBLEM_TYPES[slug].title);
    this.name = 'HttpProblem';
    this.status = PROBLEM_TYPES[slug].status;
  }

  toResponse(correlationId?: string): HttpResponseInit {
    return problem(this.slug, { ...this.options, ...(correlationId ? { extensions: { ...this.options.extensions, correlationId } } : {}) });
  }
}

export function problemBody(slug: ProblemSlug, options: ProblemOptions = {}): ProblemDetails {
  const { status, title } = PROBLEM_TYPES[slug];
  return {
    // Extensions first so they can never overwrite the standard members.
    ...options.extensions,
    type: problemType(slug),
    title,
    status,
    ...(options.detail !== undefined ? { detail: options.detail } : {}),
    ...(options.instance !== undefined ? { instance: options.instance } : {}),
  };
}

export function problem(slug: ProblemSlug, options: ProblemOptions = {}): HttpResponseInit {
  const body = problemBody(slug, options);
  return {
    status: body.status,
    headers: { ...options.headers, 'content-type': PROBLEM_CONTENT_TYPE, 'cache-control': 'no-store' },
    jsonBody: body,
  };
}

/** The 401 for any token failure. RFC 6750 §3: the challenge says why, without saying which check failed. */
export function invalidToken(detail = 'The bearer token is missing, expired or not valid for this API.'): HttpProblem {
  return new HttpProblem('invalid-token', {
    detail,
    headers: { 'www-authenticate': 'Bearer error="invalid_token"' },
  });
}

export function forbidden(detail: string): HttpProblem {
  return new HttpProblem('forbidden', { detail });
}

/** A problem with a narrower type from SPECIFIC_PROBLEM_TYPES, under its parent's status. */
export class SpecificProblem extends HttpProblem {
  constructor(
    readonly specific: SpecificProblemSlug,
    options: ProblemOptions = {},
  ) {
    super(SPECIFIC_PROBLEM_TYPES[specific].parent, options);
  }

  override toResponse(correlationId?: string): HttpResponseInit {
    const base = super.toResponse(correlationId);
    const body = { ...(base.jsonBody as ProblemDetails), type: `${PROBLEM_BASE}${this.specific}`, title: SPECIFIC_PROBLEM_TYPES[this.specific].title };
    return { ...base, jsonBody: body };
  }
}
