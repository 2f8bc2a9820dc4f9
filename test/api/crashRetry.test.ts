/**
 * An action stored once, even across a crash (issue 29, item 3): a submission committed, the
 * process killed before its Idempotency-Key record was marked done, another version committed
 * meanwhile, then the first request retried with its own key. The retry must answer with the
 * version it stored, never store its old content again as the current version.
 *
 * First the scenario end to end through PUT /api/returns, with the key's record left as a crashed
 * holder leaves it; then a property: crashes injected at every step of a submission (before a
 * Cosmos operation is applied, or after it is applied with its answer lost), retries in any order,
 * against the real embedded Cosmos server.
 */
import { randomUUID } from 'node:crypto';
import type { Container } from '@azure/cosmos';
import { HttpRequest } from '@azure/functions';
import fc from 'fast-check';
import { idempotencyRecordId, PENDING_LEASE_MS, withIdempotency } from '../../functions/src/http/idempotency';
import type { Actor as Principal } from '../../functions/src/auth/principal';
import { idempotencyRecordSchema, type IdempotencyRecord } from '../../functions/src/store/documents';
import { contentHash, ReturnsRepository } from '../../functions/src/store/returns';
import { validateReturn } from '../../shared/transition/validate';
import type { TransitionReturn } from '../../shared/transition/schema';
import { aReturn, PRIMARY, TRANSFER_YEAR } from '../factories/transition';
import { startStack, type Stack, subjectFor } from './harness';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack.stop();
});

describe('PUT /api/returns retried after a crash', () => {
  const school = PRIMARY;
  const url = `/returns/${school}/${TRANSFER_YEAR}`;
  const auth = async () => ({ authorization: `Bearer ${await stack.token({ role: 'school', school })}` });
  const put = async (ret: TransitionReturn, key: string) =>
    stack.fetch(url, { method: 'PUT', headers: { ...(await auth()), 'content-type': 'application/json', 'idempotency-key': key }, body: JSON.stringify(ret) });

  /** What a process killed after its commit, before marking the key done, leaves: a pending record whose lease has lapsed. */
  async function asLeftByCrash(key: string): Promise<void> {
    const container = await stack.store.container('idempotency');
    const id = idempotencyRecordId(subjectFor({ role: 'school', school }), key);
    const { resource } = await container.item(id, id).read();
    const record = idempotencyRecordSchema.parse(resource);
    const crashed: IdempotencyRecord = { id, key: id, hash: record.hash, state: 'pending', owner: 'killed', createdAt: record.createdAt, leaseUntil: Date.now() - 1 };
    await container.item(id, id).replace(crashed);
  }

  it('answers with the version the first attempt stored, and leaves the newer version current', async () => {
    const first = aReturn(2, { explanations: [] });
    const second = aReturn(4, { explanations: [] });
    const k1 = randomUUID();
    const r1 = await put(first, k1);
    expect(r1.status).toBe(201);
    expect(((await r1.json()) as { version: number }).version).toBe(1);
    await asLeftByCrash(k1);

    const r2 = await put(second, randomUUID());
    expect(r2.status).toBe(201);
    expect(((await r2.json()) as { version: number }).version).toBe(2);

    const retry = await put(first, k1);
    expect(retry.status).toBe(201);
    const receipt = (await retry.json()) as { version: number; contentHash: string };
    expect(receipt.version).toBe(1);
    expect(receipt.contentHash).toBe(contentHash(first));
    // Not the current version any more: no ETag a client could write on top of.
    expect(retry.headers.get('etag')).toBeNull();

    const current = await stack.fetch(url, { headers: await auth() });
    expect(((await current.json()) as { version: number; contentHash: string }).version).toBe(2);
    const history = await stack.fetch(`${url}/history`, { headers: await auth() });
    expect(((await history.json()) as { versions: unknown[] }).versions).toHaveLength(2);
  });
});

// ---------------------------------------------------------------------------------------------
// A process that dies: every Cosmos operation it makes counts; at the chosen one it crashes, and
// every later operation of that process fails too (a dead process does nothing more).

class Crash extends Error {
  constructor() {
    super('process killed');
    this.name = 'Crash';
  }
}

interface Process {
  ops: number;
  /** The operation at which the process dies (1-based); Infinity: it lives. */
  crashAt: number;
  /** 'before': the fatal operation is not applied; 'after': it is applied and its answer lost. */
  mode: 'before' | 'after';
  dead: boolean;
}

async function step<T>(p: Process, op: () => Promise<T>): Promise<T> {
  if (p.dead) throw new Crash();
  p.ops++;
  if (p.ops < p.crashAt) return op();
  p.dead = true;
  if (p.mode === 'after') await op().catch(() => undefined);
  throw new Crash();
}

