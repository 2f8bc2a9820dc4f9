/**
 * The route table. Every file in ./functions defines one endpoint and calls `register(route)`
 * at its bottom; `loadRoutes()` loads them all (sorted, so the order is stable) and returns the
 * table. The Functions entry point (index.ts) registers that table with `app.http`, and the
 * local host (scripts/localHost.ts) serves the same table, so `func start` and `npm start`
 * expose identical routes. Adding an endpoint is adding one file to ./functions.
 */
import fs from 'node:fs';
import path from 'node:path';
import { registeredRoutes } from './http/registry';
import type { RouteDefinition } from './http/route';

export const FUNCTIONS_DIR = path.join(__dirname, 'functions');

/** Function modules beside this file: .ts under tsx/jest, .js in the build; never tests or declarations. */
export function functionModules(dir = FUNCTIONS_DIR): string[] {
  const ext = path.extname(__filename);
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(ext) && !f.endsWith(`.d${ext}`) && !/\.(test|spec)\./.test(f))
    .sort()
    .map((f) => path.join(dir, f));
}

let loaded: RouteDefinition[] | undefined;

export function loadRoutes(): RouteDefinition[] {
  if (!loaded) {
    for (const file of functionModules()) require(file);
    loaded = registeredRoutes();
  }
  return loaded;
}
