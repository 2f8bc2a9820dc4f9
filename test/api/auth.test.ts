/**
 * Bearer-token authentication and scope, end to end: real tokens against GET /api/me on the
 * local host, over the embedded Cosmos server (which holds the school directory).
 */
import { HttpRequest } from '@azure/functions';
import { base64url, exportJWK, generateKeyPair, importJWK, SignJWT } from 'jose';
import { createAuthenticator, DEV_PUBLIC_JWKS_FILE, localKeySource, TENANT_NOT_REGISTERED_DETAIL } from '../../functions/src/auth';
import { canReadSchool, canWriteReturn, requireRole } from '../../functions/src/auth/scope';
import { LOCAL_AUDIENCE } from '../../functions/src/config';
import { SelfGrantError } from '../../functions/src/store/memberships';
import { COUNCIL_TENANT, devOid, trustTenant } from '../../functions/src/store/samplePeople';
import { subjectOf } from '../../shared/identity';
import { SchoolDirectory } from '../../shared/schools';
import { mintDevToken } from '../../scripts/devKeys';
import { startStack, type Stack, TEST_SCHOOLS } from './harness';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack.stop();
});

const me = (token?: string) => stack.fetch('/me', token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } });
const now = () => Math.floor(Date.now() / 1000);

async function expectInvalidToken(response: Response): Promise<void> {
  expect(response.status).toBe(401);
  expect(response.headers.get('content-type')).toBe('application/problem+json');
  expect(response.headers.get('www-authenticate')).toBe('Bearer realm="goodstart", error="invalid_token"');
  const body = (await response.json()) as { type: string; status: number };
  expect(body.type).toBe('https://goodstart.birmingham.example/problems/invalid-token');
  expect(body.status).toBe(401);
}

/** Re-signs nothing: swaps the payload of a signed token, keeping header and signature. */
function withPayload(token: string, payload: Record<string, unknown>): string {
  const [header, , signature] = token.split('.');
  return `${header}.${base64url.encode(JSON.stringify(payload))}.${signature}`;
}

describe('a valid token', () => {
  it('gets 200 with the principal (tid, oid) and the role its membership gives', async () => {
    const res = await me(await stack.token({ role: 'school', school: '3302001', name: 'Dev Senco' }));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { principal: unknown; memberships: unknown[]; pendingInvitation: unknown; schools: { laestab: string }[] };
    const oid = devOid({ role: 'school', school: '3302001' });
    expect(body.principal).toEqual({ tid: COUNCIL_TENANT, oid, subject: subjectOf(COUNCIL_TENANT, oid), role: 'school', access: 'senco', school: '3302001', name: 'Dev Senco' });
    expect(body.memberships).toEqual([expect.objectContaining({ role: 'senco', school: '3302001' })]);
    expect(body.pendingInvitation).toBeNull();
    expect(body.schools.map((s) => s.laestab)).toEqual(['3302001']);
  });

  it('gives a trust its schools and the LA none in particular', async () => {
    const trust = (await (await me(await stack.token({ role: 'trust', trust: 'T1' }))).json()) as { schools: { laestab: string }[] };
    expect(trust.schools.map((s) => s.laestab).sort()).toEqual(['3302002', '3302003', '3304001']);
    const la = await me(await stack.token({ role: 'la' }));
    expect(la.status).toBe(200);
    expect(((await la.json()) as { principal: unknown }).principal).toMatchObject({ tid: COUNCIL_TENANT, oid: devOid({ role: 'la' }), role: 'la', access: 'laOfficer' });
  });

  it('is accepted within the clock tolerance after expiry', async () => {
    const t = now();
    const res = await me(await stack.token({ role: 'la' }, { now: t - 3600, ttlSeconds: 3600 - 30 }));
    expect(res.status).toBe(200);
  });

  it('ignores identity in the query string', async () => {
    const token = await stack.token({ role: 'school', school: '3302001' });
    const res = await stack.fetch('/me?school=3304002&role=la', { headers: { authorization: `Bearer ${token}` } });
    expect(((await res.json()) as { principal: unknown }).principal).toMatchObject({ role: 'school', school: '3302001' });
  });
});

