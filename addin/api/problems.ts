/**
 * What can go wrong talking to the Good Start API, as typed errors the task pane can show.
 *
 * The API answers every failure with RFC 9457 problem+json whose `type` ends in a stable slug
 * (functions/src/http/problems.ts). The client maps the slug, never the English title, to one
 * row of API_MESSAGES: what happened and what to do next, in a SENCo's terms. A raw status code
 * is never the whole message.
 */
import { z } from 'zod';
import { validationIssueSchema, validationSummarySchema, type ValidationIssue, type ValidationSummary } from '../../shared/transition/schema';
import type { ProblemSlug, SpecificProblemSlug } from '../../shared/api/problems';

/** Every problem type the API documents (type-only import: the compiler holds the table below to it). */
export type ApiProblemSlug = ProblemSlug | SpecificProblemSlug;

export interface UserMessage {
  /** What happened, in plain English. */
  userMessage: string;
  /** What the user can do about it. */
  nextStep: string;
}

const REPORT_IT = 'If it keeps happening, tell the Good Start team and quote the reference shown.';

/** The one table: problem slug (and the client's own failures) → message and next step. */
export const API_MESSAGES: Record<ApiProblemSlug | 'service-unavailable-read' | 'offline' | 'offline-write' | 'unexpected-response', UserMessage> = {
  'malformed-body': { userMessage: "Good Start couldn't read what the add-in sent.", nextStep: `Try again. ${REPORT_IT}` },
  'invalid-token': { userMessage: 'Your sign-in has expired or is not valid for Good Start.', nextStep: 'Sign in again from the task pane, then try again.' },
  forbidden: {
    userMessage: "Your account doesn't have access to this school's or trust's data.",
    nextStep: 'Check that you are signed in with the account for the right school, trust or LA team.',
  },
  'not-found': { userMessage: 'Good Start has nothing stored for this yet.', nextStep: 'Check the school and the year. A school that has not saved a return yet has none to show.' },
  'method-not-allowed': { userMessage: 'The add-in asked Good Start for something it does not do.', nextStep: `Reload the add-in to get the latest version. ${REPORT_IT}` },
  'not-acceptable': { userMessage: 'Good Start cannot answer in the format the add-in asked for.', nextStep: `Reload the add-in to get the latest version. ${REPORT_IT}` },
  conflict: { userMessage: 'Another change to the same data was being made at the same moment.', nextStep: 'Wait a moment, then try again.' },
  'precondition-failed': {
    userMessage: 'Someone else submitted this return since you last loaded it.',
    nextStep: 'Reload the status, then check and submit again.',
  },
  'payload-too-large': {
    userMessage: 'The return is larger than Good Start accepts.',
    nextStep: 'Check the sheet for stray data below the last pupil or very long text in a cell, then submit again.',
  },
  'unsupported-media-type': { userMessage: 'The add-in sent the return in a format Good Start does not accept.', nextStep: `Reload the add-in to get the latest version. ${REPORT_IT}` },
  'validation-failed': { userMessage: 'Good Start could not accept the data as it was sent.', nextStep: 'Check the issues listed, correct them, and try again.' },
  'too-many-requests': { userMessage: 'Good Start is busy right now.', nextStep: 'Wait a minute and try again. Nothing was sent twice.' },
  'internal-error': { userMessage: 'Something went wrong on the Good Start service.', nextStep: `Try again later. ${REPORT_IT}` },
  'service-unavailable': {
    userMessage: "The Good Start service can't be reached right now.",
    nextStep: 'Nothing was sent twice: try again and the same submission will be used.',
  },
  /** A read that met an outage: nothing to say about submissions. */
  'service-unavailable-read': { userMessage: "The Good Start service can't be reached right now.", nextStep: 'Try again in a minute.' },
  'invalid-parameter': { userMessage: 'The school or year in the request is not valid.', nextStep: 'Check the LAESTAB (7 digits) and the year, then try again.' },
  'idempotency-key-missing': {
    userMessage: 'The add-in did not label this submission so that it could be retried safely.',
    nextStep: `Reload the add-in and submit again. ${REPORT_IT}`,
  },
  'idempotency-key-invalid': {
    userMessage: 'The add-in labelled this submission in a way Good Start does not accept.',
    nextStep: `Reload the add-in and submit again. ${REPORT_IT}`,
  },
  'idempotency-key-reused': {
    userMessage: 'This submission was retried with different data from the first attempt.',
    nextStep: 'Submit again: the add-in will start a new submission with the data as it is now.',
  },
  'idempotency-keys-exhausted': {
    userMessage: 'You have sent more new submissions in the last hour than Good Start accepts from one person.',
    nextStep: 'Wait until the time shown has passed, then submit again. What you sent before is kept.',
  },
  'request-in-progress': {
    userMessage: 'Your earlier submission is still being processed.',
    nextStep: 'Wait a moment and try again: the same submission will be used, not a second one.',
  },
  'return-has-errors': {
    userMessage: 'The return has errors, so it was not saved.',
    nextStep: 'Fix each error listed (each names its cell), then save or submit again.',
  },
  'unexplained-queries': {
    userMessage: 'Some queries need a fix or an explanation before the return can be submitted.',
    nextStep: 'Fix or explain each query listed, or save as a draft for now.',
  },
  'workbook-unreadable': {
    userMessage: 'The workbook could not be read as a Good Start transition sheet.',
    nextStep: 'Use the transition sheet the add-in builds, then submit again.',
  },
  'tenant-not-registered': {
    userMessage: 'Your organisation is not yet registered with Good Start.',
    nextStep: 'Ask the LA to register your organisation, then sign in again.',
  },
  'no-membership': {
    userMessage: 'You are signed in, but you have no role in Good Start yet.',
    nextStep: "Ask your school's Good Start approver, or the LA's Good Start admin, to invite you.",
  },
  gone: { userMessage: 'What you asked for is no longer available.', nextStep: 'Reload the view to see what is current.' },
  'invitation-expired': {
    userMessage: 'This invitation has expired: invitations last 7 days.',
    nextStep: 'Ask whoever invited you to invite you again.',
  },
  'invitation-revoked': { userMessage: 'This invitation was withdrawn.', nextStep: 'Ask whoever invited you, or request access below.' },
  'invitation-claimed': { userMessage: 'This invitation has already been used.', nextStep: 'If it was not you who used it, tell whoever invited you.' },
  'invitation-wrong-tenant': {
    userMessage: "This invitation is for the school's own Microsoft 365 organisation, and you signed in with another.",
    nextStep: "Sign out, then sign in with your school account and accept the invitation again.",
  },
  'request-decided': { userMessage: 'Someone has already decided this access request.', nextStep: 'Reload the list to see the decision.' },
  'identity-rate-limited': {
    userMessage: 'You have sent more invitations or access requests in the last hour than Good Start accepts from one person.',
    nextStep: 'Wait until the time shown has passed, then try again. What you sent before is kept.',
  },
  offline: { userMessage: "The Good Start service can't be reached right now.", nextStep: 'Check your internet connection, then try again.' },
  'offline-write': {
    userMessage: "The Good Start service can't be reached right now.",
    nextStep: 'Nothing was sent twice: try again and the same submission will be used.',
  },
  'unexpected-response': {
    userMessage: 'Good Start answered with something the add-in did not expect.',
    nextStep: `Reload the add-in to get the latest version. ${REPORT_IT}`,
  },
};

