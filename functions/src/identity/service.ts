/**
 * Membership management (issue 25): invitations, access requests, removals, and the audit entry
 * each change writes. The endpoints in functions/src/functions/{invitations,accessRequests,
 * memberships,audit}*.ts are thin: they authenticate, read the body, and call one method here.
 *
 * Who may do what:
 * - an LA admin manages every scope (any school, any trust, the LA);
 * - a school approver manages its own school only, and only its roles (SENCo, school approver);
 * - nobody grants themselves a role (the membership store refuses it), so nobody accepts their own
 *   invitation or approves their own request.
 *
 * One change of state, one audit entry: every state change is a write conditioned on the etag
 * read (invitations, requests) or a store operation that reports whether it changed anything
 * (memberships), and only the request whose write won records the entry. A concurrent accept and
 * revoke of one invitation leave one outcome and one entry; the loser is told what happened.
 *
 * An e-mail address only finds an invitation at the moment it is claimed; after that the person
 * is their (tid, oid), as everywhere else.
 */
import { randomUUID } from 'node:crypto';
import {
  type AccessRequest,
  type AccessRequestBody,
  describeGrant,
  type IdentityAuditEntry,
  type Invitation,
  type InvitationRequest,
  type Member,
  type MyAccess,
  type PendingInvitation,
  scopeKeyOf,
  toGrant,
} from '../../../shared/api/identity';
import { type Grant, MEMBERSHIP_ROLE_NAMES, type MembershipRole, subjectOf } from '../../../shared/identity';
import type { SchoolDirectory } from '../../../shared/schools';
import { forbidden, HttpProblem, SpecificProblem } from '../http/problems';
import type { AccessRequestDocument, AccessRequestStore } from '../store/accessRequests';
import type { IdentityAuditLog, NewIdentityAuditEntry } from '../store/identityAudit';
import { type InvitationDocument, type InvitationStore, toInvitation } from '../store/invitations';
import { type MembershipStore, SelfGrantError } from '../store/memberships';
import { toAccessRequest } from '../store/accessRequests';

/** (design) An invitation is single use and lasts 7 days (issue 25; DfE Sign-in's is similar). */
export const INVITATION_TTL_MS = 7 * 24 * 60 * 60 * 1000;

/** Who is acting: a signed-in person with a role (the Principal's fields this reads). */
export interface Actor {
  tid: string;
  oid: string;
  subject: string;
  access: MembershipRole;
  school?: string;
  trust?: string;
  name?: string;
}

/** A signed-in person who may hold no role yet: claiming an invitation, asking for access. */
export interface Claimant {
  tid: string;
  oid: string;
  name?: string;
  /** From the token, lowercased: finds an invitation at the moment of claiming, nothing else. */
  email?: string;
}

export interface IdentityDeps {
  invitations: InvitationStore;
  requests: AccessRequestStore;
  memberships: MembershipStore;
  audit: IdentityAuditLog;
  directory: () => Promise<SchoolDirectory>;
  /** Counts one invitation or request against the person's hourly limit (identity/limits.ts); throws 429 past it. */
  countAgainstLimit: (subject: string, purpose: 'invitations' | 'requests') => Promise<void>;
  now?: () => Date;
  correlationId: string;
}

/** Which records a list asks for: a school's, a trust's, or (LA admins) all. */
export type ScopeFilter = { school: string } | { trust: string } | Record<string, never>;

const personOf = (subject: string): { tid: string; oid: string } => {
  const [tid = '', oid = ''] = subject.split('/');
  return { tid, oid };
};

function scopeOfGrant(grant: Grant): { scope: string; school?: string; trust?: string } {
  return { scope: scopeKeyOf(grant), ...('school' in grant ? { school: grant.school } : {}), ...('trust' in grant ? { trust: grant.trust } : {}) };
}

