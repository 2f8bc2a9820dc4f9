/**
 * GET /api/access-requests?school=… (or ?trust=…, or neither): a scope's access requests, newest
 * first, pending and decided. A school's approvers read their school's; LA admins any.
 */
import { authenticate } from '../auth';
import { withErrors } from '../http/handler';
import { register } from '../http/registry';
import { defineRoute } from '../http/route';
import { identityService } from '../identity';
import { actorOf, NO_STORE, scopeFilterParam } from '../identity/http';

export const accessRequestsGet = withErrors(async (request, { correlationId }) => {
  const principal = await authenticate(request);
  const filter = scopeFilterParam(request);
  return { status: 200, headers: NO_STORE, jsonBody: { requests: await identityService(correlationId).listRequests(actorOf(principal), filter) } };
});

export const route = defineRoute({ name: 'accessRequestsGet', methods: ['GET'], route: 'access-requests', authLevel: 'anonymous', handler: accessRequestsGet });

register(route);
