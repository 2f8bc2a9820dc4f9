/**
 * PUT /api/resource-bases/{year} (LA only): publishes the resource-base dataset for an
 * academic year (`2019-20`, or the bare year `2019` for it, by the one year rule; see resourceBasesGet.ts).
 *
 * - Body: the dataset as JSON, checked by the shared strict schema (unknown fields are
 *   refused) under a small size cap, before anything is stored. Its `academicYear` must be
 *   the year in the path.
 * - `Idempotency-Key` is required: a retried publish replays its first answer.
 * - `If-Match` (an ETag from GET) makes the update conditional: stale → 412. `If-None-Match: *`
 *   publishes only when the year has no dataset yet. The store write itself is conditional on
 *   the version read, so two officers publishing at once cannot silently overwrite each other.
 * - After the write, the `latest` pointer moves forward to this year when it is newer.
 * - Audited as `resourceBases.write` in the city partition.
 */
import type { Container } from '@azure/cosmos';
import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import { resourceBaseDatasetSchema } from '../../../shared/resourceBases/dataset';
import { authenticate, requireRole, type Principal } from '../auth';
import { getConfig } from '../config';
import { parseJsonBytes, readBytesBody, requireContentType } from '../http/body';
import { withErrors, type RequestScope } from '../http/handler';
import { httpEtag, ifMatchHolds, ifNoneMatchMatches } from '../http/etag';
import { withIdempotency } from '../http/idempotency';
import { HttpProblem } from '../http/problems';
import { register } from '../http/registry';
import { defineRoute } from '../http/route';
import { getStore } from '../store';
import { pointRead } from '../store/reads';
import {
  LATEST,
  latestFromQuery,
  LATEST_POINTER_ID,
  type LatestPointer,
  parseResourceBaseYear,
  readResourceBaseDoc,
  type ResourceBaseDoc,
  resourceBasesPath,
  servedDataset,
} from './resourceBasesGet';

/** (design) The 2019-20 dataset is about 3 KB; 256 KiB leaves room for a per-base dataset and no more. */
export const RESOURCE_BASES_MAX_BYTES = 256 * 1024;
export const RESOURCE_BASES_AUDIT_ACTION = 'resourceBases.write';
const POINTER_ATTEMPTS = 5;

export const codeOf = (error: unknown): unknown => (error as { code?: unknown } | null)?.code;

const stale = (detail: string) => new HttpProblem('precondition-failed', { detail });

/** Moves the `latest` pointer to `academicYear` unless it already names a later year. Exclusive via etags; retried on a race. */
export async function advanceLatest(container: Container, academicYear: string): Promise<void> {
  for (let attempt = 0; attempt < POINTER_ATTEMPTS; attempt++) {
    const pointer = await pointRead<LatestPointer>(container, LATEST_POINTER_ID, LATEST_POINTER_ID);
    if (pointer && pointer.current >= academicYear) return;
    // No pointer yet (a seeded database): start it at the newest year stored, which may be newer than this one.
    const stored = pointer ? undefined : await latestFromQuery(container);
    const current = stored !== undefined && stored > academicYear ? stored : academicYear;
    const next: LatestPointer = { id: LATEST_POINTER_ID, year: LATEST_POINTER_ID, current, updatedAt: new Date().toISOString() };
    try {
      if (pointer) {
        await container.item(LATEST_POINTER_ID, LATEST_POINTER_ID).replace(next, { accessCondition: { type: 'IfMatch', condition: pointer._etag ?? '' } });
      } else {
        await container.items.create(next);
      }
      return;
    } catch (error) {
      if (codeOf(error) !== 412 && codeOf(error) !== 409) throw error;
    }
  }
  throw Object.assign(new Error('the latest resource-base pointer kept changing'), { code: 503 });
}

/**
 * Points `latest` at the newest year stored, or removes it when none is. Each write is
 * conditional on the pointer read, and the loop ends only when the pointer and the stored years
 * agree: a publish racing this one either finds the pointer already moved, or its own dataset is
 * seen by the next look here.
 */
