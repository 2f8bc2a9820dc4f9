/**
 * Idempotent writes (the `Idempotency-Key` header, IETF draft-ietf-httpapi-idempotency-key-header).
 *
 * A client sends one key per user action and reuses it on every retry of that action. The first
 * request with a key runs; a repeat with the same body replays the stored response (status,
 * headers, body) with `Idempotent-Replayed: true`; the same key with a different body is 422;
 * no key is 400.
 *
 * Records live in the `idempotency` container (partition /key, TTL a day), id and partition key
 * a hash of the length-prefixed pair (subject, key): keys are per user, so one user can never
 * replay (or block) another's, whatever characters either part holds.
 *
 * Concurrency without transactions: the first request creates the record as `pending` with
 * create(), which Cosmos makes exclusive on the id. A duplicate in flight gets 409 on that create,
 * then polls briefly for the result and replays it, or answers 409 `request-in-progress` with
 * Retry-After. A pending record carries a short lease that its request renews while it runs, so a
 * process that died mid-request (kill -9, a host recycled) holds the key for at most
 * PENDING_LEASE_MS: once the lease lapses the next retry takes the record over (If-Match).
 * A handler failure (5xx or a throw) deletes the pending record, so a later retry with the same
 * key runs again. So the work may have been done by an earlier run whose answer was never kept
 * (it crashed after its write, or could not store the answer): `run` is given the action's id
 * (the record id), which a write path stores with what it writes and looks for before writing
 * again (returnsPut: the version document records it, and a retry answers with that version's
 * receipt whatever has been committed since).
 *
 * Bounded storage: an answer is kept whole only when it is small (KEEP_WHOLE_BYTES); a larger one
 * keeps its status, headers and a digest, and a replay rebuilds the body through the endpoint's
 * `rebuild` (returnsPut: the receipt, from the version the action stored) or, failing that, gives
 * the same status with the problem's standard members. Each user may open a limited number of
 * new keys an hour (429 with Retry-After): a counter a user an hour, raised atomically.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Container } from '@azure/cosmos';
import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import type { Actor as Principal } from '../auth/principal';
import { getConfig } from '../config';
import { getStore } from '../store';
import { idempotencyRecordSchema, type IdempotencyRecord, type StoredResponse } from '../store/documents';
import { HttpProblem, SpecificProblem } from './problems';
import { raiseCounter, windowOf } from './rateLimit';

export const IDEMPOTENCY_HEADER = 'idempotency-key';
export const REPLAYED_HEADER = 'idempotent-replayed';
/** Keys the client may choose: a UUID fits; nothing that could break a Cosmos id (/ \ ? #). */
export const IDEMPOTENCY_KEY_PATTERN = /^[A-Za-z0-9._~:-]{8,128}$/;
/**
 * (design) How long a pending record holds its key without renewal before a retry may take it
 * over: a crashed holder releases its key within 5 s.
 */
export const PENDING_LEASE_MS = 4_000;
/** (design) How often a running request renews its lease: several renewals fit in one lease. */
export const LEASE_RENEW_MS = 1_000;
/** (design) How long a duplicate waits for the first request to finish before answering 409. */
export const DUPLICATE_WAIT_MS = 20_000;
/**
 * Duplicates poll with backoff (100 ms doubling to 1 s, jittered): two hundred waiting
 * duplicates must not slow the one request they are all waiting for.
 */
const POLL_FIRST_MS = 100;
const POLL_MAX_MS = 1_000;

export const idempotencyKeyMissing = () =>
  new SpecificProblem('idempotency-key-missing', {
    detail: 'Send an Idempotency-Key header (a new UUID per action, reused on retries of that action).',
  });
const idempotencyKeyInvalid = () =>
  new SpecificProblem('idempotency-key-invalid', {
    detail: 'An Idempotency-Key is 8 to 128 letters, digits or . _ ~ : -',
  });
const idempotencyKeyReused = () =>
  new SpecificProblem('idempotency-key-reused', {
    detail: 'Use a new Idempotency-Key for a different request body; reuse a key only to retry the same request.',
  });
const requestInProgress = () =>
  new SpecificProblem('request-in-progress', {
    detail: 'Retry after a moment with the same Idempotency-Key to get its result.',
    headers: { 'retry-after': '1' },
  });

export type { IdempotencyRecord };

const sha256 = (data: Uint8Array | string) => createHash('sha256').update(data).digest('hex');

