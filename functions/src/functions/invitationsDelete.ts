/**
 * DELETE /api/invitations/{id}: withdraws a pending invitation (its school's approvers, LA
 * admins). 409 when it was claimed first, 410 when already revoked or expired: of a concurrent
 * accept and revoke exactly one wins. Audited as `invitation-revoked`. 200 with the invitation.
 */
import { authenticate } from '../auth';
import { withErrors } from '../http/handler';
import { register } from '../http/registry';
import { defineRoute } from '../http/route';
import { identityService } from '../identity';
import { actorOf, idParam, NO_STORE } from '../identity/http';

export const invitationsDelete = withErrors(async (request, { correlationId }) => {
  const principal = await authenticate(request);
  const id = idParam(request);
  return { status: 200, headers: NO_STORE, jsonBody: await identityService(correlationId).revoke(actorOf(principal), id) };
});

export const route = defineRoute({ name: 'invitationsDelete', methods: ['DELETE'], route: 'invitations/{id}', authLevel: 'anonymous', handler: invitationsDelete });

register(route);