describe('401 invalid_token', () => {
  it('for a missing token, with a bare Bearer challenge (RFC 6750 §3.1)', async () => {
    const res = await me();
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="goodstart"');
    expect(res.headers.get('content-type')).toBe('application/problem+json');
  });

  it('for a non-bearer Authorization header', async () => {
    await expectInvalidToken(await stack.fetch('/me', { headers: { authorization: 'Basic dXNlcjpwYXNz' } }));
  });

  it('for an expired token', async () => {
    await expectInvalidToken(await me(await stack.token({ role: 'la' }, { now: now() - 7200, ttlSeconds: 3600 })));
  });

  it('for a token not yet valid', async () => {
    await expectInvalidToken(await me(await stack.token({ role: 'la' }, { notBefore: now() + 600 })));
  });

  it('for the wrong audience', async () => {
    await expectInvalidToken(await me(await stack.token({ role: 'la' }, { audience: 'api://someone-else' })));
  });

  it('for the wrong issuer', async () => {
    await expectInvalidToken(await me(await stack.token({ role: 'la' }, { issuer: 'https://evil.example/' })));
  });

  it('for alg none', async () => {
    const header = base64url.encode(JSON.stringify({ alg: 'none', typ: 'JWT' }));
    const payload = base64url.encode(
      JSON.stringify({ iss: stack.config.auth.issuer, aud: stack.config.auth.audience, sub: 'x', roles: ['la'], exp: now() + 600 }),
    );
    await expectInvalidToken(await me(`${header}.${payload}.`));
  });

  it('for HS256 signed with the public key as the secret', async () => {
    const publicJwk = stack.key.publicJwks.keys[0];
    const secret = new TextEncoder().encode(JSON.stringify(publicJwk));
    const token = await new SignJWT({ roles: ['la'] })
      .setProtectedHeader({ alg: 'HS256', kid: stack.key.kid })
      .setIssuer(stack.config.auth.issuer)
      .setAudience(stack.config.auth.audience)
      .setSubject('attacker')
      .setExpirationTime('10m')
      .sign(secret);
    await expectInvalidToken(await me(token));
  });

  it('for a tampered payload', async () => {
    const token = await stack.token({ role: 'school', school: '3302001' });
    const tampered = withPayload(token, {
      iss: stack.config.auth.issuer, aud: stack.config.auth.audience, sub: 'dev-school-3302001', roles: ['la'], exp: now() + 600,
    });
    await expectInvalidToken(await me(tampered));
  });

  it('for a token from another key, with an unknown kid or with our kid', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    expect(await exportJWK(publicKey)).toBeDefined();
    for (const kid of ['someone-elses-key', stack.key.kid]) {
      const token = await new SignJWT({ roles: ['la'] })
        .setProtectedHeader({ alg: 'ES256', kid })
        .setIssuer(stack.config.auth.issuer)
        .setAudience(stack.config.auth.audience)
        .setSubject('attacker')
        .setExpirationTime('10m')
        .sign(privateKey);
      await expectInvalidToken(await me(token));
    }
  });

  it('for a token without an expiry', async () => {
    const token = await new SignJWT({ roles: ['la'] })
      .setProtectedHeader({ alg: 'ES256', kid: stack.key.kid })
      .setIssuer(stack.config.auth.issuer)
      .setAudience(stack.config.auth.audience)
      .setSubject('forever')
      .sign(await importJWK(stack.key.privateJwk, 'ES256'));
    await expectInvalidToken(await me(token));
  });
});

describe('403 forbidden', () => {
  async function expectForbidden(response: Response): Promise<void> {
    expect(response.status).toBe(403);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(((await response.json()) as { type: string }).type).toBe('https://goodstart.birmingham.example/problems/forbidden');
  }

  it('for a school that is not in the LA directory', async () => {
    await expectForbidden(await me(await stack.token({ role: 'school', school: '3309999' })));
  });

  it('for a trust with no schools in the directory', async () => {
    await expectForbidden(await me(await stack.token({ role: 'trust', trust: 'T-UNKNOWN' })));
  });

  it('for memberships in two unrelated scopes, which the API cannot act for at once', async () => {
    const person = { tid: COUNCIL_TENANT, oid: '00000000-0000-4000-8000-0000000002a7' };
    await stack.store.memberships.grant('seed', person, { role: 'senco', school: '3302001' });
    await stack.store.memberships.grant('seed', person, { role: 'senco', school: '3304002' });
    await expectForbidden(await me(await stack.token(person)));
  });
});