/**
 * The record id: a hash of the length-prefixed pair, so no two (subject, key) pairs share one
 * (a plain `<subject>:<key>` let subject `a` with key `x:y` meet subject `a:x` with key `y`).
 */
export function idempotencyRecordId(subject: string, key: string): string {
  return `k-${sha256(`${subject.length}:${subject}\n${key.length}:${key}`)}`;
}

/** (design) Answers up to this size are kept whole for replay; larger ones keep a digest and are rebuilt. */
export const KEEP_WHOLE_BYTES = 128 * 1024;
/** The fixed window of the per-user key limit (config limits.idempotencyKeysPerHour). */
export const KEY_WINDOW_MS = 60 * 60 * 1000;

/** What `run` learns of the action it carries out. */
export interface IdempotentAction {
  /** The action's id (the record id: one per user and key, no personal data); write paths store it with what they write. */
  id: string;
  /** True when this request took over a key whose earlier holder stopped: its work may be stored already. */
  resumed: boolean;
}

/** What "the same request" means: same method and target (path + query) and byte-identical body of the same type. */
export function requestHash(request: HttpRequest, bodyBytes: Uint8Array): string {
  const url = new URL(request.url);
  const h = createHash('sha256');
  h.update(`${request.method.toUpperCase()}\n${url.pathname.toLowerCase()}${url.search}\n${request.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase() ?? ''}\n`);
  h.update(bodyBytes);
  return h.digest('hex');
}

function headerObject(headers: HttpResponseInit['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  new Headers(headers as ConstructorParameters<typeof Headers>[0]).forEach((v, k) => {
    out[k] = v;
  });
  return out;
}

/** A problem's standard members (RFC 9457 §3.1), all a large problem keeps for replay. */
function problemMembers(json: unknown): Record<string, unknown> | undefined {
  if (typeof json !== 'object' || json === null || Array.isArray(json) || typeof (json as { type?: unknown }).type !== 'string') return undefined;
  const out: Record<string, unknown> = {};
  for (const k of ['type', 'title', 'status', 'detail', 'instance']) if (k in json) out[k] = (json as Record<string, unknown>)[k];
  return out;
}

function toStored(response: HttpResponseInit): StoredResponse | undefined {
  const stored: StoredResponse = { status: response.status ?? 200, headers: headerObject(response.headers) };
  let bytes: Buffer;
  if (response.jsonBody !== undefined) {
    const text = JSON.stringify(response.jsonBody);
    if (text.length <= KEEP_WHOLE_BYTES) return { ...stored, json: response.jsonBody };
    bytes = Buffer.from(text, 'utf8');
    const problem = problemMembers(response.jsonBody);
    return { ...stored, digest: `sha256:${sha256(bytes)}`, bytes: bytes.byteLength, ...(problem ? { problem } : {}) };
  }
  const body = response.body;
  if (body === undefined || body === null) return stored;
  if (typeof body === 'string') bytes = Buffer.from(body, 'utf8');
  else if (body instanceof Uint8Array) bytes = Buffer.from(body);
  else if (body instanceof ArrayBuffer) bytes = Buffer.from(new Uint8Array(body));
  else return undefined; // a stream: not replayable, so not stored
  if (bytes.byteLength <= KEEP_WHOLE_BYTES) return { ...stored, base64: bytes.toString('base64') };
  return { ...stored, digest: `sha256:${sha256(bytes)}`, bytes: bytes.byteLength };
}

/** A JSON object body that names the request's correlation id (a problem) names the replaying request's own. */
function withOwnCorrelationId(json: unknown, correlationId: string | undefined): unknown {
  if (correlationId === undefined || typeof json !== 'object' || json === null || Array.isArray(json) || !('correlationId' in json)) return json;
  return { ...json, correlationId };
}

async function replay(stored: StoredResponse, action: IdempotentAction, options: IdempotencyOptions): Promise<HttpResponseInit> {
  const headers = { ...stored.headers, [REPLAYED_HEADER]: 'true' };
  const { correlationId } = options;
  if (stored.json !== undefined) return { status: stored.status, headers, jsonBody: withOwnCorrelationId(stored.json, correlationId) };
  if (stored.base64 !== undefined) return { status: stored.status, headers, body: new Uint8Array(Buffer.from(stored.base64, 'base64')) };
  if (stored.digest !== undefined) {
    // Kept as a digest only: the endpoint rebuilds the body from what the action stored.
    const rebuilt = stored.status < 300 ? await options.rebuild?.(action) : undefined;
    if (rebuilt?.jsonBody !== undefined) return { status: stored.status, headers, jsonBody: rebuilt.jsonBody };
    if (stored.problem !== undefined) return { status: stored.status, headers, jsonBody: withOwnCorrelationId({ ...stored.problem, correlationId }, correlationId) };
  }
  return { status: stored.status, headers };
}

