/**
 * POST /api/access-requests/{id}/approve { reason? }: the school's approvers or LA admins
 * approve a pending request, granting the role (nobody their own). 409 `request-decided`
 * when it was decided first. Audited as `access-approved`. 200 with the request.
 */
import { approveBodySchema } from '../../../shared/api/identity';
import { authenticate } from '../auth';
import { readJsonBody } from '../http/body';
import { withErrors } from '../http/handler';
import { register } from '../http/registry';
import { defineRoute } from '../http/route';
import { identityService } from '../identity';
import { actorOf, idParam, MAX_IDENTITY_BODY_BYTES, NO_STORE } from '../identity/http';

export const accessRequestsApprove = withErrors(async (request, { correlationId }) => {
  const principal = await authenticate(request);
  const id = idParam(request);
  const body = await readJsonBody(request, MAX_IDENTITY_BODY_BYTES, approveBodySchema);
  return { status: 200, headers: NO_STORE, jsonBody: await identityService(correlationId).decide(actorOf(principal), id, 'approved', body.reason) };
});

export const route = defineRoute({ name: 'accessRequestsApprove', methods: ['POST'], route: 'access-requests/{id}/approve', authLevel: 'anonymous', handler: accessRequestsApprove });

register(route);
