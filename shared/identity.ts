/**
 * Who a person is to Good Start, and what they may do (issue 25). A person is the pair
 * (`tid`, `oid`) from a verified Entra v2 token: the tenant and the object id within it. The same
 * oid in two tenants is two people, and nothing here is ever keyed on an e-mail address.
 *
 * A membership grants one role in one scope. The roles, and what each maps to in the API's
 * scope rules (functions/src/auth/scope.ts works on the mapped `Role`):
 *
 * | membership role | scope    | API role | what it may do |
 * |---|---|---|---|
 * | `senco`          | a school | school   | today's school role |
 * | `schoolApprover` | a school | school   | the SENCo's rights, plus inviting and removing people for that school |
 * | `trustLead`      | a trust  | trust    | today's trust role |
 * | `laOfficer`      | the LA   | la       | today's LA role |
 * | `laAdmin`        | the LA   | la       | the LA officer's rights, plus managing tenants, approvers and everyone |
 */
import { z } from 'zod';
import type { Role } from './roles';

/** A GUID as Entra writes `tid` and `oid`: lowercase hex, 8-4-4-4-12. */
export const GUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const guidSchema = z.string().regex(GUID_PATTERN, 'a lowercase GUID');

export const MEMBERSHIP_ROLES = ['senco', 'schoolApprover', 'trustLead', 'laOfficer', 'laAdmin'] as const;
export type MembershipRole = (typeof MEMBERSHIP_ROLES)[number];

/** The API role each membership role acts as: scope checks never need more than this. */
export const API_ROLE_OF: Record<MembershipRole, Role> = {
  senco: 'school',
  schoolApprover: 'school',
  trustLead: 'trust',
  laOfficer: 'la',
  laAdmin: 'la',
};

/** How the pane and messages name each role. */
export const MEMBERSHIP_ROLE_NAMES: Record<MembershipRole, string> = {
  senco: 'SENCo',
  schoolApprover: 'school approver',
  trustLead: 'trust lead',
  laOfficer: 'LA officer',
  laAdmin: 'LA admin',
};

const laestab = z.string().regex(/^\d{7}$/, 'a 7-digit LAESTAB');
const trustId = z.string().min(1).max(40);

/** One role in one scope: a school's (senco, schoolApprover), a trust's (trustLead) or the LA's. */
export const grantSchema = z.discriminatedUnion('role', [
  z.strictObject({ role: z.literal('senco'), school: laestab }),
  z.strictObject({ role: z.literal('schoolApprover'), school: laestab }),
  z.strictObject({ role: z.literal('trustLead'), trust: trustId }),
  z.strictObject({ role: z.literal('laOfficer') }),
  z.strictObject({ role: z.literal('laAdmin') }),
]);
export type Grant = z.infer<typeof grantSchema>;

/**
 * Who granted a membership: a person's subject (`tid/oid`), or `seed` (the local samples) or
 * `bootstrap` (the configured first LA admin, never stored).
 */
const grantedBySchema = z.string().min(1).max(200);

/** A stored membership: a grant, its own id (for removal), and who granted it when. */
export const membershipSchema = z.intersection(
  grantSchema,
  z.object({ id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/), grantedBy: grantedBySchema, grantedAt: z.iso.datetime() }),
);
export type Membership = z.infer<typeof membershipSchema>;

/** The subject string a person is recorded under (audit, idempotency): unambiguous, as both halves are GUIDs. */
export function subjectOf(tid: string, oid: string): string {
  return `${tid}/${oid}`;
}

/** The id (and partition key) of a person's membership document: one point read per request. */
export function memberDocumentId(tid: string, oid: string): string {
  return `${tid}:${oid}`;
}

/** Every membership one person (tid, oid) holds, in one document. */
export const memberDocumentSchema = z.looseObject({
  id: z.string(),
  tid: guidSchema,
  oid: guidSchema,
  /** The display name from their last token or invitation; shown to approvers, never authorised on. */
  name: z.string().max(200).optional(),
  memberships: z.array(membershipSchema).max(50),
});
export type MemberDocument = z.infer<typeof memberDocumentSchema>;

/** A tenant on the LA's allow-list. */
export const tenantSchema = z.strictObject({
  tid: guidSchema,
  name: z.string().trim().min(1).max(200),
  reason: z.string().trim().min(1).max(500),
  addedBy: z.string().min(1).max(200),
  addedAt: z.iso.datetime(),
});
export type Tenant = z.infer<typeof tenantSchema>;

/** POST /api/tenants. */
export const tenantRequestSchema = z.strictObject({
  tid: guidSchema.describe('The tenant id (a GUID, lowercase) of the organisation’s Microsoft 365 tenant.'),
  name: z.string().trim().min(1).max(200).describe('The organisation, as people will recognise it.'),
  reason: z.string().trim().min(1).max(500).describe('Why it is being added; kept in the audit.'),
});
export type TenantRequest = z.infer<typeof tenantRequestSchema>;

/** GET /api/tenants. */
export const tenantListSchema = z.strictObject({ tenants: z.array(tenantSchema) });
