/**
 * RFC 9457 problem details as the API answers them: the thrown HttpProblem and the response it
 * becomes. The types, titles, statuses and extension members are the shared contract
 * (shared/api/problems.ts), which the add-in reads too.
 */
import type { HttpResponseInit } from '@azure/functions';
import {
  PROBLEM_BASE,
  PROBLEM_CONTENT_TYPE,
  PROBLEM_TYPES,
  type ProblemDetails,
  type ProblemSlug,
  problemType,
  SPECIFIC_PROBLEM_TYPES,
  type SpecificProblemSlug,
} from '../../../shared/api/problems';

export * from '../../../shared/api/problems';

export interface ProblemOptions {
  detail?: string;
  instance?: string;
  headers?: Record<string, string>;
  /** Extension members. They are shown to the client: never put pupil values here. */
  extensions?: Record<string, unknown>;
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
