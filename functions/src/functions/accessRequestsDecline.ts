/**
 * POST /api/access-requests/{id}/decline { reason }: the school's approvers or LA admins
 * decline a pending request, with a reason the requester is shown. 409 `request-decided`
 * when it was decided first. Audited as `access-declined`. 200 with the request.
 */
import { declineBodySchema } from '../../../shared/api/identity';
import { authenticate } from '../auth';
import { readJsonBody } from '../http/body';
import { withErrors } from '../http/handler';
import { register } from '../http/registry';
import { defineRoute } from '../http/route';
import { identityService } from '../identity';
import { actorOf, idParam, MAX_IDENTITY_BODY_BYTES, NO_STORE } from '../identity/http';

export const accessRequestsDecline = withErrors(async (request, { correlationId }) => {
  const principal = await authenticate(request);
  const id = idParam(request);
  const body = await readJsonBody(request, MAX_IDENTITY_BODY_BYTES, declineBodySchema);
  return { status: 200, headers: NO_STORE, jsonBody: await identityService(correlationId).decide(actorOf(principal), id, 'declined', body.reason) };
});

export const route = defineRoute({ name: 'accessRequestsDecline', methods: ['POST'], route: 'access-requests/{id}/decline', authLevel: 'anonymous', handler: accessRequestsDecline });

register(route);
