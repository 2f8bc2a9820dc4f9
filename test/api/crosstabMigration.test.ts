/**
 * Documents stored before summaries counted pupils by receiving secondary and primary need
 * (`bySecondaryNeed`) still give the right area-by-locality cross-tab: an old summary document
 * is not trusted (the summary is recomputed from its version), and an old rollup shard is
 * seeded afresh on its next read. Real Cosmos may hold both; nothing is lost.
 */
import { applyDisclosureForRole } from '../../shared/aggregate/disclosure';
import { sumSummaries } from '../../shared/aggregate/merge';
import { cityRollup } from '../../shared/aggregate/rollup';
import { schoolSummary, type SchoolSummary } from '../../shared/aggregate/summary';
import type { CountTable } from '../../shared/aggregate/table';
import { SchoolDirectory } from '../../shared/schools';
import type { SenNeedCodeValue } from '../../shared/codes';
import { validateReturn } from '../../shared/transition/validate';
import { rollupShardDocId, rollupShardDocSchema, type RollupShardDoc } from '../../functions/src/store/documents';
import { shardOf } from '../../functions/src/store/rollup';
import { headDoc, summaryDoc, versionDoc } from '../factories/documents';
import { row, sheet, TRANSFER_YEAR, upnFor } from '../factories/transition';
import { startStack, type Stack, TEST_SCHOOLS } from './harness';

const directory = new SchoolDirectory(TEST_SCHOOLS);
const [ACORN, BRAMBLE, COPPERBEECH] = ['3302001', '3302002', '3302003'];
const [HILLCREST, MILLSTONE] = ['3304001', '3304002']; // North, East

/** Each school's pupils (one receiving secondary each) by primary need; all SEN support. */
const RETURNS: Record<string, { secondary: string; needs: SenNeedCodeValue[] }> = {
  [ACORN]: { secondary: HILLCREST, needs: ['SLCN', 'SLCN', 'SEMH', 'MLD'] },
  [BRAMBLE]: { secondary: MILLSTONE, needs: ['ASD', 'HI', 'SPLD'] },
  [COPPERBEECH]: { secondary: HILLCREST, needs: ['SLCN', 'SLCN', 'SLCN', 'SLCN', 'SLCN'] },
};

/** Columns: Cognition and Learning, Communication and Interaction, SEMH, Sensory and/or Physical, no broad area, no need. */
const CITY_CROSSTAB = [
  ['East', 1, 1, 0, 1, 0, 0, 3],
  ['North', 1, 7, 1, 0, 0, 0, 9],
  ['South', 0, 0, 0, 0, 0, 0, 0],
  ['West', 0, 0, 0, 0, 0, 0, 0],
];

let stack: Stack;
let la: string;
let trust: string;

beforeAll(async () => {
  stack = await startStack();
  la = await stack.token({ role: 'la' });
  trust = await stack.token({ role: 'trust', trust: 'T1' });
});
afterAll(async () => {
  await stack.stop();
});

/** A summary as it was stored before `bySecondaryNeed` existed. */
const oldShape = (summary: SchoolSummary): Omit<SchoolSummary, 'bySecondaryNeed'> =>
  Object.fromEntries(Object.entries(summary).filter(([key]) => key !== 'bySecondaryNeed')) as Omit<SchoolSummary, 'bySecondaryNeed'>;

/** Stores every school's submitted version 1 and its head; returns each school's (current) summary. */
async function storeReturns(year: number): Promise<Map<string, SchoolSummary>> {
  const returns = await stack.store.container('returns');
  const out = new Map<string, SchoolSummary>();
  for (const [school, { secondary, needs }] of Object.entries(RETURNS)) {
    const rows = needs.map((need, i) => row(i + 1, { feederPrimary: school, upn: upnFor(i + 1, school), primaryNeed: need }));
    const ret = { year: TRANSFER_YEAR, sheets: [sheet(rows, `Receiving (${secondary})`)], explanations: [] };
    const validated = validateReturn(ret, { directory });
    expect(validated.pupils).toHaveLength(needs.length);
    await returns.items.upsert(versionDoc(school, year, 1, 'submitted', ret, validated));
    await returns.items.upsert(headDoc(school, year, 1, 'submitted'));
    out.set(school, schoolSummary(school, year, validated.pupils));
  }
  return out;
}

