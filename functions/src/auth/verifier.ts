/**
 * Bearer-token authentication for Entra v2 access tokens from many tenants (issue 25), with jose.
 *
 * A token is accepted only when all of these hold (else 401 `invalid-token`):
 * - its signature verifies with the key its `kid` names in the configured JWKS (Microsoft's common
 *   v2 keys in production), under an allow-listed asymmetric algorithm (RS256 for Entra), so
 *   `alg: none` and HS256-signed-with-the-public-key tokens fail before any claim is read;
 * - `exp`/`nbf` hold (with a small clock tolerance) and `aud` is the API's client id;
 * - `ver` is `2.0`; `tid` and `oid` are GUIDs; `iss` is exactly the issuer template with `{tenantid}`
 *   filled by the token's own `tid`; and where the key has an `issuer` member, it matches `iss`
 *   the same way (a key published for one tenant signs for no other);
 * - `scp` contains the API's scope.
 * Then the tenant: on the LA's allow-list (memberships source) or the one configured tenant
 * (claims source), else 401 `tenant-not-registered`. Then the role, by the resolver
 * (auth/resolve.ts): a person is (`tid`, `oid`), never an e-mail, `preferred_username` or `upn`.
 */
import type { HttpRequest } from '@azure/functions';
import { createLocalJWKSet, createRemoteJWKSet, errors, type JSONWebKeySet, type JWK, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { GUID_PATTERN, type MemberDocument } from '../../../shared/identity';
import type { SchoolDirectory } from '../../../shared/schools';
import { getConfig, type Config } from '../config';
import { HttpProblem, invalidToken, SpecificProblem } from '../http/problems';
import { getStore } from '../store';
import { readLocalPublicJwks } from './localKeys';
import type { Principal } from './principal';
import { bootstrapPrincipal, type Identity, isBootstrapAdmin, principalFromClaims, principalFromMemberships } from './resolve';

export type AuthConfig = Config['auth'];
export type Authenticate = (request: HttpRequest) => Promise<Principal>;

/** Where signing keys come from: jose's key lookup, and the published JWK by kid (for its `issuer` member). */
export interface KeySource {
  getKey: JWTVerifyGetKey;
  jwk(kid: string): JWK | undefined;
}

export interface AuthenticatorDeps {
  config: AuthConfig;
  /** Key resolution: a remote JWKS (Entra) or the local dev JWKS. Created once per process. */
  keys: KeySource;
  /** The LA's school directory (the store caches it). */
  directory: () => Promise<SchoolDirectory>;
  /** The person's memberships: one point read, never cached across requests. */
  memberships: (person: { tid: string; oid: string }) => Promise<MemberDocument | undefined>;
  /** Whether the tenant is on the LA's allow-list: one point read, never cached across requests. */
  tenantAllowed: (tid: string) => Promise<boolean>;
}

const REALM = 'Bearer realm="goodstart"';

/** The message a person from a tenant not on the allow-list sees. */
export const TENANT_NOT_REGISTERED_DETAIL = 'Your organisation is not yet registered with Good Start; ask the LA.';

/** The compact JWS from `Authorization: Bearer …`, or a 401. */
function bearerToken(request: HttpRequest): string {
  const header = request.headers.get('authorization');
  if (header === null) {
    // RFC 6750 §3.1: no credentials at all gets a bare challenge, without an error code.
    throw new HttpProblem('invalid-token', {
      detail: 'Sign in: this endpoint needs a bearer token.',
      headers: { 'www-authenticate': REALM },
    });
  }
  const m = /^Bearer[ ]+([A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*)\s*$/i.exec(header);
  if (!m?.[1]) throw invalidTokenWithRealm('The Authorization header is not a bearer token.');
  return m[1];
}

function invalidTokenWithRealm(detail?: string): HttpProblem {
  const p = invalidToken(detail);
  return new HttpProblem('invalid-token', {
    ...p.options,
    headers: { 'www-authenticate': `${REALM}, error="invalid_token"` },
  });
}

function tenantNotRegistered(): SpecificProblem {
  return new SpecificProblem('tenant-not-registered', {
    detail: TENANT_NOT_REGISTERED_DETAIL,
    headers: { 'www-authenticate': `${REALM}, error="invalid_token"` },
  });
}

/** The issuer expected of a token from tenant `tid`: Microsoft's `{tenantid}` template filled, else the value itself. */
export function issuerFor(template: string, tid: string): string {
  return template.replaceAll('{tenantid}', tid);
}

const isGuid = (v: unknown): v is string => typeof v === 'string' && GUID_PATTERN.test(v);

/**
 * The checks jose does not make, on a payload whose signature, exp, nbf and aud it verified:
 * the Entra v2 shape, the per-tenant issuer (the token's and the key's) and the scope. Returns
 * the person, or throws a 401 saying only that the token is not valid.
 */
export function entraIdentity(payload: JWTPayload, jwk: JWK | undefined, config: Pick<AuthConfig, 'issuer' | 'scope'>): Identity {
  const { tid, oid } = payload;
  if (payload['ver'] !== '2.0') throw invalidTokenWithRealm('Good Start accepts only v2.0 access tokens.');
  if (!isGuid(tid) || !isGuid(oid)) throw invalidTokenWithRealm();
  const issuer = issuerFor(config.issuer, tid);
  if (payload.iss !== issuer) throw invalidTokenWithRealm();
  const keyIssuer = (jwk as { issuer?: unknown } | undefined)?.issuer;
  if (typeof keyIssuer === 'string' && issuerFor(keyIssuer, tid) !== payload.iss) throw invalidTokenWithRealm();
  const scp = payload['scp'];
  if (typeof scp !== 'string' || !scp.split(' ').includes(config.scope)) throw invalidTokenWithRealm('The token was not issued for Good Start’s API scope.');
  const name = typeof payload['name'] === 'string' && payload['name'].trim() !== '' && payload['name'].length <= 200 ? payload['name'].trim() : undefined;
  return { tid, oid, ...(name !== undefined ? { name } : {}) };
}

/** The verified token's person and payload: the signature, claims and Entra v2 shape checked, nothing resolved yet. */
async function verifiedToken(config: AuthConfig, keys: KeySource, request: HttpRequest): Promise<{ identity: Identity; payload: JWTPayload }> {
  const token = bearerToken(request);
  let payload: JWTPayload;
  let kid: string | undefined;
  try {
    const verified = await jwtVerify(token, keys.getKey, {
      audience: config.audience,
      algorithms: [...config.algorithms],
      clockTolerance: config.clockToleranceSeconds,
      // jose checks exp only when present; a token that never expires is refused.
      requiredClaims: ['exp', 'iss'],
    });
    ({ payload } = verified);
    kid = verified.protectedHeader.kid;
  } catch (error) {
    // A JWKS we cannot fetch is our outage, not the caller's bad token.
    if (error instanceof errors.JWKSTimeout || !(error instanceof errors.JOSEError)) {
      throw new HttpProblem('service-unavailable', {
        detail: 'Sign-in keys could not be fetched; try again shortly.',
        headers: { 'retry-after': '5' },
      });
    }
    throw invalidTokenWithRealm();
  }
  return { identity: entraIdentity(payload, kid === undefined ? undefined : keys.jwk(kid), config), payload };
}

export function createAuthenticator(deps: AuthenticatorDeps): Authenticate {
  const { config } = deps;
  return async (request) => {
    const { identity, payload } = await verifiedToken(config, deps.keys, request);

    if (config.roleSource === 'claims') {
      if (identity.tid !== config.tenantId && !isBootstrapAdmin(identity, config)) throw tenantNotRegistered();
      if (isBootstrapAdmin(identity, config)) return bootstrapPrincipal(identity);
      return principalFromClaims(identity, payload, config.claims, await deps.directory());
    }
    // The bootstrap admin's tenant is always allowed: otherwise nobody could add the first one.
    if (isBootstrapAdmin(identity, config)) return bootstrapPrincipal(identity);
    // Two point reads at once: the request waits for one round trip, not two.
    const [allowed, doc, directory] = await Promise.all([deps.tenantAllowed(identity.tid), deps.memberships(identity), deps.directory()]);
    if (!allowed) throw tenantNotRegistered();
    return principalFromMemberships(identity, doc, directory);
  };
}

/**
 * A signed-in person whether or not they hold a role (issue 25: claiming an invitation, asking for
 * access): the token verified and its tenant registered as for `authenticate`, no membership
 * needed. Also the token's e-mail (`email`, else `preferred_username`), which only finds an
 * invitation at the moment it is claimed and is never authorised on.
 */
export async function identify(request: HttpRequest): Promise<Identity & { email?: string }> {
  const config = getConfig().auth;
  const { identity, payload } = await verifiedToken(config, keysFor(config), request);
  const allowed = isBootstrapAdmin(identity, config) || (config.roleSource === 'claims' ? identity.tid === config.tenantId : (await getStore().tenants.get(identity.tid)) !== undefined);
  if (!allowed) throw tenantNotRegistered();
  const raw = typeof payload['email'] === 'string' ? payload['email'] : payload['preferred_username'];
  const email = typeof raw === 'string' && raw.includes('@') && raw.length <= 254 ? raw.trim().toLowerCase() : undefined;
  return { ...identity, ...(email !== undefined ? { email } : {}) };
}

/** Keys from the local dev JWKS (published with Microsoft's `{tenantid}` issuer template). */
export function localKeySource(jwks: JSONWebKeySet): KeySource {
  const getKey = createLocalJWKSet(jwks);
  return { getKey, jwk: (kid) => jwks.keys.find((k) => k.kid === kid) };
}

/** (design) Microsoft rotates keys over weeks: a day's cache, and an unknown kid refetched at most once a minute. */
export const JWKS_CACHE_MAX_AGE_MS = 24 * 60 * 60_000;
export const JWKS_UNKNOWN_KID_COOLDOWN_MS = 60_000;

/** Keys from a remote JWKS (Entra's common v2 keys), cached by jose per the constants above. */
export function remoteKeySource(url: string): KeySource {
  const remote = createRemoteJWKSet(new URL(url), { cacheMaxAge: JWKS_CACHE_MAX_AGE_MS, cooldownDuration: JWKS_UNKNOWN_KID_COOLDOWN_MS, timeoutDuration: 5_000 });
  return { getKey: remote, jwk: (kid) => remote.jwks()?.keys.find((k) => k.kid === kid) };
}

// One key source per process (STYLE.md: never a JWKS fetched per request).
let keySource: { config: AuthConfig; keys: KeySource } | undefined;

export function keysFor(config: AuthConfig): KeySource {
  if (keySource?.config === config) return keySource.keys;
  let keys: KeySource;
  if (config.mode === 'entra') {
    if (!config.jwksUrl) throw new Error('AUTH_JWKS_URL is not set');
    keys = remoteKeySource(config.jwksUrl);
  } else {
    keys = localKeySource(readLocalPublicJwks(config.localKeyDir));
  }
  keySource = { config, keys };
  return keys;
}

let authenticator: { config: AuthConfig; authenticate: Authenticate } | undefined;

/** Verifies the request's bearer token and returns the caller, or throws a 401/403/503 HttpProblem. */
export async function authenticate(request: HttpRequest): Promise<Principal> {
  const config = getConfig().auth;
  if (authenticator?.config !== config) {
    authenticator = {
      config,
      authenticate: createAuthenticator({
        config,
        keys: keysFor(config),
        directory: () => getStore().directory.get(),
        memberships: (person) => getStore().memberships.get(person),
        tenantAllowed: async (tid) => (await getStore().tenants.get(tid)) !== undefined,
      }),
    };
  }
  return authenticator.authenticate(request);
}

/** For tests and the local host: forget the process's key source and authenticator. */
export function resetAuthentication(): void {
  keySource = undefined;
  authenticator = undefined;
}
