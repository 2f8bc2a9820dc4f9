/**
 * The RB.* functions' data from the Good Start API, batched and cached in the shared runtime.
 *
 * A recalculation asks for the dataset once per cell (10,000 cells of =RB.COSTPERPLACE() is
 * 10,000 calls within a few milliseconds). Calls are queued for a short window (~100 ms,
 * Office-Add-in-samples "Batching") and every call for the same resource in that window shares
 * ONE request; the answer is then cached for the life of the runtime (a few minutes), so the
 * next burst makes no request at all.
 *
 * Every promise settles: a request that fails rejects (or, for the dataset, falls back for)
 * every waiting cell, and a request that hangs is aborted after `timeoutMs`, so no cell stays on
 * #BUSY!. Rejections are `DomainInputError('notAvailable')`, which the functions show as #N/A.
 *
 *   GET {baseUrl}/resource-bases/{year | latest}  → the dataset, or `{ dataset }` as stored
 *   GET {baseUrl}/aggregates/{transferYear}?by=area → `{ demand: [{ area, need, pupils }], ... }`
 */
import { z } from 'zod';
import { DomainInputError } from '../../shared/errors';
import { publishedDemandRowSchema } from '../../shared/aggregate/demand';
import { type ResourceBaseDataset, resourceBaseDatasetSchema } from '../../shared/resourceBases/dataset';
import { academicYearOf, currentTransferYear, parseTransferYear } from '../../shared/year';
import { BUNDLED_SOURCE, type DemandRow, type ResourceBaseSource } from '../../shared/functions/resourceBaseSource';

/** Where the API lives; set at build time by webpack's DefinePlugin (GOODSTART_API_URL). */
declare const GOODSTART_API_URL: string | undefined;

export const DEFAULT_API_BASE_URL = 'http://localhost:7071/api';

export function defaultApiBaseUrl(): string {
  return typeof GOODSTART_API_URL === 'string' && GOODSTART_API_URL !== '' ? GOODSTART_API_URL : DEFAULT_API_BASE_URL;
}

/** A bearer token, or undefined when nobody is signed in. */
export type TokenProvider = () => string | undefined | Promise<string | undefined>;

export type FetchLike = (url: string, init: { method: string; headers: Record<string, string>; signal?: AbortSignal }) => Promise<{
  ok: boolean;
  status: number;
  json(): Promise<unknown>;
}>;

/** What the task pane shows about the connection. */
export type ConnectionState =
  | { kind: 'signed-out' }
  | { kind: 'connected'; datasetYear?: string }
  | { kind: 'offline'; reason: string }
  | { kind: 'refused'; status: number; reason: string };

