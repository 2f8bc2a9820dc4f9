/**
 * The LA's tenant allow-list (issue 25), managed by LA admins only:
 *
 *   GET    /api/tenants        → { tenants: [{ tid, name, reason, addedBy, addedAt }] }
 *   POST   /api/tenants        { tid, name, reason } → 201 (added) or 200 (its entry replaced)
 *   DELETE /api/tenants/{tid}  → 200 with the entry removed; 404 when not on the list
 *
 * A token from a tenant not on the list is 401 `tenant-not-registered` (auth/verifier.ts). Every
 * change is audited (`tenant.add`, `tenant.update`, `tenant.remove`, the tenant id as the id); the
 * entry itself keeps who added it, when and why.
 */
import { authenticate, requireAccess } from '../auth';
import { withErrors } from '../http/handler';
import { register } from '../http/registry';
import { defineRoute } from '../http/route';
import { getStore } from '../store';

export const tenantsGet = withErrors(async (request) => {
  const principal = await authenticate(request);
  requireAccess(principal, 'laAdmin');
  return { status: 200, headers: { 'cache-control': 'no-store' }, jsonBody: { tenants: await getStore().tenants.list() } };
});

export const route = defineRoute({ name: 'tenantsGet', methods: ['GET'], route: 'tenants', authLevel: 'anonymous', handler: tenantsGet });

register(route);
