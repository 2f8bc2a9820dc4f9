/**
 * The API test stack: the real embedded Cosmos protocol server and the local host, both on
 * ephemeral loopback ports, started in-process with the same services `npm start` runs.
 * Each test file calls `startStack()` in beforeAll and `stack.stop()` in afterAll.
 *
 * The stack never reads the developer's environment or `.local/`: it gets a clean settings
 * record, a fresh dev key in a temp directory, and the synthetic directory below.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Config } from '../../functions/src/config';
import type { LogLevel } from '../../functions/src/http/logger';
import type { RouteDefinition } from '../../functions/src/http/route';
import { loadRoutes } from '../../functions/src/routes';
import { getStore, type Store } from '../../functions/src/store';
import type { School } from '../../shared/schools';
import { type DevSigningKey, type DevTokenClaims, type DevTokenOptions, ensureDevKeys, mintDevToken } from '../../scripts/devKeys';
import { apiService, cosmosService, startServices } from '../../scripts/start';

/** A small synthetic directory (names are obviously not real schools). */
export const TEST_SCHOOLS: School[] = [
  { laestab: '3302001', urn: '990001', name: 'Acorn Lane Primary (test)', phase: 'primary', area: 'North', trust: null },
  { laestab: '3302002', urn: '990002', name: 'Bramble Hill Primary (test)', phase: 'primary', area: 'North', trust: 'T1' },
  { laestab: '3302003', urn: '990003', name: 'Copperbeech Primary (test)', phase: 'primary', area: 'East', trust: 'T1', email: 'senco.3302003@schools.example' },
  { laestab: '3304001', urn: '990101', name: 'Hillcrest Academy (test)', phase: 'secondary', area: 'North', trust: 'T1' },
  { laestab: '3304002', urn: '990102', name: 'Millstone Secondary (test)', phase: 'secondary', area: 'East', trust: null },
];

export interface StackOptions {
  /** Extra routes served beside the registered ones (test-only endpoints). */
  extraRoutes?: readonly RouteDefinition[];
  /** Settings on top of the harness defaults. */
  env?: Record<string, string>;
  schools?: readonly School[];
  /** Browser origins the API answers with CORS headers (the pane's test server). */
  corsOrigins?: readonly string[];
}

export interface LogLine {
  level: LogLevel;
  line: string;
}

export interface Stack {
  /** e.g. http://127.0.0.1:49152/api */
  baseUrl: string;
  cosmosEndpoint: string;
  config: Config;
  store: Store;
  key: DevSigningKey;
  /** Every log line the handlers wrote, as written. */
  logs: LogLine[];
  /** A dev token the stack accepts; options can make it expired, not yet valid, etc. */
  token(claims: DevTokenClaims, options?: DevTokenOptions): Promise<string>;
  /** fetch relative to baseUrl, e.g. `stack.fetch('/me', { headers })`. */
  fetch(pathname: string, init?: RequestInit): Promise<Response>;
  stop(): Promise<void>;
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const keyDir = await fs.mkdtemp(path.join(os.tmpdir(), 'goodstart-keys-'));
  const logs: LogLine[] = [];
  const schools = options.schools ?? TEST_SCHOOLS;
  const env = { AUTH_MODE: 'local', AUTH_LOCAL_KEY_DIR: keyDir, APP_VERSION: '0.0.0-test', ...options.env };
  const stack = await startServices(
    [
      cosmosService({ port: 0 }),
      apiService({
        port: 0,
        routes: () => [...loadRoutes(), ...(options.extraRoutes ?? [])],
        seed: async () => {
          await getStore().directory.replace(schools);
        },
        log: (level, line) => logs.push({ level, line }),
        ...(options.corsOrigins ? { corsOrigins: options.corsOrigins } : {}),
      }),
    ],
    env,
  );
  const { apiUrl, cosmosEndpoint, config } = stack.ctx;
  if (!apiUrl || !cosmosEndpoint || !config) throw new Error('stack did not start');
  const key = await ensureDevKeys(keyDir);
  return {
    baseUrl: apiUrl,
    cosmosEndpoint,
    config,
    store: getStore(),
    key,
    logs,
    token: (claims, tokenOptions) =>
      mintDevToken(key, claims, { issuer: config.auth.issuer, audience: config.auth.audience, claimNames: config.auth.claims, ...tokenOptions }),
    fetch: (pathname, init) => fetch(`${apiUrl}${pathname}`, init),
    stop: async () => {
      await stack.stop();
      await fs.rm(keyDir, { recursive: true, force: true });
    },
  };
}
