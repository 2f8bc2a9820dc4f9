/**
 * One route table: what the Functions entry point registers with app.http is exactly what the
 * local host serves. Also: handlers called directly with `new HttpRequest` / `new InvocationContext`
 * (as the Azure samples test them), including local mode with no COSMOS_ENDPOINT at all.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { HttpRequest, type HttpFunctionOptions, InvocationContext } from '@azure/functions';
import { resetAuthentication } from '../../functions/src/auth';
import { parseConfig, resetConfig, setConfig } from '../../functions/src/config';
import { defineRoute, type RouteDefinition } from '../../functions/src/http/route';
import { FUNCTION_MODULES, loadRoutes } from '../../functions/src/routes';
import { closeStore } from '../../functions/src/store';
import { ensureDevKeys, mintDevToken } from '../../scripts/devKeys';
import { compileRoute, startLocalHost } from '../../scripts/localHost';

const registered: { name: string; options: HttpFunctionOptions }[] = [];
jest.mock('@azure/functions', () => {
  const actual = jest.requireActual<typeof import('@azure/functions')>('@azure/functions');
  return {
    ...actual,
    app: { ...actual.app, http: (name: string, options: HttpFunctionOptions) => registered.push({ name, options }) },
  };
});

const shape = (r: Pick<RouteDefinition, 'name' | 'methods' | 'route' | 'authLevel' | 'handler'>) => ({
  name: r.name,
  methods: r.methods,
  route: r.route,
  authLevel: r.authLevel,
  handler: r.handler,
});

describe('route registration', () => {
  it('registers with app.http exactly the table the local host serves', async () => {
    require('../../functions/src/index');
    expect(registered.length).toBeGreaterThanOrEqual(3);
    const host = await startLocalHost({ routes: loadRoutes(), port: 0, maxBodyBytes: 1024, log: () => undefined });
    try {
      const fromFunctions = registered.map(({ name, options }) => shape({ name, ...options } as RouteDefinition));
      expect(host.routes.map(shape)).toEqual(fromFunctions);
      expect(fromFunctions.map((r) => r.name)).toEqual(expect.arrayContaining(['health', 'me', 'devJwks']));
    } finally {
      await host.close();
    }
  });

  it('loads every function module, each registering anonymous routes', () => {
    const routes = loadRoutes();
    expect(Object.keys(FUNCTION_MODULES).length).toBeLessThanOrEqual(routes.length);
    expect(routes.every((r) => r.authLevel === 'anonymous')).toBe(true);
    expect(new Set(routes.map((r) => r.name)).size).toBe(routes.length);
  });

  it('refuses malformed route definitions up front', () => {
    const handler = async () => ({ status: 204 });
    expect(() => defineRoute({ name: 'x', methods: ['GET'], route: '/api/x', authLevel: 'anonymous', handler })).toThrow(/leading/);
    expect(() => defineRoute({ name: 'bad name', methods: ['GET'], route: 'x', authLevel: 'anonymous', handler })).toThrow(/name/);
    expect(() => defineRoute({ name: 'x', methods: [], route: 'x', authLevel: 'anonymous', handler })).toThrow(/methods/);
  });
});

describe('route templates in the local host', () => {
  const handler = async () => ({ status: 204 });
  const r = (route: string) => compileRoute(defineRoute({ name: 'r', methods: ['GET'], route, authLevel: 'anonymous', handler }));

  it('matches literals case-insensitively and binds parameters', () => {
    expect(r('returns/{laestab}/{year:int}').match(['Returns', '3302001', '2026'])).toEqual({ laestab: '3302001', year: '2026' });
    expect(r('returns/{laestab}/{year:int}').match(['returns', '3302001', 'next'])).toBeUndefined();
    expect(r('returns/{laestab}').match(['returns', '3302001', 'extra'])).toBeUndefined();
  });

  it('supports optional and catch-all parameters and regex constraints', () => {
    expect(r('cohorts/{laestab}/{year?}').match(['cohorts', '3304001'])).toEqual({ laestab: '3304001' });
    expect(r('files/{*rest}').match(['files', 'a', 'b.xlsx'])).toEqual({ rest: 'a/b.xlsx' });
    expect(r('schools/{laestab:regex(^\\d{{7}}$)}').match(['schools', '3302001'])).toBeDefined();
  });
});

describe('handlers called directly', () => {
  let keyDir: string;
  beforeAll(async () => {
    keyDir = await fs.mkdtemp(path.join(os.tmpdir(), 'goodstart-direct-'));
  });
  afterEach(async () => {
    await closeStore();
    resetAuthentication();
    resetConfig();
  });
  afterAll(async () => {
    await fs.rm(keyDir, { recursive: true, force: true });
  });

  const route = (name: string) => {
    const found = loadRoutes().find((x) => x.name === name);
    if (!found) throw new Error(`no route ${name}`);
    return found;
  };

  it('local mode with no COSMOS_ENDPOINT starts and seeds the embedded server itself (as under func start)', async () => {
    // The repository root as cwd: samples/ is where LOCAL_SAMPLES_DIR points by default.
    setConfig(parseConfig({ AUTH_LOCAL_KEY_DIR: keyDir, APP_VERSION: '9.9.9' }, path.join(__dirname, '..', '..')));
    const key = await ensureDevKeys(keyDir);
    const health = await route('health').handler(
      new HttpRequest({ method: 'GET', url: 'http://localhost:7071/api/health' }),
      new InvocationContext({ functionName: 'health', logHandler: () => undefined }),
    );
    expect(health.status).toBe(200);
    expect(health.jsonBody).toEqual({ status: 'ok', version: '9.9.9', mode: 'local', cosmos: 'reachable' });

    const token = await mintDevToken(key, { role: 'la' });
    const me = await route('me').handler(
      new HttpRequest({ method: 'GET', url: 'http://localhost:7071/api/me', headers: { authorization: `Bearer ${token}` } }),
      new InvocationContext({ functionName: 'me', logHandler: () => undefined }),
    );
    expect(me.status).toBe(200);
    expect(me.jsonBody).toMatchObject({ principal: { role: 'la', access: 'laOfficer' } });
  });

  it('health answers 503 problem+json when Cosmos is unreachable', async () => {
    setConfig(parseConfig({ COSMOS_ENDPOINT: 'https://127.0.0.1:9/', COSMOS_KEY: 'x', AUTH_LOCAL_KEY_DIR: keyDir, APP_VERSION: '1.2.3' }));
    const res = await route('health').handler(
      new HttpRequest({ method: 'GET', url: 'http://localhost:7071/api/health' }),
      new InvocationContext({ functionName: 'health', logHandler: () => undefined }),
    );
    expect(res.status).toBe(503);
    expect(res.jsonBody).toMatchObject({
      type: 'https://goodstart.birmingham.example/problems/service-unavailable',
      status: 503,
      cosmos: 'unreachable',
      version: '1.2.3',
    });
    expect(new Headers(res.headers as Record<string, string>).get('content-type')).toBe('application/problem+json');
  });
});
