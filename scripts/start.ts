/**
 * `npm start`: the local stack, as a list of services started in order and stopped in reverse
 * on Ctrl-C / SIGTERM.
 *
 *   1. cosmos: the embedded Cosmos DB server on loopback, keeping its data in .local/cosmos
 *              (LOCAL_DATA_DIR), or COSMOS_ENDPOINT when set (e.g. the emulator)
 *   2. api:    the Functions handlers on http://localhost:7071/api, seeded from samples/ and the
 *              bundled resource bases when the store starts empty
 *
 * `npm start -- --reset` (or `npm run reset`) deletes the local data first, so the store starts
 * empty and is seeded again.
 *   3. addin:  the add-in's webpack dev server on https://localhost:3000 (scripts/devServer.ts);
 *              ADDIN=0 leaves it out
 *
 * Each service is a name and a start() returning what it serves and how to stop it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { closeStore, getStore, seedFromSamples } from '../functions/src/store';
import { type Config, parseConfig, resetConfig, setConfig } from '../functions/src/config';
import { resetAuthentication } from '../functions/src/auth';
import type { LogSink } from '../functions/src/http/logger';
import type { RouteDefinition } from '../functions/src/http/route';
import { loadRoutes } from '../functions/src/routes';
import { ensureDevKeys } from './devKeys';
import { devSignInRoutes } from './devSignIn';
import { startEmbeddedCosmos } from './embeddedCosmos';
import { DEFAULT_CORS_ORIGINS, startLocalHost } from './localHost';

/** What services pass along to the ones after them. */
export interface StackContext {
  env: Record<string, string | undefined>;
  cosmosEndpoint?: string;
  cosmosKey?: string;
  /** False when the embedded server loaded stored data: seeding is for an empty store only. */
  cosmosFresh?: boolean;
  config?: Config;
  apiUrl?: string;
}

export interface RunningService {
  /** What to print, e.g. the URL it serves. */
  summary: string;
  stop(): Promise<void>;
}

export interface Service {
  name: string;
  start(ctx: StackContext): Promise<RunningService>;
}

export interface ApiServiceOptions {
  port?: number;
  host?: string;
  /** Seed the database: the samples by default; tests pass their own. */
  seed?: (ctx: StackContext) => Promise<void>;
  routes?: () => readonly RouteDefinition[];
  /** Serve the dev sign-in (scripts/devSignIn.ts) beside the routes; only ever with AUTH_MODE=local. Default true. */
  devSignIn?: boolean;
  log?: LogSink;
  corsOrigins?: readonly string[];
}

/** Where `npm start` keeps the embedded server's data unless LOCAL_DATA_DIR says otherwise. */
export const DEFAULT_DATA_DIR = path.join('.local', 'cosmos');

/** A path as the user would type it: relative inside the working directory, absolute elsewhere. */
function shownPath(dir: string): string {
  const relative = path.relative(process.cwd(), dir);
  return relative === '' ? '.' : relative.startsWith('..') || path.isAbsolute(relative) ? dir : relative;
}

export interface CosmosServiceOptions {
  port?: number;
  /** Keep the data here; absent: in memory (the API tests). */
  dataDir?: string;
  /** Delete the stored data first. */
  reset?: boolean;
}

export function cosmosService(options: CosmosServiceOptions = {}): Service {
  return {
    name: 'cosmos',
    async start(ctx) {
      if (ctx.env['COSMOS_ENDPOINT']) {
        ctx.cosmosEndpoint = ctx.env['COSMOS_ENDPOINT'];
        return { summary: `using COSMOS_ENDPOINT ${ctx.cosmosEndpoint}`, stop: async () => undefined };
      }
      const cosmos = await startEmbeddedCosmos({
        port: options.port ?? 0,
        ...(options.dataDir !== undefined ? { dataDir: options.dataDir } : {}),
        ...(options.reset ? { reset: true } : {}),
      });
      ctx.cosmosEndpoint = cosmos.endpoint;
      ctx.cosmosKey = cosmos.key;
      ctx.cosmosFresh = cosmos.fresh;
      const kept = cosmos.dataDir
        ? `data in ${shownPath(cosmos.dataDir)} (${cosmos.fresh ? 'new, seeded from samples' : 'kept from the last run'}; npm run reset starts empty)`
        : 'in memory';
      const notices = cosmos.notices.map((n) => `\n           note: ${n}`).join('');
      return { summary: `embedded Cosmos DB at ${cosmos.endpoint}, ${kept}${notices}`, stop: () => cosmos.stop() };
    },
  };
}

