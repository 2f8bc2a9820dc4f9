/**
 * The Functions app's settings, validated once with zod at start-up (t3 style): a missing or
 * malformed setting stops the app with a message naming it, instead of failing on the first
 * request that happens to need it.
 *
 * Settings (app settings in Azure, `Values` in local.settings.json, or the environment):
 *
 * | setting | default | meaning |
 * |---|---|---|
 * | COSMOS_ENDPOINT | unset → local mode | Cosmos DB account URL. Unset: an embedded Cosmos protocol server on loopback. |
 * | COSMOS_KEY | — | account key; required with COSMOS_ENDPOINT unless COSMOS_AUTH=managedIdentity |
 * | COSMOS_AUTH | key | `key` or `managedIdentity` (the Functions app's identity, via IDENTITY_ENDPOINT) |
 * | COSMOS_MANAGED_IDENTITY_CLIENT_ID | — | client id of a user-assigned identity |
 * | COSMOS_DATABASE | goodstart | database id |
 * | AUTH_MODE | local in local mode | `local` (dev ES256 key under .local/) or `entra`; cloud mode must use `entra` |
 * | AUTH_ROLE_SOURCE | memberships | where a caller's role comes from: `memberships` (the memberships container, any tenant on the allow-list) or `claims` (custom `roles`/`school`/`trust` claims, one tenant: AUTH_TENANT_ID) |
 * | AUTH_TENANT_ID | the synthetic council tenant in local mode | `claims` only, required for entra: the one tenant whose tokens are accepted |
 * | AUTH_ISSUER | https://login.microsoftonline.com/{tenantid}/v2.0 | expected `iss`; `{tenantid}` is filled with the token's own `tid` |
 * | AUTH_AUDIENCE | a synthetic client id in local mode; required for entra | expected `aud`: the API's client id |
 * | AUTH_SCOPE | access_as_user | a delegated scope `scp` must contain |
 * | AUTH_JWKS_URL | Microsoft's common v2 keys for entra | https JWKS URL; keys cached 24 h, an unknown `kid` refetched at most once a minute |
 * | AUTH_ALGORITHMS | RS256,ES256 (entra: RS256) | allow-list; only asymmetric algorithms are accepted (the local dev key is ES256) |
 * | AUTH_CLOCK_TOLERANCE_SECONDS | 60 | skew allowed on exp/nbf |
 * | AUTH_SCHOOL_CLAIM / AUTH_TRUST_CLAIM / AUTH_ROLES_CLAIM | school / trust / roles | claim names (`claims` source) |
 * | BOOTSTRAP_LA_ADMIN | — | `<tid>:<oid>` of the first LA admin; their tenant is always on the allow-list. Nobody grants themselves a role, so this is how the first admin exists |
 * | AUTH_LOCAL_KEY_DIR | ./.local | where scripts/devKeys.ts keeps the dev key pair |
 * | MAX_JSON_BYTES / MAX_XLSX_BYTES | 2 MiB / 5 MiB | request body caps |
 * | IDEMPOTENCY_KEYS_PER_HOUR | 300 | new Idempotency-Keys one user may start an hour (429 beyond) |
 * | LOCAL_SAMPLES_DIR | ./samples | seed data for the embedded server |
 * | LOCAL_DATA_DIR | unset (`npm start`: ./.local/cosmos) | where the embedded server keeps its data; unset under `func start`: in memory |
 * | APP_VERSION | functions/package.json version | reported by /api/health |
 * | CROSS_SCHOOL_KEY | a fixed dev key in local mode; required in cloud | the secret the cross-school index keys its UPN hashes with (HMAC-SHA256, store/upnIndex.ts); 32+ characters |
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { GUID_PATTERN, guidSchema } from '../../shared/identity';

/** Entra's v2 issuer, per tenant: `{tenantid}` is Microsoft's own template (as in its JWKS `issuer` members). */
export const ENTRA_ISSUER_TEMPLATE = 'https://login.microsoftonline.com/{tenantid}/v2.0';
/** Microsoft's common v2 signing keys: every tenant's tokens are signed by one of these. */
export const ENTRA_COMMON_JWKS_URL = 'https://login.microsoftonline.com/common/discovery/v2.0/keys';
/** Local dev tokens are Entra-shaped (issue 25): the same issuer template, a synthetic client id as audience. */
export const LOCAL_ISSUER = ENTRA_ISSUER_TEMPLATE;
export const LOCAL_AUDIENCE = '6f1c0d3e-2b7a-4c55-9e0a-00000000c0de';
export const DEFAULT_API_SCOPE = 'access_as_user';
/** The synthetic council tenant (store/samplePeople.ts COUNCIL_TENANT): claims mode's tenant in local mode. */
export const LOCAL_TENANT_ID = '5d2ef62f-6ab0-4d8e-8f8b-1a0c6e0c0001';
/** Local mode's cross-school key: not a secret, as local data is synthetic. */
export const LOCAL_CROSS_SCHOOL_KEY = 'goodstart-local-cross-school-key-not-a-secret';

