/** Settings are validated at start-up, and a bad one is named in the error. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigError, LOCAL_AUDIENCE, LOCAL_ISSUER, parseConfig } from '../../functions/src/config';
import { ManagedIdentityCredential } from '../../functions/src/store/managedIdentity';

const problemsOf = (env: Record<string, string>): string[] => {
  try {
    parseConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
};

describe('parseConfig', () => {
  it('defaults to local mode, local auth and the documented limits when nothing is set', () => {
    const c = parseConfig({}, '/repo');
    expect(c.mode).toBe('local');
    expect(c.cosmos).toMatchObject({ database: 'goodstart', allowSelfSignedTls: true });
    expect(c.cosmos.endpoint).toBeUndefined();
    expect(c.auth).toMatchObject({ mode: 'local', issuer: LOCAL_ISSUER, audience: LOCAL_AUDIENCE, algorithms: ['RS256', 'ES256'], localKeyDir: '/repo/.local' });
    expect(c.auth.claims).toEqual({ school: 'school', trust: 'trust', roles: 'roles' });
    expect(c.limits).toEqual({ maxJsonBytes: 2 * 1024 * 1024, maxXlsxBytes: 5 * 1024 * 1024, idempotencyKeysPerHour: 300 });
  });

  it('treats a loopback endpoint (embedded server, emulator) as local', () => {
    expect(parseConfig({ COSMOS_ENDPOINT: 'https://127.0.0.1:8081' }).mode).toBe('local');
  });

  it('refuses a cross-school key that is an unresolved Key Vault reference, naming the setting and the fix', () => {
    const reference = '@Microsoft.KeyVault(SecretUri=https://kv-goodstart.vault.azure.net/secrets/cross-school-key/)';
    expect(problemsOf({ CROSS_SCHOOL_KEY: reference })).toEqual([expect.stringMatching(/^CROSS_SCHOOL_KEY: .*Key Vault reference was not resolved/)]);
    expect(problemsOf({ CROSS_SCHOOL_KEY: 'a-resolved-cross-school-secret-of-40-chars' })).toEqual([]);
  });

  it('needs a key or managed identity for a cloud endpoint, and Entra settings with it', () => {
    const problems = problemsOf({ COSMOS_ENDPOINT: 'https://gs.documents.azure.com:443/' });
    expect(problems).toEqual(
      expect.arrayContaining([expect.stringMatching(/^COSMOS_KEY/), expect.stringMatching(/^AUTH_AUDIENCE/), expect.stringMatching(/^CROSS_SCHOOL_KEY/)]),
    );
  });

  it('refuses dev tokens beside a cloud database', () => {
    expect(problemsOf({ COSMOS_ENDPOINT: 'https://gs.documents.azure.com/', COSMOS_KEY: 'k', AUTH_MODE: 'local' })).toContainEqual(
      expect.stringMatching(/^AUTH_MODE/),
    );
  });

  it('accepts a full cloud configuration with managed identity', () => {
    const c = parseConfig({
      COSMOS_ENDPOINT: 'https://gs.documents.azure.com/',
      COSMOS_AUTH: 'managedIdentity',
      AUTH_AUDIENCE: '11111111-2222-4333-8444-555555555555',
      CROSS_SCHOOL_KEY: 'a-cross-school-secret-of-32-chars-or-more',
      BOOTSTRAP_LA_ADMIN: '00000000-0000-4000-8000-00000000000A:00000000-0000-4000-8000-00000000000b',
    });
    expect(c).toMatchObject({
      mode: 'cloud',
      cosmos: { auth: { kind: 'managedIdentity' }, allowSelfSignedTls: false },
      auth: {
        mode: 'entra',
        roleSource: 'memberships',
        algorithms: ['RS256'],
        issuer: 'https://login.microsoftonline.com/{tenantid}/v2.0',
        jwksUrl: 'https://login.microsoftonline.com/common/discovery/v2.0/keys',
        scope: 'access_as_user',
        bootstrapAdmin: { tid: '00000000-0000-4000-8000-00000000000a', oid: '00000000-0000-4000-8000-00000000000b' },
      },
    });
  });

  it('multi-tenant needs the {tenantid} issuer; the claims source needs its one tenant; the bootstrap admin is two GUIDs', () => {
    const cloud = { COSMOS_ENDPOINT: 'https://gs.documents.azure.com/', COSMOS_KEY: 'k', AUTH_AUDIENCE: 'a', CROSS_SCHOOL_KEY: 'a-cross-school-secret-of-32-chars-or-more' };
    expect(problemsOf({ ...cloud, AUTH_ISSUER: 'https://login.microsoftonline.com/one-tenant/v2.0' })).toEqual([expect.stringMatching(/^AUTH_ISSUER/)]);
    expect(problemsOf({ ...cloud, AUTH_ROLE_SOURCE: 'claims' })).toEqual([expect.stringMatching(/^AUTH_TENANT_ID/)]);
    expect(problemsOf({ BOOTSTRAP_LA_ADMIN: 'someone@council.example' })).toEqual([expect.stringMatching(/^BOOTSTRAP_LA_ADMIN/)]);
  });

  it('names malformed settings', () => {
    expect(problemsOf({ MAX_JSON_BYTES: 'lots' })).toEqual([expect.stringMatching(/^MAX_JSON_BYTES/)]);
    expect(problemsOf({ AUTH_ALGORITHMS: 'HS256' })).toEqual([expect.stringMatching(/^AUTH_ALGORITHMS/)]);
    expect(problemsOf({ COSMOS_ENDPOINT: 'http://gs.example' })).toEqual([expect.stringMatching(/^COSMOS_ENDPOINT/)]);
    expect(() => parseConfig({ AUTH_MODE: 'magic' })).toThrow(/AUTH_MODE/);
  });
});

describe('ManagedIdentityCredential', () => {
  it('asks the App Service identity endpoint for the resource, with the secret header, and caches the token', async () => {
    const seen: { url?: string; header?: string | string[] }[] = [];
    const server = http.createServer((req, res) => {
      seen.push({ url: req.url ?? '', header: req.headers['x-identity-header'] });
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ access_token: 'tok', expires_on: String(Math.floor(Date.now() / 1000) + 3600) }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    try {
      const { port } = server.address() as AddressInfo;
      const cred = new ManagedIdentityCredential({ endpoint: `http://127.0.0.1:${port}/msi/token`, secret: 's3cret', clientId: 'cid' });
      const token = await cred.getToken('https://gs.documents.azure.com/.default');
      await cred.getToken(['https://gs.documents.azure.com/.default']);
      expect(token?.token).toBe('tok');
      expect(seen).toHaveLength(1);
      const url = new URL(seen[0]?.url ?? '', 'http://x');
      expect(url.searchParams.get('resource')).toBe('https://gs.documents.azure.com');
      expect(url.searchParams.get('client_id')).toBe('cid');
      expect(seen[0]?.header).toBe('s3cret');
    } finally {
      server.close();
      server.closeAllConnections();
    }
  });
});
