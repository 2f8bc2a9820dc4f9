/** What the identity endpoints share: the scope a list asks for, the id in the path, the body cap. */
import type { HttpRequest } from '@azure/functions';
import type { Principal } from '../auth';
import { invalidParameter } from '../http/params';
import type { Actor, ScopeFilter } from './service';

/** (design) Invitations, requests and decisions are an e-mail, a role, a scope and a short note: well under 4 KiB. */
export const MAX_IDENTITY_BODY_BYTES = 4 * 1024;

/** `?school=<laestab>` or `?trust=<id>`; neither asks for everything (LA admins only). */
export function scopeFilterParam(request: HttpRequest): ScopeFilter {
  const school = request.query.get('school');
  const trust = request.query.get('trust');
  if (school !== null && trust !== null) throw invalidParameter('school', 'Ask for one school or one trust, not both.');
  if (school !== null) {
    if (!/^\d{7}$/.test(school.trim())) throw invalidParameter('school', 'A school is identified by its 7-digit LAESTAB.');
    return { school: school.trim() };
  }
  if (trust !== null) {
    if (!/^[A-Za-z0-9_-]{1,40}$/.test(trust.trim())) throw invalidParameter('trust', 'A trust is identified by its id in the LA directory.');
    return { trust: trust.trim() };
  }
  return {};
}

/** `{id}` in the path: an invitation's, request's or membership's id (a UUID). */
export function idParam(request: HttpRequest): string {
  const id = request.params['id'] ?? '';
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(id)) throw invalidParameter('id', 'The id is the one the list gave (letters, digits, - and _).');
  return id;
}

export function actorOf(principal: Principal): Actor {
  return {
    tid: principal.tid,
    oid: principal.oid,
    subject: principal.subject,
    access: principal.access,
    ...(principal.school !== undefined ? { school: principal.school } : {}),
    ...(principal.trust !== undefined ? { trust: principal.trust } : {}),
    ...(principal.name !== undefined ? { name: principal.name } : {}),
  };
}

export const NO_STORE = { 'cache-control': 'no-store' } as const;
