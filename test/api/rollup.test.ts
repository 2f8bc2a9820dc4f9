/**
 * The maintained city rollup (store/rollup.ts) always equals a full recomputation from the
 * schools' heads: under random submissions, drafts and resubmissions, commits running
 * concurrently, and crashes injected between the steps of a commit (every write after the
 * crash point fails, as if the process had died there). The aggregates read is the reconcile step.
 */
import fc from 'fast-check';
import type { Container } from '@azure/cosmos';
import { CITY_TOTAL, sumSummaries } from '../../shared/aggregate/merge';
import { emptySummary } from '../../shared/aggregate/summary';
import { SchoolDirectory } from '../../shared/schools';
import type { ReturnStatus } from '../../shared/status';
import { validateReturn } from '../../shared/transition/validate';
import { headDocId, ROLLUP_COMPLETE_DOC_ID, rollupShardDocId } from '../../functions/src/store/documents';
import { SEEDING_RETRY_AFTER_SECONDS, seedingProblem } from '../../functions/src/functions/aggregatesGet';
import { CityRollup, PENDING_GRACE_MS, ROLLUP_SHARDS, RollupSeeding, shardOf } from '../../functions/src/store/rollup';
import { ReturnsRepository } from '../../functions/src/store/returns';
import { includedSummaries, readSummaries } from '../../functions/src/store/summaries';
import { crashable } from '../factories/crashable';
import { row, sheet, upnFor } from '../factories/transition';
import { startStack, type Stack, TEST_SCHOOLS } from './harness';

const PRIMARIES = TEST_SCHOOLS.filter((s) => s.phase === 'primary').map((s) => s.laestab);
const directory = new SchoolDirectory(TEST_SCHOOLS);
const SECONDARIES = TEST_SCHOOLS.filter((s) => s.phase === 'secondary').map((s) => s.laestab);

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack.stop();
});

function rollupOver(wrap: (c: Container) => Container = (c) => c, now: () => number = Date.now, seedSchoolsPerRead?: number): CityRollup {
  return new CityRollup(
    {
      rollups: async () => wrap(await stack.store.container('rollups')),
      returns: async () => wrap(await stack.store.container('returns')),
      summaries: async () => wrap(await stack.store.container('summaries')),
      primaries: async () => PRIMARIES,
    },
    now,
    seedSchoolsPerRead,
  );
}

interface Commit {
  school: string;
  status: ReturnStatus;
  pupils: number;
  secondary: string;
  need: string;
  /** Writes this commit makes before its process dies; undefined: it does not crash. */
  crashAfter: number | undefined;
}

const commitArb: fc.Arbitrary<Commit> = fc.record({
  school: fc.constantFrom(...PRIMARIES),
  status: fc.constantFrom<ReturnStatus>('submitted', 'draft'),
  pupils: fc.integer({ min: 1, max: 3 }),
  secondary: fc.constantFrom(...SECONDARIES),
  need: fc.constantFrom('SLCN', 'MLD', 'SEMH', 'ASD'),
  crashAfter: fc.option(fc.integer({ min: 0, max: 7 }), { nil: undefined }),
});

/** Commits through the rollup, or (`maintained: false`) as a version from before the rollup stored them. */
async function run(commit: Commit, year: number, { maintained = true } = {}): Promise<void> {
  const budget = { left: commit.crashAfter ?? Number.POSITIVE_INFINITY };
  const wrap = (c: Container) => crashable(c, budget);
  const repo = new ReturnsRepository(
    async () => wrap(await stack.store.container('returns')),
    async () => wrap(await stack.store.container('summaries')),
    undefined,
    maintained ? rollupOver(wrap) : undefined,
  );
  // Born in the school year that makes them Year 6 in `year`, as the factory's pupils are for its year.
  const rows = Array.from({ length: commit.pupils }, (_, i) =>
    row(i + 1, { feederPrimary: commit.school, upn: upnFor(i + 1, commit.school), dob: `${year - 11}-01-15`, primaryNeed: commit.need }),
  );
  const ret = { year, sheets: [sheet(rows, `Receiving (${commit.secondary})`)], explanations: [] };
  const { report, pupils } = validateReturn(ret, { directory, year, school: commit.school });
  expect(pupils).toHaveLength(commit.pupils); // every pupil counts, so the totals are never trivially empty
  await repo
    .write({ school: commit.school, year, status: commit.status, ret, report, pupils, principal: { subject: 'property', role: 'school', school: commit.school } })
    .catch(() => undefined); // a crash, or contention: what the head says is the truth either way
}