const codeOf = (error: unknown): unknown => (error as { code?: unknown } | null)?.code;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function readRecord(container: Container, id: string): Promise<{ record: IdempotencyRecord; etag: string } | undefined> {
  try {
    const { resource, etag } = await container.item(id, id).read();
    if (!resource) return undefined;
    const record = idempotencyRecordSchema.parse(resource);
    return { record, etag: etag ?? record.id };
  } catch (error) {
    if (codeOf(error) === 404) return undefined;
    throw error;
  }
}

export interface IdempotencyOptions {
  /** The container to keep records in (tests); defaults to the store's `idempotency`. */
  container?: () => Promise<Container>;
  now?: () => number;
  waitMs?: number;
  /** This request's correlation id: a problem answered here, first or replayed, carries it. */
  correlationId?: string;
  /** New keys a user may open per KEY_WINDOW_MS; defaults to the config's limit. */
  keysPerWindow?: number;
  /** Rebuilds a success too large to have been kept, from what its action stored. */
  rebuild?: (action: IdempotentAction) => Promise<HttpResponseInit | undefined>;
}

const keysExhausted = (retryAfterSeconds: number, limit: number) =>
  new SpecificProblem('idempotency-keys-exhausted', {
    detail: `You have started ${limit} new actions in the last hour, the most one person may. Retry an earlier action with its own Idempotency-Key, or wait.`,
    headers: { 'retry-after': String(retryAfterSeconds) },
  });

/** The user's counter for the window `now` falls in: one document a user an hour. */
export const keyCounterId = (subject: string, now: number) => `q-${sha256(`${subject.length}:${subject}`)}-${Math.floor(now / KEY_WINDOW_MS)}`;

/**
 * Counts a new key against its user's hourly window and refuses it past the limit. The count is
 * one document a user an hour, raised by Cosmos' atomic patch increment (no read, no etag race,
 * so a burst of a user's requests costs one operation each); it expires with its window.
 */
async function countNewKey(container: Container, subject: string, now: number, limit: number): Promise<void> {
  const count = await raiseCounter(container, keyCounterId(subject, now), KEY_WINDOW_MS);
  if (count <= limit) return;
  throw keysExhausted(windowOf(now, KEY_WINDOW_MS).retryAfterSeconds, limit);
}

/**
 * Runs `run` at most once per (principal, Idempotency-Key) and replays its response to repeats.
 * Call after authentication and after reading the body under its cap (the hash needs the bytes),
 * but before any other work.
 */