/** Only asymmetric algorithms: a symmetric key would have to be shared with every client. */
export const SUPPORTED_ALGORITHMS = ['RS256', 'ES256'] as const;
export type SupportedAlgorithm = (typeof SUPPORTED_ALGORITHMS)[number];

const MiB = 1024 * 1024;

const emptyAsUndefined = (v: unknown): unknown => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const optionalString = z.preprocess(emptyAsUndefined, z.string().trim().min(1).optional());
const byteCount = (fallback: number) =>
  z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1024).max(100 * MiB).default(fallback));

const envSchema = z.object({
  COSMOS_ENDPOINT: z.preprocess(emptyAsUndefined, z.url({ protocol: /^https$/ }).optional()),
  COSMOS_KEY: optionalString,
  COSMOS_AUTH: z.preprocess(emptyAsUndefined, z.enum(['key', 'managedIdentity']).default('key')),
  COSMOS_MANAGED_IDENTITY_CLIENT_ID: optionalString,
  COSMOS_DATABASE: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,255}$/, 'letters, digits, _ or -')
      .default('goodstart'),
  ),
  AUTH_MODE: z.preprocess(emptyAsUndefined, z.enum(['local', 'entra']).optional()),
  AUTH_ISSUER: optionalString,
  AUTH_AUDIENCE: optionalString,
  AUTH_JWKS_URL: z.preprocess(emptyAsUndefined, z.url({ protocol: /^https$/ }).optional()),
  AUTH_ALGORITHMS: z.preprocess(
    (v) => (typeof v === 'string' && v.trim() !== '' ? v.split(',').map((s) => s.trim()) : undefined),
    z.array(z.enum(SUPPORTED_ALGORITHMS)).min(1).optional(),
  ),
  AUTH_CLOCK_TOLERANCE_SECONDS: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(0).max(300).default(60)),
  AUTH_SCHOOL_CLAIM: z.preprocess(emptyAsUndefined, z.string().min(1).default('school')),
  AUTH_TRUST_CLAIM: z.preprocess(emptyAsUndefined, z.string().min(1).default('trust')),
  AUTH_ROLES_CLAIM: z.preprocess(emptyAsUndefined, z.string().min(1).default('roles')),
  AUTH_LOCAL_KEY_DIR: optionalString,
  AUTH_ROLE_SOURCE: z.preprocess(emptyAsUndefined, z.enum(['memberships', 'claims']).default('memberships')),
  AUTH_TENANT_ID: z.preprocess(emptyAsUndefined, guidSchema.optional()),
  AUTH_SCOPE: z.preprocess(emptyAsUndefined, z.string().regex(/^[A-Za-z0-9._-]{1,100}$/, 'one scope name, e.g. access_as_user').default(DEFAULT_API_SCOPE)),
  BOOTSTRAP_LA_ADMIN: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .trim()
      .transform((v) => v.toLowerCase())
      .pipe(z.string().regex(new RegExp(`^${GUID_PATTERN.source.slice(1, -1)}:${GUID_PATTERN.source.slice(1, -1)}$`), '<tid>:<oid>, two GUIDs'))
      .optional(),
  ),
  MAX_JSON_BYTES: byteCount(2 * MiB),
  MAX_XLSX_BYTES: byteCount(5 * MiB),
  /** (design) New Idempotency-Keys one user may open in an hour (each is a stored record): 429 beyond. */
  IDEMPOTENCY_KEYS_PER_HOUR: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1).max(100_000).default(300)),
  LOCAL_SAMPLES_DIR: optionalString,
  LOCAL_DATA_DIR: optionalString,
  APP_VERSION: optionalString,
  CROSS_SCHOOL_KEY: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .min(32, 'at least 32 characters')
      // App Service passes an unresolved Key Vault reference through as its own text, which is long
      // enough to pass for a key: the index would hash every UPN under a key nobody chose.
      .refine((v) => !/^@Microsoft\.KeyVault\(/i.test(v), 'the Key Vault reference was not resolved: check that the app\'s identity may read the vault\'s secrets')
      .optional(),
  ),
});

