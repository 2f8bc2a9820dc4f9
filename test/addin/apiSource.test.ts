import { DomainInputError } from '../../shared/errors';
import { BUNDLED_RESOURCE_BASES, type ResourceBaseDataset } from '../../shared/resourceBases/dataset';
import { costPerPlace } from '../../shared/resourceBases/costing';
import { createApiSource, type FetchLike, transferYearOf } from '../../addin/functions/apiSource';
import { rbCostPerPlace, rbSufficiency } from '../../addin/functions/functions';
import { BUNDLED_SOURCE, resetResourceBaseSource, setResourceBaseSource } from '../../shared/functions/resourceBaseSource';
import { YEAR_RULE } from '../../shared/year';
import { ExcelError } from '../../addin/functions/excelError';
import { createApiClient } from '../../addin/api';

/** The LA's dataset as a later year might publish it: every cost doubled. */
const PUBLISHED: ResourceBaseDataset = {
  ...BUNDLED_RESOURCE_BASES,
  academicYear: '2025-26',
  rows: BUNDLED_RESOURCE_BASES.rows.map((r) => ({ ...r, cost: r.cost * 2 })),
};

interface Call {
  url: string;
  headers: Record<string, string>;
}

/** The aggregates endpoint's answer for the LA as documented (shared/api/responses.ts), with this demand list (the client checks the whole shape). */
function aggregatesBody(demand: { area: string; need: string; pupils: number | 'c' }[]) {
  return {
    year: 2025,
    by: ['area'],
    include: 'submitted',
    noReturnsYet: false,
    schools: { expected: 3, included: 3, outstanding: 0, draftOnly: 0, unreadable: 0 },
    tables: [],
    demand,
    disclosureControlled: false,
  };
}

/** A fetch that records calls and answers from `respond` after `delayMs`. */
function fakeFetch(respond: (url: string) => { status: number; body?: unknown } | Error, delayMs = 5): { fetch: FetchLike; calls: Call[] } {
  const calls: Call[] = [];
  const fetch: FetchLike = async (url, init) => {
    calls.push({ url, headers: init.headers });
    await new Promise((r) => setTimeout(r, delayMs));
    const answer = respond(url);
    if (answer instanceof Error) throw answer;
    return new Response(answer.body === undefined ? null : JSON.stringify(answer.body), { status: answer.status, headers: { 'content-type': 'application/json' } });
  };
  return { fetch, calls };
}

const signedIn = () => 'token-123';
const options = { baseUrl: 'https://api.test/api/', getToken: signedIn, batchWindowMs: 20 };

afterEach(() => resetResourceBaseSource());

describe('batching: one request per recalculation burst', () => {
  test('50 concurrent dataset calls within a burst make exactly one fetch and all get its answer', async () => {
    const { fetch, calls } = fakeFetch(() => ({ status: 200, body: PUBLISHED }));
    const source = createApiSource({ ...options, fetch });
    const answers = await Promise.all(Array.from({ length: 50 }, () => source.dataset()));
    expect(calls).toHaveLength(1);
    expect(calls[0]?.url).toBe('https://api.test/api/resource-bases/latest');
    expect(calls[0]?.headers['authorization']).toBe('Bearer token-123');
    expect(new Set(answers).size).toBe(1);
    expect(answers[0]?.academicYear).toBe('2025-26');
  });

  test('a second burst is answered from the cache without a request', async () => {
    const { fetch, calls } = fakeFetch(() => ({ status: 200, body: { id: '2025-26', year: '2025-26', dataset: PUBLISHED } }));
    const source = createApiSource({ ...options, fetch });
    await Promise.all(Array.from({ length: 10 }, () => source.dataset()));
    await Promise.all(Array.from({ length: 10 }, () => source.dataset()));
    expect(calls).toHaveLength(1);
    expect(source.requests).toBe(1);
  });

  test('a call arriving while the request is in flight joins it', async () => {
    const { fetch, calls } = fakeFetch(() => ({ status: 200, body: PUBLISHED }), 50);
    const source = createApiSource({ ...options, fetch });
    const first = source.dataset();
    await new Promise((r) => setTimeout(r, 35)); // window closed, request in flight
    const late = source.dataset();
    await expect(Promise.all([first, late])).resolves.toHaveLength(2);
    expect(calls).toHaveLength(1);
  });

  test('the cache expires, and invalidate() forgets it', async () => {
    let clock = 0;
    const { fetch, calls } = fakeFetch(() => ({ status: 200, body: PUBLISHED }));
    const source = createApiSource({ ...options, fetch, cacheTtlMs: 1000, now: () => clock });
    await source.dataset();
    clock = 2000;
    await source.dataset();
    source.invalidate();
    await source.dataset();
    expect(calls).toHaveLength(3);
  });

  test('10,000 cells of RB.COSTPERPLACE in one burst make one request and use the published figures', async () => {
    const { fetch, calls } = fakeFetch(() => ({ status: 200, body: PUBLISHED }));
    setResourceBaseSource(createApiSource({ ...options, fetch }));
    const cells = await Promise.all(Array.from({ length: 10_000 }, () => rbCostPerPlace()));
    expect(calls).toHaveLength(1);
    const expected = costPerPlace(PUBLISHED, { area: '', need: '', phase: '' });
    expect(cells.every((c) => c[0]?.[0] === expected)).toBe(true);
  });
});

