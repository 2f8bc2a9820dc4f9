/**
 * GET /api/aggregates/{year}: city tables summed from per-school summary documents.
 * The LA sees raw counts for every primary; a trust sees only its own primaries, with
 * disclosure control (no count of 1–4 anywhere); a school is refused.
 */
import { applyDisclosureForRole } from '../../shared/aggregate/disclosure';
import { cityRollup, DIMENSIONS, resourceBaseDemand } from '../../shared/aggregate/rollup';
import { emptySummary, type SchoolSummary } from '../../shared/aggregate/summary';
import type { CountTable } from '../../shared/aggregate/table';
import { SchoolDirectory } from '../../shared/schools';
import { schoolSummary } from '../../shared/aggregate/summary';
import { validateReturn } from '../../shared/transition/validate';
import { headDoc, summaryDoc, versionDoc } from '../factories/documents';
import { aReturn } from '../factories/transition';
import { YEAR_RULE } from '../../shared/year';
import { startStack, type Stack, TEST_SCHOOLS } from './harness';

const YEAR = 2027;
const directory = new SchoolDirectory(TEST_SCHOOLS);

/** A synthetic summary: `k` SEN-support pupils with `need`, `e` EHCP pupils with ASD, `n` without SEN. */
function summaryOf(school: string, { k, e, n, need, secondary, rb = 0 }: { k: number; e: number; n: number; need: string; secondary: string; rb?: number }): SchoolSummary {
  const s = emptySummary(school, YEAR);
  s.pupils = k + e + n;
  s.byProvisionNeed = { E: e ? { ASD: e } : {}, K: k ? { [need]: k } : {}, N: n ? { None: n } : {} };
  s.bySecondary = { [secondary]: { E: e, K: k, N: n } };
  const needs: Record<string, number> = {};
  for (const [key, count] of [['ASD', e], [need, k], ['None', n]] as const) if (count > 0) needs[key] = (needs[key] ?? 0) + count;
  s.bySecondaryNeed = { [secondary]: needs };
  s.bySupport = { Universal: { E: 0, K: 0, N: n }, Targeted: { E: 0, K: k, N: 0 }, Specialist: { E: e, K: 0, N: 0 } };
  s.resourceBaseDemand = rb ? [{ secondary, need: 'ASD', pupils: rb }] : [];
  return s;
}

// 3302001: maintained; 3302002 and 3302003: trust T1 (3302003 only a Draft so far).
const acorn = summaryOf('3302001', { k: 3, e: 2, n: 10, need: 'SLCN', secondary: '3304001', rb: 2 });
const bramble = summaryOf('3302002', { k: 6, e: 1, n: 7, need: 'MLD', secondary: '3304002', rb: 1 });
const copper = summaryOf('3302003', { k: 2, e: 0, n: 9, need: 'SEMH', secondary: '3304001' });

let stack: Stack;
let la: string;
let trust: string;

beforeAll(async () => {
  stack = await startStack();
  const summaries = await stack.store.container('summaries');
  await summaries.items.upsert(summaryDoc(acorn, 'submitted'));
  await summaries.items.upsert(summaryDoc(bramble, 'submitted'));
  await summaries.items.upsert(summaryDoc(copper, 'draft'));
  const returns = await stack.store.container('returns');
  await returns.items.upsert(headDoc('3302001', YEAR, 1, 'submitted'));
  await returns.items.upsert(headDoc('3302002', YEAR, 1, 'submitted'));
  await returns.items.upsert(headDoc('3302003', YEAR, 1, 'draft'));
  la = await stack.token({ role: 'la' });
  trust = await stack.token({ role: 'trust', trust: 'T1' });
});
afterAll(async () => {
  await stack.stop();
});

const get = (path: string, token?: string) => stack.fetch(path, token ? { headers: { authorization: `Bearer ${token}` } } : {});

/** Every published number in a table: cells, row totals, column totals and the grand total. */
const numbers = (t: CountTable) => [...t.rows.flatMap((r) => [...r.cells, r.total]), ...t.columnTotals, t.grandTotal].filter((v): v is number => typeof v === 'number');