/** Every setting the app reads: infra/resources.bicep sets each one or names it as left unset (test/infra/settings.test.ts). */
export const SETTING_NAMES = Object.keys(envSchema.shape);

export type CosmosAuth = { kind: 'key'; key: string } | { kind: 'managedIdentity'; clientId?: string };

export interface Config {
  /** local: embedded or loopback Cosmos, dev tokens allowed. cloud: a real account, Entra tokens only. */
  mode: 'local' | 'cloud';
  version: string;
  cosmos: {
    /** Undefined: start the embedded server in-process on first use (local mode only). */
    endpoint?: string;
    auth: CosmosAuth;
    database: string;
    /** Self-signed TLS is accepted only for a loopback endpoint (embedded server, emulator). */
    allowSelfSignedTls: boolean;
    /** Where an embedded server this process starts keeps its data; undefined: in memory. */
    dataDir?: string;
  };
  auth: {
    mode: 'local' | 'entra';
    /** Where a caller's role comes from (auth/resolve.ts): the memberships container, or custom claims within one tenant. */
    roleSource: 'memberships' | 'claims';
    /** `claims` only: the one tenant whose tokens are accepted. */
    tenantId?: string;
    /** The expected `iss`, with `{tenantid}` standing for the token's `tid`. */
    issuer: string;
    audience: string;
    /** The delegated scope `scp` must contain. */
    scope: string;
    jwksUrl?: string;
    /** The configured first LA admin. */
    bootstrapAdmin?: { tid: string; oid: string };
    localKeyDir: string;
    algorithms: SupportedAlgorithm[];
    clockToleranceSeconds: number;
    claims: { school: string; trust: string; roles: string };
  };
  limits: { maxJsonBytes: number; maxXlsxBytes: number; idempotencyKeysPerHour: number };
  samplesDir: string;
  /** The secret the cross-school index keys UPN hashes with: the index never holds a UPN (store/upnIndex.ts). */
  crossSchoolKey: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid Good Start settings:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function isLoopbackUrl(url: string): boolean {
  const host = new URL(url).hostname;
  return host === '127.0.0.1' || host === 'localhost' || host === '[::1]' || host === '::1';
}

/** Parses settings from an environment-like record. Pure: no caching, no process.env. */
export function parseConfig(env: Readonly<Record<string, string | undefined>>, cwd = process.cwd()): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.') || '(settings)'}: ${i.message}`));
  }
  const e = parsed.data;
  const problems: string[] = [];

  const endpoint = e.COSMOS_ENDPOINT;
  const mode: Config['mode'] = endpoint === undefined || isLoopbackUrl(endpoint) ? 'local' : 'cloud';

  let cosmosAuth: CosmosAuth = { kind: 'key', key: '' };
  if (e.COSMOS_AUTH === 'managedIdentity') {
    if (endpoint === undefined) problems.push('COSMOS_AUTH: managedIdentity needs COSMOS_ENDPOINT');
    cosmosAuth = { kind: 'managedIdentity', ...(e.COSMOS_MANAGED_IDENTITY_CLIENT_ID ? { clientId: e.COSMOS_MANAGED_IDENTITY_CLIENT_ID } : {}) };
  } else if (e.COSMOS_KEY !== undefined) {
    cosmosAuth = { kind: 'key', key: e.COSMOS_KEY };
  } else if (endpoint !== undefined && mode === 'cloud') {
    problems.push('COSMOS_KEY: required when COSMOS_ENDPOINT is set (or set COSMOS_AUTH=managedIdentity)');
  } else {
    // The embedded server and the emulator accept any key; the emulator's well-known key is not a secret.
    cosmosAuth = { kind: 'key', key: 'local-dev-key' };
  }

  const authMode = e.AUTH_MODE ?? (mode === 'local' ? 'local' : 'entra');
  if (authMode === 'local' && mode === 'cloud') {
    // Dev tokens are signed by a key anyone with the repo can mint; never trust them beside real data.
    problems.push('AUTH_MODE: local is not allowed with a cloud COSMOS_ENDPOINT; use entra');
  }
  if (authMode === 'entra') {
    if (!e.AUTH_AUDIENCE) problems.push('AUTH_AUDIENCE: required when AUTH_MODE=entra (the API app registration\'s client id)');
    if (e.AUTH_ROLE_SOURCE === 'claims' && !e.AUTH_TENANT_ID) problems.push('AUTH_TENANT_ID: required when AUTH_ROLE_SOURCE=claims with AUTH_MODE=entra (the one tenant whose claims are trusted)');
  }
  const issuer = e.AUTH_ISSUER ?? ENTRA_ISSUER_TEMPLATE;
  // A fixed issuer would accept one tenant's tokens as any tid's: multi-tenant needs the template.
  if (e.AUTH_ROLE_SOURCE === 'memberships' && !issuer.includes('{tenantid}')) problems.push('AUTH_ISSUER: must contain {tenantid} when AUTH_ROLE_SOURCE=memberships');
  const [bootstrapTid, bootstrapOid] = e.BOOTSTRAP_LA_ADMIN?.split(':') ?? [];
  // A key anyone with the repo knows would let a reader of the database test UPNs against the index.
  if (mode === 'cloud' && e.CROSS_SCHOOL_KEY === undefined) problems.push('CROSS_SCHOOL_KEY: required with a cloud COSMOS_ENDPOINT (a secret of 32+ characters)');
  if (problems.length > 0) throw new ConfigError(problems);

  return {
    mode,
    version: e.APP_VERSION ?? packageVersion(),
    cosmos: {
      ...(endpoint !== undefined ? { endpoint } : {}),
      auth: cosmosAuth,
      database: e.COSMOS_DATABASE,
      allowSelfSignedTls: endpoint === undefined || isLoopbackUrl(endpoint),
      ...(e.LOCAL_DATA_DIR !== undefined ? { dataDir: path.resolve(cwd, e.LOCAL_DATA_DIR) } : {}),
    },
    auth: {
      mode: authMode,
      roleSource: e.AUTH_ROLE_SOURCE,
      ...(e.AUTH_ROLE_SOURCE === 'claims' ? { tenantId: e.AUTH_TENANT_ID ?? LOCAL_TENANT_ID } : {}),
      issuer,
      audience: e.AUTH_AUDIENCE ?? LOCAL_AUDIENCE,
      scope: e.AUTH_SCOPE,
      ...(authMode === 'entra' ? { jwksUrl: e.AUTH_JWKS_URL ?? ENTRA_COMMON_JWKS_URL } : {}),
      ...(bootstrapTid && bootstrapOid ? { bootstrapAdmin: { tid: bootstrapTid, oid: bootstrapOid } } : {}),
      localKeyDir: path.resolve(cwd, e.AUTH_LOCAL_KEY_DIR ?? '.local'),
      // Entra signs with RS256; the local dev key is ES256 (scripts/devKeys.ts), so local mode allows both.
      algorithms: e.AUTH_ALGORITHMS ?? (authMode === 'entra' ? ['RS256'] : ['RS256', 'ES256']),
      clockToleranceSeconds: e.AUTH_CLOCK_TOLERANCE_SECONDS,
      claims: { school: e.AUTH_SCHOOL_CLAIM, trust: e.AUTH_TRUST_CLAIM, roles: e.AUTH_ROLES_CLAIM },
    },
    limits: { maxJsonBytes: e.MAX_JSON_BYTES, maxXlsxBytes: e.MAX_XLSX_BYTES, idempotencyKeysPerHour: e.IDEMPOTENCY_KEYS_PER_HOUR },
    samplesDir: path.resolve(cwd, e.LOCAL_SAMPLES_DIR ?? 'samples'),
    crossSchoolKey: e.CROSS_SCHOOL_KEY ?? LOCAL_CROSS_SCHOOL_KEY,
  };
}

let cached: Config | undefined;

/** The process's config, parsed from process.env on first use and cached. */
export function getConfig(): Config {
  cached ??= parseConfig(process.env);
  return cached;
}

/**
 * Installs an explicit config (the local host and the test harness, which start the embedded
 * server first and only then know its endpoint). Call before the first request.
 */
export function setConfig(config: Config): void {
  cached = config;
}

export function resetConfig(): void {
  cached = undefined;
}

/** The version in the Functions app's package.json, found by walking up from this file (src and dist differ in depth). */
function packageVersion(): string {
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    const file = path.join(dir, 'package.json');
    try {
      const pkg = z.object({ name: z.string(), version: z.string() }).safeParse(JSON.parse(fs.readFileSync(file, 'utf8')));
      if (pkg.success && pkg.data.name === 'good-start-api') return pkg.data.version;
    } catch {
      // not here; keep walking up
    }
    dir = path.dirname(dir);
  }
  return '0.0.0-unknown';
}
