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
import { type Grant, subjectOf } from '../../shared/identity';
import { seedPeople } from '../../functions/src/store/seed';
import { type DevSigningKey, type DevTokenClaims, type DevTokenOptions, devPerson, ensureDevKeys, mintDevToken } from '../../scripts/devKeys';
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
  /**
   * A dev token the stack accepts; options can make it expired, not yet valid, etc. With the
   * memberships source (the default), the person the claims name is given the membership the
   * role claims ask for (school → senco, trust → trustLead, la → laOfficer, or laAdmin with
   * `admin`) and their tenant is put on the allow-list, so a test asks for a role as it always
   * has. Claims with no role (`{ tid, oid }`) seed nothing: that person has no membership.
   */
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
          // The synthetic tenants and people of store/samplePeople.ts, as `npm start` seeds them.
          await seedPeople(getStore(), schools);
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
  const seeded = new Set<string>();
  const seedMembershipFor = async (claims: DevTokenClaims): Promise<void> => {
    const grant = grantFor(claims);
    if (grant === undefined) return;
    const person = devPerson(claims);
    const once = JSON.stringify([person, grant]);
    if (seeded.has(once)) return;
    const store = getStore();
    if ((await store.tenants.get(person.tid)) === undefined) {
      await store.tenants.put({ tid: person.tid, name: `Test tenant ${person.tid.slice(0, 8)}`, reason: 'test harness', addedBy: 'seed', addedAt: new Date().toISOString() });
    }
    await store.memberships.grant('seed', person, grant);
    seeded.add(once);
  };
  return {
    baseUrl: apiUrl,
    cosmosEndpoint,
    config,
    store: getStore(),
    key,
    logs,
    token: async (claims, tokenOptions) => {
      if (config.auth.roleSource === 'memberships') await seedMembershipFor(claims);
      return mintDevToken(key, claims, { issuer: config.auth.issuer, audience: config.auth.audience, scope: config.auth.scope, claimNames: config.auth.claims, ...tokenOptions });
    },
    fetch: (pathname, init) => fetch(`${apiUrl}${pathname}`, init),
    stop: async () => {
      await stack.stop();
      await fs.rm(keyDir, { recursive: true, force: true });
    },
  };
}

/** The subject (`<tid>/<oid>`) the API records for the person a dev token's claims name. */
export function subjectFor(claims: DevTokenClaims): string {
  const { tid, oid } = devPerson(claims);
  return subjectOf(tid, oid);
}

/** The membership a token's role claims ask for, when they name one the store can hold. */
function grantFor(claims: DevTokenClaims): Grant | undefined {
  switch (claims.role) {
    case 'school':
      return claims.school !== undefined && /^\d{7}$/.test(claims.school) ? { role: 'senco', school: claims.school } : undefined;
    case 'trust':
      return claims.trust !== undefined ? { role: 'trustLead', trust: claims.trust } : undefined;
    case 'la':
      return { role: claims.admin ? 'laAdmin' : 'laOfficer' };
    default:
      return undefined;
  }
}
