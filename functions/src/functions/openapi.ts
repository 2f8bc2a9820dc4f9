/**
 * GET /api/openapi.json (anonymous): the OpenAPI 3.1 description of every route this app
 * serves, generated from the route table and the shared zod schemas (functions/src/openapi),
 * so LA data teams can generate typed clients. Built once per process: both inputs are fixed
 * once the function files have loaded.
 */
import { getConfig } from '../config';
import { withErrors } from '../http/handler';
import { register } from '../http/registry';
import { defineRoute } from '../http/route';
import { buildOpenApiDocument } from '../openapi/document';
import { loadRoutes } from '../routes';

let cached: { version: string; body: string } | undefined;

export function openApiJson(): string {
  const { version } = getConfig();
  if (cached?.version !== version) cached = { version, body: JSON.stringify(buildOpenApiDocument(loadRoutes(), { version })) };
  return cached.body;
}

export const openapi = withErrors(async () => ({
  status: 200,
  headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'public, max-age=300' },
  body: openApiJson(),
}));

export const route = defineRoute({ name: 'openapi', methods: ['GET'], route: 'openapi.json', authLevel: 'anonymous', handler: openapi });

register(route);
