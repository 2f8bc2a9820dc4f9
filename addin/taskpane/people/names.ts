/** How the People view words roles and scopes: the API's own names (shared/identity.ts), capitalised for a label. */
import { describeGrant } from '../../../shared/api/identity';
import { MEMBERSHIP_ROLE_NAMES, type MembershipRole } from '../../../shared/identity';
import type { ScopedRole } from '../ports';

export const capitalised = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);

/** "SENCo of Acorn Lane Primary", "LA admin". */
export function roleIn(grant: ScopedRole): string {
  return describeGrant(grant, grant.school !== undefined || grant.trust !== undefined ? grant.scopeName : undefined);
}

export const roleLabel = (role: MembershipRole): string => capitalised(MEMBERSHIP_ROLE_NAMES[role]);

/** The roles a manager may invite to: an LA admin any; a school approver their school's SENCos and approvers. */
export function invitableRoles(access: MembershipRole | undefined): MembershipRole[] {
  return access === 'laAdmin' ? ['senco', 'schoolApprover', 'trustLead', 'laOfficer', 'laAdmin'] : ['senco', 'schoolApprover'];
}

/** What scope a role needs. */
export const scopeKindOf = (role: MembershipRole): 'school' | 'trust' | 'la' =>
  role === 'senco' || role === 'schoolApprover' ? 'school' : role === 'trustLead' ? 'trust' : 'la';