/** The totals a full recomputation gives: every school's head, its wanted version's summary. */
async function recomputed(year: number, includeDrafts: boolean) {
  const containers = { summaries: await stack.store.container('summaries'), returns: await stack.store.container('returns') };
  const reads = await readSummaries(containers, PRIMARIES, year, { includeDrafts });
  return { total: sumSummaries(includedSummaries(reads), year), schools: reads.filter((r) => r.state === 'found').map((r) => r.school).sort() };
}

let nextYear = 2040;

/** A year no run has used, or (past 2089, when shrinking a failure) one wiped clean again. */
async function freshYear(): Promise<number> {
  const year = 2040 + ((nextYear++ - 2040) % 50);
  for (const name of ['returns', 'summaries', 'rollups'] as const) {
    const container = await stack.store.container(name);
    const { resources } = await container.items.query<{ id: string; school?: string }>({ query: 'SELECT c.id, c.school FROM c WHERE c.year = @year', parameters: [{ name: '@year', value: year }] }).fetchAll();
    for (const doc of resources) await container.item(doc.id, name === 'rollups' ? doc.id : doc.school).delete();
  }
  return year;
}

it('the maintained rollup equals a full recomputation after any commits, concurrent or crashed', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(fc.array(commitArb, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 4 }), async (rounds) => {
      const year = await freshYear();
      // One reader throughout, as a Functions instance keeps one: what it parsed and summed before must not hide a change.
      const reader = rollupOver();
      // Each round's commits run at once; rounds run one after another, the aggregates read after each.
      for (const round of rounds) {
        await Promise.all(round.map((c) => run(c, year)));
        const totals = await reader.read(year);
        for (const [mode, includeDrafts] of [['submitted', false], ['drafts', true]] as const) {
          const expected = await recomputed(year, includeDrafts);
          expect(totals[mode].total).toEqual(expected.total);
          expect([...totals[mode].schools].sort()).toEqual(expected.schools);
        }
      }
    }),
    { numRuns: 25 },
  );
}, 300_000);

/** Both include modes' totals and schools equal a full recomputation. */
async function expectRecomputed(totals: Awaited<ReturnType<CityRollup['read']>>, year: number): Promise<void> {
  for (const [mode, includeDrafts] of [['submitted', false], ['drafts', true]] as const) {
    const expected = await recomputed(year, includeDrafts);
    expect(totals[mode].total).toEqual(expected.total);
    expect([...totals[mode].schools].sort()).toEqual(expected.schools);
  }
}

it('seeds returns stored before the rollup a chunk per read, never answering partial totals, through commits and crashes', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(commitArb.map((c) => ({ ...c, crashAfter: undefined })), { minLength: 1, maxLength: 4 }),
      fc.array(
        fc.record({
          commits: fc.array(commitArb, { maxLength: 2 }),
          /** The read runs while the round's commits do (racing their settles), else after them. */
          concurrent: fc.boolean(),
          readCrashAfter: fc.option(fc.integer({ min: 0, max: 4 }), { nil: undefined }),
        }),
        { minLength: 1, maxLength: 4 },
      ),
      async (before, rounds) => {
        const year = await freshYear();
        for (const commit of before) await run(commit, year, { maintained: false });
        // One school per read: three primaries take three reads, with commits and crashed reads between and beside them.
        for (const { commits, concurrent, readCrashAfter } of rounds) {
          const budget = { left: readCrashAfter ?? Number.POSITIVE_INFINITY };
          const read = () =>
            rollupOver((c) => crashable(c, budget), Date.now, 1)
              .read(year)
              .catch((error: unknown) => {
                if (!(error instanceof RollupSeeding) && (error as { code?: unknown }).code !== 'CRASHED') throw error;
                return undefined;
              });
          if (concurrent) {
            await Promise.all([...commits.map((c) => run(c, year)), read()]);
            continue;
          }
          await Promise.all(commits.map((c) => run(c, year)));
          const totals = await read();
          if (totals) await expectRecomputed(totals, year);
        }
        let totals;
        const reader = rollupOver(undefined, Date.now, 1);
        for (let reads = 0; totals === undefined; reads++) {
          expect(reads).toBeLessThanOrEqual(PRIMARIES.length + 1);
          totals = await reader
            .read(year)
            .catch((error: unknown) => {
              if (!(error instanceof RollupSeeding)) throw error;
              return undefined;
            });
        }
        await expectRecomputed(totals, year);
        // A commit after seeding, read by the same reader.
        await run({ ...(before[0] as Commit), pupils: 3, status: 'submitted' }, year);
        await expectRecomputed(await reader.read(year), year);
      },
    ),
    { numRuns: 20 },
  );
}, 300_000);

