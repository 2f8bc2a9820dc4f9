/**
 * POST /api/tenants (LA admin only): puts a tenant on the allow-list with a name and a reason, or
 * replaces its entry (renamed, a new reason). 201 when added, 200 when replaced; audited as
 * `tenant.add` or `tenant.update` (see tenantsGet.ts).
 */
import { type Tenant, tenantRequestSchema } from '../../../shared/identity';
import { authenticate, requireAccess } from '../auth';
import { readJsonBody } from '../http/body';
import { withErrors } from '../http/handler';
import { register } from '../http/registry';
import { defineRoute } from '../http/route';
import { identityStores } from '../identity';
import { getStore } from '../store';

/** (design) A tenant entry is a GUID, a name and a reason: a few hundred bytes. */
const MAX_TENANT_BODY_BYTES = 4 * 1024;

export const tenantsPost = withErrors(async (request, { correlationId }) => {
  const principal = await authenticate(request);
  requireAccess(principal, 'laAdmin');
  const body = await readJsonBody(request, MAX_TENANT_BODY_BYTES, tenantRequestSchema);
  const store = getStore();
  const tenant: Tenant = { ...body, addedBy: principal.subject, addedAt: new Date().toISOString() };
  const before = await store.tenants.put(tenant);
  await store.audit.record({ who: principal.subject, role: principal.role, school: null, action: before ? 'tenant.update' : 'tenant.add', ids: [body.tid], correlationId });
  // The identity audit trail keeps what changed, old and new, and why (issue 25).
  await identityStores(store).audit.record({
    scope: 'la',
    who: principal.subject,
    type: 'tenant',
    subType: before ? 'tenant-updated' : 'tenant-added',
    target: body.tid,
    edited: [{ name: 'name', oldValue: before?.name ?? null, newValue: body.name }],
    reason: body.reason,
    correlationId,
  });
  return { status: before ? 200 : 201, headers: { 'cache-control': 'no-store' }, jsonBody: tenant };
});

export const route = defineRoute({ name: 'tenantsPost', methods: ['POST'], route: 'tenants', authLevel: 'anonymous', handler: tenantsPost });

register(route);
