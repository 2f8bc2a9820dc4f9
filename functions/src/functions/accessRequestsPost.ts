/**
 * POST /api/access-requests { role, school | trust, message? }: a signed-in person (no role
 * needed) asks for a role. The school's approvers and the LA admins see it and decide; the answer
 * names them. 409 when they hold it or asked already; rate-limited per person (429). Audited as
 * `access-requested`. 201.
 */
import { accessRequestBodySchema } from '../../../shared/api/identity';
import { identify } from '../auth';
import { readJsonBody } from '../http/body';
import { withErrors } from '../http/handler';
import { register } from '../http/registry';
import { defineRoute } from '../http/route';
import { identityService } from '../identity';
import { MAX_IDENTITY_BODY_BYTES, NO_STORE } from '../identity/http';

export const accessRequestsPost = withErrors(async (request, { correlationId }) => {
  const claimant = await identify(request);
  const body = await readJsonBody(request, MAX_IDENTITY_BODY_BYTES, accessRequestBodySchema);
  return { status: 201, headers: NO_STORE, jsonBody: await identityService(correlationId).requestAccess(claimant, body) };
});

export const route = defineRoute({ name: 'accessRequestsPost', methods: ['POST'], route: 'access-requests', authLevel: 'anonymous', handler: accessRequestsPost });

register(route);