describe('the dev JWKS', () => {
  it('is served in local mode, holds only the public key, with Microsoft\'s {tenantid} issuer template', async () => {
    const res = await stack.fetch('/.well-known/jwks.json');
    expect(res.status).toBe(200);
    const jwks = (await res.json()) as { keys: Record<string, unknown>[] };
    expect(jwks).toEqual(stack.key.publicJwks);
    expect(jwks.keys.every((k) => !('d' in k))).toBe(true);
    expect(jwks.keys.map((k) => k['issuer'])).toEqual(['https://login.microsoftonline.com/{tenantid}/v2.0']);
    expect(DEV_PUBLIC_JWKS_FILE).toMatch(/jwks/);
  });
});

describe('scope helpers', () => {
  const directory = new SchoolDirectory(TEST_SCHOOLS);
  const school = { role: 'school', school: '3302001' } as const;
  const trust = { subject: 't', role: 'trust', trust: 'T1' } as const;
  const la = { subject: 'l', role: 'la' } as const;

  it('lets a school write only its own return', () => {
    expect(canWriteReturn(school, '3302001')).toBe(true);
    expect(canWriteReturn(school, '3302002')).toBe(false);
    expect(canWriteReturn(la, '3302001')).toBe(false);
    expect(canWriteReturn(trust, '3302002')).toBe(false);
  });

  it('lets a school read its own, a trust its schools, the LA all', () => {
    expect(canReadSchool(school, '3302001', directory)).toBe(true);
    expect(canReadSchool(school, '990001', directory)).toBe(true);
    expect(canReadSchool(school, '3302002', directory)).toBe(false);
    expect(canReadSchool(trust, '3302002', directory)).toBe(true);
    expect(canReadSchool(trust, '3302001', directory)).toBe(false);
    expect(canReadSchool(la, '3304002', directory)).toBe(true);
  });

  it('requireRole throws a 403 problem for other roles', () => {
    expect(() => requireRole(la, 'la')).not.toThrow();
    expect(() => requireRole(school, 'la', 'trust')).toThrow(expect.objectContaining({ status: 403, slug: 'forbidden' }));
  });
});

