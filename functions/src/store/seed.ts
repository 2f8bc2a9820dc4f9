/**
 * Seeds a local database: from `samples/` (synthetic data only) the school directory and, when
 * present, a few sample returns (samples/returns/*.json, written by `npm run samples`); and the
 * resource-base dataset the product ships with (shared/resourceBases). Idempotent (upserts; a
 * return whose content is already current stores no new version), so re-running is harmless.
 * Sample returns go through the city rollup's mark/settle like any submission, and a new database
 * is declared complete before they are stored, so its rollup never needs seeding (store/rollup.ts).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { BUNDLED_RESOURCE_BASES } from '../../../shared/resourceBases/dataset';
import { type School, SchoolDirectory, schoolDirectorySchema } from '../../../shared/schools';
import { transitionReturnSchema } from '../../../shared/transition/schema';
import { submittability } from '../../../shared/transition/submittability';
import { validateReturn } from '../../../shared/transition/validate';
import { academicYearSchema } from '../../../shared/year';
import type { Container } from '@azure/cosmos';
import type { ContainerName } from './containers';
import { ReturnsRepository } from './returns';
import { CityRollup } from './rollup';
import { UpnIndex } from './upnIndex';
import { getConfig } from '../config';
import type { SchoolDirectoryStore } from './schoolDirectory';
import { MembershipStore } from './memberships';
import { samplePeople } from './samplePeople';
import { TenantStore } from './tenants';

/** What seeding writes through: a Store, or (while the store is still opening) its parts. */
export interface SeedTarget {
  container(name: ContainerName): Promise<Container>;
  readonly directory: Pick<SchoolDirectoryStore, 'replace'>;
}

export const SAMPLE_SCHOOLS_FILE = 'schools.json';
export const SAMPLE_RETURNS_DIR = 'returns';
/** (design) "A few" submitted returns: enough for the tracker and a cohort to show something, while most schools stay outstanding. */
export const SAMPLE_RETURNS_TO_SEED = 6;
/** The subject recorded as the submitter of seeded returns (no real user submitted them). */
export const SEED_SUBJECT = 'seed-samples';

/** Only what seeding relies on; the dataset's full schema belongs to shared/resourceBases. */
const resourceBaseDatasetShape = z.looseObject({ academicYear: academicYearSchema, rows: z.array(z.unknown()) });

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
  resourceBases: string;
  /** The synthetic people given a membership, and tenants put on the allow-list (store/samplePeople.ts). */
  people?: number;
  tenants?: number;
  /** LAESTABs whose sample return was stored (or was already current). */
  returns?: string[];
  missing: string[];
}

/**
 * Stores up to `limit` sample returns (files named `<LAESTAB>.json`, sorted) through the returns
 * repository, exactly as a submission would be stored: submitted when every query is explained,
 * a draft when queries remain, skipped when it has errors.
 */
export async function seedReturns(store: SeedTarget, dir: string, schools: readonly School[], limit = SAMPLE_RETURNS_TO_SEED): Promise<string[] | undefined> {
  let files: string[];
  try {
    files = (await fs.readdir(dir)).filter((f) => /^\d{7}\.json$/.test(f)).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const directory = new SchoolDirectory(schools);
  const repo = new ReturnsRepository(
    () => store.container('returns'),
    () => store.container('summaries'),
    undefined,
    seedRollup(store, schools),
    // Sample submissions go into the cross-school index as any submission does.
    new UpnIndex({ index: () => store.container('crossSchool'), returns: () => store.container('returns') }, getConfig().crossSchoolKey),
  );
  const seeded: string[] = [];
  for (const file of files) {
    if (seeded.length >= limit) break;
    const school = file.slice(0, 7);
    if (directory.find(school)?.phase !== 'primary') continue;
    const ret = transitionReturnSchema.parse(await readJson(path.join(dir, file)));
    if (ret.year === null) continue;
    const { report, pupils } = validateReturn(ret, { directory, year: ret.year, school });
    if (submittability(report.summary, 'draft').verdict !== 'ready') continue;
    const status = submittability(report.summary, 'submitted').verdict === 'ready' ? 'submitted' : 'draft';
    await repo.write({ school, year: ret.year, status, ret, report, pupils, principal: { subject: SEED_SUBJECT, role: 'school', school } });
    seeded.push(school);
  }
  return seeded;
}

/**
 * Seeds the synthetic tenants onto the allow-list and gives each synthetic person their
 * membership (granted by `seed`), so local mode signs in as today (store/samplePeople.ts).
 */
export async function seedPeople(store: SeedTarget, schools: readonly School[]): Promise<{ people: number; tenants: number }> {
  const { tenants, people } = samplePeople(schools);
  const tenantStore = new TenantStore(() => store.container('tenants'));
  const addedAt = new Date().toISOString();
  for (const t of tenants) await tenantStore.put({ ...t, reason: 'Local samples', addedBy: 'seed', addedAt });
  const memberships = new MembershipStore(() => store.container('memberships'));
  let granted = 0;
  for (const p of people) {
    if (!p.grant) continue;
    await memberships.grant('seed', { tid: p.tid, oid: p.oid, name: p.name }, p.grant);
    granted++;
  }
  return { people: granted, tenants: tenants.length };
}

/** The city rollup seeded returns are stored through. */
function seedRollup(store: SeedTarget, schools: readonly School[]): CityRollup {
  const primaries = schools.filter((s) => s.phase === 'primary').map((s) => s.laestab);
  return new CityRollup({
    rollups: () => store.container('rollups'),
    returns: () => store.container('returns'),
    summaries: () => store.container('summaries'),
    primaries: async () => primaries,
  });
}

/** Seeds a NEW database (callers check it is one): nothing is stored yet, so the rollup is declared complete first. */
export async function seedFromSamples(store: SeedTarget, samplesDir: string): Promise<SeedResult> {
  await seedRollup(store, []).declareComplete('new database');
  const missing: string[] = [];
  let schools = 0;
  const directory = await readJson(path.join(samplesDir, SAMPLE_SCHOOLS_FILE));
  if (directory === undefined) missing.push(SAMPLE_SCHOOLS_FILE);
  else schools = await seedDirectory(store, schoolDirectorySchema.parse(directory));
  const identities = directory === undefined ? undefined : await seedPeople(store, schoolDirectorySchema.parse(directory));

  const resourceBases = await seedResourceBases(store, BUNDLED_RESOURCE_BASES);

  const returns = directory === undefined ? undefined : await seedReturns(store, path.join(samplesDir, SAMPLE_RETURNS_DIR), schoolDirectorySchema.parse(directory));
  if (returns === undefined) missing.push(`${SAMPLE_RETURNS_DIR}/ (run npm run samples)`);
  return { schools, resourceBases, ...(identities ?? {}), ...(returns ? { returns } : {}), missing };
}
