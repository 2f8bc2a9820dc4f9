/**
 * The wrapper every HTTP function goes through: correlation id in and out, a safe logger,
 * and any thrown error turned into problem+json. An HttpProblem becomes its own status; anything
 * else is a 500 that says nothing about the cause (no stack, no message, no pupil data) and is
 * logged, redacted, under the correlation id the client is given.
 */
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { CORRELATION_HEADER, correlationIdOf } from './correlation';
import { contextLogger, type SafeLogger } from './logger';
import { JSON_MEDIA_TYPE, negotiate } from './negotiate';
import { HttpProblem, problem, PROBLEM_CONTENT_TYPE } from './problems';

export interface RequestScope {
  correlationId: string;
  log: SafeLogger;
  context: InvocationContext;
  /** The representation negotiated from Accept: one of the endpoint's `produces`. */
  mediaType: string;
}

export interface EndpointOptions {
  /**
   * The media types a success can be answered in, the default first. The one content-negotiation
   * rule (negotiate.ts) picks among them before the handler runs; none acceptable is 406.
   * Problems are always application/problem+json, whatever Accept says.
   */
  produces?: readonly string[];
}

/** What a function file writes: the request plus its scope. */
export type ScopedHandler = (request: HttpRequest, scope: RequestScope) => Promise<HttpResponseInit>;

/** The signature the Functions host (and the local host, and tests) call. */
export type FunctionHandler = (request: HttpRequest, context: InvocationContext) => Promise<HttpResponseInit>;

function withHeader(response: HttpResponseInit, name: string, value: string): HttpResponseInit {
  const headers = new Headers(response.headers as ConstructorParameters<typeof Headers>[0]);
  headers.set(name, value);
  return { ...response, headers: Object.fromEntries(headers.entries()) };
}

/** Only the path: query strings are where a careless client would put a name. */
function pathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return '(unparsable)';
  }
}

/**
 * Failures that are an outage of ours (Cosmos throttling, unreachable or too slow), worth a retry:
 * 503, not 500. The Cosmos client reports a request past its timeout as code 'TimeoutError'
 * (and the service itself as 408).
 */
const TRANSIENT_CODES = new Set<unknown>([408, 429, 503, 'TimeoutError', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN']);

export function isTransientFailure(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, cause } = error as { code?: unknown; cause?: unknown };
  return TRANSIENT_CODES.has(code) || (cause !== undefined && cause !== error && isTransientFailure(cause));
}

/** Every problem body carries the request's own correlation id (a replayed one included). */
function withCorrelation(response: HttpResponseInit, correlationId: string): HttpResponseInit {
  const type = new Headers(response.headers as ConstructorParameters<typeof Headers>[0]).get('content-type');
  const body = response.jsonBody as Record<string, unknown> | undefined;
  if (type !== PROBLEM_CONTENT_TYPE || body === null || typeof body !== 'object') return response;
  return { ...response, jsonBody: { ...body, correlationId } };
}

export function withErrors(handler: ScopedHandler, options: EndpointOptions = {}): FunctionHandler {
  const produces = options.produces ?? [JSON_MEDIA_TYPE];
  return async (request, context) => {
    const started = Date.now();
    const correlationId = correlationIdOf(request);
    const log = contextLogger(context, { correlationId, function: context.functionName });
    let response: HttpResponseInit;
    try {
      const mediaType = negotiate(request, produces);
      if (mediaType === undefined) throw new HttpProblem('not-acceptable', { detail: `Ask for ${produces.join(' or ')}.`, extensions: { available: [...produces] } });
      response = await handler(request, { correlationId, log, context, mediaType });
    } catch (error) {
      if (error instanceof HttpProblem) {
        response = error.toResponse(correlationId);
      } else if (isTransientFailure(error)) {
        log.warn('request.unavailable', { error, method: request.method, path: pathOf(request.url) });
        response = problem('service-unavailable', {
          detail: 'A service the API depends on is busy or unreachable; try again shortly.',
          headers: { 'retry-after': '5' },
          extensions: { correlationId },
        });
      } else {
        // The error name and a redacted message go to the log; the client gets only the correlation id.
        log.error('request.failed', { error, method: request.method, path: pathOf(request.url) });
        response = problem('internal-error', {
          detail: 'The request could not be completed. Quote the correlation id if you report this.',
          extensions: { correlationId },
        });
      }
    }
    const status = response.status ?? 200;
    log.info('request.completed', { method: request.method, path: pathOf(request.url), status, ms: Date.now() - started });
    // nosniff on every answer: a JSON or workbook body is never sniffed into something a browser runs.
    return withHeader(withHeader(withCorrelation(response, correlationId), CORRELATION_HEADER, correlationId), 'x-content-type-options', 'nosniff');
  };
}
