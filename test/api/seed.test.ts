/**
 * Seeding a local database: the resource-base dataset comes from the product (shared/), not
 * from the samples folder, so a local stack always has the 2019-20 figures the add-in bundles.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { BUNDLED_RESOURCE_BASES } from '../../shared/resourceBases/dataset';
import { seedFromSamples } from '../../functions/src/store';
import { startStack, type Stack } from './harness';

let stack: Stack;
let emptySamples: string;
beforeAll(async () => {
  stack = await startStack();
  emptySamples = await fs.mkdtemp(path.join(os.tmpdir(), 'goodstart-samples-'));
});
afterAll(async () => {
  await stack.stop();
  await fs.rm(emptySamples, { recursive: true, force: true });
});

it('stores the bundled resource-base dataset even when the samples folder is empty', async () => {
  const result = await seedFromSamples(stack.store, emptySamples);
  expect(result.missing).toEqual(['schools.json', 'returns/ (run npm run samples)']);

  const { resources } = await (await stack.store.container('resourceBases')).items.readAll<{ id: string; dataset: unknown }>().fetchAll();
  expect(resources.map((d) => d.id)).toEqual([result.resourceBases]);
  expect(resources[0]?.dataset).toEqual(BUNDLED_RESOURCE_BASES);
});