function flat(grant: Grant): { role: MembershipRole; school?: string; trust?: string } {
  return { role: grant.role, ...('school' in grant ? { school: grant.school } : {}), ...('trust' in grant ? { trust: grant.trust } : {}) };
}

/** Whether `actor` may invite, approve or remove for `grant`'s role and scope. */
export function canManage(actor: Pick<Actor, 'access' | 'school'>, grant: { role: MembershipRole; school?: string | undefined }): boolean {
  if (actor.access === 'laAdmin') return true;
  return actor.access === 'schoolApprover' && actor.school !== undefined && grant.school === actor.school && (grant.role === 'senco' || grant.role === 'schoolApprover');
}

/** Whether `actor` may read a scope's people, invitations, requests and audit. */
export function canRead(actor: Pick<Actor, 'access' | 'school'>, filter: ScopeFilter): boolean {
  if (actor.access === 'laAdmin') return true;
  return actor.access === 'schoolApprover' && 'school' in filter && filter.school === actor.school;
}

function requireManage(actor: Actor, grant: { role: MembershipRole; school?: string | undefined }): void {
  if (canManage(actor, grant)) return;
  throw forbidden(
    actor.access === 'schoolApprover'
      ? 'A school approver can invite, approve and remove SENCos and approvers for their own school only. Ask the LA’s Good Start admin for anything else.'
      : 'Only an LA admin or the school’s approver can manage who has access. Ask the LA’s Good Start admin.',
  );
}

export function requireRead(actor: Actor, filter: ScopeFilter): void {
  if (canRead(actor, filter)) return;
  throw forbidden(actor.access === 'schoolApprover' ? 'A school approver sees its own school’s people only: add ?school= with your school.' : 'Only an LA admin or the school’s approver can see who has access.');
}

const filterKey = (filter: ScopeFilter): string | undefined => ('school' in filter ? `school:${filter.school}` : 'trust' in filter ? `trust:${filter.trust}` : undefined);

export class IdentityService {
  private readonly now: () => Date;

