/**
 * The store against the real embedded Cosmos protocol server: containers and partition keys,
 * the cached school directory, and the audit log that refuses pupil values.
 */
import { CONTAINER_NAMES, CONTAINERS } from '../../functions/src/store';
import { SchoolDirectoryStore } from '../../functions/src/store/schoolDirectory';
import { startStack, type Stack, TEST_SCHOOLS } from './harness';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack.stop();
});

it('creates every container with its partition key', async () => {
  const db = await stack.store.database();
  for (const name of CONTAINER_NAMES) {
    const { resource } = await db.container(name).read();
    expect(resource?.partitionKey?.paths).toEqual([CONTAINERS[name].partitionKey]);
  }
  await expect(stack.store.ensureDatabase()).resolves.toBeUndefined(); // idempotent
});

it('publishes the directory and serves it from a short-lived cache', async () => {
  let now = 0;
  const directory = new SchoolDirectoryStore(() => stack.store.container('schools'), 60_000, () => now);
  expect((await directory.get()).schools).toHaveLength(TEST_SCHOOLS.length);

  // Another instance publishes a new directory: this one sees it only after its cache expires.
  await stack.store.directory.replace(TEST_SCHOOLS.slice(0, 2));
  expect((await directory.get()).schools).toHaveLength(TEST_SCHOOLS.length);
  now = 60_001;
  expect((await directory.get()).schools).toHaveLength(2);
  await stack.store.directory.replace(TEST_SCHOOLS);
});

it('refuses a directory with a duplicate LAESTAB', async () => {
  const [first] = TEST_SCHOOLS;
  if (!first) throw new Error('no schools');
  await expect(stack.store.directory.replace([...TEST_SCHOOLS, { ...first, urn: '999999' }])).rejects.toThrow(/duplicate/);
});

describe('audit log', () => {
  it('records who did what to which school, partitioned by school, city-wide under "city"', async () => {
    const rec = await stack.store.audit.record({
      who: 'dev-school-3302001', role: 'school', school: '3302001', action: 'return.submit', ids: ['return:3302001:2026'], correlationId: 'c-1',
    });
    await stack.store.audit.record({ who: 'dev-la', role: 'la', action: 'export.download', correlationId: 'c-2' });
    const trail = await stack.store.audit.forSchool('3302001');
    expect(trail).toEqual([expect.objectContaining({ id: rec.id, school: '3302001', action: 'return.submit', ids: ['return:3302001:2026'] })]);
    expect(await stack.store.audit.forSchool('city')).toEqual([expect.objectContaining({ action: 'export.download', who: 'dev-la' })]);
  });

  it('refuses ids that look like a UPN or a date, and unknown fields', async () => {
    const base = { who: 'x', role: 'school' as const, school: '3302001', action: 'return.read', correlationId: 'c-3' };
    await expect(stack.store.audit.record({ ...base, ids: ['A123456789012'] })).rejects.toThrow();
    await expect(stack.store.audit.record({ ...base, ids: ['pupil-2014-03-05'] })).rejects.toThrow();
    await expect(stack.store.audit.record({ ...base, surname: 'Quillfeather' } as never)).rejects.toThrow();
  });
});
