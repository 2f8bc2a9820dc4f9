/**
 * POST /api/invitations/{id}/accept: the signed-in person claims an invitation sent to the e-mail
 * in their token (found by it now, never again), binding their (tid, oid) to its role. Needs no
 * role yet: the token verified and the tenant registered. 404 when it is not theirs; 409 when
 * already claimed; 410 when revoked or expired; 403 when the school's tenant is recorded and the
 * token is from another. 200 with the invitation and the membership made.
 */
import { identify } from '../auth';
import { withErrors } from '../http/handler';
import { register } from '../http/registry';
import { defineRoute } from '../http/route';
import { identityService } from '../identity';
import { idParam, NO_STORE } from '../identity/http';


export const invitationsAccept = withErrors(async (request, { correlationId }) => {
  const claimant = await identify(request);
  const id = idParam(request);
  const result = await identityService(correlationId).accept(claimant, id);
  return { status: 200, headers: NO_STORE, jsonBody: result };
});

export const route = defineRoute({ name: 'invitationsAccept', methods: ['POST'], route: 'invitations/{id}/accept', authLevel: 'anonymous', handler: invitationsAccept });

register(route);
