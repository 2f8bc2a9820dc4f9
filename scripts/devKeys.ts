/**
 * The local dev signing key: an ES256 pair generated once and kept under `.local/` (gitignored),
 * so tokens minted by `npm run token` are accepted by the local API across restarts. The API
 * reads only the public JWKS file, published with Microsoft's `{tenantid}` issuer template; the
 * private key never leaves this script and the harness.
 *
 * Tokens are shaped as Entra writes v2 access tokens (issue 25): `iss` per tenant, `tid`, `oid`,
 * `aud` (the API's client id), `scp`, `ver: "2.0"`, a pairwise `sub`, `name`, and `email` /
 * `preferred_username` when given (shown, never authorised on).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type JWK, SignJWT } from 'jose';
import { DEV_PRIVATE_KEY_FILE, DEV_PUBLIC_JWKS_FILE, type PublicJwks, publicJwksSchema, type Role } from '../functions/src/auth';
import { DEFAULT_API_SCOPE, ENTRA_ISSUER_TEMPLATE, LOCAL_AUDIENCE, LOCAL_ISSUER } from '../functions/src/config';
import { devOid, devTenant } from '../functions/src/store/samplePeople';

export const DEFAULT_KEY_DIR = path.join(__dirname, '..', '.local');

export interface DevSigningKey {
  kid: string;
  privateJwk: JWK;
  publicJwks: PublicJwks;
}

async function readKey(dir: string): Promise<DevSigningKey | undefined> {
  try {
    const privateJwk = JSON.parse(await fs.readFile(path.join(dir, DEV_PRIVATE_KEY_FILE), 'utf8')) as JWK;
    let publicJwks = publicJwksSchema.parse(JSON.parse(await fs.readFile(path.join(dir, DEV_PUBLIC_JWKS_FILE), 'utf8')));
    if (typeof privateJwk.kid !== 'string') return undefined;
    // A key made before issue 25 has no issuer member: publish it with the template, keeping the key.
    if (publicJwks.keys.some((k) => k.issuer === undefined)) {
      publicJwks = publicJwksSchema.parse({ keys: publicJwks.keys.map((k) => ({ ...k, issuer: k.issuer ?? ENTRA_ISSUER_TEMPLATE })) });
      await fs.writeFile(path.join(dir, DEV_PUBLIC_JWKS_FILE), JSON.stringify(publicJwks, null, 2));
    }
    return { kid: privateJwk.kid, privateJwk, publicJwks };
  } catch {
    return undefined;
  }
}

/** The dev key in `dir`, generating and saving it on first use. */
export async function ensureDevKeys(dir = DEFAULT_KEY_DIR): Promise<DevSigningKey> {
  const existing = await readKey(dir);
  if (existing) return existing;
  await fs.mkdir(dir, { recursive: true });
  const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
  const pub = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(pub);
  const privateJwk: JWK = { ...(await exportJWK(privateKey)), kid, alg: 'ES256', use: 'sig' };
  const publicJwks = publicJwksSchema.parse({ keys: [{ ...pub, kid, alg: 'ES256', use: 'sig', issuer: ENTRA_ISSUER_TEMPLATE }] });
  await fs.writeFile(path.join(dir, DEV_PRIVATE_KEY_FILE), JSON.stringify(privateJwk, null, 2), { mode: 0o600 });
  await fs.writeFile(path.join(dir, DEV_PUBLIC_JWKS_FILE), JSON.stringify(publicJwks, null, 2));
  return { kid, privateJwk, publicJwks };
}

export interface DevTokenClaims {
  /** The tenant (`tid`). Default: the synthetic tenant of the role's holder (store/samplePeople.ts). */
  tid?: string;
  /** The object id (`oid`). Default: the synthetic holder of the role and scope, or of `sub`. */
  oid?: string;
  /** For the claims source only: the custom role claim (and `school` / `trust`); memberships ignore it. */
  role?: Role;
  school?: string;
  trust?: string;
  /** The LA admin rather than an LA officer, when the holder is derived from the role. */
  admin?: boolean;
  name?: string;
  email?: string;
  /** Names a distinct synthetic person (their oid is derived from it); also the token's `sub`. */
  sub?: string;
}

export interface DevTokenOptions {
  ttlSeconds?: number;
  /** The issuer, `{tenantid}` filled with the token's tid (default Entra's template). */
  issuer?: string;
  audience?: string;
  /** The scope in `scp`; null leaves `scp` out. */
  scope?: string | null;
  /** `ver` (default `2.0`). */
  version?: string;
  claimNames?: { school: string; trust: string; roles: string };
  /** Seconds since the epoch; for tokens that are already expired or not yet valid in tests. */
  now?: number;
  notBefore?: number;
}

/** The person a dev token's claims name: given, or the synthetic holder of the role. */
export function devPerson(claims: DevTokenClaims): { tid: string; oid: string } {
  const holder = { role: claims.admin ? ('laAdmin' as const) : (claims.role ?? 'la'), ...(claims.school !== undefined ? { school: claims.school } : {}), ...(claims.trust !== undefined ? { trust: claims.trust } : {}), ...(claims.sub !== undefined ? { sub: claims.sub } : {}) };
  return { tid: claims.tid ?? devTenant(holder), oid: claims.oid ?? devOid(holder) };
}

/** Signs a token the local API accepts (same issuer template, audience and scope as its config). */
export async function mintDevToken(key: DevSigningKey, claims: DevTokenClaims, options: DevTokenOptions = {}): Promise<string> {
  const names = options.claimNames ?? { school: 'school', trust: 'trust', roles: 'roles' };
  const now = options.now ?? Math.floor(Date.now() / 1000);
  const { tid, oid } = devPerson(claims);
  const audience = options.audience ?? LOCAL_AUDIENCE;
  const payload: Record<string, unknown> = { tid, oid, ver: options.version ?? '2.0' };
  const scope = options.scope === undefined ? DEFAULT_API_SCOPE : options.scope;
  if (scope !== null) payload['scp'] = scope;
  if (claims.role !== undefined) payload[names.roles] = [claims.role];
  if (claims.school !== undefined) payload[names.school] = claims.school;
  if (claims.trust !== undefined) payload[names.trust] = claims.trust;
  if (claims.name !== undefined) payload['name'] = claims.name;
  if (claims.email !== undefined) {
    payload['email'] = claims.email;
    payload['preferred_username'] = claims.email;
  }
  const privateKey = await importJWK(key.privateJwk, 'ES256');
  // Entra's `sub` is pairwise (per person and app) and opaque: the API never reads it.
  const sub = claims.sub ?? createHash('sha256').update(`${tid}/${oid}/${audience}`).digest('base64url').slice(0, 43);
  return new SignJWT(payload)
    .setProtectedHeader({ alg: 'ES256', kid: key.kid, typ: 'JWT' })
    .setIssuer((options.issuer ?? LOCAL_ISSUER).replaceAll('{tenantid}', tid))
    .setAudience(audience)
    .setSubject(sub)
    .setIssuedAt(now)
    .setNotBefore(options.notBefore ?? now)
    .setExpirationTime(now + (options.ttlSeconds ?? 8 * 60 * 60))
    .sign(privateKey);
}
