/**
 * The identity endpoints' request and response shapes (issue 25): invitations, access requests,
 * memberships and the identity audit trail. The server validates with these and documents them
 * (functions/src/openapi/document.ts); the pane reads with them (addin/api/identity.ts).
 *
 * A scope is where a role applies: a school (SENCo, school approver), a trust (trust lead) or the
 * LA (LA officer, LA admin). Its `scopeKey` (`school:<laestab>`, `trust:<id>`, `la`) is what
 * documents are filed and audited under, so "everything about this school" is one filter.
 */
import { z } from 'zod';
import { type Grant, grantSchema, guidSchema, MEMBERSHIP_ROLES, MEMBERSHIP_ROLE_NAMES, type MembershipRole } from '../identity';

const laestab = z.string().regex(/^\d{7}$/, 'a 7-digit LAESTAB');
const trustId = z.string().min(1).max(40);
const email = z.email().max(254);
const reason = z.string().trim().min(1).max(500);

/** The grant (role and scope) as flat optional fields, so request bodies stay one plain object. */
const flatGrant = {
  role: z.enum(MEMBERSHIP_ROLES),
  school: laestab.optional().describe('For senco and schoolApprover: the school’s LAESTAB.'),
  trust: trustId.optional().describe('For trustLead: the trust’s id.'),
};

/** The grant a flat role/school/trust names, or an issue when the scope does not fit the role. */
function grantOf(value: { role: MembershipRole; school?: string | undefined; trust?: string | undefined }, ctx: z.RefinementCtx): void {
  const parsed = grantSchema.safeParse({ role: value.role, ...(value.school !== undefined ? { school: value.school } : {}), ...(value.trust !== undefined ? { trust: value.trust } : {}) });
  if (!parsed.success) ctx.addIssue({ code: 'custom', path: ['role'], message: 'senco and schoolApprover need a school; trustLead a trust; laOfficer and laAdmin neither' });
}

export function toGrant(value: { role: MembershipRole; school?: string | undefined; trust?: string | undefined }): Grant {
  return grantSchema.parse({ role: value.role, ...(value.school !== undefined ? { school: value.school } : {}), ...(value.trust !== undefined ? { trust: value.trust } : {}) });
}

/** Where a grant applies, as one string: `school:<laestab>`, `trust:<id>` or `la`. */
export function scopeKeyOf(grant: { role: MembershipRole; school?: string | undefined; trust?: string | undefined } | Grant): string {
  if ('school' in grant && grant.school !== undefined) return `school:${grant.school}`;
  if ('trust' in grant && grant.trust !== undefined) return `trust:${grant.trust}`;
  return 'la';
}

/** "SENCo of Acorn Lane Primary", "trust lead of T1", "LA admin". */
export function describeGrant(grant: { role: MembershipRole }, scopeName: string | undefined): string {
  const role = MEMBERSHIP_ROLE_NAMES[grant.role];
  return scopeName === undefined ? role : `${role} of ${scopeName}`;
}

// ---------------------------------------------------------------------------------------------
// Invitations

/** POST /api/invitations. */
export const invitationRequestSchema = z
  .strictObject({ email: email.describe('Whom to invite: matched, case-insensitively, to the e-mail in their token when they sign in.'), ...flatGrant })
  .superRefine(grantOf);
export type InvitationRequest = z.infer<typeof invitationRequestSchema>;

export const INVITATION_STATES = ['pending', 'claimed', 'revoked', 'expired'] as const;
export type InvitationState = (typeof INVITATION_STATES)[number];

/** An invitation as the API gives it. */
export const invitationSchema = z.strictObject({
  id: z.string(),
  email,
  ...flatGrant,
  scopeName: z.string().describe('The school’s or trust’s name, or "the LA".'),
  state: z.enum(INVITATION_STATES),
  invitedBy: z.string().describe('The inviter’s subject (`<tid>/<oid>`).'),
  invitedByName: z.string().describe('The inviter as the invitee is told: their display name.'),
  createdAt: z.iso.datetime(),
  expiresAt: z.iso.datetime(),
  claimedBy: z.string().optional().describe('Who claimed it (`<tid>/<oid>`), once claimed.'),
  endedAt: z.iso.datetime().optional().describe('When it was claimed, revoked or found expired.'),
});
export type Invitation = z.infer<typeof invitationSchema>;

export const invitationListSchema = z.strictObject({ invitations: z.array(invitationSchema) });

// ---------------------------------------------------------------------------------------------
// Access requests

/** POST /api/access-requests. */
export const accessRequestBodySchema = z
  .strictObject({ ...flatGrant, message: z.string().trim().max(500).optional().describe('A note for the approver, e.g. “I am the new SENCo from September”.') })
  .superRefine(grantOf);
