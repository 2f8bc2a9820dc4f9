/**
 * DELETE /api/memberships/{id}: removes one membership (its school's approvers, LA admins; not
 * your own). Effective on the holder's next request: nothing caches a membership, and a person
 * left with none gets 403 `no-membership` saying whom to ask. Audited as `membership-removed`.
 * 200 with the membership removed.
 */
import { authenticate } from '../auth';
import { withErrors } from '../http/handler';
import { register } from '../http/registry';
import { defineRoute } from '../http/route';
import { identityService } from '../identity';
import { actorOf, idParam, NO_STORE } from '../identity/http';

export const membershipsDelete = withErrors(async (request, { correlationId }) => {
  const principal = await authenticate(request);
  const id = idParam(request);
  return { status: 200, headers: NO_STORE, jsonBody: await identityService(correlationId).removeMembership(actorOf(principal), id) };
});

export const route = defineRoute({ name: 'membershipsDelete', methods: ['DELETE'], route: 'memberships/{id}', authLevel: 'anonymous', handler: membershipsDelete });

register(route);
