/**
 * The identity endpoints' answers as the add-in reads them (issue 25): tenants, invitations,
 * access requests, memberships, the signed-in person's own access and the identity audit. The
 * shapes are the API's own (shared/identity.ts, shared/api/identity.ts), loosened like the rest
 * of ./schemas.ts so a field added later is ignored rather than refused.
 */
import { z } from 'zod';
import { loosen } from '../../shared/api/loose';
import * as api from '../../shared/api/identity';
import { tenantListSchema as strictTenantList, tenantSchema as strictTenant } from '../../shared/identity';

export type { AccessRequestBody, InvitationRequest } from '../../shared/api/identity';
export type { MembershipRole } from '../../shared/identity';

export const tenantSchema = loosen(strictTenant);
export type Tenant = z.infer<typeof tenantSchema>;
export const tenantListSchema = loosen(strictTenantList);

export const invitationSchema = loosen(api.invitationSchema);
export type Invitation = z.infer<typeof invitationSchema>;
export const invitationListSchema = loosen(api.invitationListSchema);
export const invitationAcceptedSchema = z.looseObject({ invitation: invitationSchema, member: loosen(api.memberSchema) });

export const accessRequestSchema = loosen(api.accessRequestSchema);
export type AccessRequest = z.infer<typeof accessRequestSchema>;
export const accessRequestListSchema = loosen(api.accessRequestListSchema);
export const accessRequestCreatedSchema = loosen(api.accessRequestCreatedSchema);
export type AccessRequestCreated = z.infer<typeof accessRequestCreatedSchema>;

export const memberSchema = loosen(api.memberSchema);
export type Member = z.infer<typeof memberSchema>;
export const memberListSchema = loosen(api.memberListSchema);

export const myAccessSchema = loosen(api.myAccessSchema);
export type MyAccess = z.infer<typeof myAccessSchema>;
export type PendingInvitation = z.infer<typeof api.pendingInvitationSchema>;

export const identityAuditListSchema = loosen(api.identityAuditListSchema);
export type IdentityAuditEntry = z.infer<typeof api.identityAuditEntrySchema>;

/** Where a list looks: one school, one trust, or (LA admins) everything. */
export type ScopeFilter = { school: string } | { trust: string } | Record<string, never>;
