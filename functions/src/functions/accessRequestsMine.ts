/**
 * GET /api/access-requests/mine: what the signed-in person's first-run screen needs, with or
 * without a role: a pending invitation for the e-mail in their token ("You are invited as SENCo of
 * … by …"), and their own access requests with their outcomes (an approval or a decline with its
 * reason is seen the next time they open the pane).
 */
import { identify } from '../auth';
import { withErrors } from '../http/handler';
import { register } from '../http/registry';
import { defineRoute } from '../http/route';
import { identityService } from '../identity';
import { NO_STORE } from '../identity/http';

export const accessRequestsMine = withErrors(async (request, { correlationId }) => {
  const claimant = await identify(request);
  return { status: 200, headers: NO_STORE, jsonBody: await identityService(correlationId).myAccess(claimant) };
});

export const route = defineRoute({ name: 'accessRequestsMine', methods: ['GET'], route: 'access-requests/mine', authLevel: 'anonymous', handler: accessRequestsMine });

register(route);
