/**
 * The local-mode signing key's public half. scripts/devKeys.ts generates the ES256 pair once
 * under `.local/` (gitignored); the API trusts only the public JWKS file, and only when
 * AUTH_MODE=local (config refuses local auth beside a cloud database). The key is published with
 * Microsoft's `{tenantid}` issuer template, so local tokens from any synthetic tenant pass the same
 * per-tenant issuer checks as Entra's. It stays ES256 (a local choice: small keys, quick to make);
 * Entra signs RS256, and AUTH_ALGORITHMS defaults to RS256 alone with AUTH_MODE=entra.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

export const DEV_PRIVATE_KEY_FILE = 'dev-signing-key.private.json';
export const DEV_PUBLIC_JWKS_FILE = 'dev-signing-key.jwks.json';

const publicJwkSchema = z.looseObject({
  kty: z.literal('EC'),
  crv: z.literal('P-256'),
  x: z.string(),
  y: z.string(),
  kid: z.string().min(1),
  alg: z.literal('ES256'),
  use: z.literal('sig').optional(),
  /** As Microsoft publishes its keys: the issuer the key signs for, `{tenantid}` standing for the token's tid. */
  issuer: z.string().optional(),
});
export const publicJwksSchema = z.object({ keys: z.array(publicJwkSchema).min(1) });
export type PublicJwks = z.infer<typeof publicJwksSchema>;

/** Reads and checks the dev JWKS. A private member (`d`) in the public file is refused outright. */
export function readLocalPublicJwks(keyDir: string): PublicJwks {
  const file = path.join(keyDir, DEV_PUBLIC_JWKS_FILE);
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    throw new Error(`No dev signing key at ${file}. Run "npm run token -- --role la" or "npm start" once to create it.`);
  }
  const jwks = publicJwksSchema.parse(raw);
  if (jwks.keys.some((k) => 'd' in k)) throw new Error(`${file} holds a private key; it must hold only the public JWKS.`);
  return jwks;
}