  constructor(private readonly deps: IdentityDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  private async audit(entry: Omit<NewIdentityAuditEntry, 'correlationId'>): Promise<IdentityAuditEntry> {
    return this.deps.audit.record({ ...entry, correlationId: this.deps.correlationId });
  }

  /** The school's or trust's name, or "the LA"; 404 for a school not in the directory. */
  private async scopeName(grant: Grant): Promise<string> {
    if ('school' in grant) {
      const school = (await this.deps.directory()).find(grant.school);
      if (!school) throw new HttpProblem('not-found', { detail: `There is no school ${grant.school} in the LA directory.` });
      return school.name;
    }
    if ('trust' in grant) {
      if ((await this.deps.directory()).inTrust(grant.trust).length === 0) throw new HttpProblem('not-found', { detail: `There is no trust ${grant.trust} in the LA directory.` });
      return grant.trust;
    }
    return 'the LA';
  }

  // -------------------------------------------------------------------------------------------
  // Invitations

  async invite(actor: Actor, body: InvitationRequest): Promise<Invitation> {
    const grant = toGrant(body);
    requireManage(actor, grant);
    const scopeName = await this.scopeName(grant);
    await this.deps.countAgainstLimit(actor.subject, 'invitations');
    const created = this.now();
    const doc: InvitationDocument = {
      id: randomUUID(),
      scopeKey: scopeKeyOf(grant),
      email: body.email.trim().toLowerCase(),
      ...flat(grant),
      scopeName,
      state: 'pending',
      invitedBy: actor.subject,
      invitedByName: actor.name ?? MEMBERSHIP_ROLE_NAMES[actor.access],
      createdAt: created.toISOString(),
      expiresAt: new Date(created.getTime() + INVITATION_TTL_MS).toISOString(),
    };
    await this.deps.invitations.create(doc);
    await this.audit({
      ...scopeOfGrant(grant),
      who: actor.subject,
      type: 'invitation',
      subType: 'user-invited',
      target: doc.id,
      edited: [
        { name: 'email', oldValue: null, newValue: doc.email },
        { name: 'role', oldValue: null, newValue: describeGrant(grant, scopeName) },
      ],
      reason: null,
    });
    return toInvitation(doc);
  }

  /**
   * Marks a pending invitation past its expiry as expired, audited once (the write is conditional:
   * of two requests noticing it, one records it). Returns the document as it now stands.
   */
  private async expireIfDue(doc: InvitationDocument, etag: string): Promise<InvitationDocument> {
    if (doc.state !== 'pending' || Date.parse(doc.expiresAt) > this.now().getTime()) return doc;
    const next: InvitationDocument = { ...doc, state: 'expired', endedAt: this.now().toISOString() };
    if (await this.deps.invitations.transition(next, etag)) {
      await this.audit({ ...scopeOfGrant(toGrant(doc)), who: 'system', type: 'invitation', subType: 'invitation-expired', target: doc.id, edited: [{ name: 'state', oldValue: 'pending', newValue: 'expired' }], reason: 'Not claimed within 7 days' });
      return next;
    }
    return (await this.deps.invitations.get(doc.id))?.doc ?? next;
  }

  async listInvitations(actor: Actor, filter: ScopeFilter): Promise<Invitation[]> {
    requireRead(actor, filter);
    const docs = await this.deps.invitations.list(filterKey(filter));
    const out: Invitation[] = [];
    for (const doc of docs) {
      const current = doc.state === 'pending' && Date.parse(doc.expiresAt) <= this.now().getTime() ? await this.refreshExpiry(doc.id) : doc;
      if (current) out.push(toInvitation(current));
    }
    return out;
  }

  private async refreshExpiry(id: string): Promise<InvitationDocument | undefined> {
    const read = await this.deps.invitations.get(id);
    return read === undefined ? undefined : this.expireIfDue(read.doc, read.etag);
  }

  /** The problem for an invitation no longer pending: claimed is 409, revoked or expired 410. */
  private static ended(doc: InvitationDocument): HttpProblem {
    if (doc.state === 'claimed') return new SpecificProblem('invitation-claimed', { detail: 'This invitation has already been used: each invitation can be accepted once.' });
    if (doc.state === 'revoked') return new SpecificProblem('invitation-revoked', { detail: 'This invitation was withdrawn. Ask whoever invited you.' });
    return new SpecificProblem('invitation-expired', { detail: 'This invitation has expired (invitations last 7 days). Ask whoever invited you to invite you again.' });
  }

  /** The pending invitation for the claimant's e-mail, as they are shown it; null when there is none. */
  async pendingInvitationFor(claimant: Claimant): Promise<PendingInvitation | null> {
    if (claimant.email === undefined) return null;
    for (const doc of await this.deps.invitations.pendingFor(claimant.email)) {
      const current = await this.refreshExpiry(doc.id);
      if (current?.state !== 'pending') continue;
      return {
        id: current.id,
        role: current.role,
        ...(current.school !== undefined ? { school: current.school } : {}),
        ...(current.trust !== undefined ? { trust: current.trust } : {}),
        scopeName: current.scopeName,
        invitedByName: current.invitedByName,
        expiresAt: current.expiresAt,
        text: `You are invited as ${describeGrant(current, current.scopeName)} by ${current.invitedByName}`,
      };
    }
    return null;
  }

  /**
   * Claims an invitation for the signed-in person: it must be theirs (the token's e-mail, now),
   * pending and unexpired, and from the school's own tenant where the directory records one.
   * Binds their (tid, oid) to the role; the invitation is then used up.
   */
  async accept(claimant: Claimant, id: string): Promise<{ invitation: Invitation; member: Member }> {
    const read = await this.deps.invitations.get(id);
    // Someone else's invitation is as good as none: its existence is not the caller's business.
    if (read === undefined || claimant.email === undefined || read.doc.email !== claimant.email) {
      throw new HttpProblem('not-found', { detail: 'There is no invitation with that id for the e-mail address you signed in with.' });
    }
    const doc = await this.expireIfDue(read.doc, read.etag);
    if (doc.state !== 'pending') throw IdentityService.ended(doc);
    const grant = toGrant(doc);
    if ('school' in grant) {
      const tenantId = (await this.deps.directory()).find(grant.school)?.tenantId;
      if (tenantId !== undefined && tenantId !== claimant.tid) {
        throw new SpecificProblem('invitation-wrong-tenant', {
          detail: `This invitation is for ${doc.scopeName}'s own Microsoft 365 organisation. Sign out, sign in with your ${doc.scopeName} account, and accept it again.`,
        });
      }
    }
    const subject = subjectOf(claimant.tid, claimant.oid);
    if (doc.invitedBy === subject) throw forbidden('You cannot accept an invitation you sent: nobody can grant themselves a role.');
    const claimed: InvitationDocument = { ...doc, state: 'claimed', claimedBy: subject, endedAt: this.now().toISOString() };
    if (!(await this.deps.invitations.transition(claimed, read.etag))) {
      // Someone revoked or claimed it between our read and our write: theirs is the outcome.
      const now = (await this.deps.invitations.get(id))?.doc;
      throw IdentityService.ended(now ?? doc);
    }
    const { membership } = await this.deps.memberships.grant(personOf(doc.invitedBy), { tid: claimant.tid, oid: claimant.oid, ...(claimant.name !== undefined ? { name: claimant.name } : {}) }, grant);
    await this.audit({
      ...scopeOfGrant(grant),
      who: subject,
      type: 'invitation',
      subType: 'invitation-claimed',
      target: subject,
      edited: [
        { name: 'invitation', oldValue: 'pending', newValue: 'claimed' },
        { name: 'role', oldValue: null, newValue: describeGrant(grant, doc.scopeName) },
      ],
      reason: null,
    });
    return { invitation: toInvitation(claimed), member: this.memberOf({ tid: claimant.tid, oid: claimant.oid, ...(claimant.name !== undefined ? { name: claimant.name } : {}) }, membership, doc.scopeName) };
  }

  /** Withdraws a pending invitation (approvers of its school, LA admins). */
  async revoke(actor: Actor, id: string): Promise<Invitation> {
    const read = await this.deps.invitations.get(id);
    if (read === undefined) throw new HttpProblem('not-found', { detail: 'There is no invitation with that id.' });
    requireManage(actor, read.doc);
    const doc = await this.expireIfDue(read.doc, read.etag);
    if (doc.state !== 'pending') throw IdentityService.ended(doc);
    const revoked: InvitationDocument = { ...doc, state: 'revoked', endedAt: this.now().toISOString() };
    if (!(await this.deps.invitations.transition(revoked, read.etag))) {
      throw IdentityService.ended((await this.deps.invitations.get(id))?.doc ?? doc);
    }
    await this.audit({ ...scopeOfGrant(toGrant(doc)), who: actor.subject, type: 'invitation', subType: 'invitation-revoked', target: doc.id, edited: [{ name: 'state', oldValue: 'pending', newValue: 'revoked' }], reason: null });
    return toInvitation(revoked);
  }

  // -------------------------------------------------------------------------------------------
  // Access requests

  /** Who can approve a request for `grant`: the school's approvers, and the LA's admins. */
  private async reviewersOf(grant: Grant): Promise<string[]> {
    const approves = (m: Grant): boolean => m.role === 'laAdmin' || (m.role === 'schoolApprover' && canManage({ access: 'schoolApprover', school: m.school }, flat(grant)));
    const people = await this.deps.memberships.list();
    return [...new Set(people.filter((p) => p.memberships.some(approves)).map((p) => p.name ?? 'a Good Start approver'))].sort();
  }

  async requestAccess(claimant: Claimant, body: AccessRequestBody): Promise<{ request: AccessRequest; reviewers: string[] }> {
    const grant = toGrant(body);
    const scopeName = await this.scopeName(grant);
    const subject = subjectOf(claimant.tid, claimant.oid);
    await this.deps.countAgainstLimit(subject, 'requests');
    const held = (await this.deps.memberships.get(claimant))?.memberships ?? [];
    if (held.some((m) => scopeKeyOf(m) === scopeKeyOf(grant) && m.role === grant.role)) throw new HttpProblem('conflict', { detail: `You are already ${describeGrant(grant, scopeName)}.` });
    const pending = (await this.deps.requests.of(claimant)).find((r) => r.state === 'pending' && r.role === grant.role && r.scopeKey === scopeKeyOf(grant));
    if (pending) throw new HttpProblem('conflict', { detail: 'You have already asked for this; the approvers will see your request.' });
    const doc: AccessRequestDocument = {
      id: randomUUID(),
      scopeKey: scopeKeyOf(grant),
      tid: claimant.tid,
      oid: claimant.oid,
      ...(claimant.name !== undefined ? { name: claimant.name } : {}),
      ...(claimant.email !== undefined ? { email: claimant.email } : {}),
      ...flat(grant),
      scopeName,
      ...(body.message !== undefined && body.message !== '' ? { message: body.message } : {}),
      state: 'pending',
      requestedAt: this.now().toISOString(),
    };
    await this.deps.requests.create(doc);
    await this.audit({ ...scopeOfGrant(grant), who: subject, type: 'access-request', subType: 'access-requested', target: subject, edited: [{ name: 'role', oldValue: null, newValue: describeGrant(grant, scopeName) }], reason: doc.message ?? null });
    return { request: toAccessRequest(doc), reviewers: await this.reviewersOf(grant) };
  }

  async listRequests(actor: Actor, filter: ScopeFilter): Promise<AccessRequest[]> {
    requireRead(actor, filter);
    return (await this.deps.requests.list(filterKey(filter))).map(toAccessRequest);
  }

  /** Approves (granting the role) or declines a pending request, with a reason; audited once. */
  async decide(actor: Actor, id: string, decision: 'approved' | 'declined', reason: string | undefined): Promise<AccessRequest> {
    const read = await this.deps.requests.get(id);
    if (read === undefined) throw new HttpProblem('not-found', { detail: 'There is no access request with that id.' });
    const { doc, etag } = read;
    requireManage(actor, doc);
    if (doc.state !== 'pending') throw new SpecificProblem('request-decided', { detail: `This request was already ${doc.state}${doc.decidedByName ? ` by ${doc.decidedByName}` : ''}.` });
    if (doc.tid === actor.tid && doc.oid === actor.oid) throw forbidden('You cannot decide your own access request: nobody can grant themselves a role.');
    const next: AccessRequestDocument = {
      ...doc,
      state: decision,
      decidedBy: actor.subject,
      ...(actor.name !== undefined ? { decidedByName: actor.name } : {}),
      decidedAt: this.now().toISOString(),
      ...(reason !== undefined ? { reason } : {}),
    };
    if (!(await this.deps.requests.transition(next, etag))) throw new SpecificProblem('request-decided', { detail: 'Someone decided this request at the same moment; reload to see their decision.' });
    const grant = toGrant(doc);
    if (decision === 'approved') {
      try {
        await this.deps.memberships.grant(actor, { tid: doc.tid, oid: doc.oid, ...(doc.name !== undefined ? { name: doc.name } : {}) }, grant);
      } catch (error) {
        if (error instanceof SelfGrantError) throw forbidden(error.message);
        throw error;
      }
    }
    await this.audit({
      ...scopeOfGrant(grant),
      who: actor.subject,
      type: 'access-request',
      subType: decision === 'approved' ? 'access-approved' : 'access-declined',
      target: subjectOf(doc.tid, doc.oid),
      edited: [{ name: 'request', oldValue: 'pending', newValue: decision }, ...(decision === 'approved' ? [{ name: 'role', oldValue: null, newValue: describeGrant(grant, doc.scopeName) }] : [])],
      reason: reason ?? null,
    });
    return toAccessRequest(next);
  }

  /** The claimant's own access: a pending invitation for their e-mail, and their requests with outcomes. */
  async myAccess(claimant: Claimant): Promise<MyAccess> {
    const [invitation, requests] = await Promise.all([this.pendingInvitationFor(claimant), this.deps.requests.of(claimant)]);
    return { invitation, requests: requests.map(toAccessRequest) };
  }

  // -------------------------------------------------------------------------------------------
  // Memberships

  private memberOf(person: { tid: string; oid: string; name?: string }, m: { id: string; role: MembershipRole; school?: string; trust?: string; grantedBy: string; grantedAt: string }, scopeName: string): Member {
    return {
      id: m.id,
      tid: person.tid,
      oid: person.oid,
      ...(person.name !== undefined ? { name: person.name } : {}),
      role: m.role,
      ...(m.school !== undefined ? { school: m.school } : {}),
      ...(m.trust !== undefined ? { trust: m.trust } : {}),
      scopeName,
      grantedBy: m.grantedBy,
      grantedAt: m.grantedAt,
    };
  }

  async listMembers(actor: Actor, filter: ScopeFilter): Promise<Member[]> {
    requireRead(actor, filter);
    const key = filterKey(filter);
    const directory = await this.deps.directory();
    const out: Member[] = [];
    for (const person of await this.deps.memberships.list()) {
      for (const m of person.memberships) {
        if (key !== undefined && scopeKeyOf(m) !== key) continue;
        const scopeName = 'school' in m ? directory.find(m.school)?.name ?? m.school : 'trust' in m ? m.trust : 'the LA';
        out.push(this.memberOf(person, m as never, scopeName));
      }
    }
    return out.sort((a, b) => a.scopeName.localeCompare(b.scopeName) || a.role.localeCompare(b.role) || (a.name ?? '').localeCompare(b.name ?? ''));
  }

  /** Removes one membership; effective on the holder's next request (nothing is cached). */
  async removeMembership(actor: Actor, id: string): Promise<Member> {
    const people = await this.deps.memberships.list();
    const holder = people.find((p) => p.memberships.some((m) => m.id === id));
    const held = holder?.memberships.find((m) => m.id === id);
    if (holder === undefined || held === undefined) throw new HttpProblem('not-found', { detail: 'There is no membership with that id.' });
    requireManage(actor, flat(held));
    if (holder.tid === actor.tid && holder.oid === actor.oid) throw new HttpProblem('conflict', { detail: 'You cannot remove your own role: you would lose access. Ask another approver or the LA’s Good Start admin.' });
    const removed = await this.deps.memberships.remove(holder, id);
    if (removed === undefined) throw new HttpProblem('not-found', { detail: 'That membership has just been removed by someone else.' });
    const scopeName = await this.scopeName(held).catch(() => ('school' in held ? held.school : 'trust' in held ? held.trust : 'the LA'));
    const target = subjectOf(holder.tid, holder.oid);
    await this.audit({ ...scopeOfGrant(held), who: actor.subject, type: 'membership', subType: 'membership-removed', target, edited: [{ name: 'role', oldValue: describeGrant(held, scopeName), newValue: null }], reason: null });
    return this.memberOf(holder, removed as never, scopeName);
  }

  // -------------------------------------------------------------------------------------------
  // Audit

  async readAudit(actor: Actor, filter: ScopeFilter): Promise<IdentityAuditEntry[]> {
    requireRead(actor, filter);
    return this.deps.audit.list(filterKey(filter));
  }
}
