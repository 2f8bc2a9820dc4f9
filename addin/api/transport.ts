/**
 * One HTTP exchange with the API, retried where that is safe.
 *
 * Retried: network failures, an attempt that got no answer in time, 429 and 503 (waiting what
 * Retry-After says, else exponential backoff with jitter), and 409 `request-in-progress` (our
 * own earlier attempt is still running). Only for safe requests (GET, HEAD) and for writes that
 * carry an Idempotency-Key: the API runs such a write at most once per key, so sending it again
 * can never store it twice. Anything else fails on its first answer.
 */
import { ApiOffline, type ApiProblem, problemFromResponse } from './problems';

/** A bearer token, or undefined when nobody is signed in. */
export type TokenProvider = () => string | undefined | Promise<string | undefined>;

/** The part of `RequestInit` the client uses. */
export interface ApiRequestInit {
  method: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
  signal?: AbortSignal;
}

/** The part of `Response` the client reads; a real `Response` is one. */
export interface ApiResponseLike {
  ok: boolean;
  status: number;
  headers: { get(name: string): string | null };
  json(): Promise<unknown>;
  arrayBuffer(): Promise<ArrayBuffer>;
}

/** `fetch`, or a test's stand-in for it. */
export type ApiFetch = (url: string, init: ApiRequestInit) => Promise<ApiResponseLike>;

export interface RetryPolicy {
  /** Requests sent at most, the first included. */
  attempts: number;
  /** The first backoff; each retry doubles it, up to maxDelayMs. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** A Retry-After longer than this is not waited for: the failure is reported instead. */
  maxRetryAfterMs: number;
}

/** (design) Four attempts over roughly 0.5 + 1 + 2 s: long enough for a restart, short enough to watch. */
export const DEFAULT_RETRY: RetryPolicy = { attempts: 4, baseDelayMs: 500, maxDelayMs: 8_000, maxRetryAfterMs: 30_000 };
export const DEFAULT_TIMEOUT_MS = 30_000;

/** Why an attempt is being repeated. */
export type RetryReason = 'offline' | 'timeout' | 'throttled' | 'unavailable' | 'in-progress';

/** Told before each retry, so the pane can say "Retrying (2 of 4)…". */
export interface RetryNotice {
  /** The attempt about to be made: 2 for the first retry. */
  attempt: number;
  /** The most attempts there will be. */
  of: number;
  delayMs: number;
  reason: RetryReason;
  method: string;
  path: string;
}

export interface TransportOptions {
  /** Defaults to the build's API URL (addin/api/baseUrl.ts). */
  baseUrl: string;
  getToken?: TokenProvider;
  fetch?: ApiFetch;
  retry?: Partial<RetryPolicy>;
  /** Each attempt is aborted after this long without an answer. */
  timeoutMs?: number;
  onRetry?: (notice: RetryNotice) => void;
  /** [0, 1); the jitter's source (tests pin it). */
  random?: () => number;
  /** Waits between attempts (tests record instead of waiting). */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export interface ApiRequest {
  method: 'GET' | 'HEAD' | 'PUT' | 'POST' | 'DELETE';
  /** Below the base URL, with its query string: `/returns/3302001/2027?status=draft`. */
  path: string;
  accept?: string;
  body?: { contentType: string; data: string | Uint8Array };
  idempotencyKey?: string;
  headers?: Record<string, string>;
  /** Cancels the request and any wait between attempts. */
  signal?: AbortSignal;
  /** Overrides the transport's policy for this request. */
  retry?: Partial<RetryPolicy>;
  /** False for anonymous endpoints (health): no token is asked for. */
  auth?: boolean;
  /** Told before each retry of this request (besides the transport's own onRetry). */
  onRetry?: (notice: RetryNotice) => void;
}

export interface Transport {
  readonly baseUrl: string;
  /** Sends the request, retrying where safe; resolves with a 2xx (or 304) answer, else throws ApiProblem or ApiOffline. */
  send(request: ApiRequest): Promise<ApiResponseLike>;
}

const abortableSleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });

async function readBody(res: ApiResponseLike): Promise<unknown> {
  try {
    return await res.json();
  } catch {
    return undefined;
  }
}

