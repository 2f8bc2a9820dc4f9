/**
 * The dev sign-in, served by the LOCAL host only (`npm start`, the test harness), and only with
 * AUTH_MODE=local. It lets the task pane's dev picker be any school, trust or LA officer in the
 * directory without a terminal:
 *
 *   GET  /api/dev/identities  → { schools: [{ laestab, name, phase, area, trust }], trusts: [{ id, schools }],
 *                                 tenants: [{ tid, name }], people: [{ tid, oid, name, email, role?, school?, trust? }] }
 *   POST /api/dev/token       { role: 'school'|'trust'|'la', school?, trust?, admin? } or { tid, oid } → { token, expiresAt }
 *
 * The people are the synthetic ones of the council's tenant and each trust's tenant
 * (functions/src/store/samplePeople.ts); a role shortcut signs in as the seeded holder of that
 * role, in their own tenant. A person is chosen by (tid, oid), as the API knows them; a person
 * listed without a role has none yet (the invitations work lists an invited one here).
 *
 * Tokens are minted with the dev key exactly as `npm run token` mints them (scripts/token.ts), so
 * the API accepts them and nothing else does. These routes are never in functions/src/functions/:
 * the Functions app, deployed or under `func start`, has no way to mint a token.
 */
import { z } from 'zod';
import { type Config } from '../functions/src/config';
import { bodyIssues, readBytesBody, requireContentType } from '../functions/src/http/body';
import { withErrors } from '../functions/src/http/handler';
import { HttpProblem } from '../functions/src/http/problems';
import { defineRoute, type RouteDefinition } from '../functions/src/http/route';
import { getStore } from '../functions/src/store';
import { API_ROLE_OF, guidSchema } from '../shared/identity';
import { samplePeople, type SamplePerson } from '../functions/src/store/samplePeople';
import { ensureDevKeys, mintDevToken } from './devKeys';

/** (design) A working day, as `npm run token` defaults to. */
export const DEV_TOKEN_TTL_SECONDS = 8 * 60 * 60;
const MAX_BODY_BYTES = 1024;
/** How a developer identity is named in the pane: plainly a test identity, by what the role does. */
export const devTokenRequestSchema = z.union([
  z.discriminatedUnion('role', [
    z.strictObject({ role: z.literal('school'), school: z.string().regex(/^\d{7}$/, 'a 7-digit LAESTAB') }),
    z.strictObject({ role: z.literal('trust'), trust: z.string().min(1).max(40) }),
    z.strictObject({ role: z.literal('la'), admin: z.boolean().optional() }),
  ]),
  z.strictObject({ tid: guidSchema, oid: guidSchema }),
]);
export type DevTokenRequest = z.infer<typeof devTokenRequestSchema>;

const SIGN_IN_SHAPE = 'Send { "tid": GUID, "oid": GUID }, { "role": "school", "school": LAESTAB }, { "role": "trust", "trust": ID } or { "role": "la" }.';

/** The synthetic person a sign-in request names, or a 400 saying why there is none. */
function personFor(body: DevTokenRequest, people: readonly SamplePerson[]): SamplePerson {
  const found = people.find((p) => {
    if ('tid' in body) return p.tid === body.tid && p.oid === body.oid;
    const g = p.grant;
    if (!g) return false;
    if (body.role === 'la') return g.role === (body.admin ? 'laAdmin' : 'laOfficer');
    if (body.role === 'trust') return g.role === 'trustLead' && g.trust === body.trust;
    return g.role === 'senco' && g.school === body.school;
  });
  if (found) return found;
  if ('tid' in body) throw badRequest('No synthetic person has that tenant and object id.', [{ path: 'oid', message: 'not a synthetic person' }]);
  if (body.role === 'school') throw badRequest('That LAESTAB is not a school in the directory.', [{ path: 'school', message: 'not in the directory' }]);
  if (body.role === 'trust') throw badRequest('No school in the directory belongs to that trust.', [{ path: 'trust', message: 'not in the directory' }]);
  throw badRequest('There is no such LA person.');
}

const badRequest = (detail: string, issues?: readonly unknown[]) =>
  new HttpProblem('malformed-body', { detail, ...(issues ? { extensions: { issues } } : {}) });

/** The dev sign-in routes for this config: none at all unless auth is local. */
export function devSignInRoutes(config: Config): RouteDefinition[] {
  if (config.auth.mode !== 'local') return [];
  const { auth } = config;

  const identities = withErrors(async () => {
    const directory = await getStore().directory.get();
    const schools = directory.schools.map(({ laestab, name, phase, area, trust }) => ({ laestab, name, phase, area, trust }));
    const trustIds = [...new Set(directory.schools.flatMap((s) => (s.trust === null ? [] : [s.trust])))].sort();
    const { tenants, people } = samplePeople(directory.schools);
    return {
      status: 200,
      headers: { 'cache-control': 'no-store' },
      jsonBody: {
        schools,
        trusts: trustIds.map((id) => ({ id, schools: directory.inTrust(id).map((s) => s.laestab) })),
        tenants,
        people: people.map(({ tid, oid, name, email, grant }) => ({ tid, oid, name, email, ...(grant ?? {}) })),
      },
    };
  });

  const token = withErrors(async (request) => {
    requireContentType(request, 'application/json');
    let json: unknown;
    try {
      json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(await readBytesBody(request, MAX_BODY_BYTES)));
    } catch (error) {
      if (error instanceof HttpProblem) throw error;
      throw badRequest('The body is not valid UTF-8 JSON.');
    }
    const parsed = devTokenRequestSchema.safeParse(json);
    // A bad sign-in request is the caller's mistake in every way it can be wrong: one 400 with the issues.
    if (!parsed.success) throw badRequest(SIGN_IN_SHAPE, bodyIssues(parsed.error));
    const body = parsed.data;
    const directory = await getStore().directory.get();
    const person = personFor(body, samplePeople(directory.schools).people);
    const key = await ensureDevKeys(auth.localKeyDir);
    const now = Math.floor(Date.now() / 1000);
    // The role claims ride along for the claims source; the memberships source reads only tid and oid.
    const g = person.grant;
    const roleClaims = g === undefined ? {} : { role: API_ROLE_OF[g.role], ...('school' in g ? { school: g.school } : {}), ...('trust' in g ? { trust: g.trust } : {}) };
    const jwt = await mintDevToken(
      key,
      { tid: person.tid, oid: person.oid, name: person.name, email: person.email, ...roleClaims },
      { ttlSeconds: DEV_TOKEN_TTL_SECONDS, issuer: auth.issuer, audience: auth.audience, scope: auth.scope, claimNames: auth.claims, now },
    );
    return {
      status: 200,
      headers: { 'cache-control': 'no-store' },
      jsonBody: { token: jwt, expiresAt: new Date((now + DEV_TOKEN_TTL_SECONDS) * 1000).toISOString() },
    };
  });

  return [
    defineRoute({ name: 'devIdentities', methods: ['GET'], route: 'dev/identities', authLevel: 'anonymous', handler: identities }),
    defineRoute({ name: 'devToken', methods: ['POST'], route: 'dev/token', authLevel: 'anonymous', handler: token }),
  ];
}
