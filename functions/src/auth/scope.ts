/**
 * Who may touch which school's data (ARCHITECTURE.md, trust boundaries). Pure functions over a
 * verified Principal and the LA's directory; endpoints call these, never their own ad-hoc checks.
 */
import type { School, SchoolDirectory } from '../../../shared/schools';
import { forbidden } from '../http/problems';
import type { Principal, Role, Scoped } from './principal';

/** Only a school writes a return, and only its own. */
export function canWriteReturn(principal: Scoped, laestab: string): boolean {
  return principal.role === 'school' && principal.school !== undefined && principal.school === laestab;
}

/**
 * The directory's schools whose data the principal may read: school: its own; trust: the schools
 * the directory places in its trust; la: every school. Lists of schools (tracker, aggregates,
 * /me) come from here; no endpoint filters by trust itself.
 */
export function schoolsInScope(principal: Scoped, directory: SchoolDirectory): School[] {
  switch (principal.role) {
    case 'la':
      return [...directory.schools];
    case 'trust':
      return principal.trust === undefined ? [] : directory.inTrust(principal.trust);
    case 'school': {
      const own = principal.school === undefined ? undefined : directory.find(principal.school);
      return own === undefined ? [] : [own];
    }
  }
}

/** school: its own; trust: the schools the directory places in its trust; la: every school (as `schoolsInScope`). */
export function canReadSchool(principal: Scoped, laestab: string, directory: SchoolDirectory): boolean {
  switch (principal.role) {
    case 'la':
      // City-wide: whether the school exists is the endpoint's question (a 404), not a scope one.
      return true;
    case 'trust': {
      const school = directory.find(laestab);
      return school !== undefined && principal.trust !== undefined && school.trust === principal.trust;
    }
    case 'school':
      return principal.school !== undefined && principal.school === directory.laestabOf(laestab);
  }
}

/** Throws 403 unless the principal has one of `roles`. */
export function requireRole(principal: Scoped, ...roles: Role[]): void {
  if (!roles.includes(principal.role)) {
    throw forbidden(`This needs the ${roles.join(' or ')} role.`);
  }
}

/** Throws 403 unless `canWriteReturn`. */
export function requireWriteReturn(principal: Scoped, laestab: string): void {
  if (!canWriteReturn(principal, laestab)) throw forbidden(`You cannot submit a return for school ${laestab}.`);
}

/** Throws 403 unless `canReadSchool`. The directory is public (GIAS), so a 403 leaks nothing a 404 would hide. */
export function requireReadSchool(principal: Scoped, laestab: string, directory: SchoolDirectory): void {
  if (!canReadSchool(principal, laestab, directory)) throw forbidden(`You cannot read data for school ${laestab}.`);
}

/**
 * Throws 403 unless the principal acts under one of `accesses` (membership roles): for what only
 * an LA admin or a school approver may do beyond their API role (issue 25).
 */
export function requireAccess(principal: Pick<Principal, 'access'>, ...accesses: Principal['access'][]): void {
  if (!accesses.includes(principal.access)) {
    throw forbidden(accesses.length === 1 && accesses[0] === 'laAdmin' ? 'Only an LA admin can do this; ask the LA.' : `This needs the ${accesses.join(' or ')} role.`);
  }
}
