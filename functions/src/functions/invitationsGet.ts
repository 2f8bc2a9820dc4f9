/**
 * GET /api/invitations?school=… (or ?trust=…, or neither for every one): a scope's invitations,
 * newest first, in every state. A school's approvers read their school's; LA admins any. An
 * invitation found past its expiry is marked expired (audited once) as it is listed.
 */
import { authenticate } from '../auth';
import { withErrors } from '../http/handler';
import { register } from '../http/registry';
import { defineRoute } from '../http/route';
import { identityService } from '../identity';
import { actorOf, NO_STORE, scopeFilterParam } from '../identity/http';

export const invitationsGet = withErrors(async (request, { correlationId }) => {
  const principal = await authenticate(request);
  const filter = scopeFilterParam(request);
  return { status: 200, headers: NO_STORE, jsonBody: { invitations: await identityService(correlationId).listInvitations(actorOf(principal), filter) } };
});

export const route = defineRoute({ name: 'invitationsGet', methods: ['GET'], route: 'invitations', authLevel: 'anonymous', handler: invitationsGet });

register(route);