describe('for the LA', () => {
  it('equals cityRollup over the submitted summaries, with raw counts and resource-base demand', async () => {
    const res = await get(`/aggregates/${YEAR}`, la);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toMatch(/no-store/);
    const body = await res.json();
    expect(body).toEqual({
      year: YEAR,
      by: [...DIMENSIONS],
      include: 'submitted',
      noReturnsYet: false,
      schools: { expected: 3, included: 2, outstanding: 0, draftOnly: 1, unreadable: 0 },
      tables: cityRollup([acorn, bramble], DIMENSIONS, { directory }),
      demand: resourceBaseDemand([acorn, bramble], { directory }),
      disclosureControlled: false,
    });
    // Raw: the LA sees the 2 EHCP pupils with ASD at Acorn Lane plus Bramble's 1.
    expect(body.demand).toEqual([
      { area: 'East', need: 'ASD', pupils: 1 },
      { area: 'North', need: 'ASD', pupils: 2 },
    ]);
  });

  it('includes Draft summaries only when asked with include=drafts', async () => {
    const body = await (await get(`/aggregates/${YEAR}?include=drafts&by=need`, la)).json();
    expect(body.schools).toEqual({ expected: 3, included: 3, outstanding: 0, draftOnly: 0, unreadable: 0 });
    expect(body.tables).toEqual(cityRollup([acorn, bramble, copper], ['need'], { directory }));
  });

  it("cross-tabulates the receiving secondary's locality area by broad area of need, its grand total the other tables'", async () => {
    const body = await (await get(`/aggregates/${YEAR}?by=area-locality,need,locality`, la)).json();
    const [crosstab, need, locality] = body.tables as CountTable[];
    expect(crosstab?.id).toBe('area-by-locality');
    expect(crosstab?.rows.map((r) => [r.label, ...r.cells, r.total])).toEqual([
      ['East', 6, 1, 0, 0, 0, 7, 14],
      ['North', 0, 5, 0, 0, 0, 10, 15],
      ['South', 0, 0, 0, 0, 0, 0, 0],
      ['West', 0, 0, 0, 0, 0, 0, 0],
    ]);
    expect([crosstab?.grandTotal, need?.grandTotal, locality?.grandTotal]).toEqual([29, 29, 29]);
  });

  it('builds only the tables named in by, in the order asked', async () => {
    const body = await (await get(`/aggregates/${YEAR}?by=locality,need`, la)).json();
    expect(body.by).toEqual(['locality', 'need']);
    expect(body.tables.map((t: CountTable) => t.id)).toEqual(['locality-by-provision', 'need-by-provision']);
  });

  it('counts schools with no summary as outstanding and includes nobody for a year with no returns', async () => {
    const body = await (await get('/aggregates/2031?by=support', la)).json();
    expect(body.schools).toEqual({ expected: 3, included: 0, outstanding: 3, draftOnly: 0, unreadable: 0 });
    expect(body.tables[0].grandTotal).toBe(0);
  });

  it('leaves out a school whose documents do not match their shape, and counts it as unreadable', async () => {
    const summaries = await stack.store.container('summaries');
    const returns = await stack.store.container('returns');
    await summaries.items.upsert({ ...summaryDoc({ ...acorn, year: 2030 }, 'submitted'), summary: { school: '3302001', pupils: 'many' } });
    await returns.items.upsert(headDoc('3302001', 2030, 1, 'submitted'));
    await summaries.items.upsert(summaryDoc({ ...bramble, year: 2030 }, 'submitted'));
    await returns.items.upsert(headDoc('3302002', 2030, 1, 'submitted'));
    const body = await (await get('/aggregates/2030?by=need', la)).json();
    expect(body.schools).toEqual({ expected: 3, included: 1, outstanding: 1, draftOnly: 0, unreadable: 1 });
    expect(body.tables).toEqual(cityRollup([{ ...bramble, year: 2030 }], ['need'], { directory }));
  });

  it('counts the latest submitted version when a newer draft was saved, and the draft with include=drafts', async () => {
    const year = 2029;
    // The factory's pupils belong to its own cohort; the stored year only names the documents.
    const ret = aReturn(6);
    const validated = validateReturn(ret, { directory });
    const submitted = schoolSummary('3302001', year, validated.pupils);
    const draft = summaryOf('3302001', { k: 9, e: 0, n: 0, need: 'SPLD', secondary: '3304002' });
    const returns = await stack.store.container('returns');
    await returns.items.upsert(versionDoc('3302001', year, 1, 'submitted', ret, validated));
    await returns.items.upsert(headDoc('3302001', year, 2, 'draft', 1));
    await (await stack.store.container('summaries')).items.upsert(summaryDoc({ ...draft, year }, 'draft', 2));

    const body = await (await get(`/aggregates/${year}?by=need,secondary`, la)).json();
    expect(submitted.pupils).toBe(6);
    expect(body.schools).toMatchObject({ included: 1, draftOnly: 0 });
    expect(body.tables).toEqual(cityRollup([submitted], ['need', 'secondary'], { directory }));
    const drafts = await (await get(`/aggregates/${year}?by=need&include=drafts`, la)).json();
    expect(drafts.tables).toEqual(cityRollup([{ ...draft, year }], ['need'], { directory }));
  });

  it('ignores a summary written for a version that never committed (the head is the commit point)', async () => {
    const year = 2028;
    const ret = aReturn(4);
    const validated = validateReturn(ret, { directory });
    const committed = schoolSummary('3302001', year, validated.pupils);
    expect(committed.pupils).toBe(4);
    const returns = await stack.store.container('returns');
    await returns.items.upsert(versionDoc('3302001', year, 1, 'submitted', ret, validated));
    await returns.items.upsert(headDoc('3302001', year, 1, 'submitted'));
    // A writer crashed after the summary of v2 but before committing v2's head.
    await (await stack.store.container('summaries')).items.upsert(summaryDoc({ ...acorn, year }, 'submitted', 2));
    const body = await (await get(`/aggregates/${year}?by=need`, la)).json();
    expect(body.tables).toEqual(cityRollup([committed], ['need'], { directory }));
  });
});

