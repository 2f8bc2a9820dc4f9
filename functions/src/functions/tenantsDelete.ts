/**
 * DELETE /api/tenants/{tid} (LA admin only): takes a tenant off the allow-list; its people are
 * refused (401 `tenant-not-registered`) from their next request. 200 with the entry removed, 404
 * when it is not on the list, 409 for the admin's own tenant (which would lock them out; the
 * configured first LA admin's tenant is always allowed regardless). Audited as `tenant.remove`.
 */
import { GUID_PATTERN } from '../../../shared/identity';
import { authenticate, requireAccess } from '../auth';
import { withErrors } from '../http/handler';
import { invalidParameter } from '../http/params';
import { HttpProblem } from '../http/problems';
import { register } from '../http/registry';
import { defineRoute } from '../http/route';
import { identityStores } from '../identity';
import { getStore } from '../store';

export const tenantsDelete = withErrors(async (request, { correlationId }) => {
  const principal = await authenticate(request);
  requireAccess(principal, 'laAdmin');
  const tid = request.params['tid'] ?? '';
  if (!GUID_PATTERN.test(tid)) throw invalidParameter('tid', 'A tenant is identified by its tenant id: a lowercase GUID.');
  if (tid === principal.tid) throw new HttpProblem('conflict', { detail: 'You cannot remove your own organisation: you would be signed out of Good Start. Ask another LA admin.' });
  const store = getStore();
  const removed = await store.tenants.remove(tid);
  if (!removed) throw new HttpProblem('not-found', { detail: 'That tenant is not on the allow-list.' });
  await store.audit.record({ who: principal.subject, role: principal.role, school: null, action: 'tenant.remove', ids: [tid], correlationId });
  await identityStores(store).audit.record({
    scope: 'la',
    who: principal.subject,
    type: 'tenant',
    subType: 'tenant-removed',
    target: tid,
    edited: [{ name: 'name', oldValue: removed.name, newValue: null }],
    reason: null,
    correlationId,
  });
  return { status: 200, headers: { 'cache-control': 'no-store' }, jsonBody: removed };
});

export const route = defineRoute({ name: 'tenantsDelete', methods: ['DELETE'], route: 'tenants/{tid}', authLevel: 'anonymous', handler: tenantsDelete });

register(route);
