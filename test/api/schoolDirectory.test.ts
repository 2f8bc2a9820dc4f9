/**
 * The school directory as pages under a pointer (store/schoolDirectory.ts), against the real
 * embedded Cosmos protocol server: a city of 24,000 schools round-trips in pages each well under
 * Cosmos's 2 MB item limit, and readers see one whole generation whatever happens to a publish:
 * two at once, or one that dies between any two of its writes.
 */
import type { Container } from '@azure/cosmos';
import { type School } from '../../shared/schools';
import { DIRECTORY_DOC_ID, directoryPageDocSchema } from '../../functions/src/store/documents';
import { DIRECTORY_PAGE_SIZE, ORPHAN_PAGE_GRACE_MS, SchoolDirectoryStore } from '../../functions/src/store/schoolDirectory';
import { crashable } from '../factories/crashable';
import { startStack, type Stack, TEST_SCHOOLS } from './harness';

/** Cosmos's limit on one item's size. */
const COSMOS_ITEM_LIMIT_BYTES = 2 * 1024 * 1024;

let stack: Stack;
let schools: Container;
beforeAll(async () => {
  stack = await startStack();
  schools = await stack.store.container('schools');
});
afterAll(async () => {
  await stack.store.directory.replace(TEST_SCHOOLS);
  await stack.stop();
});

/** `n` synthetic primaries, LAESTABs from `from` (a whole million), URNs from its first digit's hundred thousand (names obviously invented). */
function city(n: number, from = 1_000_000): School[] {
  return Array.from({ length: n }, (_, i) => ({
    laestab: String(from + i),
    urn: String((from / 1_000_000) * 100_000 + i),
    name: `Synthetic Primary ${from + i} (test)`,
    phase: 'primary',
    area: 'North',
    trust: i % 10 === 0 ? `ST${i % 7}` : null,
    email: `senco.${from + i}@schools.example`,
  }));
}

/** A reader with no cache of its own, as another instance would be. */
const freshRead = async (now: () => number = Date.now) => (await new SchoolDirectoryStore(async () => schools, 0, now).get()).schools;

const laestabs = (list: readonly School[]) => list.map((s) => s.laestab);

async function pageDocs(): Promise<{ id: string; generation: string; size: number }[]> {
  const { resources } = await schools.items.query<unknown>({ query: "SELECT * FROM c WHERE c.type = 'directoryPage'" }).fetchAll();
  return resources.map((raw) => {
    const page = directoryPageDocSchema.parse(raw);
    return { id: page.id, generation: page.generation, size: Buffer.byteLength(JSON.stringify(raw)) };
  });
}

async function pointerGeneration(): Promise<string> {
  const { resource } = await schools.item(DIRECTORY_DOC_ID, DIRECTORY_DOC_ID).read<{ generation: string }>();
  if (!resource) throw new Error('no pointer');
  return resource.generation;
}

it('round-trips a directory of 24,000 schools in pages of 1,000, each well under the 2 MB item limit', async () => {
  const big = city(24_000);
  await stack.store.directory.replace(big);
  const read = await freshRead();
  expect(read).toEqual(big);

  const pages = await pageDocs();
  expect(DIRECTORY_PAGE_SIZE).toBe(1_000);
  expect(pages).toHaveLength(24);
  expect(new Set(pages.map((p) => p.generation))).toEqual(new Set([await pointerGeneration()]));
  for (const page of pages) expect(page.size).toBeLessThan(COSMOS_ITEM_LIMIT_BYTES / 8);
  // The same city as one document would not fit in one item.
  expect(Buffer.byteLength(JSON.stringify(big))).toBeGreaterThan(COSMOS_ITEM_LIMIT_BYTES);
}, 60_000);

it('two publishes at once leave one whole generation, and only its pages', async () => {
  const a = city(2_500, 2_000_000);
  const b = city(1_500, 3_000_000);
  await Promise.all([new SchoolDirectoryStore(async () => schools).replace(a), new SchoolDirectoryStore(async () => schools).replace(b)]);
  const read = laestabs(await freshRead());
  expect([laestabs(a), laestabs(b)]).toContainEqual(read);
  const winner = read[0] === a[0]?.laestab ? a : b;
  const pages = await pageDocs();
  expect(pages).toHaveLength(Math.ceil(winner.length / DIRECTORY_PAGE_SIZE));
  expect(new Set(pages.map((p) => p.generation))).toEqual(new Set([await pointerGeneration()]));
}, 60_000);

it('readers during a run of publishes each see one whole generation', async () => {
  const a = city(2_200, 4_000_000);
  const b = city(1_300, 5_000_000);
  const publisher = new SchoolDirectoryStore(async () => schools);
  await publisher.replace(a);
  const publishing = (async () => {
    for (const next of [b, a, b, a]) await publisher.replace(next);
  })();
  const seen: string[][] = [];
  while (seen.length < 6) seen.push(laestabs(await freshRead()));
  await publishing;
  for (const read of seen) expect([laestabs(a), laestabs(b)]).toContainEqual(read);
}, 60_000);

it('a publish that dies between any two of its writes leaves the old or the new directory whole; the next publish clears what it left', async () => {
  const before = city(2_100, 6_000_000);
  const after = city(1_100, 7_000_000);
  // The new generation's 2 pages, the pointer, the old generation's 3 pages: every crash point, and none.
  const writes = 2 + 1 + 3;
  for (let crashAfter = 0; crashAfter <= writes; crashAfter++) {
    await stack.store.directory.replace(before);
    const dying = new SchoolDirectoryStore(async () => crashable(schools, { left: crashAfter }));
    await dying.replace(after).catch(() => undefined);
    const read = laestabs(await freshRead());
    expect(read).toEqual(crashAfter <= 2 ? laestabs(before) : laestabs(after));
  }
  // Once past the grace, a publish removes every page no pointer names.
  await new SchoolDirectoryStore(async () => schools, 60_000, () => Date.now() + ORPHAN_PAGE_GRACE_MS + 1).replace(before);
  expect(await freshRead()).toEqual(before);
  const pages = await pageDocs();
  expect(pages).toHaveLength(3);
  expect(new Set(pages.map((p) => p.generation))).toEqual(new Set([await pointerGeneration()]));
}, 120_000);

it('reads a directory stored as one document (before paging), and the next publish replaces it with pages', async () => {
  // As a deployment from before paging has it: no pages, one document.
  for (const page of await pageDocs()) await schools.item(page.id, page.id).delete();
  await schools.items.upsert({ id: DIRECTORY_DOC_ID, schools: TEST_SCHOOLS.slice(0, 3), updatedAt: '2026-09-01T08:00:00.000Z' });
  expect(await freshRead()).toEqual(TEST_SCHOOLS.slice(0, 3));
  await stack.store.directory.replace(TEST_SCHOOLS);
  expect(await freshRead()).toEqual(TEST_SCHOOLS);
  expect((await pageDocs()).map((p) => p.generation)).toEqual([await pointerGeneration()]);
});
