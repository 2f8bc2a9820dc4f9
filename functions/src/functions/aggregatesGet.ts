/**
 * GET /api/aggregates/{year}?by=need,area,secondary,support,locality,area-locality[&include=drafts]
 *
 * City roll-up tables (shared/aggregate/rollup.ts: DIMENSIONS) plus resource-base demand by
 * locality and need for RB.SUFFICIENCY.
 * - la: the maintained city rollup (store/rollup.ts): a constant number of documents at any
 *   city size, raw counts. Every school with a committed return is in it (only directory
 *   primaries can submit one).
 * - trust: summed from its own primaries' summary documents (store/summaries.ts): a trust is a
 *   few dozen schools, and the directory decides which, so it is read per school.
 * - trust: the trust's own primaries only, disclosure-controlled (no count of 1–4 is shown).
 * - school: 403 (a school reads its own return, not aggregates).
 * Aggregates hold counts only, so no audit record is written (the audit log is for pupil-level data).
 */
import type { HttpRequest } from '@azure/functions';
import { publishDemand } from '../../../shared/aggregate/demand';
import { applyDisclosureForRole } from '../../../shared/aggregate/disclosure';
import { cityRollup as cityRollupTables, DIMENSIONS, resourceBaseDemand, type Dimension } from '../../../shared/aggregate/rollup';
import type { SchoolDirectory } from '../../../shared/schools';
import { INCLUDE_VALUES } from '../../../shared/status';
import { authenticate, requireRole, schoolsInScope, type Principal } from '../auth';
import { withErrors } from '../http/handler';
import { invalidParameter, oneOfParam, transferYearParam } from '../http/params';
import { register } from '../http/registry';
import { defineRoute } from '../http/route';
import { getStore } from '../store';
import { HttpProblem } from '../http/problems';
import { cityRollup } from '../store/returns';
import { RollupSeeding } from '../store/rollup';
import { includedSummaries, readSummaries } from '../store/summaries';
import type { AggregatesResponse } from '../openapi/document';

export type { AggregatesResponse };

/** `by` as a comma list of DIMENSIONS; absent or empty means all of them, in their usual order. */
export function parseDimensions(raw: string | null): Dimension[] {
  if (raw === null || raw.trim() === '') return [...DIMENSIONS];
  const asked = raw.split(',').map((s) => s.trim().toLowerCase()).filter((s) => s !== '');
  const unknown = asked.filter((d) => !(DIMENSIONS as readonly string[]).includes(d));
  if (unknown.length > 0) {
    // The unknown value is not echoed: query strings are where a careless client puts a name.
    throw invalidParameter('by', `"by" takes a comma-separated list of: ${DIMENSIONS.join(', ')}.`, DIMENSIONS);
  }
  return [...new Set(asked)] as Dimension[];
}

/** The primaries whose returns the caller may see in aggregate. */
function expectedSchools(principal: Principal, directory: SchoolDirectory): string[] {
  return schoolsInScope(principal, directory)
    .filter((s) => s.phase === 'primary')
    .map((s) => s.laestab);
}

/** (design) Seconds a client waits before asking again while existing returns are taken into the rollup: each read takes in the next chunk. */
export const SEEDING_RETRY_AFTER_SECONDS = 2;

/** While the rollup takes in returns stored before it (a deployment not yet rebuilt): 503, saying how far it has got, never partial totals. */
export function seedingProblem(error: RollupSeeding): HttpProblem {
  return new HttpProblem('service-unavailable', {
    detail: `The city totals for ${error.year} are being built from the returns already stored (${error.seeded.toLocaleString('en-GB')} of ${error.primaries.toLocaleString('en-GB')} schools so far). Ask again in a few seconds; each request takes in more. An administrator can finish it at once: \`npm run rollup:rebuild\` locally, or the post-upgrade step (POST /api/rollup/rebuild) in Azure.`,
    headers: { 'retry-after': String(SEEDING_RETRY_AFTER_SECONDS) },
  });
}

/** The LA's view, from the maintained rollup. */
async function cityAggregates(year: number, by: Dimension[], include: AggregatesResponse['include'], directory: SchoolDirectory, expected: string[]): Promise<AggregatesResponse> {
  const totals = await cityRollup()
    .read(year)
    .catch((error: unknown) => {
      throw error instanceof RollupSeeding ? seedingProblem(error) : error;
    });
  const mode = totals[include === 'drafts' ? 'drafts' : 'submitted'];
  const draftOnly = [...totals.drafts.schools].filter((s) => !totals.submitted.schools.has(s)).length;
  const included = mode.schools.size;
  return {
    year,
    by,
    include,
    // Every school with anything committed is in the drafts-mode totals.
    noReturnsYet: totals.drafts.schools.size === 0 && totals.unreadable.size === 0,
    schools: {
      expected: expected.length,
      included,
      outstanding: Math.max(0, expected.length - included - (include === 'drafts' ? 0 : draftOnly) - totals.unreadable.size),
      draftOnly: include === 'drafts' ? 0 : draftOnly,
      unreadable: totals.unreadable.size,
    },
    tables: applyDisclosureForRole(cityRollupTables([mode.total], by, { directory }), 'la'),
    demand: publishDemand(resourceBaseDemand([mode.total], { directory }), false),
    disclosureControlled: false,
  };
}

export async function buildAggregates(request: HttpRequest, principal: Principal): Promise<AggregatesResponse> {
  const year = transferYearParam(request);
  const by = parseDimensions(request.query.get('by'));
  const include = oneOfParam(request, 'include', INCLUDE_VALUES);
  const store = getStore();
  const directory = await store.directory.get();
  const schools = expectedSchools(principal, directory);
  if (principal.role === 'la') return cityAggregates(year, by, include, directory, schools);
  const containers = { summaries: await store.container('summaries'), returns: await store.container('returns') };
  const reads = await readSummaries(containers, schools, year, { includeDrafts: include === 'drafts' });
  const summaries = includedSummaries(reads);
  const controlled = true; // only the LA sees raw counts
  return {
    year,
    by,
    include,
    noReturnsYet: reads.every((r) => r.state === 'outstanding'),
    schools: {
      expected: schools.length,
      included: summaries.length,
      outstanding: reads.filter((r) => r.state === 'outstanding').length,
      draftOnly: reads.filter((r) => r.state === 'draft-only').length,
      unreadable: reads.filter((r) => r.state === 'invalid').length,
    },
    tables: applyDisclosureForRole(cityRollupTables(summaries, by, { directory }), principal.role),
    demand: publishDemand(resourceBaseDemand(summaries, { directory }), controlled),
    disclosureControlled: controlled,
  };
}

export const aggregatesGet = withErrors(async (request, { log }) => {
  const principal = await authenticate(request);
  requireRole(principal, 'la', 'trust');
  const body = await buildAggregates(request, principal);
  if (body.schools.unreadable > 0) log.warn('aggregates.unreadableSummaries', { year: body.year, count: body.schools.unreadable });
  return {
    status: 200,
    // Counts change as schools submit; a trust's view must not be cached for the LA's or vice versa.
    headers: { 'cache-control': 'private, no-store', vary: 'Authorization' },
    jsonBody: body,
  };
});

export const route = defineRoute({
  name: 'aggregatesGet',
  methods: ['GET'],
  route: 'aggregates/{year}',
  authLevel: 'anonymous',
  handler: aggregatesGet,
});

register(route);