export function apiService(options: ApiServiceOptions = {}): Service {
  return {
    name: 'api',
    async start(ctx) {
      // The API's config is the environment plus the endpoint the cosmos service chose.
      const config = parseConfig({
        ...ctx.env,
        ...(ctx.cosmosEndpoint ? { COSMOS_ENDPOINT: ctx.cosmosEndpoint } : {}),
        ...(ctx.cosmosKey && !ctx.env['COSMOS_KEY'] ? { COSMOS_KEY: ctx.cosmosKey } : {}),
      });
      setConfig(config);
      ctx.config = config;
      if (config.auth.mode === 'local') await ensureDevKeys(config.auth.localKeyDir);
      const store = getStore();
      if (config.mode === 'local') await store.ensureDatabase();
      if (options.seed) await options.seed(ctx);
      else if (config.mode === 'local' && ctx.cosmosFresh !== false) await seedFromSamples(store, config.samplesDir);

      const host = await startLocalHost({
        // The dev sign-in is this host's, never the Functions app's: devSignInRoutes is empty unless auth is local.
        routes: [...(options.routes ?? loadRoutes)(), ...(options.devSignIn === false ? [] : devSignInRoutes(config))],
        port: options.port ?? 7071,
        ...(options.host ? { host: options.host } : {}),
        // The host-wide ceiling; each endpoint applies its own, smaller cap before parsing.
        maxBodyBytes: Math.max(config.limits.maxJsonBytes, config.limits.maxXlsxBytes),
        corsOrigins: options.corsOrigins ?? DEFAULT_CORS_ORIGINS,
        ...(options.log ? { log: options.log } : {}),
      });
      ctx.apiUrl = host.url;
      return {
        summary: `API at ${host.url} (${config.mode} mode, ${config.auth.mode} auth)`,
        stop: async () => {
          await host.close();
          await closeStore();
          resetAuthentication();
          resetConfig();
        },
      };
    },
  };
}

/** The add-in (task pane, custom functions, manifest) on https://localhost:3000, for sideloading. */
export function addinService(options: { port?: number } = {}): Service {
  return {
    name: 'addin',
    async start() {
      // Loaded here so the API-only stack (and its tests) never pull in webpack.
      const { startAddinDevServer } = await import('./devServer.js');
      const server = await startAddinDevServer(options);
      return {
        summary: `add-in at ${server.url}/taskpane.html, sideload manifest.xml (trust ${server.certFile} once)`,
        stop: () => server.stop(),
      };
    },
  };
}

export interface RunningStack {
  ctx: StackContext;
  summaries: { name: string; summary: string }[];
  stop(): Promise<void>;
}

/** Starts services in order; if one fails, stops those already running and rethrows. */
export async function startServices(services: readonly Service[], env: Record<string, string | undefined> = process.env): Promise<RunningStack> {
  const ctx: StackContext = { env: { ...env } };
  const running: { name: string; service: RunningService }[] = [];
  const stop = async () => {
    for (const { service } of running.splice(0).reverse()) {
      await service.stop().catch((error: unknown) => console.error(error));
    }
  };
  try {
    for (const s of services) running.push({ name: s.name, service: await s.start(ctx) });
  } catch (error) {
    await stop();
    throw error;
  }
  return { ctx, summaries: running.map((r) => ({ name: r.name, summary: r.service.summary })), stop };
}

/** The services `npm start` runs; `reset` starts the store empty. */
export function stackServices(env: Record<string, string | undefined>, options: { reset?: boolean } = {}): Service[] {
  return [
    cosmosService({ dataDir: path.resolve(env['LOCAL_DATA_DIR'] || DEFAULT_DATA_DIR), ...(options.reset ? { reset: true } : {}) }),
    apiService({ port: Number(env['PORT'] ?? 7071) }),
    ...(env['ADDIN'] === '0' ? [] : [addinService()]),
  ];
}

/** The sample returns are generated files (gitignored): make them on a clean checkout, so the API starts with some returns. */
async function ensureSampleReturns(): Promise<void> {
  const samplesDir = path.resolve(process.env['LOCAL_SAMPLES_DIR'] || 'samples');
  if (process.env['COSMOS_ENDPOINT'] || fs.existsSync(path.join(samplesDir, 'returns'))) return;
  console.log('  samples  generating samples/returns (npm run samples)…');
  // Lazy: only a clean checkout needs the generator (and exceljs) at start-up.
  const { generateSamples } = require('../samples/generate') as typeof import('../samples/generate');
  await generateSamples(samplesDir);
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { reset: { type: 'boolean', default: false } } });
  await ensureSampleReturns();
  const stack = await startServices(stackServices(process.env, { reset: values.reset }));
  for (const { name, summary } of stack.summaries) console.log(`  ${name.padEnd(8)} ${summary}`);
  const api = stack.ctx.apiUrl?.replace('127.0.0.1', 'localhost');
  console.log(`
  health   ${api}/health
  sign in  npm run token -- --role la            (or --role school --school <LAESTAB>, --role trust --trust <id>)
           or the task pane's dev picker (POST ${api}/dev/token, local auth only)
  try it   curl -H "Authorization: Bearer $(npm run -s token -- --role la)" ${api}/me

  Ctrl-C to stop.`);

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) process.exit(1); // a second Ctrl-C means now
    stopping = true;
    console.log(`\n${signal}: stopping…`);
    void stack.stop().then(() => process.exit(0));
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
