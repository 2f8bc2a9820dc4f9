/**
 * Mints a dev token for the local API (AUTH_MODE=local) and prints it, alone, on stdout. Tokens
 * are shaped as Entra writes v2 access tokens (iss per tenant, tid, oid, aud, scp, ver 2.0) and
 * signed by the local key, offline:
 *
 *   npm run token -- --tenant <guid> --oid <guid> [--email <address>] [--name <name>]
 *   npm run token -- --role school --school 3302001     the seeded SENCo (the council's or the trust's tenant)
 *   npm run token -- --role trust --trust TRUST-OAK     the seeded trust lead, in the trust's tenant
 *   npm run token -- --role la [--admin]                the seeded LA officer (or LA admin), in the council's tenant
 *   TOKEN=$(npm run -s token -- --role la); curl -H "Authorization: Bearer $TOKEN" http://localhost:7071/api/me
 *
 * The shortcuts name the synthetic people `npm start` seeds from samples/schools.json
 * (functions/src/store/samplePeople.ts). Issuer, audience, scope, claim names and the key
 * directory come from the same settings the API reads, so the token matches the running API.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { GUID_PATTERN } from '../shared/identity';
import { schoolDirectorySchema } from '../shared/schools';
import { ROLES, type Role } from '../functions/src/auth';
import { parseConfig } from '../functions/src/config';
import { samplePeople } from '../functions/src/store/samplePeople';
import { SAMPLE_SCHOOLS_FILE } from '../functions/src/store/seed';
import { type DevTokenClaims, ensureDevKeys, mintDevToken } from './devKeys';

const USAGE =
  'usage: npm run token -- --tenant GUID --oid GUID [--email ADDRESS] [--name NAME] [--ttl 8h|30m|3600]\n' +
  '       npm run token -- --role school|trust|la [--school LAESTAB] [--trust ID] [--admin] [--name NAME] [--ttl …]';

export function parseTtl(text: string): number {
  const m = /^(\d+)([smhd]?)$/.exec(text.trim());
  if (!m?.[1]) throw new Error(`--ttl: "${text}" is not a duration like 3600, 30m, 8h or 1d`);
  const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86400 }[m[2] ?? ''] ?? 1;
  return Number(m[1]) * unit;
}

/** The seeded person a role shortcut names, from the sample directory. */
export function seededPerson(samplesDir: string, role: Role, scope: { school?: string; trust?: string; admin?: boolean }): DevTokenClaims {
  const schools = schoolDirectorySchema.parse(JSON.parse(fs.readFileSync(path.join(samplesDir, SAMPLE_SCHOOLS_FILE), 'utf8')));
  const { people } = samplePeople(schools);
  const found = people.find(({ grant }) => {
    if (!grant) return false;
    if (role === 'la') return grant.role === (scope.admin ? 'laAdmin' : 'laOfficer');
    if (role === 'trust') return grant.role === 'trustLead' && grant.trust === scope.trust;
    return grant.role === 'senco' && grant.school === scope.school;
  });
  if (!found) throw new Error(`No seeded ${role === 'school' ? `SENCo of ${scope.school}` : role === 'trust' ? `trust lead of ${scope.trust}` : 'LA person'} in ${SAMPLE_SCHOOLS_FILE}.`);
  // The role claims ride along for a deployment on the claims source; memberships ignore them.
  return { tid: found.tid, oid: found.oid, name: found.name, email: found.email, role, ...(scope.school ? { school: scope.school } : {}), ...(scope.trust ? { trust: scope.trust } : {}) };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      tenant: { type: 'string' },
      oid: { type: 'string' },
      email: { type: 'string' },
      role: { type: 'string' },
      school: { type: 'string' },
      trust: { type: 'string' },
      admin: { type: 'boolean' },
      name: { type: 'string' },
      ttl: { type: 'string', default: '8h' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const config = parseConfig(process.env);
  if (config.auth.mode !== 'local') throw new Error('AUTH_MODE is not local: the API would not accept a dev token.');

  let claims: DevTokenClaims;
  if (values.tenant !== undefined || values.oid !== undefined) {
    if (!values.tenant || !GUID_PATTERN.test(values.tenant)) throw new Error(`--tenant must be a lowercase GUID\n${USAGE}`);
    if (!values.oid || !GUID_PATTERN.test(values.oid)) throw new Error(`--oid must be a lowercase GUID\n${USAGE}`);
    claims = { tid: values.tenant, oid: values.oid, ...(values.email ? { email: values.email } : {}) };
  } else {
    if (!values.role || !(ROLES as readonly string[]).includes(values.role)) throw new Error(`give --tenant and --oid, or --role one of ${ROLES.join(', ')}\n${USAGE}`);
    const role = values.role as Role;
    if (role === 'school' && !values.school) throw new Error(`--role school needs --school LAESTAB\n${USAGE}`);
    if (role === 'trust' && !values.trust) throw new Error(`--role trust needs --trust ID\n${USAGE}`);
    claims = seededPerson(config.samplesDir, role, { ...(values.school ? { school: values.school } : {}), ...(values.trust ? { trust: values.trust } : {}), ...(values.admin ? { admin: true } : {}) });
  }
  if (values.name) claims = { ...claims, name: values.name };

  const key = await ensureDevKeys(config.auth.localKeyDir);
  const token = await mintDevToken(key, claims, {
    ttlSeconds: parseTtl(values.ttl),
    issuer: config.auth.issuer,
    audience: config.auth.audience,
    scope: config.auth.scope,
    claimNames: config.auth.claims,
  });
  process.stdout.write(`${token}\n`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  });
}
