/**
 * The synthetic people and tenants of local mode (issue 25), derived from the sample directory so
 * they follow it: the council's tenant holds the LA admin, an LA officer and the SENCo of every
 * maintained school; each trust's tenant holds its academies' SENCos and its trust lead. Every id
 * is a fixed synthetic GUID (a hash of what the person is), so `npm run token -- --role …`, the dev
 * picker, the seed and the test harness all name the same person without sharing state.
 *
 * Synthetic data only: no real tenant, person or address.
 */
import { createHash } from 'node:crypto';
import type { Grant } from '../../../shared/identity';
import type { Role } from '../../../shared/roles';
import type { School } from '../../../shared/schools';
import { LOCAL_TENANT_ID } from '../config';

/** A GUID that is a pure function of `label`: the same label always names the same synthetic id. */
export function syntheticGuid(label: string): string {
  const h = createHash('sha256').update(`goodstart-synthetic:${label}`).digest('hex');
  // Version 4 and variant 10xx nibbles, so it reads as an ordinary random GUID.
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${((parseInt(h[16] as string, 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** The council's synthetic tenant: the LA's own people and its maintained schools. */
export const COUNCIL_TENANT = LOCAL_TENANT_ID;
export const COUNCIL_TENANT_NAME = 'Birmingham City Council (synthetic)';

/** A trust's synthetic tenant: its academies and its trust lead. */
export function trustTenant(trust: string): string {
  return syntheticGuid(`tenant:trust:${trust}`);
}

/** The oid of the synthetic person who holds a role: the same whichever tool mints their token. */
export function devOid(claims: { role: Role | 'laAdmin'; school?: string; trust?: string; sub?: string }): string {
  if (claims.sub !== undefined) return syntheticGuid(`person:sub:${claims.sub}`);
  return syntheticGuid(`person:${claims.role}:${claims.school ?? claims.trust ?? ''}`);
}

/** The tenant the synthetic holder of a role is in, when only the role and scope are known. */
export function devTenant(claims: { trust?: string }): string {
  return claims.trust !== undefined ? trustTenant(claims.trust) : COUNCIL_TENANT;
}

export interface SampleTenant {
  tid: string;
  name: string;
}

export interface SamplePerson {
  tid: string;
  oid: string;
  name: string;
  email: string;
  /** What they hold. A person without a grant has none yet (the invitations work seeds such a person). */
  grant?: Grant;
}

const slug = (text: string) => text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');

/** The synthetic tenants and people for a directory. */
export function samplePeople(schools: readonly School[]): { tenants: SampleTenant[]; people: SamplePerson[] } {
  const trusts = [...new Set(schools.flatMap((s) => (s.trust === null ? [] : [s.trust])))].sort();
  const tenants: SampleTenant[] = [
    { tid: COUNCIL_TENANT, name: COUNCIL_TENANT_NAME },
    ...trusts.map((t) => ({ tid: trustTenant(t), name: `${t} (synthetic trust)` })),
  ];
  const people: SamplePerson[] = [
    { tid: COUNCIL_TENANT, oid: devOid({ role: 'laAdmin' }), name: 'Dev LA admin', email: 'la.admin@council.example', grant: { role: 'laAdmin' } },
    { tid: COUNCIL_TENANT, oid: devOid({ role: 'la' }), name: 'Dev LA officer', email: 'la.officer@council.example', grant: { role: 'laOfficer' } },
    ...schools.map((s): SamplePerson => ({
      tid: devTenant(s.trust === null ? {} : { trust: s.trust }),
      oid: devOid({ role: 'school', school: s.laestab }),
      // The same display name for every SENCo, as the dev sign-in has always given: the school is beside it in the pane.
      name: 'Dev SENCo',
      email: `senco.${s.laestab}@${s.trust === null ? 'council' : slug(s.trust)}.example`,
      grant: { role: 'senco', school: s.laestab },
    })),
    ...trusts.map((t): SamplePerson => ({
      tid: trustTenant(t),
      oid: devOid({ role: 'trust', trust: t }),
      name: 'Dev trust lead',
      email: `trust.lead@${slug(t)}.example`,
      grant: { role: 'trustLead', trust: t },
    })),
  ];
  return { tenants, people };
}
