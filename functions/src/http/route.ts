/**
 * The shape of one HTTP endpoint, shared by the Functions registration (functions/src/index.ts)
 * and the local host (scripts/localHost.ts), so both serve exactly the same table.
 */
import type { HttpMethod } from '@azure/functions';
import type { FunctionHandler } from './handler';

export interface RouteDefinition {
  /** The function name in Azure; unique, letters/digits/-/_ only. */
  name: string;
  methods: HttpMethod[];
  /** Functions route template below the `api` prefix, e.g. `returns/{laestab}/{year:int}`. */
  route: string;
  /** Always anonymous at the platform: the app verifies its own JWTs (functions/src/auth). */
  authLevel: 'anonymous';
  handler: FunctionHandler;
}

const NAME = /^[A-Za-z][A-Za-z0-9_-]{0,127}$/;
const SEGMENT = /^(?:[A-Za-z0-9._-]+|\{\*?[A-Za-z][A-Za-z0-9]*(?::[A-Za-z]+(?:\([^)]*\))?)*\??\})$/;

/** Checks a definition's name and route template up front, so a typo fails at start-up, not on a request. */
export function defineRoute(def: RouteDefinition): RouteDefinition {
  if (!NAME.test(def.name)) throw new Error(`route name "${def.name}" must be letters, digits, - or _`);
  if (def.methods.length === 0) throw new Error(`route "${def.name}" has no methods`);
  if (def.route.startsWith('/') || def.route.startsWith('api/')) {
    throw new Error(`route "${def.name}": give the template without a leading / or the api prefix`);
  }
  for (const segment of def.route.split('/')) {
    if (!SEGMENT.test(segment)) throw new Error(`route "${def.name}": bad segment "${segment}" in "${def.route}"`);
  }
  return Object.freeze({ ...def, methods: [...def.methods] });
}
