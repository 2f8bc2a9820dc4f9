/**
 * GET/PUT/DELETE /api/resource-bases/{year}: the LA's resource-base dataset. GET is open to every
 * signed-in role, with an ETag; PUT is LA-only, schema-checked, idempotent, conditional on
 * If-Match, audited, and moves `latest` forward; DELETE withdraws a year the same way, and
 * `latest` falls back to the newest that remains. Tests run in order against one database.
 */
import { randomUUID } from 'node:crypto';
import { BUNDLED_RESOURCE_BASES, type ResourceBaseDataset } from '../../shared/resourceBases/dataset';
import { costPerPlace } from '../../shared/resourceBases/costing';
import { createApiSource } from '../../addin/functions/apiSource';
import { seedResourceBases } from '../../functions/src/store';
import { RESOURCE_BASES_MAX_BYTES } from '../../functions/src/functions/resourceBasesPut';
import { parseResourceBaseYear } from '../../functions/src/functions/resourceBasesGet';
import { YEAR_RULE } from '../../shared/year';
import { startStack, type Stack, subjectFor } from './harness';

let stack: Stack;
let la: string;
let school: string;
let trust: string;

beforeAll(async () => {
  stack = await startStack();
  la = await stack.token({ role: 'la' });
  school = await stack.token({ role: 'school', school: '3302001' });
  trust = await stack.token({ role: 'trust', trust: 'T1' });
});
afterAll(async () => {
  await stack.stop();
});

const dataset = (academicYear: string, change: Partial<ResourceBaseDataset> = {}): ResourceBaseDataset => {
  const { publishedAt: _p, ...bundled } = BUNDLED_RESOURCE_BASES;
  return { ...bundled, academicYear, ...change };
};

const get = (year: string, token = la, headers: Record<string, string> = {}) =>
  stack.fetch(`/resource-bases/${year}`, { headers: { authorization: `Bearer ${token}`, ...headers } });