/** The general slug for a status, for answers that are not problem+json (a proxy's 502 page, say). */
export const STATUS_SLUGS: Readonly<Record<number, ProblemSlug>> = {
  400: 'malformed-body',
  401: 'invalid-token',
  403: 'forbidden',
  404: 'not-found',
  405: 'method-not-allowed',
  406: 'not-acceptable',
  409: 'conflict',
  410: 'gone',
  412: 'precondition-failed',
  413: 'payload-too-large',
  415: 'unsupported-media-type',
  422: 'validation-failed',
  429: 'too-many-requests',
  500: 'internal-error',
  502: 'service-unavailable',
  503: 'service-unavailable',
  504: 'service-unavailable',
};

const CLIENT_ROWS = new Set(['service-unavailable-read', 'offline', 'offline-write', 'unexpected-response']);
const isKnownSlug = (slug: string): slug is ApiProblemSlug => Object.hasOwn(API_MESSAGES, slug) && !CLIENT_ROWS.has(slug);

/** The slug a status falls back to: its own row, else its class (4xx, 5xx). */
export function slugForStatus(status: number): ProblemSlug {
  return STATUS_SLUGS[status] ?? (status >= 500 ? 'internal-error' : 'malformed-body');
}

/** Every failure the client reports: a user message and next step, whatever went wrong. */
export abstract class ApiError extends Error implements UserMessage {
  abstract readonly kind: 'problem' | 'offline' | 'unexpected-response';
  abstract readonly userMessage: string;
  abstract readonly nextStep: string;
}

/** The issue lists a `return-has-errors` or `unexplained-queries` problem carries. */
export interface ProblemValidation {
  errors: ValidationIssue[];
  queries: ValidationIssue[];
  summary: ValidationSummary;
}

