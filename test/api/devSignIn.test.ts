/**
 * The local dev sign-in (scripts/devSignIn.ts): served by the local host with AUTH_MODE=local,
 * never part of the Functions app.
 */
import { loadRoutes } from '../../functions/src/routes';
import { devSignInRoutes } from '../../scripts/devSignIn';
import { COUNCIL_TENANT, trustTenant } from '../../functions/src/store/samplePeople';
import { startStack, type Stack, TEST_SCHOOLS } from './harness';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack.stop();
});

const postToken = (body: string) => stack.fetch('/dev/token', { method: 'POST', headers: { 'content-type': 'application/json' }, body });

describe('dev sign-in', () => {
  test('the Functions app never registers a dev/* route', () => {
    const routes = loadRoutes();
    expect(routes.filter((r) => r.route.toLowerCase().startsWith('dev/'))).toEqual([]);
    expect(routes.map((r) => r.name)).not.toEqual(expect.arrayContaining(['devIdentities']));
    expect(routes.map((r) => r.name)).not.toEqual(expect.arrayContaining(['devToken']));
  });

  test('outside local auth there are no dev routes at all', () => {
    expect(devSignInRoutes({ ...stack.config, auth: { ...stack.config.auth, mode: 'entra' } })).toEqual([]);
    expect(devSignInRoutes(stack.config).map((r) => `${r.methods.join(',')} ${r.route}`)).toEqual(['GET dev/identities', 'POST dev/token']);
  });

  test('identities list the directory: schools and trusts', async () => {
    const res = await stack.fetch('/dev/identities');
    expect(res.status).toBe(200);
    const body = (await res.json()) as { schools: unknown[]; trusts: unknown[] };
    expect(body.schools).toEqual(TEST_SCHOOLS.map(({ laestab, name, phase, area, trust }) => ({ laestab, name, phase, area, trust })));
    expect(body.trusts).toEqual([{ id: 'T1', schools: ['3302002', '3302003', '3304001'] }]);
  });

  test('people come from two tenants: the council\'s (LA, maintained schools) and the trust\'s (its academies, its lead)', async () => {
    const body = (await (await stack.fetch('/dev/identities')).json()) as { tenants: { tid: string }[]; people: { tid: string; role?: string; school?: string; trust?: string }[] };
    expect(body.tenants.map((t) => t.tid)).toEqual([COUNCIL_TENANT, trustTenant('T1')]);
    const tenantOf = (match: (p: { role?: string; school?: string; trust?: string }) => boolean) => body.people.find(match)?.tid;
    expect(tenantOf((p) => p.role === 'laAdmin')).toBe(COUNCIL_TENANT);
    expect(tenantOf((p) => p.role === 'laOfficer')).toBe(COUNCIL_TENANT);
    expect(tenantOf((p) => p.school === '3302001')).toBe(COUNCIL_TENANT);
    expect(tenantOf((p) => p.school === '3302002')).toBe(trustTenant('T1'));
    expect(tenantOf((p) => p.role === 'trustLead')).toBe(trustTenant('T1'));
  });

  test('a person chosen by (tid, oid) signs in as that person', async () => {
    const body = (await (await stack.fetch('/dev/identities')).json()) as { people: { tid: string; oid: string; role?: string }[] };
    const admin = body.people.find((p) => p.role === 'laAdmin')!;
    const { token } = (await (await postToken(JSON.stringify({ tid: admin.tid, oid: admin.oid }))).json()) as { token: string };
    const me = (await (await stack.fetch('/me', { headers: { authorization: `Bearer ${token}` } })).json()) as { principal: unknown };
    expect(me.principal).toMatchObject({ tid: admin.tid, oid: admin.oid, role: 'la', access: 'laAdmin' });
  });

  test.each([
    [{ role: 'school', school: '3302001' }, { role: 'school', school: '3302001' }, ['3302001']],
    [{ role: 'trust', trust: 'T1' }, { role: 'trust', trust: 'T1' }, ['3302002', '3302003', '3304001']],
    [{ role: 'la' }, { role: 'la' }, []],
  ])('a minted %j token is accepted by /me', async (request, principal, schools) => {
    const res = await postToken(JSON.stringify(request));
    expect(res.status).toBe(200);
    const { token, expiresAt } = (await res.json()) as { token: string; expiresAt: string };
    expect(token.split('.')).toHaveLength(3);
    expect(Date.parse(expiresAt) - Date.now()).toBeGreaterThan(7 * 3600_000);
    const me = await stack.fetch('/me', { headers: { authorization: `Bearer ${token}` } });
    expect(me.status).toBe(200);
    const body = (await me.json()) as { principal: Record<string, unknown>; schools: { laestab: string }[] };
    expect(body.principal).toMatchObject(principal);
    expect(body.schools.map((s) => s.laestab)).toEqual(schools);
  });

  test.each([
    ['not JSON', '{"role": "school",'],
    ['an unknown role', '{"role": "admin"}'],
    ['a school role without a school', '{"role": "school"}'],
    ['a school not in the directory', '{"role": "school", "school": "3309999"}'],
    ['a trust not in the directory', '{"role": "trust", "trust": "T9"}'],
    ['a person who is not a synthetic one', '{"tid": "00000000-0000-4000-8000-000000000001", "oid": "00000000-0000-4000-8000-000000000002"}'],
  ])('%s is a 400 problem+json', async (_what, body) => {
    const res = await postToken(body);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(((await res.json()) as { type: string }).type).toBe('https://goodstart.birmingham.example/problems/malformed-body');
  });
});
