/**
 * GET /api/resource-bases/{year}: the LA's resource-base dataset (commissioned places and cost
 * by locality and need), the data behind RB.COSTPERPLACE and RB.SUFFICIENCY. Open to every
 * signed-in role: it holds no pupil data, so reads are not audited.
 *
 * `{year}` is one of:
 * - `latest`: the most recent academic year published (resolved through a pointer document,
 *   so it is a point read, never a scan);
 * - an academic year, `2019-20`;
 * - a bare year, read by the one year rule (shared/year.ts): the academic year that starts in
 *   September of it, so `2019` is `2019-20`. (The LA calls the 2019-20 review its "2020 review";
 *   `2020` is 2020-21 like everywhere else, so it is 404 until a 2020-21 dataset is published.)
 *
 * Answers with the dataset (shape: shared/resourceBases/dataset.ts) and an ETag, so the add-in
 * can revalidate its cache cheaply (If-None-Match → 304) and the LA can update it safely (If-Match).
 */
import type { Container } from '@azure/cosmos';
import type { HttpRequest } from '@azure/functions';
import { z } from 'zod';
import { resourceBaseDatasetSchema, type ResourceBaseDataset } from '../../../shared/resourceBases/dataset';
import { authenticate } from '../auth';
import { withErrors } from '../http/handler';
import { isDomainInputError } from '../../../shared/errors';
import { type AcademicYear, academicYearOf, isAcademicYear, parseTransferYear } from '../../../shared/year';
import { httpEtag, ifNoneMatchMatches } from '../http/etag';
import { invalidParameter } from '../http/params';
import { HttpProblem } from '../http/problems';
import { register } from '../http/registry';
import { defineRoute } from '../http/route';
import { getStore } from '../store';
import { pointRead } from '../store/reads';

export const LATEST = 'latest';
/** The pointer document naming the newest academic year; its partition is its own id. */
export const LATEST_POINTER_ID = 'latest';
/** (design) Clients may reuse a copy for five minutes, then revalidate with If-None-Match. */
export const RESOURCE_BASES_MAX_AGE_SECONDS = 300;

export interface ResourceBaseDoc {
  id: string;
  /** Partition key: the academic year, e.g. "2019-20". */
  year: string;
  publishedAt: string;
  /** The publishing LA officer's token subject (absent on seeded documents). */
  publishedBy?: string;
  dataset: unknown;
  _etag?: string;
}

export interface LatestPointer {
  id: typeof LATEST_POINTER_ID;
  year: typeof LATEST_POINTER_ID;
  current: string;
  updatedAt: string;
  _etag?: string;
}

/** `latest`, or any year (2019, 2019-20) as the academic year that names its dataset; anything else is a 400. */
export function parseResourceBaseYear(raw: string | undefined): typeof LATEST | AcademicYear {
  const value = (raw ?? '').trim().toLowerCase();
  if (value === LATEST) return LATEST;
  try {
    return academicYearOf(parseTransferYear(value));
  } catch (e) {
    if (!isDomainInputError(e)) throw e;
    throw invalidParameter('year', `Name the dataset as "latest" or a year: ${e.message}.`);
  }
}

export async function latestFromQuery(container: Container): Promise<string | undefined> {
  // Only reached before the first PUT wrote the pointer (e.g. a freshly seeded database). The
  // container holds one small document per year, so this cross-partition query reads a handful.
  const { resources } = await container.items.query<{ year: string }>('SELECT c.year FROM c').fetchAll();
  return resources
    .map((r) => r.year)
    .filter((y): y is string => typeof y === 'string' && isAcademicYear(y))
    .sort()
    .at(-1);
}

/** The academic year `latest` currently means, or undefined when nothing has been published. */
export async function resolveLatest(container: Container): Promise<string | undefined> {
  const pointer = await pointRead<LatestPointer>(container, LATEST_POINTER_ID, LATEST_POINTER_ID);
  return pointer?.current ?? (await latestFromQuery(container));
}

export async function readResourceBaseDoc(container: Container, academicYear: string): Promise<ResourceBaseDoc | undefined> {
  return pointRead<ResourceBaseDoc>(container, academicYear, academicYear);
}

/** The dataset as served: the stored dataset with the time it was published. */
export function servedDataset(doc: ResourceBaseDoc): ResourceBaseDataset {
  const parsed = resourceBaseDatasetSchema.safeParse(doc.dataset);
  // A stored dataset that no longer parses is our fault: a 500 (logged), never a silently wrong number.
  if (!parsed.success) throw new Error(`stored resource-base dataset ${doc.id} does not match the schema`);
  const publishedAt = z.iso.datetime({ offset: true }).safeParse(doc.publishedAt);
  return { ...parsed.data, ...(publishedAt.success ? { publishedAt: publishedAt.data } : {}) };
}

export function resourceBasesPath(academicYear: string): string {
  return `/api/resource-bases/${academicYear}`;
}

function notFound(asked: string): HttpProblem {
  return new HttpProblem('not-found', {
    detail: asked === LATEST ? 'No resource-base dataset has been published yet.' : `No resource-base dataset has been published for ${asked}.`,
  });
}

export async function getResourceBases(request: HttpRequest) {
  await authenticate(request);
  const asked = parseResourceBaseYear(request.params['year']);
  const container = await getStore().container('resourceBases');
  const academicYear = asked === LATEST ? await resolveLatest(container) : asked;
  if (academicYear === undefined) throw notFound(asked);
  const doc = await readResourceBaseDoc(container, academicYear);
  if (doc === undefined) throw notFound(asked);
  const etag = httpEtag(doc._etag);
  const headers: Record<string, string> = {
    // Signed-in users only, so never a shared cache; `latest` may move, so revalidate soon.
    'cache-control': `private, max-age=${asked === LATEST ? 60 : RESOURCE_BASES_MAX_AGE_SECONDS}`,
    vary: 'Authorization',
    'content-location': resourceBasesPath(academicYear),
    ...(etag ? { etag } : {}),
  };
  const ifNoneMatch = request.headers.get('if-none-match');
  if (ifNoneMatch !== null && ifNoneMatchMatches(ifNoneMatch, etag)) return { status: 304, headers };
  return { status: 200, headers, jsonBody: servedDataset(doc) };
}

export const resourceBasesGet = withErrors(async (request) => getResourceBases(request));

export const route = defineRoute({
  name: 'resourceBasesGet',
  methods: ['GET'],
  route: 'resource-bases/{year}',
  authLevel: 'anonymous',
  handler: resourceBasesGet,
});

register(route);
