/**
 * One resolver, two sources (issue 25): a verified identity (tid, oid) becomes a Principal either
 * from the memberships store (`memberships`, any tenant on the LA's allow-list) or from custom
 * claims in the token (`claims`, today's single-tenant mapping). Which one is configuration
 * (AUTH_ROLE_SOURCE); scope checks (auth/scope.ts) see the same Principal either way.
 *
 * Pure over its inputs: the verifier does the reads (one point read of the membership, one of the
 * tenant, in parallel) and nothing here caches, so a removed membership is gone next request.
 */
import type { JWTPayload } from 'jose';
import { API_ROLE_OF, type Membership, type MemberDocument, type MembershipRole, subjectOf } from '../../../shared/identity';
import type { SchoolDirectory } from '../../../shared/schools';
import type { Config } from '../config';
import { forbidden, SpecificProblem } from '../http/problems';
import { ROLES, type Principal, type Role } from './principal';

/** The person a verified token names, and what it says of them that is shown, never authorised on. */
export interface Identity {
  tid: string;
  oid: string;
  name?: string;
}

/** The 403 for a valid token of a person with no role: plain, and saying whom to ask. */
export const NO_MEMBERSHIP_DETAIL =
  'You are signed in, but you have no role in Good Start yet. Ask your school’s Good Start approver, or the LA’s Good Start admin, to invite you.';

function noMembership(): SpecificProblem {
  return new SpecificProblem('no-membership', { detail: NO_MEMBERSHIP_DETAIL });
}

function base(identity: Identity, role: Role, access: MembershipRole): Principal {
  return {
    tid: identity.tid,
    oid: identity.oid,
    subject: subjectOf(identity.tid, identity.oid),
    role,
    access,
    ...(identity.name !== undefined ? { name: identity.name } : {}),
  };
}

export function isBootstrapAdmin(identity: Identity, config: Config['auth']): boolean {
  return config.bootstrapAdmin !== undefined && config.bootstrapAdmin.tid === identity.tid && config.bootstrapAdmin.oid === identity.oid;
}

/** The configured first LA admin: a membership from configuration, never stored and never removable through the API. */
export function bootstrapPrincipal(identity: Identity): Principal {
  return base(identity, 'la', 'laAdmin');
}

/** Order of precedence when one person holds several memberships. */
const RANK: Record<MembershipRole, number> = { laAdmin: 0, laOfficer: 1, trustLead: 2, schoolApprover: 3, senco: 4 };

/** Whether acting under `wide` already covers what `narrow` allows (so holding both is unambiguous). */
function covers(wide: Membership, narrow: Membership, directory: SchoolDirectory): boolean {
  if (wide.role === 'laAdmin') return true;
  if (wide.role === 'laOfficer') return narrow.role !== 'laAdmin';
  if (wide.role === 'trustLead') {
    if (narrow.role === 'trustLead') return narrow.trust === wide.trust;
    return 'school' in narrow && directory.find(narrow.school)?.trust === wide.trust;
  }
  return 'school' in narrow && 'school' in wide && narrow.school === wide.school && RANK[wide.role] <= RANK[narrow.role];
}

/**
 * The membership a request acts under: the person's only one, or the one that covers all the
 * others (an LA admin who is also an LA officer; a school approver who is also its SENCo).
 * Memberships in unrelated scopes (two schools of different trusts) are refused plainly: the API
 * acts for one scope at a time, as it did with claims.
 */
export function actingMembership(memberships: readonly Membership[], directory: SchoolDirectory): Membership {
  const sorted = [...memberships].sort((a, b) => RANK[a.role] - RANK[b.role]);
  const top = sorted[0];
  if (top === undefined) throw noMembership();
  if (!sorted.every((m) => covers(top, m, directory))) {
    throw forbidden('You have roles for more than one school or trust; Good Start acts for one at a time. Ask the LA to keep the one you use.');
  }
  return top;
}

/** `memberships` source: the person's stored memberships (undefined: none), checked against the directory. */
export function principalFromMemberships(identity: Identity, doc: MemberDocument | undefined, directory: SchoolDirectory): Principal {
  const m = actingMembership(doc?.memberships ?? [], directory);
  const p = base(identity, API_ROLE_OF[m.role], m.role);
  if ('school' in m) {
    const school = directory.find(m.school);
    if (!school) throw forbidden('Your membership names a school that is no longer in the LA directory; ask the LA.');
    return { ...p, school: school.laestab };
  }
  if ('trust' in m) {
    if (directory.inTrust(m.trust).length === 0) throw forbidden('Your membership names a trust with no schools in the LA directory; ask the LA.');
    return { ...p, trust: m.trust };
  }
  return p;
}

function rolesFrom(payload: JWTPayload, claim: string): Role[] {
  const raw = payload[claim];
  const values = Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(' ') : [];
  return ROLES.filter((r) => values.includes(r));
}

function stringClaim(payload: JWTPayload, claim: string): string | undefined {
  const v = payload[claim];
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}

/** The membership role a claim-mapped API role acts as. */
const ACCESS_OF_CLAIM: Record<Role, MembershipRole> = { school: 'senco', trust: 'trustLead', la: 'laOfficer' };

/** `claims` source: the token's custom role, school and trust claims, checked against the directory (403 when unknown). */
export function principalFromClaims(identity: Identity, payload: JWTPayload, claims: Config['auth']['claims'], directory: SchoolDirectory): Principal {
  const roles = rolesFrom(payload, claims.roles);
  if (roles.length !== 1) {
    throw roles.length === 0 ? noMembership() : forbidden('Your account has more than one Good Start role; ask the LA to keep one.');
  }
  const role = roles[0] as Role;
  const p = base(identity, role, ACCESS_OF_CLAIM[role]);
  if (role === 'school') {
    const claimed = stringClaim(payload, claims.school);
    if (claimed === undefined) throw forbidden('Your account is not linked to a school.');
    const school = directory.find(claimed);
    if (!school) throw forbidden('Your account names a school that is not in the LA directory.');
    return { ...p, school: school.laestab };
  }
  if (role === 'trust') {
    const trust = stringClaim(payload, claims.trust);
    if (trust === undefined) throw forbidden('Your account is not linked to a trust.');
    if (directory.inTrust(trust).length === 0) throw forbidden('Your account names a trust with no schools in the LA directory.');
    return { ...p, trust };
  }
  return p;
}