export async function settleLatest(container: Container): Promise<string | undefined> {
  for (let attempt = 0; attempt < POINTER_ATTEMPTS; attempt++) {
    const pointer = await pointRead<LatestPointer>(container, LATEST_POINTER_ID, LATEST_POINTER_ID);
    const newest = await latestFromQuery(container);
    if (pointer?.current === newest) return newest;
    try {
      if (newest === undefined) {
        await container.item(LATEST_POINTER_ID, LATEST_POINTER_ID).delete({ accessCondition: { type: 'IfMatch', condition: pointer?._etag ?? '' } });
      } else {
        const next: LatestPointer = { id: LATEST_POINTER_ID, year: LATEST_POINTER_ID, current: newest, updatedAt: new Date().toISOString() };
        if (pointer) await container.item(LATEST_POINTER_ID, LATEST_POINTER_ID).replace(next, { accessCondition: { type: 'IfMatch', condition: pointer._etag ?? '' } });
        else await container.items.create(next);
      }
    } catch (error) {
      if (codeOf(error) !== 412 && codeOf(error) !== 409 && codeOf(error) !== 404) throw error;
    }
  }
  throw Object.assign(new Error('the latest resource-base pointer kept changing'), { code: 503 });
}

async function publish(request: HttpRequest, principal: Principal, academicYear: string, bytes: Uint8Array, scope: RequestScope): Promise<HttpResponseInit> {
  const body = parseJsonBytes(bytes, resourceBaseDatasetSchema, 'a resource-base dataset');
  if (body.academicYear !== academicYear) {
    throw new HttpProblem('validation-failed', {
      detail: `The dataset's academicYear must be ${academicYear}, the year in the path.`,
      extensions: { issues: [{ path: 'academicYear', code: 'custom', message: `expected ${academicYear}` }] },
    });
  }

  const store = getStore();
  const container = await store.container('resourceBases');
  const current = await readResourceBaseDoc(container, academicYear);
  const currentEtag = httpEtag(current?._etag);
  const ifMatch = request.headers.get('if-match');
  const ifNoneMatch = request.headers.get('if-none-match');
  if (ifMatch !== null && !ifMatchHolds(ifMatch, currentEtag)) {
    throw stale(current ? 'The dataset has changed since you read it; GET it again and reapply your change.' : `There is no dataset for ${academicYear} to update.`);
  }
  if (ifNoneMatch !== null && ifNoneMatchMatches(ifNoneMatch, currentEtag)) {
    throw stale(`A dataset for ${academicYear} already exists.`);
  }

  const { publishedAt: _ignored, ...dataset } = body;
  const doc: ResourceBaseDoc = {
    id: academicYear,
    year: academicYear,
    publishedAt: new Date().toISOString(),
    publishedBy: principal.subject,
    dataset,
  };
  let written: ResourceBaseDoc | undefined;
  try {
    if (current) {
      // Conditional on the version just read: a publish that raced ours in between is not overwritten.
      ({ resource: written } = await container.item(academicYear, academicYear).replace<ResourceBaseDoc>(doc, {
        accessCondition: { type: 'IfMatch', condition: current._etag ?? '' },
      }));
    } else {
      ({ resource: written } = await container.items.create<ResourceBaseDoc>(doc));
    }
  } catch (error) {
    if (codeOf(error) === 412 || codeOf(error) === 409) throw stale('Another update to this dataset landed at the same time; GET it again and retry.');
    throw error;
  }
  await advanceLatest(container, academicYear);
  await store.audit.record({
    who: principal.subject,
    role: principal.role,
    school: null,
    action: RESOURCE_BASES_AUDIT_ACTION,
    ids: [`resourceBases:${academicYear}`],
    correlationId: scope.correlationId,
  });
  scope.log.info('resourceBases.published', { academicYear, rows: dataset.rows.length, created: current === undefined });

  const etag = httpEtag(written?._etag);
  return {
    status: current ? 200 : 201,
    headers: {
      'cache-control': 'no-store',
      ...(current ? {} : { location: resourceBasesPath(academicYear) }),
      'content-location': resourceBasesPath(academicYear),
      ...(etag ? { etag } : {}),
    },
    jsonBody: servedDataset(written ?? doc),
  };
}

export const resourceBasesPut = withErrors(async (request, scope) => {
  const principal = await authenticate(request);
  requireRole(principal, 'la');
  const academicYear = parseResourceBaseYear(request.params['year']);
  if (academicYear === LATEST) {
    throw new HttpProblem('method-not-allowed', {
      detail: 'Publish to an academic year, e.g. PUT /api/resource-bases/2019-20; "latest" then follows it.',
      headers: { allow: 'GET' },
    });
  }
  requireContentType(request, 'application/json');
  const bytes = await readBytesBody(request, Math.min(getConfig().limits.maxJsonBytes, RESOURCE_BASES_MAX_BYTES));
  return withIdempotency(request, principal, bytes, () => publish(request, principal, academicYear, bytes, scope), { correlationId: scope.correlationId });
});

export const route = defineRoute({
  name: 'resourceBasesPut',
  methods: ['PUT'],
  route: 'resource-bases/{year}',
  authLevel: 'anonymous',
  handler: resourceBasesPut,
});

register(route);
