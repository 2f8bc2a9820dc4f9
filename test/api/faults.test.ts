/**
 * Nothing lost, nothing doubled: PUT /api/returns through a fault-injecting proxy in front of the
 * embedded Cosmos server (429s, 503s, dropped connections, writes whose answer never arrives),
 * then a reconciliation: every acknowledged submission is stored exactly once, and GET never
 * shows a partial version.
 */
import { randomUUID } from 'node:crypto';
import { startEmbeddedCosmos, type EmbeddedCosmos } from '../../functions/src/store/embedded';
import type { TransitionReturn } from '../../shared/transition/schema';
import { aReturn, PRIMARY, SECONDARY, TRANSFER_YEAR } from '../factories/transition';
import { type CosmosRequestInfo, type FaultKind, type FaultProxy, startFaultProxy } from './faultProxy';
import { startStack, type Stack, TEST_SCHOOLS } from './harness';

let cosmos: EmbeddedCosmos;
let proxy: FaultProxy;
let stack: Stack;
let school: string;
let secondary: string;

beforeAll(async () => {
  cosmos = await startEmbeddedCosmos();
  proxy = await startFaultProxy(cosmos.endpoint);
  stack = await startStack({ env: { COSMOS_ENDPOINT: proxy.endpoint } });
  school = await stack.token({ role: 'school', school: PRIMARY });
  secondary = await stack.token({ role: 'school', school: SECONDARY });
}, 60_000);
afterAll(async () => {
  await stack.stop();
  await proxy.close();
  await cosmos.stop();
});
afterEach(() => proxy.clear());

const url = `/returns/${PRIMARY}/${TRANSFER_YEAR}`;
const put = (ret: TransitionReturn, key: string) =>
  stack.fetch(url, {
    method: 'PUT',
    headers: { authorization: `Bearer ${school}`, 'content-type': 'application/json', 'idempotency-key': key },
    body: JSON.stringify(ret),
  });

interface HistoryEntry {
  version: number;
  contentHash: string;
}
/** The versions stored so far; a history with nothing stored is 404, so none. */
const history = async (): Promise<HistoryEntry[]> => {
  const res = await stack.fetch(`${url}/history`, { headers: { authorization: `Bearer ${school}` } });
  if (res.status === 404) return [];
  return ((await res.json()) as { versions: HistoryEntry[] }).versions;
};

const returnsWrite = (info: CosmosRequestInfo) => info.isWrite && info.container === 'returns';
const headWrite = (info: CosmosRequestInfo) => returnsWrite(info) && (decodeURIComponent(info.path).includes('head:') || info.method === 'PUT');