type Outcome = { kind: 'answer'; res: ApiResponseLike } | { kind: 'problem'; problem: ApiProblem } | { kind: 'offline'; reason: 'network' | 'timeout'; message: string };

export function createTransport(options: TransportOptions): Transport {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const getToken = options.getToken ?? (() => undefined);
  const doFetch: ApiFetch = options.fetch ?? ((url, init) => globalThis.fetch(url, init as RequestInit));
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const random = options.random ?? Math.random;
  const sleep = options.sleep ?? abortableSleep;

  async function attempt(request: ApiRequest): Promise<Outcome> {
    const headers: Record<string, string> = { accept: request.accept ?? 'application/json', ...request.headers };
    if (request.auth !== false) {
      const token = await getToken();
      if (token !== undefined && token !== '') headers['authorization'] = `Bearer ${token}`;
    }
    if (request.idempotencyKey !== undefined) headers['idempotency-key'] = request.idempotencyKey;
    if (request.body) headers['content-type'] = request.body.contentType;

    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    const onCallerAbort = () => controller.abort(request.signal?.reason);
    request.signal?.addEventListener('abort', onCallerAbort, { once: true });
    try {
      const res = await doFetch(`${baseUrl}${request.path}`, {
        method: request.method,
        headers,
        ...(request.body ? { body: request.body.data } : {}),
        signal: controller.signal,
      });
      if (res.ok || res.status === 304) return { kind: 'answer', res };
      return { kind: 'problem', problem: problemFromResponse(res.status, res.headers, await readBody(res), request.method === 'PUT' || request.method === 'DELETE') };
    } catch (error) {
      // The caller cancelling is not an outage: let their AbortError through untouched.
      if (request.signal?.aborted) throw request.signal.reason ?? error;
      if (controller.signal.aborted) return { kind: 'offline', reason: 'timeout', message: `no answer within ${timeoutMs / 1000} s` };
      return { kind: 'offline', reason: 'network', message: `cannot reach ${baseUrl} (${error instanceof Error ? error.message : String(error)})` };
    } finally {
      clearTimeout(timer);
      request.signal?.removeEventListener('abort', onCallerAbort);
    }
  }

  return {
    baseUrl,
    async send(request) {
      const policy: RetryPolicy = { ...DEFAULT_RETRY, ...options.retry, ...request.retry };
      const idempotent = request.method === 'GET' || request.method === 'HEAD' || request.idempotencyKey !== undefined;
      const attempts = idempotent ? Math.max(1, policy.attempts) : 1;
      for (let n = 1; ; n++) {
        const outcome = await attempt(request);
        if (outcome.kind === 'answer') return outcome.res;

        let reason: RetryReason | undefined;
        let waitMs: number | undefined;
        if (outcome.kind === 'offline') {
          reason = outcome.reason === 'timeout' ? 'timeout' : 'offline';
        } else {
          const { status, slug, retryAfterSeconds: after } = outcome.problem;
          if (status === 429) reason = 'throttled';
          else if (status === 503) reason = 'unavailable';
          else if (slug === 'request-in-progress' && request.idempotencyKey !== undefined) reason = 'in-progress';
          if (after !== undefined) waitMs = after * 1000;
        }
        const backoff = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (n - 1));
        // Equal jitter: half the backoff for sure, half at random, so a crowd of clients spreads out.
        const delayMs = waitMs !== undefined ? waitMs + Math.round(random() * policy.baseDelayMs) : Math.round(backoff / 2 + (random() * backoff) / 2);
        const giveUp = reason === undefined || n >= attempts || (waitMs !== undefined && waitMs > policy.maxRetryAfterMs);
        if (giveUp) {
          if (outcome.kind === 'problem') throw outcome.problem;
          throw new ApiOffline(outcome.reason, n, request.idempotencyKey !== undefined, outcome.message);
        }
        const notice: RetryNotice = { attempt: n + 1, of: attempts, delayMs, reason: reason as RetryReason, method: request.method, path: request.path.split('?')[0] ?? request.path };
        options.onRetry?.(notice);
        request.onRetry?.(notice);
        await sleep(delayMs, request.signal);
      }
    },
  };
}
