/**
 * The store: the process's one Cosmos connection, its containers, and the repositories the
 * endpoints use. `getStore()` is a lazy singleton; nothing connects until the first request.
 *
 * Endpoint code uses `store.container('returns')` etc. and the repositories below; it never
 * builds its own CosmosClient.
 */
import type { Container, Database } from '@azure/cosmos';
import { getConfig, type Config } from '../config';
import { AuditLog } from './audit';
import { CONTAINER_NAMES, CONTAINERS, type ContainerName } from './containers';
import { type CosmosHandle, openCosmos } from './cosmos';
import { MembershipStore } from './memberships';
import { SchoolDirectoryStore } from './schoolDirectory';
import { TenantStore } from './tenants';
import { seedFromSamples } from './seed';
import { startSweeper } from './ttlSweeper';

export interface Store {
  readonly config: Config;
  /** A container, after the database is known to exist (created on first use in local mode). */
  container(name: ContainerName): Promise<Container>;
  database(): Promise<Database>;
  /** Creates the database and every container if missing (local mode; in Azure, infrastructure does this). */
  ensureDatabase(): Promise<void>;
  /** True when Cosmos answers a database read within `timeoutMs`. Never throws. */
  ping(timeoutMs?: number): Promise<boolean>;
  /** The endpoint in use (the embedded server's, in local mode without COSMOS_ENDPOINT). */
  endpoint(): Promise<string>;
  readonly directory: SchoolDirectoryStore;
  readonly audit: AuditLog;
  /** Who may act for which school, trust or the LA (issue 25): one point read per request. */
  readonly memberships: MembershipStore;
  /** The LA's tenant allow-list. */
  readonly tenants: TenantStore;
  close(): Promise<void>;
}

/** (design) How long a local-mode health check waits for the embedded server's first start and seed. */
const LOCAL_SETUP_TIMEOUT_MS = 30_000;

/** The promise's value, or undefined when it fails or takes longer than `ms`. */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([promise.catch(() => undefined), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export function createStore(config: Config): Store {
  let handle: Promise<CosmosHandle> | undefined;
  let ready: Promise<Database> | undefined;
  let sweeper: { stop(): void } | undefined;

  const open = (): Promise<CosmosHandle> => {
    handle ??= openCosmos(config.cosmos).catch((error: unknown) => {
      handle = undefined; // a failed connect is retried on the next request
      throw error;
    });
    return handle;
  };

  const createAll = async (): Promise<Database> => {
    const { client } = await open();
    const { database } = await client.databases.createIfNotExists({ id: config.cosmos.database });
    for (const name of CONTAINER_NAMES) {
      const def: { partitionKey: string; defaultTtl?: number } = CONTAINERS[name];
      await database.containers.createIfNotExists({
        id: name,
        partitionKey: { paths: [def.partitionKey] },
        ...(def.defaultTtl !== undefined ? { defaultTtl: def.defaultTtl } : {}),
      });
    }
    return database;
  };

  const database = (): Promise<Database> => {
    ready ??= (async () => {
      const h = await open();
      if (config.mode === 'cloud') return h.client.database(config.cosmos.database);
      const db = await createAll();
      // A server this process started empty: seed it, so `func start` alone gives a usable API
      // (a durable one that loaded its data is left as it was).
      // Seed through the database directly: going through `store` would wait on this very promise.
      if (h.embedded?.fresh) {
        await seedFromSamples(
          { container: async (name) => db.container(name), directory: new SchoolDirectoryStore(async () => db.container('schools')) },
          config.samplesDir,
        );
      }
      // The embedded server keeps expired items for ever; remove them as Cosmos' TTL would.
      if (h.embedded) {
        sweeper?.stop();
        sweeper = startSweeper(db);
      }
      return db;
    })().catch((error: unknown) => {
      ready = undefined;
      throw error;
    });
    return ready;
  };

  const store: Store = {
    config,
    database,
    container: async (name) => (await database()).container(name),
    ensureDatabase: async () => {
      await createAll();
    },
    ping: async (timeoutMs = 2_000) => {
      // In local mode the first use starts and seeds the embedded server: that setup gets longer
      // than a read, so a health check during start-up waits for it instead of failing.
      const db = await within(database(), config.mode === 'local' ? Math.max(timeoutMs, LOCAL_SETUP_TIMEOUT_MS) : timeoutMs);
      return db !== undefined && (await within(db.read().then(() => true as const), timeoutMs)) === true;
    },
    endpoint: async () => (await open()).endpoint,
    directory: new SchoolDirectoryStore(() => store.container('schools')),
    audit: new AuditLog(() => store.container('audit')),
    memberships: new MembershipStore(() => store.container('memberships')),
    tenants: new TenantStore(() => store.container('tenants')),
    close: async () => {
      sweeper?.stop();
      sweeper = undefined;
      const h = handle;
      handle = undefined;
      ready = undefined;
      if (h) await (await h.catch(() => undefined))?.dispose();
    },
  };
  return store;
}

let current: Store | undefined;

/** The process's store, for the current config. */
export function getStore(): Store {
  const config = getConfig();
  if (current?.config !== config) current = createStore(config);
  return current;
}

/** Closes the process's store (the local host on shutdown, tests in afterAll). */
export async function closeStore(): Promise<void> {
  const s = current;
  current = undefined;
  await s?.close();
}

export { AuditLog, type AuditEntry, type AuditRecord } from './audit';
export { CITY_PARTITION, CONTAINER_NAMES, CONTAINERS, type ContainerName } from './containers';
export { SchoolDirectoryStore } from './schoolDirectory';
export { seedFromSamples, seedDirectory, seedResourceBases, type SeedTarget, type SeedResult } from './seed';
