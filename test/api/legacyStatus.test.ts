/**
 * Documents stored before the one status vocabulary (summaries said `Submitted` / `Draft`) are
 * still read correctly: seeded straight into the embedded Cosmos server in the old spelling,
 * every endpoint that reads them answers in the vocabulary (`submitted` / `draft`).
 */
import type { z } from 'zod';
import { cityRollup } from '../../shared/aggregate/rollup';
import { emptySummary, schoolSummary, type SchoolSummary } from '../../shared/aggregate/summary';
import { SchoolDirectory } from '../../shared/schools';
import { validateReturn } from '../../shared/transition/validate';
import type { headDocSchema, summaryDocSchema, versionDocSchema } from '../../functions/src/store/documents';
import { headDoc, summaryDoc, versionDoc } from '../factories/documents';
import { aReturn } from '../factories/transition';
import { startStack, type Stack, TEST_SCHOOLS } from './harness';

const YEAR = 2032;
const ACORN = '3302001';
const BRAMBLE = '3302002';
const directory = new SchoolDirectory(TEST_SCHOOLS);

const acornReturn = aReturn(3);
const acornValidation = validateReturn(acornReturn, { directory });
/** Counts unlike the version's own, on purpose: an answer with these shows the summary document itself was read. */
const acornSummary: SchoolSummary = {
  ...emptySummary(ACORN, YEAR),
  pupils: 7,
  byProvisionNeed: { E: {}, K: { SPLD: 7 }, N: {} },
  bySecondary: { '3304001': { E: 0, K: 7, N: 0 } },
  bySecondaryNeed: { '3304001': { SPLD: 7 } },
  bySupport: { Universal: { E: 0, K: 0, N: 0 }, Targeted: { E: 0, K: 7, N: 0 }, Specialist: { E: 0, K: 0, N: 0 } },
};
const brambleReturn = aReturn(2);
const brambleValidation = validateReturn(brambleReturn, { directory });
const brambleSummary = schoolSummary(BRAMBLE, YEAR, brambleValidation.pupils);

let stack: Stack;
let la: string;

beforeAll(async () => {
  stack = await startStack();
  const returns = await stack.store.container('returns');
  const summaries = await stack.store.container('summaries');
  // Acorn submitted; Bramble only saved a draft. Every status in the old spelling.
  await returns.items.upsert({ ...versionDoc(ACORN, YEAR, 1, 'submitted', acornReturn, acornValidation), status: 'Submitted' } satisfies z.input<typeof versionDocSchema>);
  await returns.items.upsert({ ...headDoc(ACORN, YEAR, 1, 'submitted'), status: 'Submitted' } satisfies z.input<typeof headDocSchema>);
  await summaries.items.upsert({ ...summaryDoc(acornSummary, 'submitted'), status: 'Submitted' } satisfies z.input<typeof summaryDocSchema>);
  await returns.items.upsert({ ...versionDoc(BRAMBLE, YEAR, 1, 'draft', brambleReturn, brambleValidation), status: 'Draft' } satisfies z.input<typeof versionDocSchema>);
  await returns.items.upsert({ ...headDoc(BRAMBLE, YEAR, 1, 'draft'), status: 'Draft' } satisfies z.input<typeof headDocSchema>);
  await summaries.items.upsert({ ...summaryDoc(brambleSummary, 'draft'), status: 'Draft' } satisfies z.input<typeof summaryDocSchema>);
  la = await stack.token({ role: 'la' });
}, 60_000);
afterAll(async () => {
  await stack.stop();
});

const get = async (path: string) => {
  const res = await stack.fetch(path, { headers: { authorization: `Bearer ${la}` } });
  expect(res.status).toBe(200);
  return res.json();
};

it('the return and its history answer `submitted` and `draft`', async () => {
  expect(await get(`/returns/${ACORN}/${YEAR}`)).toMatchObject({ version: 1, status: 'submitted' });
  expect(await get(`/returns/${BRAMBLE}/${YEAR}`)).toMatchObject({ version: 1, status: 'draft' });
  expect((await get(`/returns/${ACORN}/${YEAR}/history`)).versions).toEqual([expect.objectContaining({ version: 1, status: 'submitted' })]);
  expect((await get(`/returns/${BRAMBLE}/${YEAR}/history`)).versions).toEqual([expect.objectContaining({ version: 1, status: 'draft' })]);
});

it('the tracker lists the schools as submitted, draft and outstanding', async () => {
  const body = await get(`/tracker/${YEAR}`);
  expect(body.schools.map((s: { school: string; status: string }) => [s.school, s.status])).toEqual([
    [ACORN, 'submitted'],
    [BRAMBLE, 'draft'],
    ['3302003', 'outstanding'],
  ]);
  expect(body.totals).toMatchObject({ expected: 3, submitted: 1, draft: 1, outstanding: 1 });
});

it('the aggregates use the stored summaries: the submitted one, and the draft with include=drafts', async () => {
  const submitted = await get(`/aggregates/${YEAR}?by=need`);
  expect(submitted.schools).toEqual({ expected: 3, included: 1, outstanding: 1, draftOnly: 1, unreadable: 0 });
  expect(submitted.tables).toEqual(cityRollup([acornSummary], ['need'], { directory }));
  const drafts = await get(`/aggregates/${YEAR}?by=need&include=drafts`);
  expect(drafts.schools).toEqual({ expected: 3, included: 2, outstanding: 1, draftOnly: 0, unreadable: 0 });
  expect(drafts.tables).toEqual(cityRollup([acornSummary, brambleSummary], ['need'], { directory }));
});