/** The container as one process sees it: the operations the app uses, each a step. */
function dying(container: Container, p: Process): Container {
  const items = container.items;
  const wrappedItems = {
    create: (body: unknown, options?: unknown) => step(p, () => items.create(body as never, options as never)),
    upsert: (body: unknown, options?: unknown) => step(p, () => items.upsert(body as never, options as never)),
    query: (spec: unknown, options?: unknown) => {
      const it = items.query(spec as never, options as never);
      return { fetchAll: () => step(p, () => it.fetchAll()) };
    },
  };
  const item = (id: string, pk: unknown) => {
    const real = container.item(id, pk as never);
    return {
      read: (options?: unknown) => step(p, () => real.read(options as never)),
      replace: (body: unknown, options?: unknown) => step(p, () => real.replace(body as never, options as never)),
      delete: (options?: unknown) => step(p, () => real.delete(options as never)),
      patch: (body: unknown, options?: unknown) => step(p, () => real.patch(body as never, options as never)),
    };
  };
  return new Proxy(container, {
    get(target, prop, receiver) {
      if (prop === 'items') return wrappedItems;
      if (prop === 'item') return item;
      return Reflect.get(target, prop, receiver);
    },
  });
}

describe('an action stored once, whatever step a crash interrupts', () => {
  const year = TRANSFER_YEAR;
  const contents = [aReturn(1, { explanations: [] }), aReturn(2, { explanations: [] }), aReturn(3, { explanations: [] })];
  const validated = contents.map((ret) => validateReturn(ret, { year, school: PRIMARY }));

  let schoolCounter = 0;

  it('ends with each key answered by one version, every committed version answered, and the head the newest', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 2, maxLength: 4 }),
        fc.array(
          fc.record({
            action: fc.nat(),
            crashAt: fc.oneof(fc.integer({ min: 1, max: 14 }), fc.constant(Number.POSITIVE_INFINITY)),
            mode: fc.constantFrom('before' as const, 'after' as const),
          }),
          { minLength: 1, maxLength: 6 },
        ),
        async (actionContents, attempts) => {
          // Each run on a school of its own, so runs never meet.
          const school = `33029${String(++schoolCounter).padStart(2, '0')}`;
          const principal: Principal = { subject: `prop-${school}`, role: 'school', school };
          const keys = actionContents.map(() => randomUUID());
          let clock = 1_900_000_000_000;
          /** Every answer each key was given: the version its receipt names. */
          const answers = new Map<number, number[]>();
          let lastAnswered: { version: number; at: number } | undefined;
          let answeredAt = 0;

          const submit = async (a: number, p: Process) => {
            const content = actionContents[a] as number;
            const ret = contents[content] as TransitionReturn;
            const { report, pupils } = validated[content] as (typeof validated)[number];
            const body = JSON.stringify(ret);
            const request = new HttpRequest({
              method: 'PUT',
              url: `http://localhost/api/returns/${school}/${year}`,
              headers: { 'idempotency-key': keys[a] as string, 'content-type': 'application/json' },
              body: { string: body },
            });
            const repo = new ReturnsRepository(
              async () => dying(await stack.store.container('returns'), p),
              async () => dying(await stack.store.container('summaries'), p),
            );
            const response = await withIdempotency(
              request,
              principal,
              new TextEncoder().encode(body),
              async (action) => {
                const result = await repo.write({ school, year, status: 'submitted', ret, report, pupils, principal, action: action.id });
                return { status: result.created ? 201 : 200, jsonBody: result.receipt };
              },
              { container: async () => dying(await stack.store.container('idempotency'), p), now: () => clock, waitMs: 0, keysPerWindow: 1_000 },
            );
            const version = (response.jsonBody as { version: number }).version;
            answers.set(a, [...(answers.get(a) ?? []), version]);
            if (!lastAnswered || version >= lastAnswered.version) lastAnswered = { version, at: ++answeredAt };
          };

          for (const attempt of attempts) {
            const a = attempt.action % keys.length;
            await submit(a, { ops: 0, crashAt: attempt.crashAt, mode: attempt.mode, dead: false }).catch((error: unknown) => {
              if (!(error instanceof Crash)) throw error;
            });
            clock += PENDING_LEASE_MS + 1; // a crashed holder's lease lapses before the next attempt
          }
          // Every action is retried until it is answered, in turn.
          for (let a = 0; a < keys.length; a++) await submit(a, { ops: 0, crashAt: Number.POSITIVE_INFINITY, mode: 'before', dead: false });

          const repo = new ReturnsRepository(
            () => stack.store.container('returns'),
            () => stack.store.container('summaries'),
          );
          const head = (await repo.head(school, year))?.doc;
          expect(head).toBeDefined();
          // Each key is answered with one version, however often it was retried.
          for (const [, versions] of answers) expect(new Set(versions).size).toBe(1);
          // Every committed version was answered to some key: none was stored a second time unseen.
          const answered = new Set([...answers.values()].flat());
          for (const v of head?.committed ?? []) expect(answered.has(v)).toBe(true);
          // No content is stored twice in a row as a new version: consecutive committed versions differ.
          const committed = await Promise.all((head?.committed ?? []).map((v) => repo.version(school, year, v)));
          for (let i = 1; i < committed.length; i++) expect(committed[i]?.contentHash).not.toBe(committed[i - 1]?.contentHash);
          // Each key stored at most one version, so there are no more versions than keys.
          expect(head?.committed.length).toBeLessThanOrEqual(keys.length);
          // The head is the newest version anyone was answered with.
          expect(head?.version).toBe(lastAnswered?.version);
        },
      ),
      { numRuns: 150 },
    );
  }, 170_000);
});