describe('through a faulty Cosmos', () => {
  it('retries throttled writes (429 with x-ms-retry-after-ms) and stores the submission once', async () => {
    const before = await history();
    proxy.inject({ kind: 'throttle', match: returnsWrite, times: 3 });
    const res = await put(aReturn(2), randomUUID());
    expect(res.status).toBe(201);
    expect(proxy.fired.throttle).toBeGreaterThanOrEqual(3);
    expect((await history()).length).toBe(before.length + 1);
  });

  it('answers 503 with Retry-After when retries run out; the same key later succeeds exactly once', async () => {
    const before = await history();
    const key = randomUUID();
    proxy.inject({ kind: 'throttle', match: returnsWrite, times: 1000 });
    const failed = await put(aReturn(3), key);
    expect(failed.status).toBe(503);
    expect(failed.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(failed.headers.get('content-type')).toBe('application/problem+json');
    proxy.clear();
    const retry = await put(aReturn(3), key);
    expect(retry.status).toBe(201);
    const again = await put(aReturn(3), key);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect((await history()).length).toBe(before.length + 1);
  }, 30_000);

  it('leaves nothing visible when the head commit fails, and commits once on retry', async () => {
    const before = await history();
    const shown = (await (await stack.fetch(url, { headers: { authorization: `Bearer ${school}` } })).json()) as { version: number };
    const key = randomUUID();
    proxy.inject({ kind: 'unavailable', match: headWrite, times: 1000 });
    const failed = await put(aReturn(4), key);
    expect(failed.status).toBe(503);
    // The version document exists, but no head names it: readers still see the old version.
    const during = (await (await stack.fetch(url, { headers: { authorization: `Bearer ${school}` } })).json()) as { version: number };
    expect(during.version).toBe(shown.version);
    expect((await history()).length).toBe(before.length);
    proxy.clear();
    const retry = await put(aReturn(4), key);
    expect(retry.status).toBe(201);
    expect((await history()).length).toBe(before.length + 1);
  }, 30_000);

  it('survives a commit whose answer was lost: the retry gets the receipt, not a second version', async () => {
    const before = await history();
    const key = randomUUID();
    proxy.inject({ kind: 'lose-response', match: headWrite, times: 1 });
    const failed = await put(aReturn(5), key);
    expect(failed.status).toBe(503);
    const retry = await put(aReturn(5), key);
    expect([200, 201]).toContain(retry.status);
    const after = await history();
    expect(after.length).toBe(before.length + 1);
    expect(after[0]!.contentHash).toBe(((await retry.json()) as { contentHash: string }).contentHash);
  }, 30_000);

  it('under random faults, stores every acknowledged submission exactly once and never shows a partial version', async () => {
    const kinds: FaultKind[] = ['throttle', 'unavailable', 'drop', 'lose-response'];
    const firedTotal = () => Object.values(proxy.fired).reduce((a, b) => a + b, 0);
    const firedBefore = firedTotal();
    for (const kind of kinds) proxy.inject({ kind, probability: 0.03, match: (i) => i.isWrite });
    const acknowledged: string[] = [];
    const statuses = new Map<number, number>();
    for (let n = 6; n < 12; n++) {
      const key = randomUUID();
      const ret = aReturn(n);
      for (let attempt = 0; attempt < 30; attempt++) {
        const res = await put(ret, key);
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        if (res.status === 503) expect(res.headers.get('retry-after')).toBeTruthy();
        if (res.status === 200 || res.status === 201) {
          acknowledged.push(((await res.json()) as { contentHash: string }).contentHash);
          break;
        }
        await res.arrayBuffer();
        // Whatever GET shows between attempts must be whole.
        const seen = await stack.fetch(url, { headers: { authorization: `Bearer ${school}` } });
        if (seen.status === 200) {
          const body = (await seen.json()) as { return: TransitionReturn; report: { summary: { rows: number } } };
          expect(body.report.summary.rows).toBe(body.return.sheets.reduce((s, sh) => s + sh.rows.length, 0));
        } else {
          await seen.arrayBuffer();
        }
      }
    }
    proxy.clear();
    expect(firedTotal() - firedBefore).toBeGreaterThan(0);
    expect(statuses.get(500) ?? 0).toBe(0);
    expect(acknowledged).toHaveLength(6);
    const versions = await history();
    for (const hash of acknowledged) expect(versions.filter((v) => v.contentHash === hash)).toHaveLength(1);

    // The head, its version, the cohort and the tracker all agree on the last acknowledged submission.
    const current = (await (await stack.fetch(url, { headers: { authorization: `Bearer ${school}` } })).json()) as { version: number; contentHash: string; report: { summary: { rows: number } } };
    expect(current.contentHash).toBe(acknowledged[acknowledged.length - 1]);
    const cohort = (await (await stack.fetch(`/cohorts/${SECONDARY}/${TRANSFER_YEAR}`, { headers: { authorization: `Bearer ${secondary}` } })).json()) as {
      feeders: { primary: string; version: number }[];
      pupils: unknown[];
    };
    expect(cohort.feeders).toEqual([{ primary: PRIMARY, name: TEST_SCHOOLS.find((s) => s.laestab === PRIMARY)?.name ?? null, version: current.version, pupils: current.report.summary.rows }]);
    expect(cohort.pupils).toHaveLength(current.report.summary.rows);
  }, 60_000);
});
