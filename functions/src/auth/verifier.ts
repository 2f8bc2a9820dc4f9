/**
 * Bearer-token authentication with jose: signature against a JWKS, `iss`, `aud`, `exp`, `nbf`
 * (with a small clock tolerance) and an algorithm allow-list of asymmetric algorithms only, so
 * `alg: none` and HS256-signed-with-the-public-key tokens fail before any claim is read.
 * The Principal is built from the verified claims alone; a school or trust claim must name
 * one in the LA's directory.
 */
import type { HttpRequest } from '@azure/functions';
import { createLocalJWKSet, createRemoteJWKSet, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import type { SchoolDirectory } from '../../../shared/schools';
import { getConfig, type Config } from '../config';
import { forbidden, HttpProblem, invalidToken } from '../http/problems';
import { getStore } from '../store';
import { readLocalPublicJwks } from './localKeys';
import { ROLES, type Principal, type Role } from './principal';

export type AuthConfig = Config['auth'];
export type Authenticate = (request: HttpRequest) => Promise<Principal>;

export interface AuthenticatorDeps {
  config: AuthConfig;
  /** Key resolution: a remote JWKS (Entra) or the local dev JWKS. Created once per process. */
  keys: JWTVerifyGetKey;
  /** The LA's school directory (the store caches it). */
  directory: () => Promise<SchoolDirectory>;
}

const REALM = 'Bearer realm="goodstart"';

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

function rolesFrom(payload: JWTPayload, claim: string): Role[] {
  const raw = payload[claim];
  const values = Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(' ') : [];
  return ROLES.filter((r) => values.includes(r));
}

function stringClaim(payload: JWTPayload, claim: string): string | undefined {
  const v = payload[claim];
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}

/** Maps verified claims to a Principal, checking school/trust against the directory (403 when unknown). */
export async function principalFrom(
  payload: JWTPayload,
  config: AuthConfig,
  directory: () => Promise<SchoolDirectory>,
): Promise<Principal> {
  const subject = payload.sub;
  if (typeof subject !== 'string' || subject === '') throw invalidTokenWithRealm('The token has no subject.');
  const roles = rolesFrom(payload, config.claims.roles);
  if (roles.length !== 1) {
    throw forbidden(roles.length === 0 ? 'Your account has no Good Start role.' : 'Your account has more than one Good Start role; ask the LA to keep one.');
  }
  const role = roles[0] as Role;
  const nameClaim = stringClaim(payload, 'name');
  const name = nameClaim !== undefined && nameClaim.length <= 200 ? nameClaim : undefined;
  const base = { subject, role, ...(name !== undefined ? { name } : {}) };

  if (role === 'school') {
    const claimed = stringClaim(payload, config.claims.school);
    if (claimed === undefined) throw forbidden('Your account is not linked to a school.');
    const school = (await directory()).find(claimed);
    if (!school) throw forbidden('Your account names a school that is not in the LA directory.');
    return { ...base, school: school.laestab };
  }
  if (role === 'trust') {
    const trust = stringClaim(payload, config.claims.trust);
    if (trust === undefined) throw forbidden('Your account is not linked to a trust.');
    if ((await directory()).inTrust(trust).length === 0) throw forbidden('Your account names a trust with no schools in the LA directory.');
    return { ...base, trust };
  }
  return base;
}

export function createAuthenticator(deps: AuthenticatorDeps): Authenticate {
  const { config } = deps;
  return async (request) => {
    const token = bearerToken(request);
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, deps.keys, {
        issuer: config.issuer,
        audience: config.audience,
        algorithms: [...config.algorithms],
        clockTolerance: config.clockToleranceSeconds,
        // jose checks exp only when present; a token that never expires is refused.
        requiredClaims: ['exp', 'sub'],
      }));
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
    return principalFrom(payload, config, deps.directory);
  };
}

// One key source per process (STYLE.md: never a JWKS fetched per request). createRemoteJWKSet
// caches keys and refetches only on an unknown kid, with a cooldown.
let keySource: { config: AuthConfig; keys: JWTVerifyGetKey } | undefined;

export function keysFor(config: AuthConfig): JWTVerifyGetKey {
  if (keySource?.config === config) return keySource.keys;
  let keys: JWTVerifyGetKey;
  if (config.mode === 'entra') {
    if (!config.jwksUrl) throw new Error('AUTH_JWKS_URL is not set');
    keys = createRemoteJWKSet(new URL(config.jwksUrl), { cooldownDuration: 30_000, cacheMaxAge: 6 * 60 * 60_000, timeoutDuration: 5_000 });
  } else {
    keys = createLocalJWKSet(readLocalPublicJwks(config.localKeyDir));
  }
  keySource = { config, keys };
  return keys;
}

let authenticator: { config: AuthConfig; authenticate: Authenticate } | undefined;

/** Verifies the request's bearer token and returns the caller, or throws a 401/403/503 HttpProblem. */
export async function authenticate(request: HttpRequest): Promise<Principal> {
  const config = getConfig().auth;
  if (authenticator?.config !== config) {
    authenticator = { config, authenticate: createAuthenticator({ config, keys: keysFor(config), directory: () => getStore().directory.get() }) };
  }
  return authenticator.authenticate(request);
}

/** For tests and the local host: forget the process's key source and authenticator. */
export function resetAuthentication(): void {
  keySource = undefined;
  authenticator = undefined;
}