describe('failure: every waiting cell settles', () => {
  test('a refused request rejects every waiter with notAvailable, and the next burst tries again', async () => {
    let status = 403;
    const { fetch, calls } = fakeFetch(() => ({ status, body: status === 200 ? PUBLISHED : {} }));
    const source = createApiSource({ ...options, fetch });
    const results = await Promise.allSettled(Array.from({ length: 50 }, () => source.dataset('2025-26')));
    expect(calls).toHaveLength(1);
    expect(results.every((r) => r.status === 'rejected')).toBe(true);
    const reason = (results[0] as PromiseRejectedResult).reason as DomainInputError;
    expect(reason).toBeInstanceOf(DomainInputError);
    expect(reason.kind).toBe('notAvailable');
    expect(reason.message).toMatch(/2025-26/);
    status = 200;
    await expect(source.dataset('2025-26')).resolves.toMatchObject({ academicYear: '2025-26' });
    expect(calls).toHaveLength(2);
  });

  test('demand failure rejects all waiters: RB.SUFFICIENCY is #N/A, not #BUSY!', async () => {
    const { fetch, calls } = fakeFetch((url) => (url.includes('/aggregates/') ? new TypeError('fetch failed') : { status: 200, body: PUBLISHED }));
    setResourceBaseSource(createApiSource({ ...options, fetch }));
    const cells = await Promise.allSettled(Array.from({ length: 20 }, () => rbSufficiency([['East']], [['ASD']], '2025-26')));
    expect(calls.filter((c) => c.url.includes('/aggregates/'))).toHaveLength(1);
    expect(calls.find((c) => c.url.includes('/aggregates/'))?.url).toBe('https://api.test/api/aggregates/2025?by=area');
    for (const c of cells) {
      expect(c.status).toBe('rejected');
      const e = (c as PromiseRejectedResult).reason as ExcelError;
      expect(e).toBeInstanceOf(ExcelError);
      expect(e.code).toBe('#N/A');
    }
  });

  test('suppressed demand counts give #N/A, never a sufficiency computed without them', async () => {
    const { fetch } = fakeFetch((url) =>
      url.includes('/aggregates/') ? { status: 200, body: aggregatesBody([{ area: 'East', need: 'ASD', pupils: 'c' }]) } : { status: 200, body: BUNDLED_RESOURCE_BASES },
    );
    const source = createApiSource({ ...options, fetch });
    await expect(source.demand('2025-26')).rejects.toMatchObject({ kind: 'notAvailable', message: expect.stringMatching(/suppressed/) });
  });

  test('a request that never answers is aborted after the timeout', async () => {
    const fetch: FetchLike = (_url, init) =>
      new Promise((_resolve, reject) => init.signal?.addEventListener('abort', () => reject(new Error('aborted'))));
    const source = createApiSource({ ...options, fetch, timeoutMs: 50 });
    // Offline for the dataset means the bundled copy answers.
    await expect(source.dataset()).resolves.toBe(BUNDLED_RESOURCE_BASES);
    await expect(source.demand()).rejects.toMatchObject({ kind: 'notAvailable', message: expect.stringMatching(/no answer within/) });
  });

  test('demand from the API is summed into sufficiency', async () => {
    const { fetch } = fakeFetch((url) =>
      url.includes('/aggregates/') ? { status: 200, body: aggregatesBody([{ area: 'East', need: 'ASD', pupils: 7 }]) } : { status: 200, body: BUNDLED_RESOURCE_BASES },
    );
    setResourceBaseSource(createApiSource({ ...options, fetch }));
    const [[spare]] = (await rbSufficiency([['East']], [['ASD']])) as [[number]];
    const places = BUNDLED_RESOURCE_BASES.rows.filter((r) => r.area === 'East' && r.need.split(';').includes('ASD')).reduce((s, r) => s + r.places, 0);
    expect(spare).toBeLessThanOrEqual(places - 7);
  });
});

