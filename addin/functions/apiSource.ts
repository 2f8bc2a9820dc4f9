/**
 * The RB.* functions' data from the Good Start API, batched and cached in the shared runtime.
 *
 * A recalculation asks for the dataset once per cell (10,000 cells of =RB.COSTPERPLACE() is
 * 10,000 calls within a few milliseconds). Calls are queued for a short window (~100 ms,
 * Office-Add-in-samples "Batching") and every call for the same resource in that window shares
 * ONE request; the answer is then cached for the life of the runtime (a few minutes), so the
 * next burst makes no request at all.
 *
 * This module batches and caches; it does not speak HTTP. Requests go through the add-in's API
 * client (addin/api), the same one the task pane uses, sent ONCE each: a cell must not wait out
 * a backoff, so an outage falls back at once and the next burst after `offlineRetryMs` is the retry.
 *
 * Every promise settles: a request that fails rejects (or, for the dataset, falls back for)
 * every waiting cell, and a request that hangs is aborted after `timeoutMs`, so no cell stays on
 * #BUSY!. Rejections are `DomainInputError('notAvailable')`, which the functions show as #N/A.
 */
import { DomainInputError } from '../../shared/errors';
import type { ResourceBaseDataset } from '../../shared/resourceBases/dataset';
import { academicYearOf, currentTransferYear, parseTransferYear } from '../../shared/year';
import { type ApiClient, ApiError, type ApiFetch, ApiProblem, createApiClient, onSharedDataPublished, onSharedIdentityChange, sharedApiClient, sharedToken, type TokenProvider } from '../api';
import { BUNDLED_SOURCE, type DemandRow, type ResourceBaseSource } from '../../shared/functions/resourceBaseSource';

// The task pane imported these from here before the API client had a room of its own.
export { DEFAULT_API_BASE_URL, defaultApiBaseUrl, type TokenProvider } from '../api';
export { sessionToken, TOKEN_STORAGE_KEY } from '../auth/tokenStore';

/** `fetch`, or a test's stand-in for it. */
export type FetchLike = ApiFetch;

/** What the task pane shows about the connection. */
export type ConnectionState =
  | { kind: 'signed-out' }
  | { kind: 'connected'; datasetYear?: string }
  | { kind: 'offline'; reason: string }
  | { kind: 'refused'; status: number; reason: string };

export interface ApiSourceOptions {
  /** The API client to send through; without one, a client is made from baseUrl, getToken and fetch. */
  client?: ApiClient;
  baseUrl?: string;
  getToken?: TokenProvider;
  fetch?: FetchLike;
  /** How long calls are queued before one request is sent. */
  batchWindowMs?: number;
  /** How long an answer from the API is reused. */
  cacheTtlMs?: number;
  /** How long the bundled fallback is used before the API is tried again. */
  offlineRetryMs?: number;
  /** A request still unanswered after this is aborted. */
  timeoutMs?: number;
  /** Answers the dataset when the API cannot be reached. */
  fallback?: ResourceBaseSource;
  now?: () => number;
  onState?: (state: ConnectionState) => void;
}

export interface ApiResourceBaseSource extends ResourceBaseSource {
  /** Forget cached answers (after sign-in or sign-out). */
  invalidate(): void;
  /** Requests sent so far, for the task pane and the bench. */
  readonly requests: number;
  readonly state: ConnectionState;
  /** `GET {baseUrl}/health`: true when the API answers. */
  health(): Promise<boolean>;
}

interface CacheEntry<T> {
  promise: Promise<T>;
  expiresAt: number;
}

interface Pending<T> {
  waiters: { resolve: (v: T) => void; reject: (e: unknown) => void }[];
}

/** An RB function's year argument as a transfer year, by the one year rule (2025 or "2025-26" → 2025); blank is the current one. */
export function transferYearOf(year: string | number | undefined, today: Date = new Date()): number {
  const v = typeof year === 'string' ? year.trim() : year;
  return v === undefined || v === '' ? currentTransferYear(today) : parseTransferYear(v);
}

