/**
 * The wrapper every HTTP function goes through: correlation id in and out, a safe logger,
 * and any thrown error turned into problem+json. An HttpProblem becomes its own status; anything
 * else is a 500 that says nothing about the cause (no stack, no message, no pupil data) and is
 * logged, redacted, under the correlation id the client is given.
 */
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { CORRELATION_HEADER, correlationIdOf } from './correlation';
import { contextLogger, type SafeLogger } from './logger';
import { HttpProblem, problem } from './problems';

export interface RequestScope {
  correlationId: string;
  log: SafeLogger;
  context: InvocationContext;
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

/** Failures that are an outage of ours (Cosmos throttling or unreachable), worth a retry: 503, not 500. */
const TRANSIENT_CODES = new Set<unknown>([429, 503, 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN']);

export function isTransientFailure(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, cause } = error as { code?: unknown; cause?: unknown };
  return TRANSIENT_CODES.has(code) || (cause !== undefined && cause !== error && isTransientFailure(cause));
}

export function withErrors(handler: ScopedHandler): FunctionHandler {
  return async (request, context) => {
    const started = Date.now();
    const correlationId = correlationIdOf(request);
    const log = contextLogger(context, { correlationId, function: context.functionName });
    let response: HttpResponseInit;
    try {
      response = await handler(request, { correlationId, log, context });
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
    return withHeader(response, CORRELATION_HEADER, correlationId);
  };
}