describe('tokens from many tenants (memberships source)', () => {
  const OTHER = '00000000-0000-4000-8000-0000000000aa';
  const body = async (res: Response) => (await res.json()) as { type: string; detail?: string; principal: Record<string, unknown> };
  const seeded = (role: 'school' | 'trust', scope: string) => devOid(role === 'school' ? { role, school: scope } : { role, trust: scope });

  it('accepts the seeded people of two tenants, each with their own membership', async () => {
    const council = await me(await stack.token({ tid: COUNCIL_TENANT, oid: seeded('school', '3302001') }));
    expect((await body(council)).principal).toMatchObject({ tid: COUNCIL_TENANT, role: 'school', access: 'senco', school: '3302001' });
    const trust = await me(await stack.token({ tid: trustTenant('T1'), oid: seeded('school', '3302002') }));
    expect((await body(trust)).principal).toMatchObject({ tid: trustTenant('T1'), role: 'school', school: '3302002' });
    const lead = await me(await stack.token({ tid: trustTenant('T1'), oid: seeded('trust', 'T1') }));
    expect((await body(lead)).principal).toMatchObject({ role: 'trust', access: 'trustLead', trust: 'T1' });
  });

  it('gives the same oid in a second tenant nothing: that is someone else', async () => {
    const res = await me(await stack.token({ tid: trustTenant('T1'), oid: seeded('school', '3302001') }));
    expect(res.status).toBe(403);
    expect((await body(res)).type).toBe('https://goodstart.birmingham.example/problems/no-membership');
  });

  it('says plainly whom to ask when a registered tenant\'s person has no membership', async () => {
    const res = await me(await stack.token({ tid: COUNCIL_TENANT, oid: '00000000-0000-4000-8000-0000000000c1' }));
    expect(res.status).toBe(403);
    expect((await body(res)).detail).toMatch(/Ask your school’s Good Start approver, or the LA’s Good Start admin/);
  });

  it('refuses a token carrying a member\'s e-mail but another oid: e-mail is never authorised on', async () => {
    const token = await stack.token({ tid: COUNCIL_TENANT, oid: '00000000-0000-4000-8000-0000000000e1', email: 'senco.3302001@council.example', name: 'Dev SENCo' });
    expect((await me(token)).status).toBe(403);
    const read = await stack.fetch('/returns/3302001/2027', { headers: { authorization: `Bearer ${token}` } });
    expect(read.status).toBe(403);
  });

  it('401 tenant-not-registered, with the plain message, for a tenant not on the allow-list', async () => {
    const res = await me(await stack.token({ tid: OTHER, oid: seeded('school', '3302001') }));
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="goodstart", error="invalid_token"');
    const problem = await body(res);
    expect(problem.type).toBe('https://goodstart.birmingham.example/problems/tenant-not-registered');
    expect(problem.detail).toBe('Your organisation is not yet registered with Good Start; ask the LA.');
    expect(TENANT_NOT_REGISTERED_DETAIL).toBe(problem.detail);
  });

  it('401 for a token whose iss names another tenant than its tid', async () => {
    const token = await stack.token({ role: 'la' }, { issuer: `https://login.microsoftonline.com/${trustTenant('T1')}/v2.0` });
    await expectInvalidToken(await me(token));
  });

  it('401 for a tid that is not a GUID', async () => {
    await expectInvalidToken(await me(await stack.token({ tid: 'contoso.onmicrosoft.com', oid: seeded('school', '3302001') })));
    await expectInvalidToken(await me(await stack.token({ tid: COUNCIL_TENANT, oid: 'not-a-guid' })));
  });

  it('401 for a v1.0 token, with v1.0\'s issuer or v2.0\'s', async () => {
    await expectInvalidToken(await me(await stack.token({ role: 'la' }, { version: '1.0' })));
    await expectInvalidToken(await me(await stack.token({ role: 'la' }, { version: '1.0', issuer: 'https://sts.windows.net/{tenantid}/' })));
  });

  it('401 for a token without the API\'s scope', async () => {
    await expectInvalidToken(await me(await stack.token({ role: 'la' }, { scope: null })));
    await expectInvalidToken(await me(await stack.token({ role: 'la' }, { scope: 'User.Read' })));
    expect((await me(await stack.token({ role: 'la' }, { scope: 'User.Read access_as_user' }))).status).toBe(200);
  });

  it('takes a removed membership away on the very next request', async () => {
    const person = { tid: COUNCIL_TENANT, oid: '00000000-0000-4000-8000-0000000000d1' };
    const { membership } = await stack.store.memberships.grant('seed', person, { role: 'senco', school: '3302001' });
    const token = await stack.token(person);
    expect((await me(token)).status).toBe(200);
    await stack.store.memberships.remove(person, membership.id);
    expect((await me(token)).status).toBe(403);
  });

  it('lets nobody grant themselves a role', async () => {
    const person = { tid: COUNCIL_TENANT, oid: '00000000-0000-4000-8000-0000000000d2' };
    await expect(stack.store.memberships.grant(person, person, { role: 'laAdmin' })).rejects.toThrow(SelfGrantError);
    expect(await stack.store.memberships.get(person)).toBeUndefined();
  });
});