it('a commit settled between a seeding read\'s reads and its shard write is not lost', async () => {
  const year = await freshYear();
  const [first, second] = [...PRIMARIES].sort() as [string, string];
  const commit = (status: ReturnStatus, pupils: number): Commit => ({ school: second, status, pupils, secondary: SECONDARIES[0] as string, need: 'SLCN', crashAfter: undefined });
  await run({ ...commit('submitted', 1), school: first }, year, { maintained: false });
  await run(commit('submitted', 1), year, { maintained: false });
  // A first read seeds one school, so every shard document exists (and the next write to one is a replace).
  await expect(rollupOver(undefined, Date.now, 1).read(year)).rejects.toBeInstanceOf(RollupSeeding);

  // The next read reads the school's head, THEN the school commits and settles, THEN the read writes its shard.
  let hooked = false;
  const afterHeadRead = (container: Container): Container =>
    new Proxy(container, {
      get(t, p) {
        if (p !== 'item') {
          const v = Reflect.get(t, p, t) as unknown;
          return typeof v === 'function' ? (v as (...args: unknown[]) => unknown).bind(t) : v;
        }
        return (id: string, pk: string) => {
          const item = t.item(id, pk);
          if (hooked || id !== headDocId(year) || pk !== second) return item;
          const read = item.read.bind(item);
          return Object.assign(item, {
            read: async () => {
              const result = await read();
              hooked = true;
              await run(commit('submitted', 3), year);
              return result;
            },
          });
        };
      },
    });
  const racing = new CityRollup(
    {
      rollups: () => stack.store.container('rollups'),
      returns: async () => afterHeadRead(await stack.store.container('returns')),
      summaries: () => stack.store.container('summaries'),
      primaries: async () => PRIMARIES,
    },
    Date.now,
    PRIMARIES.length,
  );
  const totals = await racing.read(year);
  expect(hooked).toBe(true);
  expect(totals.submitted.total.pupils).toBe(1 + 3);
  await expectRecomputed(totals, year);
});

it('a seeding read answers how far it got', async () => {
  const year = await freshYear();
  await run({ school: PRIMARIES[1] as string, status: 'submitted', pupils: 2, secondary: SECONDARIES[0] as string, need: 'ASD', crashAfter: undefined }, year, { maintained: false });
  const rollup = rollupOver(undefined, Date.now, 2);
  await expect(rollup.read(year)).rejects.toEqual(new RollupSeeding(year, 2, PRIMARIES.length));
  await expectRecomputed(await rollup.read(year), year);
});

it('keeps the mark of a commit that crashed before settling, and drops it once its writer must be dead', async () => {
  const year = await freshYear();
  const school = PRIMARIES[0] as string;
  // Crash straight after the head commit: version, cohort slice, summary, mark and head written; no settle.
  await run({ school, status: 'submitted', pupils: 2, secondary: SECONDARIES[0] as string, need: 'SLCN', crashAfter: 5 }, year);
  const container = await stack.store.container('rollups');
  const marks = async () =>
    (await container.items.query<{ school: string; shard: number }>({ query: "SELECT c.school, c.shard FROM c WHERE c.type = 'mark' AND c.year = @year", parameters: [{ name: '@year', value: year }] }).fetchAll())
      .resources;
  expect(await marks()).toEqual([{ school, shard: shardOf(school) }]);
  const soon = await rollupOver(undefined, () => Date.now()).read(year);
  expect([...soon.submitted.schools]).toEqual([school]);
  expect(await marks()).toHaveLength(1); // the writer might still be running

  await rollupOver(undefined, () => Date.now() + PENDING_GRACE_MS + 1).read(year);
  expect(await marks()).toEqual([]);
});