export type AccessRequestBody = z.infer<typeof accessRequestBodySchema>;

export const ACCESS_REQUEST_STATES = ['pending', 'approved', 'declined'] as const;

export const accessRequestSchema = z.strictObject({
  id: z.string(),
  tid: guidSchema,
  oid: guidSchema,
  name: z.string().optional().describe('The requester’s display name from their token: shown, never authorised on.'),
  email: z.string().optional().describe('The requester’s e-mail from their token: shown, never authorised on.'),
  ...flatGrant,
  scopeName: z.string(),
  message: z.string().optional(),
  state: z.enum(ACCESS_REQUEST_STATES),
  requestedAt: z.iso.datetime(),
  decidedBy: z.string().optional(),
  decidedByName: z.string().optional(),
  decidedAt: z.iso.datetime().optional(),
  reason: z.string().optional().describe('Why it was approved or declined.'),
});
export type AccessRequest = z.infer<typeof accessRequestSchema>;

/** POST /api/access-requests returns the request and who will see it. */
export const accessRequestCreatedSchema = z.strictObject({
  request: accessRequestSchema,
  reviewers: z.array(z.string()).describe('The display names of the people who can approve it (the school’s approvers, else the LA’s admins).'),
});

export const accessRequestListSchema = z.strictObject({ requests: z.array(accessRequestSchema) });

/** Approve (reason optional) and decline (reason required). */
export const approveBodySchema = z.strictObject({ reason: reason.optional() });
export const declineBodySchema = z.strictObject({ reason: reason.describe('Why: the requester is shown it.') });

// ---------------------------------------------------------------------------------------------
// Memberships

export const memberSchema = z.strictObject({
  id: z.string().describe('The membership’s id, for DELETE /api/memberships/{id}.'),
  tid: guidSchema,
  oid: guidSchema,
  name: z.string().optional(),
  ...flatGrant,
  scopeName: z.string(),
  grantedBy: z.string(),
  grantedAt: z.iso.datetime(),
});
export type Member = z.infer<typeof memberSchema>;
export const memberListSchema = z.strictObject({ members: z.array(memberSchema) });

// ---------------------------------------------------------------------------------------------
// The signed-in person's own access (works with no membership)

/** An invitation as its invitee is shown it. */
export const pendingInvitationSchema = z.strictObject({
  id: z.string(),
  ...flatGrant,
  scopeName: z.string(),
  invitedByName: z.string(),
  expiresAt: z.iso.datetime(),
  /** "You are invited as SENCo of Acorn Lane Primary by Dev LA admin". */
  text: z.string(),
});
export type PendingInvitation = z.infer<typeof pendingInvitationSchema>;

export const myAccessSchema = z.strictObject({
  invitation: pendingInvitationSchema.nullable().describe('An invitation for the e-mail in the token, pending and unexpired; null when there is none.'),
  requests: z.array(accessRequestSchema).describe('The person’s own access requests, newest first, with their outcome.'),
});
export type MyAccess = z.infer<typeof myAccessSchema>;

// ---------------------------------------------------------------------------------------------
// The identity audit trail

/** What changed, as DfE Sign-in's audit names it (`type` then `subType`). */
export const IDENTITY_AUDIT_SUBTYPES = [
  'user-invited',
  'invitation-claimed',
  'invitation-expired',
  'invitation-revoked',
  'access-requested',
  'access-approved',
  'access-declined',
  'role-changed',
  'membership-removed',
  'tenant-added',
  'tenant-updated',
  'tenant-removed',
] as const;
export type IdentityAuditSubType = (typeof IDENTITY_AUDIT_SUBTYPES)[number];

export const editedFieldSchema = z.strictObject({ name: z.string(), oldValue: z.string().nullable(), newValue: z.string().nullable() });

export const identityAuditEntrySchema = z.strictObject({
  id: z.string(),
  /** `school:<laestab>`, `trust:<id>` or `la`: whose approvers read it. */
  scope: z.string(),
  school: laestab.optional(),
  trust: trustId.optional(),
  at: z.iso.datetime(),
  who: z.string().describe('Who made the change: `<tid>/<oid>`, or `system` for an expiry noticed.'),
  type: z.enum(['membership', 'invitation', 'access-request', 'tenant']),
  subType: z.enum(IDENTITY_AUDIT_SUBTYPES),
  /** The person or thing changed: `<tid>/<oid>`, an invitation or request id, or a tenant id. */
  target: z.string(),
  edited: z.array(editedFieldSchema),
  reason: z.string().nullable(),
  correlationId: z.string(),
});
export type IdentityAuditEntry = z.infer<typeof identityAuditEntrySchema>;
export const identityAuditListSchema = z.strictObject({ entries: z.array(identityAuditEntrySchema) });