describe('the signing key\'s issuer member', () => {
  const TENANT_A = '00000000-0000-4000-8000-00000000000a';
  const TENANT_B = '00000000-0000-4000-8000-00000000000b';
  const OID = '00000000-0000-4000-8000-000000000001';
  const request = (token: string) => new HttpRequest({ method: 'GET', url: 'http://localhost/api/me', headers: { authorization: `Bearer ${token}` } });

  /** An authenticator whose one key is published with `issuer`, everyone an LA officer of an allowed tenant. */
  function authenticatorWithKeyIssuer(issuer: string) {
    const jwks = { keys: stack.key.publicJwks.keys.map((k) => ({ ...k, issuer })) };
    return createAuthenticator({
      config: stack.config.auth,
      keys: localKeySource(jwks),
      directory: async () => new SchoolDirectory(TEST_SCHOOLS),
      memberships: async ({ tid, oid }) => ({ id: `${tid}:${oid}`, tid, oid, memberships: [{ id: 'm1', role: 'laOfficer', grantedBy: 'seed', grantedAt: new Date().toISOString() }] }),
      tenantAllowed: async () => true,
    });
  }
  const tokenFrom = (tid: string) => mintDevToken(stack.key, { tid, oid: OID }, { audience: LOCAL_AUDIENCE });

  it('a {tenantid} template is filled with the token\'s tid: any tenant\'s token passes', async () => {
    const authenticate = authenticatorWithKeyIssuer('https://login.microsoftonline.com/{tenantid}/v2.0');
    await expect(authenticate(request(await tokenFrom(TENANT_A)))).resolves.toMatchObject({ tid: TENANT_A, oid: OID });
    await expect(authenticate(request(await tokenFrom(TENANT_B)))).resolves.toMatchObject({ tid: TENANT_B });
  });

  it('a fixed issuer must match exactly: a key published for tenant A signs for no other', async () => {
    const authenticate = authenticatorWithKeyIssuer(`https://login.microsoftonline.com/${TENANT_A}/v2.0`);
    await expect(authenticate(request(await tokenFrom(TENANT_A)))).resolves.toMatchObject({ tid: TENANT_A });
    await expect(authenticate(request(await tokenFrom(TENANT_B)))).rejects.toMatchObject({ status: 401, slug: 'invalid-token' });
  });
});

describe('the tenant allow-list and the bootstrap LA admin', () => {
  const ADMIN = { tid: '00000000-0000-4000-8000-0000000000f1', oid: '00000000-0000-4000-8000-0000000000f2' };
  let boot: Stack;
  beforeAll(async () => {
    boot = await startStack({ env: { BOOTSTRAP_LA_ADMIN: `${ADMIN.tid}:${ADMIN.oid}` } });
  });
  afterAll(async () => {
    await boot.stop();
  });
  const as = async (token: string, path: string, init: RequestInit = {}) =>
    boot.fetch(path, { ...init, headers: { authorization: `Bearer ${token}`, ...(init.body ? { 'content-type': 'application/json' } : {}) } });

  it('the configured admin is an LA admin from a tenant nobody registered, with no stored membership', async () => {
    const res = await as(await boot.token(ADMIN), '/me');
    expect(res.status).toBe(200);
    const body = (await res.json()) as { principal: unknown; memberships: unknown[] };
    expect(body.principal).toMatchObject({ ...ADMIN, role: 'la', access: 'laAdmin' });
    expect(body.memberships).toEqual([expect.objectContaining({ id: 'bootstrap', role: 'laAdmin' })]);
  });

  it('only an LA admin manages tenants: an LA officer, a trust and a school get 403', async () => {
    for (const claims of [{ role: 'la' as const }, { role: 'trust' as const, trust: 'T1' }, { role: 'school' as const, school: '3302001' }]) {
      expect((await as(await boot.token(claims), '/tenants')).status).toBe(403);
      const post = await as(await boot.token(claims), '/tenants', { method: 'POST', body: JSON.stringify({ tid: ADMIN.tid, name: 'x', reason: 'y' }) });
      expect(post.status).toBe(403);
    }
    expect((await as(await boot.token({ role: 'la', admin: true }), '/tenants')).status).toBe(200);
  });

  it('a tenant added lets its members in; removed, they are refused on the next request; both audited', async () => {
    const admin = await boot.token(ADMIN);
    const NEW = '00000000-0000-4000-8000-0000000000f3';
    const member = { tid: NEW, oid: '00000000-0000-4000-8000-0000000000f4' };
    await boot.store.memberships.grant(ADMIN, member, { role: 'senco', school: '3302001' });
    const token = await boot.token(member);
    expect((await as(token, '/me')).status).toBe(401);
    const added = await as(admin, '/tenants', { method: 'POST', body: JSON.stringify({ tid: NEW, name: 'Heath Trust (test)', reason: 'Signed up in June' }) });
    expect(added.status).toBe(201);
    expect(await added.json()).toMatchObject({ tid: NEW, name: 'Heath Trust (test)', reason: 'Signed up in June', addedBy: subjectOf(ADMIN.tid, ADMIN.oid) });
    expect((await as(token, '/me')).status).toBe(200);
    expect(((await (await as(admin, '/tenants')).json()) as { tenants: { tid: string }[] }).tenants.map((t) => t.tid)).toContain(NEW);
    expect((await as(admin, `/tenants/${NEW}`, { method: 'DELETE' })).status).toBe(200);
    expect((await as(token, '/me')).status).toBe(401);
    const audit = await boot.store.audit.forSchool('city');
    expect(audit.filter((a) => a.action.startsWith('tenant.')).map((a) => [a.action, a.who, a.ids])).toEqual([
      ['tenant.remove', subjectOf(ADMIN.tid, ADMIN.oid), [NEW]],
      ['tenant.add', subjectOf(ADMIN.tid, ADMIN.oid), [NEW]],
    ]);
  });
});

