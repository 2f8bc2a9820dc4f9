/**
 * Idempotency-Key semantics, pinned on a test-only route (so they hold for every write endpoint
 * that uses withIdempotency) and then end to end on PUT /api/returns.
 */
import { randomUUID } from 'node:crypto';
import { authenticate } from '../../functions/src/auth';
import { getConfig } from '../../functions/src/config';
import { readBytesBody } from '../../functions/src/http/body';
import { withErrors } from '../../functions/src/http/handler';
import { HttpRequest } from '@azure/functions';
import { idempotencyRecordId, KEEP_WHOLE_BYTES, LEASE_RENEW_MS, PENDING_LEASE_MS, requestHash, withIdempotency } from '../../functions/src/http/idempotency';
import { sweepExpired } from '../../functions/src/store/ttlSweeper';
import type { IdempotencyRecord } from '../../functions/src/store/documents';
import { HttpProblem } from '../../functions/src/http/problems';
import { defineRoute } from '../../functions/src/http/route';
import { aReturn, PRIMARY, TRANSFER_YEAR } from '../factories/transition';
import { startStack, type Stack } from './harness';

const P = 'https://goodstart.birmingham.example/problems/';
let runs = 0;
let failNext = 0;

const testRoutes = [
  defineRoute({
    name: 'testIdempotent',
    methods: ['POST'],
    route: 'test/idempotent',
    authLevel: 'anonymous',
    handler: withErrors(async (request) => {
      const principal = await authenticate(request);
      const bytes = await readBytesBody(request, getConfig().limits.maxJsonBytes);
      return withIdempotency(request, principal, bytes, async () => {
        runs++;
        const n = runs;
        await new Promise((r) => setTimeout(r, 30));
        if (failNext > 0) {
          failNext--;
          throw new HttpProblem('service-unavailable', { headers: { 'retry-after': '1' } });
        }
        return { status: 201, headers: { 'x-run': String(n) }, jsonBody: { run: n, length: bytes.byteLength } };
      });
    }),
  }),
];

let stack: Stack;
let schoolToken: string;
beforeAll(async () => {
  stack = await startStack({ extraRoutes: testRoutes });
  schoolToken = await stack.token({ role: 'school', school: PRIMARY });
});
afterAll(async () => {
  await stack.stop();
});
beforeEach(() => {
  runs = 0;
  failNext = 0;
});

const post = (body: string, key: string | undefined, token = schoolToken) =>
  stack.fetch('/test/idempotent', {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...(key ? { 'idempotency-key': key } : {}) },
    body,
  });

describe('withIdempotency', () => {
  it('replays the first response, status, headers and body, marked Idempotent-Replayed', async () => {
    const key = randomUUID();
    const first = await post('{"a":1}', key);
    expect(first.status).toBe(201);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const firstBody = await first.json();
    const again = await post('{"a":1}', key);
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.headers.get('x-run')).toBe('1');
    expect(await again.json()).toEqual(firstBody);
    expect(runs).toBe(1);
  });

  it('answers 400 without a key and 400 for a malformed key', async () => {
    const missing = await post('{}', undefined);
    expect(missing.status).toBe(400);
    expect(((await missing.json()) as { type: string }).type).toBe(`${P}idempotency-key-missing`);
    const bad = await post('{}', 'no/slashes');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { type: string }).type).toBe(`${P}idempotency-key-invalid`);
    expect(runs).toBe(0);
  });

  it('answers 422 for the same key with a different body', async () => {
    const key = randomUUID();
    expect((await post('{"a":1}', key)).status).toBe(201);
    const other = await post('{"a":2}', key);
    expect(other.status).toBe(422);
    expect(((await other.json()) as { type: string }).type).toBe(`${P}idempotency-key-reused`);
    expect(runs).toBe(1);
  });

  it('keeps keys per user: the same key from another user runs afresh', async () => {
    const key = randomUUID();
    await post('{"a":1}', key);
    const other = await post('{"a":1}', key, await stack.token({ role: 'school', school: '3302002' }));
    expect(other.status).toBe(201);
    expect(other.headers.get('idempotent-replayed')).toBeNull();
    expect(runs).toBe(2);
  });

  it('runs concurrent duplicates once and replays the result to all of them', async () => {
    const key = randomUUID();
    const responses = await Promise.all(Array.from({ length: 50 }, () => post('{"same":true}', key)));
    expect(responses.map((r) => r.status)).toEqual(Array(50).fill(201));
    const bodies = await Promise.all(responses.map((r) => r.json()));
    expect(new Set(bodies.map((b) => JSON.stringify(b))).size).toBe(1);
    expect(responses.filter((r) => r.headers.get('idempotent-replayed') === null)).toHaveLength(1);
    expect(runs).toBe(1);
  });

  it('frees the key when the handler fails, so a retry with the same key runs once', async () => {
    const key = randomUUID();
    failNext = 1;
    const failed = await post('{"a":1}', key);
    expect(failed.status).toBe(503);
    const retry = await post('{"a":1}', key);
    expect(retry.status).toBe(201);
    expect(retry.headers.get('idempotent-replayed')).toBeNull();
    const replay = await post('{"a":1}', key);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(runs).toBe(2);
  });
});