const put = (year: string, body: unknown, headers: Record<string, string> = {}, token = la) =>
  stack.fetch(`/resource-bases/${year}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': randomUUID(), ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

const auditWrites = async () => (await stack.store.audit.forSchool('city')).filter((a) => a.action === 'resourceBases.write');

describe('years in the path', () => {
  it('reads a bare year by the one year rule: 2019 is the academic year that starts in September 2019', () => {
    expect(parseResourceBaseYear('2019')).toBe('2019-20');
    expect(parseResourceBaseYear('2020')).toBe('2020-21');
    expect(parseResourceBaseYear('2019-20')).toBe('2019-20');
    expect(parseResourceBaseYear('LATEST')).toBe('latest');
  });

  it('refuses a year that breaks the rule with 400 invalid-parameter, in the words every surface uses', () => {
    for (const year of ['2019-21', '1999', '2101', 'next-year']) {
      expect(() => parseResourceBaseYear(year)).toThrow(expect.objectContaining({ specific: 'invalid-parameter' }));
    }
  });
});

describe('GET', () => {
  it('answers 404 problem+json when nothing has been published', async () => {
    for (const year of ['latest', '2019-20']) {
      const res = await get(year);
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
    }
  });

  it('answers 400 invalid-parameter for a year that is not latest or a year by the year rule', async () => {
    const res = await get('next-year');
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      type: 'https://goodstart.birmingham.example/problems/invalid-parameter',
      parameter: 'year',
      detail: `Name the dataset as "latest" or a year: ${YEAR_RULE}; got "next-year".`,
    });
  });

  it('serves a seeded dataset (no latest pointer yet) as latest, 2019-20 and 2019, with an ETag', async () => {
    await seedResourceBases(stack.store, dataset('2019-20'));
    const bodies = [];
    const etags = new Set<string | null>();
    for (const year of ['latest', '2019-20', '2019']) {
      const res = await get(year);
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toMatch(/^private, max-age=\d+$/);
      expect(res.headers.get('content-location')).toBe('/api/resource-bases/2019-20');
      etags.add(res.headers.get('etag'));
      bodies.push(await res.json());
    }
    expect(etags.size).toBe(1);
    expect([...etags][0]).toMatch(/^".+"$/);
    for (const body of bodies) expect(body).toEqual({ ...dataset('2019-20'), publishedAt: expect.any(String) });
  });

  it('answers 2020 with 404 problem+json: 2020 is 2020-21 by the year rule, and only 2019-20 is stored', async () => {
    const res = await get('2020');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(await res.json()).toMatchObject({
      type: 'https://goodstart.birmingham.example/problems/not-found',
      detail: 'No resource-base dataset has been published for 2020-21.',
    });
  });

  it('is open to every signed-in role, and refuses a caller without a token', async () => {
    expect((await get('latest', school)).status).toBe(200);
    expect((await get('latest', trust)).status).toBe(200);
    expect((await stack.fetch('/resource-bases/latest')).status).toBe(401);
  });

  it('answers 304 to If-None-Match with the current ETag', async () => {
    const etag = (await get('2019-20')).headers.get('etag') ?? '';
    const res = await get('2019-20', la, { 'if-none-match': etag });
    expect(res.status).toBe(304);
    expect(res.headers.get('etag')).toBe(etag);
  });
});

describe('PUT', () => {
  it('creates a year (201, Location, ETag), audits it once, and replays a retry with the same key', async () => {
    const key = randomUUID();
    const body = dataset('2020-21');
    const first = await put('2020-21', body, { 'idempotency-key': key });
    expect(first.status).toBe(201);
    expect(first.headers.get('location')).toBe('/api/resource-bases/2020-21');
    const etag = first.headers.get('etag');
    expect(etag).toMatch(/^".+"$/);
    const created = await first.json();
    expect(created).toEqual({ ...body, publishedAt: expect.any(String) });

    const retry = await put('2020-21', body, { 'idempotency-key': key });
    expect(retry.status).toBe(201);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(await retry.json()).toEqual(created);

    const writes = await auditWrites();
    expect(writes).toEqual([expect.objectContaining({ who: subjectFor({ role: 'la' }), role: 'la', school: 'city', ids: ['resourceBases:2020-21'] })]);
    expect((await get('2020-21')).headers.get('etag')).toBe(etag);
  });

  it('moves latest forward to the newest year, and never back', async () => {
    expect((await get('latest')).headers.get('content-location')).toBe('/api/resource-bases/2020-21');
    expect((await put('2018-19', dataset('2018-19'))).status).toBe(201);
    expect((await get('latest')).headers.get('content-location')).toBe('/api/resource-bases/2020-21');
    expect((await get('2018')).headers.get('content-location')).toBe('/api/resource-bases/2018-19');
  });

  it('honours If-Match: the current ETag replaces (200, new ETag); a stale one is 412 and changes nothing', async () => {
    const etag = (await get('2020-21')).headers.get('etag') ?? '';
    const changed = dataset('2020-21', { source: 'LA resource base review, revised' });
    const ok = await put('2020-21', changed, { 'if-match': etag });
    expect(ok.status).toBe(200);
    const newEtag = ok.headers.get('etag');
    expect(newEtag).not.toBe(etag);
    expect((await ok.json()).source).toBe('LA resource base review, revised');

    const stale = await put('2020-21', dataset('2020-21', { source: 'a lost update' }), { 'if-match': etag });
    expect(stale.status).toBe(412);
    expect(stale.headers.get('content-type')).toMatch(/application\/problem\+json/);
    const now = await get('2020-21');
    expect(now.headers.get('etag')).toBe(newEtag);
    expect((await now.json()).source).toBe('LA resource base review, revised');
  });

  it('publishes to a bare year as the academic year that starts in it: PUT 2022 is 2022-23', async () => {
    const res = await put('2022', dataset('2022-23'));
    expect(res.status).toBe(201);
    expect(res.headers.get('location')).toBe('/api/resource-bases/2022-23');
    expect((await put('2023', dataset('2022-23'))).status).toBe(422);
  });

  it('with If-None-Match: * publishes only a year that has no dataset', async () => {
    expect((await put('2020-21', dataset('2020-21'), { 'if-none-match': '*' })).status).toBe(412);
    expect((await put('2021-22', dataset('2021-22'), { 'if-none-match': '*' })).status).toBe(201);
  });

  it('requires an Idempotency-Key (400)', async () => {
    const res = await stack.fetch('/resource-bases/2019-20', {
      method: 'PUT',
      headers: { authorization: `Bearer ${la}`, 'content-type': 'application/json' },
      body: JSON.stringify(dataset('2019-20')),
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
  });

  it('refuses a body that is not a dataset, has unknown fields, or names another year (422 with issues)', async () => {
    const cases: unknown[] = [
      { ...dataset('2019-20'), rows: [] },
      { ...dataset('2019-20'), pupils: ['Quillfeather'] },
      dataset('2022-23'),
      { ...dataset('2019-20'), rows: [{ area: 'North', need: 'NOPE', places: 5, cost: 1 }] },
    ];
    for (const body of cases) {
      const res = await put('2019-20', body);
      expect(res.status).toBe(422);
      const problem = await res.json();
      expect(problem.issues.length).toBeGreaterThan(0);
      expect(JSON.stringify(problem)).not.toContain('Quillfeather');
    }
  });

  it('refuses malformed JSON (400), the wrong media type (415) and a body over the cap (413)', async () => {
    expect((await put('2019-20', '{"source":')).status).toBe(400);
    expect((await put('2019-20', JSON.stringify(dataset('2019-20')), { 'content-type': 'text/plain' })).status).toBe(415);
    const huge = { ...dataset('2019-20'), source: 'x'.repeat(RESOURCE_BASES_MAX_BYTES) };
    expect((await put('2019-20', huge)).status).toBe(413);
  });

  it('is for the LA only (403 for a school or trust) and not for latest (405)', async () => {
    expect((await put('2019-20', dataset('2019-20'), {}, school)).status).toBe(403);
    expect((await put('2019-20', dataset('2019-20'), {}, trust)).status).toBe(403);
    const res = await put('latest', dataset('2019-20'));
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET');
  });

  it('audits exactly the writes that succeeded', async () => {
    const ids = (await auditWrites()).map((a) => a.ids[0]).sort();
    expect(ids).toEqual(['resourceBases:2018-19', 'resourceBases:2020-21', 'resourceBases:2020-21', 'resourceBases:2021-22', 'resourceBases:2022-23']);
  });
});

describe('DELETE (withdrawing a dataset published by mistake)', () => {
  const del = (year: string, headers: Record<string, string> = {}, token = la) =>
    stack.fetch(`/resource-bases/${year}`, { method: 'DELETE', headers: { authorization: `Bearer ${token}`, 'idempotency-key': randomUUID(), ...headers } });
  const latestYear = async () => (await get('latest')).headers.get('content-location');
  const auditWithdrawals = async () => (await stack.store.audit.forSchool('city')).filter((a) => a.action === 'resourceBases.withdraw');

  it('after a publish for 2099 then one for 2027, withdrawing 2099 makes latest 2027, audited', async () => {
    expect((await put('2099', dataset('2099-00'))).status).toBe(201);
    expect((await put('2027', dataset('2027-28'))).status).toBe(201);
    expect(await latestYear()).toBe('/api/resource-bases/2099-00');

    const res = await del('2099');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ withdrawn: '2099-00', latest: '2027-28' });
    expect((await get('2099-00')).status).toBe(404);
    expect(await latestYear()).toBe('/api/resource-bases/2027-28');
    expect(await auditWithdrawals()).toEqual([expect.objectContaining({ who: subjectFor({ role: 'la' }), role: 'la', school: 'city', ids: ['resourceBases:2099-00'] })]);
  });

  it('replays a retry with the same key, needs a key, and is 404 for a year with no dataset', async () => {
    expect((await put('2098', dataset('2098-99'))).status).toBe(201);
    const key = randomUUID();
    expect((await del('2098', { 'idempotency-key': key })).status).toBe(200);
    const retry = await del('2098', { 'idempotency-key': key });
    expect(retry.status).toBe(200);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(await retry.json()).toEqual({ withdrawn: '2098-99', latest: '2027-28' });
    const again = await del('2098');
    expect(again.status).toBe(404);
    expect(again.headers.get('content-type')).toMatch(/application\/problem\+json/);
    const keyless = await stack.fetch('/resource-bases/2027-28', { method: 'DELETE', headers: { authorization: `Bearer ${la}` } });
    expect(keyless.status).toBe(400);
    expect((await get('2027-28')).status).toBe(200);
    expect((await auditWithdrawals()).map((a) => a.ids[0]).sort()).toEqual(['resourceBases:2098-99', 'resourceBases:2099-00']);
  });

  it('is for the LA only (403 for a school or trust) and not for latest (405), withdrawing nothing', async () => {
    expect((await del('2027-28', {}, school)).status).toBe(403);
    expect((await del('2027-28', {}, trust)).status).toBe(403);
    const res = await del('latest');
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET');
    expect(await latestYear()).toBe('/api/resource-bases/2027-28');
  });

  it('honours If-Match: a stale ETag is 412 and withdraws nothing; the current one withdraws', async () => {
    const etag = (await get('2027-28')).headers.get('etag') ?? '';
    const republished = await put('2027-28', dataset('2027-28', { source: 'LA resource base review, corrected' }), { 'if-match': etag });
    expect(republished.status).toBe(200);
    expect((await del('2027-28', { 'if-match': etag })).status).toBe(412);
    expect((await get('2027-28')).status).toBe(200);
    expect((await del('2027-28', { 'if-match': republished.headers.get('etag') ?? '' })).status).toBe(200);
    expect(await latestYear()).toBe('/api/resource-bases/2022-23');
  });

  it('with every year withdrawn, latest is 404 and the RB.* functions answer from the bundled 2019-20 review', async () => {
    const latestAfter = [];
    for (const year of ['2022-23', '2021-22', '2020-21', '2019-20', '2018-19']) latestAfter.push((await (await del(year)).json()).latest);
    expect(latestAfter).toEqual(['2021-22', '2020-21', '2019-20', '2018-19', null]);
    expect((await get('latest')).status).toBe(404);
    const source = createApiSource({ baseUrl: `${stack.baseUrl}/`, getToken: () => trust, batchWindowMs: 1 });
    const ds = await source.dataset();
    expect(ds).toBe(BUNDLED_RESOURCE_BASES);
    expect(Math.round(costPerPlace(ds))).toBe(16_678);
    expect(source.state).toEqual({ kind: 'connected', datasetYear: undefined });
  });

  it('refuses a cost of 1e308 with 422 naming the field, and publishes nothing', async () => {
    const res = await put('2030', dataset('2030-31', { rows: [{ area: 'North', need: 'ASD', places: 10, cost: 1e308 }] }));
    expect(res.status).toBe(422);
    const problem = await res.json();
    expect(problem.issues).toEqual([expect.objectContaining({ path: 'rows.0.cost', message: 'at most £1,000,000 a place, so at most £10,000,000,000 in one row' })]);
    expect((await get('2030-31')).status).toBe(404);
  });
});
