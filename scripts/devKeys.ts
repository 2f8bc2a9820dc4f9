/**
 * The local dev signing key: an ES256 pair generated once and kept under `.local/` (gitignored),
 * so tokens minted by `npm run token` are accepted by the local API across restarts. The API
 * reads only the public JWKS file; the private key never leaves this script and the harness.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type JWK, SignJWT } from 'jose';
import { DEV_PRIVATE_KEY_FILE, DEV_PUBLIC_JWKS_FILE, type PublicJwks, publicJwksSchema, type Role } from '../functions/src/auth';
import { LOCAL_AUDIENCE, LOCAL_ISSUER } from '../functions/src/config';

export const DEFAULT_KEY_DIR = path.join(__dirname, '..', '.local');

export interface DevSigningKey {
  kid: string;
  privateJwk: JWK;
  publicJwks: PublicJwks;
}

async function readKey(dir: string): Promise<DevSigningKey | undefined> {
  try {
    const privateJwk = JSON.parse(await fs.readFile(path.join(dir, DEV_PRIVATE_KEY_FILE), 'utf8')) as JWK;
    const publicJwks = publicJwksSchema.parse(JSON.parse(await fs.readFile(path.join(dir, DEV_PUBLIC_JWKS_FILE), 'utf8')));
    if (typeof privateJwk.kid !== 'string') return undefined;
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
  const publicJwks = publicJwksSchema.parse({ keys: [{ ...pub, kid, alg: 'ES256', use: 'sig' }] });
  await fs.writeFile(path.join(dir, DEV_PRIVATE_KEY_FILE), JSON.stringify(privateJwk, null, 2), { mode: 0o600 });
  await fs.writeFile(path.join(dir, DEV_PUBLIC_JWKS_FILE), JSON.stringify(publicJwks, null, 2));
  return { kid, privateJwk, publicJwks };
}

export interface DevTokenClaims {
  role: Role;
  school?: string;
  trust?: string;
  name?: string;
  /** Defaults to a subject derived from the role and scope, e.g. "dev-school-3302001". */
  sub?: string;
}

export interface DevTokenOptions {
  ttlSeconds?: number;
  issuer?: string;
  audience?: string;
  claimNames?: { school: string; trust: string; roles: string };
  /** Seconds since the epoch; for tokens that are already expired or not yet valid in tests. */
  now?: number;
  notBefore?: number;
}

/** Signs a token the local API accepts (same issuer, audience and claim names as its config). */
export async function mintDevToken(key: DevSigningKey, claims: DevTokenClaims, options: DevTokenOptions = {}): Promise<string> {
  const names = options.claimNames ?? { school: 'school', trust: 'trust', roles: 'roles' };
  const now = options.now ?? Math.floor(Date.now() / 1000);
  const payload: Record<string, unknown> = { [names.roles]: [claims.role] };
  if (claims.school !== undefined) payload[names.school] = claims.school;
  if (claims.trust !== undefined) payload[names.trust] = claims.trust;
  if (claims.name !== undefined) payload['name'] = claims.name;
  const privateKey = await importJWK(key.privateJwk, 'ES256');
  return new SignJWT(payload)
    .setProtectedHeader({ alg: 'ES256', kid: key.kid, typ: 'JWT' })
    .setIssuer(options.issuer ?? LOCAL_ISSUER)
    .setAudience(options.audience ?? LOCAL_AUDIENCE)
    .setSubject(claims.sub ?? `dev-${claims.role}${claims.school ? `-${claims.school}` : ''}${claims.trust ? `-${claims.trust}` : ''}`)
    .setIssuedAt(now)
    .setNotBefore(options.notBefore ?? now)
    .setExpirationTime(now + (options.ttlSeconds ?? 8 * 60 * 60))
    .sign(privateKey);
}
