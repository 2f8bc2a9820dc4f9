/**
 * POST /api/rollup/rebuild (LA admin only): the step after upgrading a deployment to the
 * maintained city rollup, run in Azure under the Function App's managed identity, which is the
 * only identity with access to the data (docs/deploy.md). It does what `npm run rollup:rebuild`
 * does locally: takes every stored return into the rollup, year by year, then records that the
 * rollup is complete. Running it again is harmless. Reads pupil-free summaries only; audited as
 * `rollup.rebuild`. Answers `{ years }`, the years taken in.
 *
 * Without it, aggregates reads seed the rollup themselves a chunk at a time (503 meanwhile).
 * (design) One request does the whole rebuild: a city of 450 primaries is one chunk a year, far
 * inside the HTTP front end's 230 s; a city of 24,000 is twelve, which also fits.
 */
import { authenticate, requireAccess } from '../auth';
import { withErrors } from '../http/handler';
import { register } from '../http/registry';
import { defineRoute } from '../http/route';
import { getStore } from '../store';
import { cityRollup } from '../store/returns';

export const rollupRebuild = withErrors(async (request, { correlationId }) => {
  const principal = await authenticate(request);
  requireAccess(principal, 'laAdmin');
  const years = await cityRollup().rebuild();
  await getStore().audit.record({ who: principal.subject, role: principal.role, school: null, action: 'rollup.rebuild', ids: years.map(String), correlationId });
  return { status: 200, headers: { 'cache-control': 'no-store' }, jsonBody: { years } };
});

export const route = defineRoute({ name: 'rollupRebuild', methods: ['POST'], route: 'rollup/rebuild', authLevel: 'anonymous', handler: rollupRebuild });

register(route);
