/**
 * GET /api/memberships?school=… (or ?trust=…, or neither for everyone): who holds which role.
 * A school's approvers read their school's; LA admins any. Each with its id for removal.
 */
import { authenticate } from '../auth';
import { withErrors } from '../http/handler';
import { register } from '../http/registry';
import { defineRoute } from '../http/route';
import { identityService } from '../identity';
import { actorOf, NO_STORE, scopeFilterParam } from '../identity/http';

export const membershipsGet = withErrors(async (request, { correlationId }) => {
  const principal = await authenticate(request);
  const filter = scopeFilterParam(request);
  return { status: 200, headers: NO_STORE, jsonBody: { members: await identityService(correlationId).listMembers(actorOf(principal), filter) } };
});

export const route = defineRoute({ name: 'membershipsGet', methods: ['GET'], route: 'memberships', authLevel: 'anonymous', handler: membershipsGet });

register(route);
