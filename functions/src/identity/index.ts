/**
 * The identity endpoints' wiring: the membership-management service over the process's store
 * (stores built once per store, from its containers).
 */
import { getStore, type Store } from '../store';
import { AccessRequestStore } from '../store/accessRequests';
import { IdentityAuditLog } from '../store/identityAudit';
import { InvitationStore } from '../store/invitations';
import { countAgainstLimit } from './limits';
import { IdentityService } from './service';

export interface IdentityStores {
  invitations: InvitationStore;
  requests: AccessRequestStore;
  audit: IdentityAuditLog;
}

const built = new WeakMap<Store, IdentityStores>();

/** The invitation, request and audit stores of `store` (the process's by default). */
export function identityStores(store: Store = getStore()): IdentityStores {
  let stores = built.get(store);
  if (!stores) {
    stores = {
      invitations: new InvitationStore(() => store.container('invitations')),
      requests: new AccessRequestStore(() => store.container('accessRequests')),
      audit: new IdentityAuditLog(() => store.container('identityAudit')),
    };
    built.set(store, stores);
  }
  return stores;
}

/** The service for one request (its correlation id goes on every audit entry it writes). */
export function identityService(correlationId: string, store: Store = getStore()): IdentityService {
  return new IdentityService({
    ...identityStores(store),
    memberships: store.memberships,
    directory: () => store.directory.get(),
    countAgainstLimit: async (subject, purpose) => countAgainstLimit(await store.container('idempotency'), subject, purpose, Date.now()),
    correlationId,
  });
}

export { IdentityService, canManage, canRead, INVITATION_TTL_MS, type Actor, type Claimant, type ScopeFilter } from './service';