describe('for a trust', () => {
  it("sums only the trust's own primaries, disclosure-controlled", async () => {
    const res = await get(`/aggregates/${YEAR}?include=drafts`, trust);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.schools).toEqual({ expected: 2, included: 2, outstanding: 0, draftOnly: 0, unreadable: 0 });
    expect(body.disclosureControlled).toBe(true);
    expect(body.tables).toEqual(applyDisclosureForRole(cityRollup([bramble, copper], DIMENSIONS, { directory }), 'trust'));
    // Acorn Lane (not in the trust) contributes nothing: Bramble and Copperbeech have 25 pupils between them.
    const need = body.tables.find((t: CountTable) => t.id === 'need-by-provision');
    expect(need.grandTotal).toBe(25);
  });

  it('never shows a count of 1 to 4, in tables or in resource-base demand', async () => {
    for (const query of ['', '?include=drafts']) {
      const body = await (await get(`/aggregates/${YEAR}${query}`, trust)).json();
      for (const t of body.tables as CountTable[]) {
        expect(t.disclosureControlled).toBe(true);
        expect(numbers(t).filter((v) => v >= 1 && v <= 4)).toEqual([]);
      }
      expect(body.demand).toEqual([{ area: 'East', need: 'ASD', pupils: 'c' }]);
    }
  });
});

describe('refusals', () => {
  it('answers an unknown by value with a 400 problem naming the valid ones', async () => {
    const res = await get(`/aggregates/${YEAR}?by=need,postcode`, la);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
    const problem = await res.json();
    expect(problem.type).toBe('https://goodstart.birmingham.example/problems/invalid-parameter');
    expect(problem.parameter).toBe('by');
    expect(problem.valid).toEqual([...DIMENSIONS]);
    for (const d of DIMENSIONS) expect(problem.detail).toContain(d);
    expect(JSON.stringify(problem)).not.toContain('postcode');
  });

  it('answers an unknown include value with a 400 problem', async () => {
    const res = await get(`/aggregates/${YEAR}?include=everything`, la);
    expect(res.status).toBe(400);
    expect((await res.json()).valid).toEqual(['submitted', 'drafts']);
  });

  it('refuses a school (403) and a caller without a token (401)', async () => {
    const school = await stack.token({ role: 'school', school: '3302001' });
    const forbidden = await get(`/aggregates/${YEAR}`, school);
    expect(forbidden.status).toBe(403);
    expect(forbidden.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect((await get(`/aggregates/${YEAR}`)).status).toBe(401);
  });

  it('answers a year outside 2000-2100 with 400 invalid-parameter, as every endpoint does', async () => {
    const res = await get('/aggregates/1999', la);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ type: 'https://goodstart.birmingham.example/problems/invalid-parameter', parameter: 'year', detail: `${YEAR_RULE}; got "1999"` });
  });
});
