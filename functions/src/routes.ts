/**
 * The route table. Every file in ./functions defines one endpoint and calls `register(route)`
 * at its bottom; `loadRoutes()` loads them all (in the list's order, so the order is stable) and
 * returns the table. The Functions entry point (index.ts) registers that table with `app.http`,
 * and the local host (scripts/localHost.ts) serves the same table, so `func start` and
 * `npm start` expose identical routes. Adding an endpoint is adding one file to ./functions and
 * its line below.
 *
 * (design) The list is written out, not read from the directory, because the deployed app is one
 * esbuild bundle (scripts/buildFunctions.ts) with no function files beside it; a bundler can only
 * follow a require of a literal path. test/api/deployable.test.ts fails when the list and the
 * directory differ. The requires stay inside functions so loading this file loads no endpoint
 * (functions/openapi.ts imports this file back).
 */
import { registeredRoutes } from './http/registry';
import type { RouteDefinition } from './http/route';

/** Every function module by file name (without extension), sorted. */
export const FUNCTION_MODULES: Readonly<Record<string, () => unknown>> = {
  accessRequestsApprove: () => require('./functions/accessRequestsApprove'),
  accessRequestsDecline: () => require('./functions/accessRequestsDecline'),
  accessRequestsGet: () => require('./functions/accessRequestsGet'),
  accessRequestsMine: () => require('./functions/accessRequestsMine'),
  accessRequestsPost: () => require('./functions/accessRequestsPost'),
  aggregatesGet: () => require('./functions/aggregatesGet'),
  auditGet: () => require('./functions/auditGet'),
  cohortsGet: () => require('./functions/cohortsGet'),
  crossSchoolCheck: () => require('./functions/crossSchoolCheck'),
  devJwks: () => require('./functions/devJwks'),
  exportsConsolidated: () => require('./functions/exportsConsolidated'),
  health: () => require('./functions/health'),
  invitationsAccept: () => require('./functions/invitationsAccept'),
  invitationsDelete: () => require('./functions/invitationsDelete'),
  invitationsGet: () => require('./functions/invitationsGet'),
  invitationsPost: () => require('./functions/invitationsPost'),
  me: () => require('./functions/me'),
  membershipsDelete: () => require('./functions/membershipsDelete'),
  membershipsGet: () => require('./functions/membershipsGet'),
  openapi: () => require('./functions/openapi'),
  resourceBasesDelete: () => require('./functions/resourceBasesDelete'),
  resourceBasesGet: () => require('./functions/resourceBasesGet'),
  resourceBasesPut: () => require('./functions/resourceBasesPut'),
  returnsGet: () => require('./functions/returnsGet'),
  returnsHistory: () => require('./functions/returnsHistory'),
  returnsPut: () => require('./functions/returnsPut'),
  rollupRebuild: () => require('./functions/rollupRebuild'),
  tenantsDelete: () => require('./functions/tenantsDelete'),
  tenantsGet: () => require('./functions/tenantsGet'),
  tenantsPost: () => require('./functions/tenantsPost'),
  trackerGet: () => require('./functions/trackerGet'),
};

let loaded: RouteDefinition[] | undefined;

export function loadRoutes(): RouteDefinition[] {
  if (!loaded) {
    for (const load of Object.values(FUNCTION_MODULES)) load();
    loaded = registeredRoutes();
  }
  return loaded;
}