describe('the claims source (one tenant, roles from custom claims)', () => {
  let claims: Stack;
  beforeAll(async () => {
    claims = await startStack({ env: { AUTH_ROLE_SOURCE: 'claims' } });
  });
  afterAll(async () => {
    await claims.stop();
  });
  const meAt = (token: string) => claims.fetch('/me', { headers: { authorization: `Bearer ${token}` } });
  const typeOf = async (res: Response) => ((await res.json()) as { type: string }).type.replace('https://goodstart.birmingham.example/problems/', '');

  it('takes the role from the claims, with no membership stored, and maps a URN school claim to the LAESTAB', async () => {
    const person = { tid: COUNCIL_TENANT, oid: '00000000-0000-4000-8000-0000000000a1' };
    const res = await meAt(await claims.token({ ...person, role: 'school', school: '990002' }));
    expect(res.status).toBe(200);
    expect(((await res.json()) as { principal: unknown }).principal).toMatchObject({ ...person, role: 'school', access: 'senco', school: '3302002' });
    expect(await claims.store.memberships.get(person)).toBeUndefined();
    const la = await meAt(await claims.token({ role: 'la' }));
    expect(((await la.json()) as { principal: unknown }).principal).toMatchObject({ role: 'la', access: 'laOfficer' });
  });

  it('accepts only its one tenant', async () => {
    const res = await meAt(await claims.token({ tid: trustTenant('T1'), oid: '00000000-0000-4000-8000-0000000000a2', role: 'la' }));
    expect(res.status).toBe(401);
    expect(await typeOf(res)).toBe('tenant-not-registered');
  });

  it('403 for no role, an unknown role, a school role without a school, or two roles at once', async () => {
    expect(await typeOf(await meAt(await claims.token({ tid: COUNCIL_TENANT, oid: '00000000-0000-4000-8000-0000000000a3' })))).toBe('no-membership');
    expect(await typeOf(await meAt(await claims.token({ role: 'admin' as never })))).toBe('no-membership');
    expect(await typeOf(await meAt(await claims.token({ role: 'school' })))).toBe('forbidden');
    const twoHats = await new SignJWT({ roles: ['la', 'school'], school: '3302001', tid: COUNCIL_TENANT, oid: '00000000-0000-4000-8000-0000000000a4', ver: '2.0', scp: 'access_as_user' })
      .setProtectedHeader({ alg: 'ES256', kid: claims.key.kid })
      .setIssuer(`https://login.microsoftonline.com/${COUNCIL_TENANT}/v2.0`)
      .setAudience(claims.config.auth.audience)
      .setExpirationTime('10m')
      .sign(await importJWK(claims.key.privateJwk, 'ES256'));
    const res = await meAt(twoHats);
    expect(res.status).toBe(403);
    expect(await typeOf(res)).toBe('forbidden');
  });
});
