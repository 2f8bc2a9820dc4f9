/** Who is calling, as established from a verified token and nothing else (STYLE.md habit 5). */
import type { MembershipRole } from '../../../shared/identity';
import type { Role } from '../../../shared/roles';

export { ROLES, type Role } from '../../../shared/roles';

export interface Principal {
  /** The token's tenant id (`tid`, a GUID). With `oid`, the person: the same oid in another tenant is someone else. */
  tid: string;
  /** The token's object id (`oid`, a GUID) within that tenant. */
  oid: string;
  /** `<tid>/<oid>`: the person as one string, recorded by the audit log and keyed by idempotency. Never an e-mail. */
  subject: string;
  /** The API role scope checks use (auth/scope.ts), from the membership (or claim) acted under. */
  role: Role;
  /** The membership role acted under: `laAdmin` and `schoolApprover` may do more than their API role. */
  access: MembershipRole;
  /** The user's school LAESTAB, for the school role; checked against the LA's directory. */
  school?: string;
  /** The trust id, for the trust role; checked against the LA's directory. */
  trust?: string;
  /** Display name, for greeting the user in the add-in; never logged, never authorised on. */
  name?: string;
}

/** What scope checks read of a principal: tests and tools can build one without a token. */
export type Scoped = Pick<Principal, 'role'> & Partial<Principal>;

/**
 * What records who acted (audit, idempotency, a version's submitter) read of a principal: its
 * subject and role. Seeds and store-level tests name such an actor without a token.
 */
export type Actor = Pick<Principal, 'subject' | 'role'> & Partial<Principal>;