it('reads a constant number of rollup documents, whatever the number of schools', () => {
  expect(ROLLUP_SHARDS).toBe(16);
  const used = new Set(Array.from({ length: 24_000 }, (_, i) => shardOf(String(3300000 + i))));
  expect(used.size).toBe(ROLLUP_SHARDS);
});

it('the rebuild takes in every year stored before the rollup; after it a new year needs no seeding', async () => {
  const [older, newer] = [await freshYear(), await freshYear()];
  const [a, b, c] = PRIMARIES as [string, string, string];
  await run({ school: a, status: 'submitted', pupils: 2, secondary: SECONDARIES[0] as string, need: 'SLCN', crashAfter: undefined }, older, { maintained: false });
  await run({ school: b, status: 'draft', pupils: 1, secondary: SECONDARIES[1] as string, need: 'MLD', crashAfter: undefined }, newer, { maintained: false });
  await run({ school: c, status: 'submitted', pupils: 3, secondary: SECONDARIES[0] as string, need: 'ASD', crashAfter: undefined }, newer, { maintained: false });
  const rollups = await stack.store.container('rollups');
  try {
    const rollup = rollupOver(undefined, Date.now, 1);
    expect(await rollup.isComplete()).toBe(false);
    const years = await rollup.rebuild();
    expect(years).toEqual(expect.arrayContaining([older, newer]));
    expect(await rollupOver().isComplete()).toBe(true);
    // Every shard of both years is seeded, so a read takes nothing in: it reads and sums.
    for (const year of [older, newer]) {
      for (let shard = 0; shard < ROLLUP_SHARDS; shard++) {
        const { resource } = await rollups.item(rollupShardDocId(year, shard), rollupShardDocId(year, shard)).read<{ seeded: boolean }>();
        expect(resource?.seeded).toBe(true);
      }
      await expectRecomputed(await rollupOver(undefined, Date.now, 1).read(year), year);
    }

    // A year after the rebuild: reads write no shard, and commits through the rollup are counted.
    const later = await freshYear();
    await expectRecomputed(await rollupOver(undefined, Date.now, 1).read(later), later);
    const { resources } = await rollups.items.query({ query: 'SELECT c.id FROM c WHERE c.year = @year', parameters: [{ name: '@year', value: later }] }).fetchAll();
    expect(resources).toEqual([]);
    await run({ school: a, status: 'submitted', pupils: 1, secondary: SECONDARIES[1] as string, need: 'SEMH', crashAfter: undefined }, later);
    const totals = await rollupOver(undefined, Date.now, 1).read(later);
    expect([...totals.submitted.schools]).toEqual([a]);
    await expectRecomputed(totals, later);

    // A shard that reads as unseeded (as one from before the cross-tab does: documents.ts) is seeded afresh, complete or not.
    const id = rollupShardDocId(later, shardOf(a));
    const { resource } = await rollups.item(id, id).read<Record<string, unknown>>();
    const empty = { total: emptySummary(CITY_TOTAL, later), applied: {} };
    await rollups.items.upsert({ ...resource, seeded: false, submitted: empty, drafts: empty });
    await expectRecomputed(await rollupOver().read(later), later);
  } finally {
    // The other tests here start from a database with returns from before the rollup.
    await rollups.item(ROLLUP_COMPLETE_DOC_ID, ROLLUP_COMPLETE_DOC_ID).delete();
  }
});

it('the API answers a seeding read with 503, how far the seeding has got, and when to ask again', () => {
  const response = seedingProblem(new RollupSeeding(2027, 2_000, 24_000)).toResponse('corr-1');
  expect(response.status).toBe(503);
  expect(response.headers).toMatchObject({ 'retry-after': String(SEEDING_RETRY_AFTER_SECONDS) });
  expect(response.jsonBody).toMatchObject({
    type: expect.stringMatching(/service-unavailable$/),
    correlationId: 'corr-1',
    detail: expect.stringContaining('(2,000 of 24,000 schools so far)'),
  });
  expect((response.jsonBody as { detail: string }).detail).toContain('npm run rollup:rebuild');
});