async function aggregates(year: number, token: string): Promise<{ tables: CountTable[] }> {
  const res = await stack.fetch(`/aggregates/${year}?by=area-locality,area,locality`, { headers: { authorization: `Bearer ${token}` } });
  expect(res.status).toBe(200);
  return (await res.json()) as { tables: CountTable[] };
}

const rowsOf = (t: CountTable | undefined) => t?.rows.map((r) => [r.label, ...r.cells, r.total]);

async function storedShards(year: number, schools: readonly string[]): Promise<unknown[]> {
  const rollups = await stack.store.container('rollups');
  const ids = [...new Set(schools.map((s) => rollupShardDocId(year, shardOf(s))))];
  return Promise.all(ids.map(async (id) => (await rollups.item(id, id).read()).resource as unknown));
}

it('recomputes from the version a summary document stored without the secondary-by-need counts, for the LA and for a trust', async () => {
  const year = 2033;
  const summaries = await storeReturns(year);
  const container = await stack.store.container('summaries');
  for (const summary of summaries.values()) await container.items.upsert({ ...summaryDoc(summary, 'submitted'), summary: oldShape(summary) });

  const city = await aggregates(year, la);
  const [crosstab, area, locality] = city.tables;
  expect(rowsOf(crosstab)).toEqual(CITY_CROSSTAB);
  expect([crosstab?.grandTotal, area?.grandTotal, locality?.grandTotal]).toEqual([12, 12, 12]);
  expect(city.tables).toEqual(cityRollup([...summaries.values()], ['area-locality', 'area', 'locality'], { directory }));

  const t1 = await aggregates(year, trust);
  const trustSummaries = [BRAMBLE, COPPERBEECH].map((s) => summaries.get(s) as SchoolSummary);
  expect(t1.tables).toEqual(applyDisclosureForRole(cityRollup(trustSummaries, ['area-locality', 'area', 'locality'], { directory }), 'trust'));
  expect(t1.tables[0]?.grandTotal).toBe(8);
});

it('seeds afresh a rollup shard stored without the secondary-by-need counts, whatever totals it held', async () => {
  const year = 2034;
  const summaries = await storeReturns(year);
  const container = await stack.store.container('summaries');
  for (const summary of summaries.values()) await container.items.upsert(summaryDoc(summary, 'submitted'));
  // A first read seeds the shards in today's shape; then they are put back as an older writer left them.
  expect(rowsOf((await aggregates(year, la)).tables[0])).toEqual(CITY_CROSSTAB);
  const rollups = await stack.store.container('rollups');
  const schools = [...summaries.keys()];
  for (const raw of await storedShards(year, schools)) {
    const shard = rollupShardDocSchema.parse(raw);
    // Stale counts too (99 pupils): a shard read as it was would show them.
    const stale = (t: RollupShardDoc['submitted']) => ({ ...t, total: { ...oldShape(t.total), pupils: 99 } });
    await rollups.items.upsert({ ...shard, seeded: true, submitted: stale(shard.submitted), drafts: stale(shard.drafts) });
  }

  const city = await aggregates(year, la);
  expect(rowsOf(city.tables[0])).toEqual(CITY_CROSSTAB);
  expect(city.tables).toEqual(cityRollup([...summaries.values()], ['area-locality', 'area', 'locality'], { directory }));
  for (const raw of await storedShards(year, schools)) {
    const shard = rollupShardDocSchema.parse(raw);
    const inShard = schools.filter((s) => shardOf(s) === shard.shard);
    expect(shard.seeded).toBe(true);
    expect(shard.submitted.applied).toEqual(Object.fromEntries(inShard.map((s) => [s, 1])));
    expect(shard.submitted.total).toEqual(sumSummaries(inShard.map((s) => summaries.get(s) as SchoolSummary), year));
  }
});