export function createApiSource(options: ApiSourceOptions = {}): ApiResourceBaseSource {
  const getToken: TokenProvider = options.getToken ?? (() => undefined);
  const windowMs = options.batchWindowMs ?? 100;
  const ttlMs = options.cacheTtlMs ?? 5 * 60_000;
  const offlineRetryMs = options.offlineRetryMs ?? 30_000;
  const timeoutMs = options.timeoutMs ?? 15_000;
  const fallback = options.fallback ?? BUNDLED_SOURCE;
  const now = options.now ?? (() => Date.now());
  const client =
    options.client ??
    createApiClient({
      ...(options.baseUrl !== undefined ? { baseUrl: options.baseUrl } : {}),
      ...(options.fetch ? { fetch: options.fetch } : {}),
      getToken,
      timeoutMs,
    });
  /** Sent once: the batcher's own cadence (offlineRetryMs, the next burst) is the retry. */
  const once = { retry: { attempts: 1 } };

  let requests = 0;
  let state: ConnectionState = { kind: 'signed-out' };
  const setState = (s: ConnectionState): void => {
    state = s;
    options.onState?.(s);
  };

  const cache = new Map<string, CacheEntry<unknown>>();
  const pending = new Map<string, { pending: Pending<unknown>; load: () => Promise<{ value: unknown; ttl: number }> }>();
  let timer: ReturnType<typeof setTimeout> | undefined;

  /** Why a request gave no data, for a cell: a refusal's message for the user and what to do, else what failed. */
  const why = (e: ApiError): string => (e instanceof ApiProblem ? `${e.userMessage} ${e.nextStep}` : e.message);
  /** Unreachable, throttled or down: the bundled dataset may answer meanwhile. */
  const isOffline = (e: ApiError): boolean => e.kind === 'offline' || (e instanceof ApiProblem && (e.status >= 500 || e.status === 429));
  const stateFor = (e: ApiError): ConnectionState =>
    isOffline(e) ? { kind: 'offline', reason: why(e) } : { kind: 'refused', status: e instanceof ApiProblem ? e.status : 200, reason: why(e) };

  function flush(): void {
    timer = undefined;
    const batch = [...pending.entries()];
    pending.clear();
    for (const [key, { pending: p, load }] of batch) {
      const promise = load().then(({ value, ttl }) => {
        cache.set(key, { promise: Promise.resolve(value), expiresAt: now() + ttl });
        return value;
      });
      // Later calls in the same burst (after the window closed) join this request.
      cache.set(key, { promise, expiresAt: Number.POSITIVE_INFINITY });
      promise.then(
        (v) => p.waiters.forEach((w) => w.resolve(v)),
        (e: unknown) => {
          cache.delete(key);
          p.waiters.forEach((w) => w.reject(e));
        },
      );
    }
  }

  /** One request per key per burst; later calls reuse the cached answer until it expires. */
  function batched<T>(key: string, load: () => Promise<{ value: T; ttl: number }>): Promise<T> {
    const hit = cache.get(key);
    if (hit && hit.expiresAt > now()) return hit.promise as Promise<T>;
    if (hit) cache.delete(key);
    return new Promise<T>((resolve, reject) => {
      let entry = pending.get(key);
      if (!entry) {
        entry = { pending: { waiters: [] }, load: load as () => Promise<{ value: unknown; ttl: number }> };
        pending.set(key, entry);
      }
      entry.pending.waiters.push({ resolve: resolve as (v: unknown) => void, reject });
      timer ??= setTimeout(flush, windowMs);
    });
  }

  const notAvailable = (message: string): DomainInputError => new DomainInputError('notAvailable', message);

  async function token(): Promise<string | undefined> {
    try {
      const t = await getToken();
      return t === undefined || t === '' ? undefined : t;
    } catch {
      return undefined;
    }
  }

  const dataset = (year?: string | number): Promise<ResourceBaseDataset> => {
    let wanted: string;
    try {
      // 2019, "2019" and "2019-20" are one dataset, so one cache entry and one URL.
      wanted = year === undefined || String(year).trim() === '' ? '' : academicYearOf(parseTransferYear(year));
    } catch (e) {
      return Promise.reject(e);
    }
    return batched(`dataset:${wanted}`, async () => {
      const useFallback = async (next: ConnectionState) => {
        setState(next);
        return { value: await fallback.dataset(wanted === '' ? undefined : wanted), ttl: offlineRetryMs };
      };
      // Not signed in: the bundled dataset answers, without a request the API would refuse.
      if ((await token()) === undefined) return useFallback({ kind: 'signed-out' });
      try {
        requests++;
        const { value } = await client.resourceBases(wanted || 'latest', once);
        setState({ kind: 'connected', datasetYear: value.academicYear });
        return { value, ttl: ttlMs };
      } catch (e) {
        if (!(e instanceof ApiError)) throw e;
        if (isOffline(e)) return useFallback(stateFor(e));
        // Nothing newer than the bundled dataset has been published.
        if (e instanceof ApiProblem && e.status === 404 && wanted === '') return useFallback({ kind: 'connected', datasetYear: undefined });
        setState(stateFor(e));
        throw notAvailable(`the resource base dataset${wanted ? ` for ${wanted}` : ''} is not available: ${why(e)}`);
      }
    });
  };

  const demand = (year?: string | number): Promise<DemandRow[]> => {
    let transferYear: number;
    try {
      transferYear = transferYearOf(year, new Date(now()));
    } catch (e) {
      return Promise.reject(e);
    }
    return batched(`demand:${transferYear}`, async () => {
      if ((await token()) === undefined) {
        setState({ kind: 'signed-out' });
        throw notAvailable('sufficiency needs the Good Start API: sign in from the task pane');
      }
      let rows;
      try {
        requests++;
        // by=area: the smallest set of tables; the demand list comes with every answer.
        rows = (await client.aggregates(transferYear, ['area'], once)).demand;
      } catch (e) {
        if (!(e instanceof ApiError)) throw e;
        setState(stateFor(e));
        throw notAvailable(`demand for ${transferYear} is not available: ${why(e)}`);
      }
      // A suppressed count cannot be subtracted; an exact answer needs the LA's view, never a guess.
      if (rows.some((d) => d.pupils === 'c')) {
        const reason = 'some counts are suppressed (1 to 4 pupils) for your role; the LA view has the exact figures';
        setState({ kind: 'refused', status: 200, reason });
        throw notAvailable(`demand for ${transferYear} is not available: ${reason}`);
      }
      const value: DemandRow[] = rows.map((d) => ({ area: d.area, need: d.need, pupils: d.pupils === 'c' ? 0 : d.pupils }));
      return { value, ttl: ttlMs };
    });
  };

  return {
    dataset,
    demand,
    invalidate() {
      cache.clear();
    },
    get requests() {
      return requests;
    },
    get state() {
      return state;
    },
    async health() {
      try {
        await client.health(once);
        return true;
      } catch {
        return false;
      }
    },
  };
}

const stateListeners = new Set<(s: ConnectionState) => void>();
let shared: ApiResourceBaseSource | undefined;

/** The one API source of this runtime: the custom functions and the task pane share it. */
export function sharedApiSource(): ApiResourceBaseSource {
  if (!shared) {
    const source = createApiSource({ client: sharedApiClient(), getToken: sharedToken, onState: (s) => stateListeners.forEach((l) => l(s)) });
    // A sign-in or sign-out makes every cached answer (or offline fallback) stale at once.
    onSharedIdentityChange(() => source.invalidate());
    // So does the LA publishing a new dataset from the pane.
    onSharedDataPublished(() => source.invalidate());
    shared = source;
  }
  return shared;
}

export function onConnectionState(listener: (s: ConnectionState) => void): () => void {
  stateListeners.add(listener);
  return () => stateListeners.delete(listener);
}
