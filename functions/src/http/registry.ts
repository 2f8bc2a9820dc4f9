/**
 * The one route table. Each function file calls `register(route)` at its bottom (the
 * one-file-per-function habit of the Azure samples); functions/src/routes.ts loads every
 * function file, and both the Functions entry point and the local host read `registeredRoutes()`.
 */
import type { RouteDefinition } from './route';

const table = new Map<string, RouteDefinition>();

export function register(route: RouteDefinition): RouteDefinition {
  const existing = table.get(route.name);
  if (existing && existing !== route) throw new Error(`two functions are named "${route.name}"`);
  for (const other of table.values()) {
    if (other === route || other.route.toLowerCase() !== route.route.toLowerCase()) continue;
    const clash = other.methods.filter((m) => route.methods.includes(m));
    if (clash.length > 0) throw new Error(`"${route.name}" and "${other.name}" both serve ${clash.join(',')} ${route.route}`);
  }
  table.set(route.name, route);
  return route;
}

/** A snapshot in registration order. */
export function registeredRoutes(): RouteDefinition[] {
  return [...table.values()];
}
