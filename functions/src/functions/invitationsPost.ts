/**
 * POST /api/invitations { email, role, school | trust }: invites a person by e-mail to a role in a
 * scope. An LA admin may invite for any scope; a school approver only SENCos and approvers of its
 * own school (else 403). Single use, expires after 7 days; audited as `user-invited`;
 * rate-limited per person (429 with Retry-After). 201 with the invitation.
 */
import { invitationRequestSchema } from '../../../shared/api/identity';
import { authenticate } from '../auth';
import { readJsonBody } from '../http/body';
import { withErrors } from '../http/handler';
import { register } from '../http/registry';
import { defineRoute } from '../http/route';
import { identityService } from '../identity';
import { actorOf, MAX_IDENTITY_BODY_BYTES, NO_STORE } from '../identity/http';

export const invitationsPost = withErrors(async (request, { correlationId }) => {
  const principal = await authenticate(request);
  const body = await readJsonBody(request, MAX_IDENTITY_BODY_BYTES, invitationRequestSchema);
  const invitation = await identityService(correlationId).invite(actorOf(principal), body);
  return { status: 201, headers: NO_STORE, jsonBody: invitation };
});

export const route = defineRoute({ name: 'invitationsPost', methods: ['POST'], route: 'invitations', authLevel: 'anonymous', handler: invitationsPost });

register(route);