describe('offline fallback', () => {
  test('unreachable API: the dataset falls back to the bundled 2019-20 copy (RB.COSTPERPLACE = 16678)', async () => {
    const { fetch, calls } = fakeFetch(() => new TypeError('fetch failed'));
    const states: string[] = [];
    setResourceBaseSource(createApiSource({ ...options, fetch, onState: (s) => states.push(s.kind) }));
    const cells = await Promise.all(Array.from({ length: 30 }, () => rbCostPerPlace()));
    expect(calls).toHaveLength(1);
    expect(Math.round(cells[0]?.[0]?.[0] as number)).toBe(16678);
    expect(states).toEqual(['offline']);
  });

  test('a 503 counts as offline too; a named year the bundle lacks is #N/A', async () => {
    const { fetch } = fakeFetch(() => ({ status: 503 }));
    const source = createApiSource({ ...options, fetch });
    await expect(source.dataset()).resolves.toBe(BUNDLED_RESOURCE_BASES);
    await expect(source.dataset('2025-26')).rejects.toMatchObject({ kind: 'notAvailable' });
  });

  test('signed out: no request at all; the dataset is the bundled copy and demand is notAvailable', async () => {
    const { fetch, calls } = fakeFetch(() => ({ status: 200, body: PUBLISHED }));
    const source = createApiSource({ ...options, getToken: () => undefined, fetch });
    await expect(source.dataset()).resolves.toBe(BUNDLED_RESOURCE_BASES);
    await expect(source.demand()).rejects.toMatchObject({ kind: 'notAvailable', message: expect.stringMatching(/sign in/) });
    expect(calls).toHaveLength(0);
    expect(source.state.kind).toBe('signed-out');
  });

  test('a response in the wrong shape is notAvailable, never a wrong number', async () => {
    const { fetch } = fakeFetch(() => ({ status: 200, body: { rows: 'nope' } }));
    const source = createApiSource({ ...options, fetch });
    await expect(source.dataset('2025-26')).rejects.toMatchObject({ kind: 'notAvailable', message: expect.stringMatching(/expected shape/) });
  });
});

describe('the transport seam: requests go through the add-in API client', () => {
  test("a burst goes through the client it is given, sent once: the cells never wait out the client's retries", async () => {
    const { fetch, calls } = fakeFetch(() => ({ status: 503 }));
    const retries: unknown[] = [];
    const client = createApiClient({ baseUrl: 'https://api.test/api', getToken: signedIn, fetch, onRetry: (n) => retries.push(n) });
    const source = createApiSource({ client, getToken: signedIn, batchWindowMs: 20 });
    const answers = await Promise.all(Array.from({ length: 20 }, () => source.dataset()));
    expect(answers.every((a) => a === BUNDLED_RESOURCE_BASES)).toBe(true);
    expect(calls).toHaveLength(1);
    expect(retries).toEqual([]);
    expect(source.state).toEqual({ kind: 'offline', reason: "The Good Start service can't be reached right now. Try again in a minute." });
  });
});

describe('years, by the one year rule (2027 is September 2027, academic year 2027-28)', () => {
  test('an academic year names its transfer year; blank is the current one', () => {
    expect(transferYearOf('2025-26')).toBe(2025);
    expect(transferYearOf('2025')).toBe(2025);
    expect(transferYearOf(2025)).toBe(2025);
    expect(transferYearOf(undefined, new Date(Date.UTC(2026, 9, 1)))).toBe(2027);
    expect(() => transferYearOf('next year')).toThrow(new DomainInputError('invalidValue', `${YEAR_RULE}; got "next year"`));
  });

  test('RB.SUFFICIENCY(…, 2027) reads the demand of the cohort that starts Year 7 in September 2027', async () => {
    const { fetch, calls } = fakeFetch((url) => (url.includes('/aggregates/') ? { status: 200, body: aggregatesBody([]) } : { status: 200, body: PUBLISHED }));
    setResourceBaseSource(createApiSource({ ...options, fetch }));
    await rbSufficiency([['East']], [['ASD']], '2027');
    await rbSufficiency([['East']], [['ASD']], '2027-28');
    expect(calls.filter((c) => c.url.includes('/aggregates/')).map((c) => c.url)).toEqual(['https://api.test/api/aggregates/2027?by=area']);
  });

  test('RB.SUFFICIENCY with a year outside the bounds is #VALUE! in the words every surface uses, with no request', async () => {
    const { fetch, calls } = fakeFetch(() => ({ status: 200, body: PUBLISHED }));
    setResourceBaseSource(createApiSource({ ...options, fetch }));
    await expect(rbSufficiency([['East']], [['ASD']], '1999')).rejects.toMatchObject({ code: '#VALUE!', message: `${YEAR_RULE}; got "1999"` });
    expect(calls.filter((c) => c.url.includes('/aggregates/'))).toHaveLength(0);
  });

  test('the dataset for 2019, "2019" or "2019-20" is one request to /resource-bases/2019-20', async () => {
    const { fetch, calls } = fakeFetch(() => ({ status: 200, body: BUNDLED_RESOURCE_BASES }));
    const source = createApiSource({ ...options, fetch });
    await Promise.all([source.dataset(2019), source.dataset('2019'), source.dataset('2019-20')]);
    expect(calls.map((c) => c.url)).toEqual(['https://api.test/api/resource-bases/2019-20']);
  });

  test('offline, the bundled dataset answers for 2019 (2019-20) and not for 2020 (2020-21)', async () => {
    await expect(BUNDLED_SOURCE.dataset(2019)).resolves.toBe(BUNDLED_RESOURCE_BASES);
    await expect(BUNDLED_SOURCE.dataset('2020')).rejects.toMatchObject({
      kind: 'notAvailable',
      message: 'only the 2019-20 dataset is available offline; sign in from the task pane for 2020-21',
    });
  });
});