describe('records keyed without ambiguity', () => {
  it('keeps (officer, x:collide1) apart from (officer:x, collide1): each runs afresh', async () => {
    const la = (sub: string) => stack.token({ role: 'la', sub });
    const first = await post('{"a":1}', 'x:collide1', await la('officer'));
    const second = await post('{"a":1}', 'collide1', await la('officer:x'));
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.headers.get('idempotent-replayed')).toBeNull();
    expect(runs).toBe(2);
    expect(idempotencyRecordId('officer', 'x:collide1')).not.toBe(idempotencyRecordId('officer:x', 'collide1'));
  });
});

describe('bounded storage', () => {
  const principal = { subject: 'bounded-test', role: 'school' as const, school: PRIMARY };
  const request = (key: string, body = '{"a":1}') =>
    new HttpRequest({ method: 'POST', url: 'http://localhost/api/test/idempotent', headers: { 'idempotency-key': key, 'content-type': 'application/json' }, body: { string: body } });
  const bytes = new TextEncoder().encode('{"a":1}');
  const recordOf = async (subject: string, key: string) => {
    const id = idempotencyRecordId(subject, key);
    return (await (await stack.store.container('idempotency')).item(id, id).read<IdempotencyRecord>()).resource;
  };

  it('refuses a user\'s new keys past the hourly limit with 429 and Retry-After, and still replays old ones', async () => {
    const who = { ...principal, subject: `limit-${randomUUID()}` };
    const T = Math.floor(1_900_000_000_000 / 3_600_000) * 3_600_000 + 10 * 60_000; // ten minutes into an hour
    const run = async () => ({ status: 201, jsonBody: { ran: true } });
    const keys = [randomUUID(), randomUUID(), randomUUID()];
    for (const key of keys) expect((await withIdempotency(request(key), who, bytes, run, { now: () => T, keysPerWindow: 3 })).status).toBe(201);
    const refused = withIdempotency(request(randomUUID()), who, bytes, run, { now: () => T, keysPerWindow: 3 });
    await expect(refused).rejects.toMatchObject({ status: 429 });
    const problem = (await refused.catch((e: HttpProblem) => e.toResponse())) as { headers: Record<string, string>; jsonBody: { type: string } };
    expect(problem.jsonBody.type).toBe(`${P}idempotency-keys-exhausted`);
    expect(problem.headers['retry-after']).toBe(String(50 * 60)); // the rest of the hour
    // A retry of an action already started is not a new key: it replays.
    const replay = await withIdempotency(request(keys[0] as string), who, bytes, run, { now: () => T, keysPerWindow: 3 });
    expect(replay.headers).toMatchObject({ 'idempotent-replayed': 'true' });
    // Another user is not held back, and the next hour starts afresh.
    expect((await withIdempotency(request(randomUUID()), { ...who, subject: `${who.subject}-other` }, bytes, run, { now: () => T, keysPerWindow: 3 })).status).toBe(201);
    expect((await withIdempotency(request(randomUUID()), who, bytes, run, { now: () => T + 60 * 60_000, keysPerWindow: 3 })).status).toBe(201);
  });

  it('keeps a large answer as its status, headers and digest, and replays it rebuilt', async () => {
    const key = randomUUID();
    const big = { rows: Array.from({ length: 4000 }, (_, i) => ({ i, text: 'x'.repeat(60) })) };
    const first = await withIdempotency(request(key), principal, bytes, async () => ({ status: 201, headers: { etag: '"v9"' }, jsonBody: big }));
    expect(first.jsonBody).toEqual(big);
    const record = await recordOf(principal.subject, key);
    expect(record?.state).toBe('done');
    expect(record?.response?.json).toBeUndefined();
    expect(record?.response?.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(JSON.stringify(record).length).toBeLessThan(2_000);
    let rebuilt = 0;
    const again = await withIdempotency(request(key), principal, bytes, async () => ({ status: 500 }), {
      rebuild: async () => {
        rebuilt++;
        return { status: 201, jsonBody: big };
      },
    });
    expect(again.status).toBe(201);
    expect(again.headers).toMatchObject({ etag: '"v9"', 'idempotent-replayed': 'true' });
    expect(again.jsonBody).toEqual(big);
    expect(rebuilt).toBe(1);
  });

  it('replays a large problem with its status and standard members', async () => {
    const key = randomUUID();
    const huge = 'y'.repeat(KEEP_WHOLE_BYTES);
    const run = async () => {
      throw new HttpProblem('validation-failed', { detail: 'Too many issues.', extensions: { issues: [{ path: 'a', code: 'c', message: huge }] } });
    };
    const first = await withIdempotency(request(key), principal, bytes, run);
    expect(first.status).toBe(422);
    const again = await withIdempotency(request(key), principal, bytes, run);
    expect(again.status).toBe(422);
    expect(again.jsonBody).toMatchObject({ type: `${P}validation-failed`, status: 422, detail: 'Too many issues.' });
    expect(JSON.stringify(again.jsonBody).length).toBeLessThan(1_000);
  });
});

describe('expired records, locally', () => {
  it('are removed by the sweeper as Cosmos\' TTL would remove them: the container\'s day, or an item\'s own TTL', async () => {
    const container = await stack.store.container('idempotency');
    const old = { id: `sweep-${randomUUID()}`, state: 'done' };
    const short = { id: `sweep-${randomUUID()}`, ttl: 2 };
    const kept = { id: `sweep-${randomUUID()}`, ttl: -1 };
    for (const doc of [old, short, kept]) await container.items.create({ ...doc, key: doc.id });
    const now = Math.floor(Date.now() / 1000);
    const exists = async (id: string) => (await container.item(id, id).read()).resource !== undefined;

    await sweepExpired(await stack.store.database(), now);
    expect(await exists(short.id)).toBe(true); // not yet 2 s old
    await sweepExpired(await stack.store.database(), now + 3);
    expect(await exists(short.id)).toBe(false);
    expect(await exists(old.id)).toBe(true);
    await sweepExpired(await stack.store.database(), now + 24 * 60 * 60 + 5);
    expect(await exists(old.id)).toBe(false);
    expect(await exists(kept.id)).toBe(true); // ttl -1: never
  });
});

describe('a key whose holder crashed', () => {
  const principal = { subject: 'crash-test', role: 'school' as const, school: PRIMARY };
  const T0 = 1_900_000_000_000;
  const bytes = new TextEncoder().encode('{"a":1}');
  const request = (key: string) =>
    new HttpRequest({ method: 'POST', url: 'http://localhost/api/test/idempotent', headers: { 'idempotency-key': key, 'content-type': 'application/json' }, body: { string: '{"a":1}' } });
  /** The record a process leaves when it dies between claiming a key and answering. */
  async function leftByCrashedHolder(key: string): Promise<void> {
    const id = idempotencyRecordId(principal.subject, key);
    const record: IdempotencyRecord = { id, key: id, hash: requestHash(request(key), bytes), state: 'pending', owner: 'dead', createdAt: new Date(T0).toISOString(), leaseUntil: T0 + PENDING_LEASE_MS };
    await (await stack.store.container('idempotency')).items.create(record);
  }
  const run = async () => ({ status: 201, jsonBody: { ran: true } });

  it('is released within 5 s: a retry 5 s after the crash runs', async () => {
    const key = randomUUID();
    await leftByCrashedHolder(key);
    const retry = await withIdempotency(request(key), principal, bytes, run, { now: () => T0 + 5_000, waitMs: 0 });
    expect(retry).toEqual({ status: 201, jsonBody: { ran: true } });
  });

  it('is still held 1 s after the claim, when the holder may be alive', async () => {
    const key = randomUUID();
    await leftByCrashedHolder(key);
    await expect(withIdempotency(request(key), principal, bytes, run, { now: () => T0 + 1_000, waitMs: 0 })).rejects.toMatchObject({ status: 409 });
  });

  it('is kept by a live holder however long it runs: the lease is renewed while the request runs', async () => {
    const key = randomUUID();
    const id = idempotencyRecordId(principal.subject, key);
    const container = await stack.store.container('idempotency');
    const leaseOf = async () => ((await container.item(id, id).read<IdempotencyRecord>()).resource?.leaseUntil ?? 0);
    let clock = T0;
    const answer = await withIdempotency(
      request(key),
      principal,
      bytes,
      async () => {
        const first = await leaseOf();
        clock = T0 + PENDING_LEASE_MS; // time passes while the work runs
        // Wait for a renewal rather than for a time: the next one pushes the lease on from the new clock.
        while ((await leaseOf()) === first) await new Promise((r) => setTimeout(r, LEASE_RENEW_MS / 4));
        expect(await leaseOf()).toBe(T0 + 2 * PENDING_LEASE_MS);
        return { status: 201, jsonBody: { ran: true } };
      },
      { now: () => clock },
    );
    expect(answer.status).toBe(201);
  });
});

describe('replayed responses', () => {
  it('carry their own correlation id, not the first request\'s', async () => {
    const key = randomUUID();
    const first = await stack.fetch('/test/idempotent', {
      method: 'POST',
      headers: { authorization: `Bearer ${schoolToken}`, 'content-type': 'application/json', 'idempotency-key': key, 'x-correlation-id': 'first-request-0001' },
      body: '{"b":1}',
    });
    expect(first.headers.get('x-correlation-id')).toBe('first-request-0001');
    const replay = await stack.fetch('/test/idempotent', {
      method: 'POST',
      headers: { authorization: `Bearer ${schoolToken}`, 'content-type': 'application/json', 'idempotency-key': key, 'x-correlation-id': 'replayed-request-0002' },
      body: '{"b":1}',
    });
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.headers.get('x-correlation-id')).toBe('replayed-request-0002');
  });

  it('of a stored problem carry their own correlation id in the body too', async () => {
    const key = randomUUID();
    const send = (correlationId: string) =>
      stack.fetch(`/returns/${PRIMARY}/${TRANSFER_YEAR}`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${schoolToken}`, 'content-type': 'application/json', 'idempotency-key': key, 'x-correlation-id': correlationId },
        body: JSON.stringify({ ...aReturn(1), year: TRANSFER_YEAR + 1 }),
      });
    const first = await send('problem-first-0001');
    expect(first.status).toBe(422);
    expect(((await first.json()) as { correlationId?: string }).correlationId).toBe('problem-first-0001');
    const replay = await send('problem-again-0002');
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.headers.get('x-correlation-id')).toBe('problem-again-0002');
    expect(((await replay.json()) as { correlationId?: string }).correlationId).toBe('problem-again-0002');
  });
});

describe('PUT /api/returns idempotency', () => {
  const url = `/returns/${PRIMARY}/${TRANSFER_YEAR}`;
  const put = (body: unknown, key: string | undefined) =>
    stack.fetch(url, {
      method: 'PUT',
      headers: { authorization: `Bearer ${schoolToken}`, 'content-type': 'application/json', ...(key ? { 'idempotency-key': key } : {}) },
      body: JSON.stringify(body),
    });

  /** A well-behaved client: a 409 "request in progress" is retried after its Retry-After. */
  const putRetrying = async (body: unknown, key: string): Promise<Response> => {
    for (let attempt = 1; ; attempt++) {
      const res = await put(body, key);
      if (res.status !== 409 || attempt === 5) return res;
      await new Promise((r) => setTimeout(r, Number(res.headers.get('retry-after') ?? '1') * 1000));
    }
  };

  const versions = async () => {
    const res = await stack.fetch(`${url}/history`, { headers: { authorization: `Bearer ${schoolToken}` } });
    // A history with nothing stored is 404: no versions.
    if (res.status === 404) return 0;
    return ((await res.json()) as { versions: unknown[] }).versions.length;
  };

  it('requires a key', async () => {
    const res = await put(aReturn(1), undefined);
    expect(res.status).toBe(400);
  });

  it('stores one version for 200 concurrent submissions with the same key', async () => {
    const before = await versions();
    const key = randomUUID();
    const ret = aReturn(2, { explanations: [] });
    const responses = await Promise.all(Array.from({ length: 200 }, () => putRetrying(ret, key)));
    const statuses = responses.map((r) => r.status);
    expect(statuses.every((s) => s === 201 || s === 200)).toBe(true);
    const bodies = (await Promise.all(responses.map((r) => r.json()))) as { version: number }[];
    expect(new Set(bodies.map((b) => b.version)).size).toBe(1);
    expect(await versions()).toBe(before + 1);
  }, 120_000);

  it('stores one version for 200 concurrent identical submissions with different keys', async () => {
    const before = await versions();
    const ret = aReturn(4);
    // A well-behaved client: 409 (in progress) and 503 (the store overloaded, as 200 requests at
    // once can leave the in-process emulator) are retried after Retry-After with the same key.
    const putUntilAnswered = async (key: string): Promise<Response> => {
      for (let attempt = 1; ; attempt++) {
        const res = await put(ret, key);
        if ((res.status !== 409 && res.status !== 503) || attempt === 8) return res;
        await new Promise((r) => setTimeout(r, Math.min(5, Number(res.headers.get('retry-after') ?? '1')) * 1000));
      }
    };
    const responses = await Promise.all(Array.from({ length: 200 }, () => putUntilAnswered(randomUUID())));
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s !== 201 && s !== 200)).toEqual([]);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    const bodies = (await Promise.all(responses.map((r) => r.json()))) as { version: number; contentHash: string }[];
    expect(new Set(bodies.map((b) => `${b.version}:${b.contentHash}`)).size).toBe(1);
    expect(await versions()).toBe(before + 1);
  }, 170_000);
});