const problemValidationSchema = z.object({
  errors: z.array(validationIssueSchema),
  queries: z.array(validationIssueSchema),
  summary: validationSummarySchema,
});

const STANDARD_MEMBERS = new Set(['type', 'title', 'status', 'detail', 'instance', 'correlationId']);

/** The API refused or failed a request; `slug` is the problem type the pane branches on. */
export class ApiProblem extends ApiError {
  readonly kind = 'problem';
  override readonly name = 'ApiProblem';
  readonly userMessage: string;
  readonly nextStep: string;
  /** Present for `return-has-errors` and `unexplained-queries`: every issue, with its cell. */
  readonly validation: ProblemValidation | undefined;

  constructor(
    readonly status: number,
    /** The problem type's last path segment, e.g. `precondition-failed`. */
    readonly slug: string,
    readonly title: string,
    readonly detail: string | undefined,
    /** Quote this to the service team: it finds the request in the API's logs. */
    readonly correlationId: string | undefined,
    /** The body's extension members (errors, queries, summary, parameter, maxBytes, …). */
    readonly extensions: Readonly<Record<string, unknown>> = {},
    /** Seconds the API asked the client to wait (Retry-After), when it said. */
    readonly retryAfterSeconds?: number,
    /** False for a read (GET): an outage then says nothing about submissions. */
    write = true,
  ) {
    super(`${title}${detail ? `: ${detail}` : ''} (HTTP ${status}, ${slug})`);
    const general = isKnownSlug(slug) ? slug : slugForStatus(status);
    const row = API_MESSAGES[general === 'service-unavailable' && !write ? 'service-unavailable-read' : general];
    this.userMessage = row.userMessage;
    this.nextStep = row.nextStep;
    // The API nests the validation report under `report` (the OpenAPI ValidationProblem).
    const validation = problemValidationSchema.safeParse(extensions["report"]);
    this.validation = validation.success ? validation.data : undefined;
  }

  /** True when the slug is one the API documents (so `slug` can be switched on exhaustively). */
  get known(): boolean {
    return isKnownSlug(this.slug);
  }
}

/** The API could not be reached at all (network down, DNS, CORS, or no answer in time). */
export class ApiOffline extends ApiError {
  readonly kind = 'offline';
  override readonly name = 'ApiOffline';
  readonly userMessage: string;
  readonly nextStep: string;

  constructor(
    readonly reason: 'network' | 'timeout',
    /** Requests sent before giving up. */
    readonly attempts: number,
    /** True for an idempotent write: a retry with the same key cannot store it twice. */
    readonly write: boolean,
    message: string,
  ) {
    super(message);
    const row = API_MESSAGES[write ? 'offline-write' : 'offline'];
    this.userMessage = row.userMessage;
    this.nextStep = row.nextStep;
  }
}

/** The API answered 2xx with a body the client's schema does not accept: never shown as data. */
export class ApiUnexpectedResponse extends ApiError {
  readonly kind = 'unexpected-response';
  override readonly name = 'ApiUnexpectedResponse';
  readonly userMessage = API_MESSAGES['unexpected-response'].userMessage;
  readonly nextStep = API_MESSAGES['unexpected-response'].nextStep;

  constructor(
    readonly status: number,
    /** What was expected, e.g. "a return receipt". */
    readonly expected: string,
  ) {
    super(`the service answered with something that is not ${expected} in the expected shape`);
  }
}

const problemBodySchema = z.looseObject({
  type: z.string().optional(),
  title: z.string().optional(),
  detail: z.string().optional(),
  correlationId: z.string().optional(),
});

/** Retry-After as seconds: delta-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function retryAfterSeconds(header: string | null, now: number = Date.now()): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text);
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}

/** The problem a non-2xx answer describes; a body that is not problem+json falls back to the status. */
export function problemFromResponse(status: number, headers: { get(name: string): string | null }, body: unknown, write = true): ApiProblem {
  const parsed = problemBodySchema.safeParse(body);
  const p = parsed.success ? parsed.data : {};
  const slug = p.type !== undefined && p.type !== '' ? (p.type.split('/').filter(Boolean).at(-1) ?? slugForStatus(status)) : slugForStatus(status);
  const extensions = parsed.success ? Object.fromEntries(Object.entries(parsed.data).filter(([k]) => !STANDARD_MEMBERS.has(k))) : {};
  return new ApiProblem(
    status,
    slug,
    p.title ?? `HTTP ${status}`,
    p.detail,
    p.correlationId ?? headers.get('x-correlation-id') ?? undefined,
    extensions,
    retryAfterSeconds(headers.get('retry-after')),
    write,
  );
}