export interface ApiSourceOptions {
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

/** `pupils` is "c" where disclosure control suppressed a count of 1–4 (roles other than la). */
const demandResponseSchema = z.looseObject({ demand: z.array(publishedDemandRowSchema) }).transform((r) => r.demand);
/** The API may answer with the dataset itself or the stored document `{ id, year, publishedAt, dataset }`. */
const datasetResponseSchema = z.union([
  resourceBaseDatasetSchema,
  z.looseObject({ dataset: resourceBaseDatasetSchema }).transform((d) => d.dataset),
]);

/** Why a request did not produce data: `offline` means the service could not be reached at all. */
class RequestFailure extends Error {
  constructor(
    readonly offline: boolean,
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
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
  const baseUrl = (options.baseUrl ?? defaultApiBaseUrl()).replace(/\/+$/, '');
  const getToken: TokenProvider = options.getToken ?? (() => undefined);
  const doFetch: FetchLike = options.fetch ?? ((url, init) => globalThis.fetch(url, init));
  const windowMs = options.batchWindowMs ?? 100;
  const ttlMs = options.cacheTtlMs ?? 5 * 60_000;
  const offlineRetryMs = options.offlineRetryMs ?? 30_000;
  const timeoutMs = options.timeoutMs ?? 15_000;
  const fallback = options.fallback ?? BUNDLED_SOURCE;
  const now = options.now ?? (() => Date.now());

  let requests = 0;
  let state: ConnectionState = { kind: 'signed-out' };
  const setState = (s: ConnectionState): void => {
    state = s;
    options.onState?.(s);
  };

  const cache = new Map<string, CacheEntry<unknown>>();
  const pending = new Map<string, { pending: Pending<unknown>; load: () => Promise<{ value: unknown; ttl: number }> }>();
  let timer: ReturnType<typeof setTimeout> | undefined;

  async function getJson(path: string, token: string): Promise<unknown> {
    const controller = typeof AbortController === 'function' ? new AbortController() : undefined;
    const timeout = setTimeout(() => controller?.abort(), timeoutMs);
    requests++;
    try {
      let res: Awaited<ReturnType<FetchLike>>;
      try {
        res = await doFetch(`${baseUrl}${path}`, {
          method: 'GET',
          headers: { accept: 'application/json', authorization: `Bearer ${token}` },
          ...(controller ? { signal: controller.signal } : {}),
        });
      } catch (e) {
        const aborted = controller?.signal.aborted === true;
        throw new RequestFailure(true, 0, aborted ? `no answer within ${timeoutMs / 1000} s` : `cannot reach ${baseUrl} (${e instanceof Error ? e.message : String(e)})`);
      }
      if (!res.ok) {
        const why =
          res.status === 401 ? 'your sign-in has expired: sign in again from the task pane'
          : res.status === 403 ? 'your account may not read this data'
          : res.status === 404 ? 'not published'
          : `the service answered ${res.status}`;
        throw new RequestFailure(res.status >= 500 || res.status === 429, res.status, why);
      }
      try {
        return await res.json();
      } catch {
        throw new RequestFailure(false, res.status, 'the service answered with something that is not JSON');
      }
    } finally {
      clearTimeout(timeout);
    }
  }

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
      const bearer = await token();
      const useFallback = async (next: ConnectionState) => {
        setState(next);
        return { value: await fallback.dataset(wanted === '' ? undefined : wanted), ttl: offlineRetryMs };
      };
      // Not signed in: the bundled dataset answers, without a request the API would refuse.
      if (bearer === undefined) return useFallback({ kind: 'signed-out' });
      try {
        const parsed = datasetResponseSchema.safeParse(await getJson(`/resource-bases/${encodeURIComponent(wanted || 'latest')}`, bearer));
        if (!parsed.success) throw new RequestFailure(false, 200, 'the resource base dataset from the service is not in the expected shape');
        setState({ kind: 'connected', datasetYear: parsed.data.academicYear });
        return { value: parsed.data, ttl: ttlMs };
      } catch (e) {
        if (!(e instanceof RequestFailure)) throw e;
        if (e.offline) return useFallback({ kind: 'offline', reason: e.message });
        // Nothing newer than the bundled dataset has been published.
        if (e.status === 404 && wanted === '') return useFallback({ kind: 'connected', datasetYear: undefined });
        setState({ kind: 'refused', status: e.status, reason: e.message });
        throw notAvailable(`the resource base dataset${wanted ? ` for ${wanted}` : ''} is not available: ${e.message}`);
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
      const bearer = await token();
      if (bearer === undefined) {
        setState({ kind: 'signed-out' });
        throw notAvailable('sufficiency needs the Good Start API: sign in from the task pane');
      }
      try {
        // by=area: the smallest set of tables; the demand list comes with every answer.
        const parsed = demandResponseSchema.safeParse(await getJson(`/aggregates/${transferYear}?by=area`, bearer));
        if (!parsed.success) throw new RequestFailure(false, 200, 'the demand figures from the service are not in the expected shape');
        // A suppressed count cannot be subtracted; an exact answer needs the LA's view, never a guess.
        if (parsed.data.some((d) => d.pupils === 'c')) {
          throw new RequestFailure(false, 200, 'some counts are suppressed (1 to 4 pupils) for your role; the LA view has the exact figures');
        }
        const rows: DemandRow[] = parsed.data.map((d) => ({ area: d.area, need: d.need, pupils: d.pupils === 'c' ? 0 : d.pupils }));
        return { value: rows, ttl: ttlMs };
      } catch (e) {
        if (!(e instanceof RequestFailure)) throw e;
        setState(e.offline ? { kind: 'offline', reason: e.message } : { kind: 'refused', status: e.status, reason: e.message });
        throw notAvailable(`demand for ${transferYear} is not available: ${e.message}`);
      }
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
        const res = await doFetch(`${baseUrl}/health`, { method: 'GET', headers: { accept: 'application/json' } });
        return res.ok;
      } catch {
        return false;
      }
    },
  };
}

/** Where the dev sign-in keeps its token in the shared runtime (MSAL's default cache location too). */
export const TOKEN_STORAGE_KEY = 'goodstart.accessToken';

/** The bearer token the task pane stored for this session, if any. */
export function sessionToken(): string | undefined {
  try {
    return globalThis.sessionStorage?.getItem(TOKEN_STORAGE_KEY) ?? undefined;
  } catch {
    return undefined;
  }
}

const stateListeners = new Set<(s: ConnectionState) => void>();
let shared: ApiResourceBaseSource | undefined;

/** The one API source of this runtime: the custom functions and the task pane share it. */
export function sharedApiSource(): ApiResourceBaseSource {
  shared ??= createApiSource({ getToken: sessionToken, onState: (s) => stateListeners.forEach((l) => l(s)) });
  return shared;
}

export function onConnectionState(listener: (s: ConnectionState) => void): () => void {
  stateListeners.add(listener);
  return () => stateListeners.delete(listener);
}
