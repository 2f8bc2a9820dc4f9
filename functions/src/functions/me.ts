/**
 * GET /api/me: the signed-in person as the API sees them: the principal (tid, oid, name, the role
 * acted under and its school or trust), every membership they hold, any pending invitation (filled
 * by the invitations work), and the school directory entries of their own schools. The add-in
 * calls it after sign-in to choose which panes to show.
 */
import type { Membership } from '../../../shared/identity';
import { authenticate, identify, type Principal, schoolsInScope } from '../auth';
import { identityService } from '../identity';
import { getConfig } from '../config';
import { withErrors } from '../http/handler';
import { register } from '../http/registry';
import { defineRoute } from '../http/route';
import { getStore } from '../store';

/** The memberships to show: stored ones; the bootstrap admin's from configuration; with claims, the one the token gives. */
async function membershipsOf(principal: Principal): Promise<Membership[]> {
  const { auth } = getConfig();
  const admin = auth.bootstrapAdmin;
  if (admin?.tid === principal.tid && admin.oid === principal.oid) {
    return [{ id: 'bootstrap', role: 'laAdmin', grantedBy: 'bootstrap', grantedAt: new Date(0).toISOString() }];
  }
  if (auth.roleSource === 'claims') {
    const scope = principal.school !== undefined ? { school: principal.school } : principal.trust !== undefined ? { trust: principal.trust } : {};
    return [{ id: 'claims', role: principal.access, ...scope, grantedBy: 'claims', grantedAt: new Date(0).toISOString() } as Membership];
  }
  return (await getStore().memberships.get(principal))?.memberships ?? [];
}

export const me = withErrors(async (request, { correlationId }) => {
  const principal = await authenticate(request);
  const directory = await getStore().directory.get();
  // The user's own schools: the LA's scope is the whole city, so it has none in particular.
  const schools = principal.role === 'la' ? [] : schoolsInScope(principal, directory);
  return {
    status: 200,
    headers: { 'cache-control': 'no-store' },
    jsonBody: { principal, memberships: await membershipsOf(principal), pendingInvitation: await identityService(correlationId).pendingInvitationFor(await identify(request)), schools },
  };
});

export const route = defineRoute({ name: 'me', methods: ['GET'], route: 'me', authLevel: 'anonymous', handler: me });

register(route);