export async function withIdempotency(
  request: HttpRequest,
  principal: Principal,
  bodyBytes: Uint8Array,
  run: (action: IdempotentAction) => Promise<HttpResponseInit>,
  options: IdempotencyOptions = {},
): Promise<HttpResponseInit> {
  const key = request.headers.get(IDEMPOTENCY_HEADER)?.trim();
  if (key === undefined || key === '') throw idempotencyKeyMissing();
  if (!IDEMPOTENCY_KEY_PATTERN.test(key)) throw idempotencyKeyInvalid();

  const container = await (options.container ?? (() => getStore().container('idempotency')))();
  const now = options.now ?? Date.now;
  const id = idempotencyRecordId(principal.subject, key);
  const hash = requestHash(request, bodyBytes);
  const waitUntil = now() + (options.waitMs ?? DUPLICATE_WAIT_MS);

  // Claim the key, or find out who holds it.
  let claimedEtag: string | undefined;
  /** The claim's nonce and creation time, which lease renewals keep. */
  let holder = '';
  let createdAt = '';
  let pollMs = POLL_FIRST_MS;
  let resumed = false;
  let limitChecked = false;
  for (;;) {
    const existing = await readRecord(container, id);
    if (existing) {
      const { record, etag } = existing;
      if (record.hash !== hash) throw idempotencyKeyReused();
      if (record.state === 'done' && record.response) return replay(record.response, { id, resumed: false }, options);
      if ((record.leaseUntil ?? 0) < now()) {
        // The holder died (or its lease ran out): take the key over, exclusively, via If-Match.
        try {
          const owner = randomUUID();
          const { etag: taken } = await container.item(id, id).replace(
            idempotencyRecordSchema.parse({ ...record, state: 'pending', owner, leaseUntil: now() + PENDING_LEASE_MS } satisfies IdempotencyRecord),
            { accessCondition: { type: 'IfMatch', condition: etag } },
          );
          claimedEtag = taken ?? '';
          holder = owner;
          createdAt = record.createdAt;
          resumed = true;
          break;
        } catch (error) {
          if (codeOf(error) !== 412 && codeOf(error) !== 404) throw error;
          continue; // someone else moved first; look again
        }
      }
      if (now() >= waitUntil) throw requestInProgress();
      await sleep(pollMs / 2 + Math.random() * (pollMs / 2));
      pollMs = Math.min(POLL_MAX_MS, pollMs * 2);
      continue;
    }
    if (!limitChecked) {
      await countNewKey(container, principal.subject, now(), options.keysPerWindow ?? getConfig().limits.idempotencyKeysPerHour);
      limitChecked = true;
    }
    const owner = randomUUID();
    try {
      const record: IdempotencyRecord = { id, key: id, hash, state: 'pending', owner, createdAt: new Date(now()).toISOString(), leaseUntil: now() + PENDING_LEASE_MS };
      holder = owner;
      createdAt = record.createdAt;
      const { etag } = await container.items.create(idempotencyRecordSchema.parse(record));
      claimedEtag = etag ?? '';
      break;
    } catch (error) {
      if (codeOf(error) !== 409) {
        // The create may have been applied with its answer lost (a dropped connection): if the
        // record is ours, we hold the key; otherwise report the failure (the key stays free).
        const mine = await readRecord(container, id).catch(() => undefined);
        if (mine?.record.owner === owner && mine.record.state === 'pending') {
          claimedEtag = mine.etag;
          break;
        }
        throw error;
      }
      // Another request with this key got there first: loop to read, then wait or replay.
    }
  }

  const release = async () => {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await container.item(id, id).delete({ accessCondition: { type: 'IfMatch', condition: claimedEtag ?? '' } });
        return;
      } catch (error) {
        // Gone (perhaps by our own earlier attempt) or no longer ours: nothing to free.
        if (codeOf(error) === 404 || codeOf(error) === 412) return;
        // Otherwise try again; in the end the lease lets a later retry take the key over anyway.
      }
    }
  };

  // Renew the lease while the request runs, so only a holder that has stopped loses the key.
  let renewing: Promise<void> = Promise.resolve();
  const renewal = setInterval(() => {
    renewing = renewing.then(async () => {
      try {
        const { resource, etag } = await container.item(id, id).replace(
          idempotencyRecordSchema.parse({ id, key: id, hash, state: 'pending', owner: holder, createdAt, leaseUntil: now() + PENDING_LEASE_MS } satisfies IdempotencyRecord),
          { accessCondition: { type: 'IfMatch', condition: claimedEtag ?? '' } },
        );
        if (resource) claimedEtag = etag ?? claimedEtag;
      } catch {
        // Taken over or unreachable: the answer is still given; storing it will then fail and free nothing of another's.
      }
    });
  }, LEASE_RENEW_MS);
  renewal.unref?.();
  const stopRenewing = async () => {
    clearInterval(renewal);
    await renewing;
  };

  let response: HttpResponseInit;
  try {
    response = await run({ id, resumed });
    await stopRenewing();
  } catch (error) {
    await stopRenewing();
    // A thrown 4xx problem is a definite answer: keep it, so a retry replays it.
    if (error instanceof HttpProblem && error.status < 500) {
      response = error.toResponse(options.correlationId);
    } else {
      await release();
      throw error;
    }
  }
  const status = response.status ?? 200;
  const stored = toStored(response);
  if (status >= 500 || stored === undefined) {
    await release();
    return response;
  }
  try {
    const done: IdempotencyRecord = { id, key: id, hash, state: 'done', createdAt: new Date(now()).toISOString(), response: stored };
    await container.item(id, id).replace(idempotencyRecordSchema.parse(done), { accessCondition: { type: 'IfMatch', condition: claimedEtag ?? '' } });
  } catch {
    // The work is done; if its result can't be kept, free the key so a retry re-runs (safely) instead of waiting.
    await release();
  }
  return response;
}
