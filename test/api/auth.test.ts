/**
 * Bearer-token authentication and scope, end to end: real tokens against GET /api/me on the
 * local host, over the embedded Cosmos server (which holds the school directory).
 */
import { base64url, exportJWK, generateKeyPair, importJWK, SignJWT } from 'jose';
import { DEV_PUBLIC_JWKS_FILE } from '../../functions/src/auth';
import { canReadSchool, canWriteReturn, requireRole } from '../../functions/src/auth/scope';
import { SchoolDirectory } from '../../shared/schools';
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
  it('gets 200 with the principal taken from the token', async () => {
    const res = await me(await stack.token({ role: 'school', school: '3302001', name: 'Dev Senco' }));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { principal: unknown; schools: { laestab: string }[] };
    expect(body.principal).toEqual({ subject: 'dev-school-3302001', role: 'school', school: '3302001', name: 'Dev Senco' });
    expect(body.schools.map((s) => s.laestab)).toEqual(['3302001']);
  });

  it('maps a URN school claim to the LAESTAB', async () => {
    const res = await me(await stack.token({ role: 'school', school: '990002' }));
    expect(((await res.json()) as { principal: { school: string } }).principal.school).toBe('3302002');
  });

  it('gives a trust its schools and the LA none in particular', async () => {
    const trust = (await (await me(await stack.token({ role: 'trust', trust: 'T1' }))).json()) as { schools: { laestab: string }[] };
    expect(trust.schools.map((s) => s.laestab).sort()).toEqual(['3302002', '3302003', '3304001']);
    const la = await me(await stack.token({ role: 'la' }));
    expect(la.status).toBe(200);
    expect(((await la.json()) as { principal: unknown }).principal).toEqual({ subject: 'dev-la', role: 'la' });
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

  it('for a school role without a school claim', async () => {
    await expectForbidden(await me(await stack.token({ role: 'school' })));
  });

  it('for a trust with no schools in the directory', async () => {
    await expectForbidden(await me(await stack.token({ role: 'trust', trust: 'T-UNKNOWN' })));
  });

  it('for a role the API does not know', async () => {
    await expectForbidden(await me(await stack.token({ role: 'admin' as never })));
  });

  it('for two roles at once', async () => {
    const token = await new SignJWT({ roles: ['la', 'school'], school: '3302001' })
      .setProtectedHeader({ alg: 'ES256', kid: stack.key.kid })
      .setIssuer(stack.config.auth.issuer)
      .setAudience(stack.config.auth.audience)
      .setSubject('two-hats')
      .setExpirationTime('10m')
      .sign(await importJWK(stack.key.privateJwk, 'ES256'));
    await expectForbidden(await me(token));
  });
});

describe('the dev JWKS', () => {
  it('is served in local mode and holds only the public key', async () => {
    const res = await stack.fetch('/.well-known/jwks.json');
    expect(res.status).toBe(200);
    const jwks = (await res.json()) as { keys: Record<string, unknown>[] };
    expect(jwks).toEqual(stack.key.publicJwks);
    expect(jwks.keys.every((k) => !('d' in k))).toBe(true);
    expect(DEV_PUBLIC_JWKS_FILE).toMatch(/jwks/);
  });
});

describe('scope helpers', () => {
  const directory = new SchoolDirectory(TEST_SCHOOLS);
  const school = { subject: 's', role: 'school', school: '3302001' } as const;
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
