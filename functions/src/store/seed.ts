/**
 * Seeds a local database from `samples/` (synthetic data only): the school directory and, when
 * present, the resource-base dataset. Idempotent (upserts), so re-running is harmless.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { type School, schoolDirectorySchema } from '../../../shared/schools';
import type { Container } from '@azure/cosmos';
import type { ContainerName } from './containers';
import type { SchoolDirectoryStore } from './schoolDirectory';

/** What seeding writes through: a Store, or (while the store is still opening) its parts. */
export interface SeedTarget {
  container(name: ContainerName): Promise<Container>;
  readonly directory: Pick<SchoolDirectoryStore, 'replace'>;
}

export const SAMPLE_SCHOOLS_FILE = 'schools.json';
export const SAMPLE_RESOURCE_BASES_FILE = 'resource-bases-2020.json';

/** Only what seeding relies on; the dataset's full schema belongs to shared/resourceBases. */
const resourceBaseDatasetShape = z.looseObject({ academicYear: z.string().regex(/^\d{4}-\d{2}$/), rows: z.array(z.unknown()) });

async function readJson(file: string): Promise<unknown | undefined> {
  try {
    return JSON.parse(await fs.readFile(file, 'utf8')) as unknown;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

export async function seedDirectory(store: SeedTarget, schools: readonly School[]): Promise<number> {
  await store.directory.replace(schools);
  return schools.length;
}

/** Stores a dataset as `{ id: <academic year>, year, publishedAt, dataset }`. */
export async function seedResourceBases(store: SeedTarget, dataset: unknown): Promise<string> {
  const parsed = resourceBaseDatasetShape.parse(dataset);
  const container = await store.container('resourceBases');
  await container.items.upsert({ id: parsed.academicYear, year: parsed.academicYear, publishedAt: new Date().toISOString(), dataset: parsed });
  return parsed.academicYear;
}

export interface SeedResult {
  schools: number;
  resourceBases?: string;
  missing: string[];
}

export async function seedFromSamples(store: SeedTarget, samplesDir: string): Promise<SeedResult> {
  const missing: string[] = [];
  let schools = 0;
  const directory = await readJson(path.join(samplesDir, SAMPLE_SCHOOLS_FILE));
  if (directory === undefined) missing.push(SAMPLE_SCHOOLS_FILE);
  else schools = await seedDirectory(store, schoolDirectorySchema.parse(directory));

  const dataset = await readJson(path.join(samplesDir, SAMPLE_RESOURCE_BASES_FILE));
  if (dataset === undefined) missing.push(SAMPLE_RESOURCE_BASES_FILE);
  const resourceBases = dataset === undefined ? undefined : await seedResourceBases(store, dataset);
  return { schools, ...(resourceBases ? { resourceBases } : {}), missing };
}
