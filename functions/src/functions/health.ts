/**
 * GET /api/health (anonymous): the version, the mode, and whether Cosmos DB answers. 200 when
 * it does; 503 problem+json when it doesn't, so a load balancer or `npm start` can wait on it.
 */
import { getConfig } from '../config';
import { withErrors } from '../http/handler';
import { problem } from '../http/problems';
import { register } from '../http/registry';
import { defineRoute } from '../http/route';
import { getStore } from '../store';

export const health = withErrors(async () => {
  const { version, mode } = getConfig();
  const reachable = await getStore().ping();
  if (!reachable) {
    return problem('service-unavailable', {
      detail: 'Cosmos DB is not reachable.',
      headers: { 'retry-after': '5' },
      extensions: { version, mode, cosmos: 'unreachable' },
    });
  }
  return {
    status: 200,
    headers: { 'cache-control': 'no-store' },
    jsonBody: { status: 'ok', version, mode, cosmos: 'reachable' },
  };
});

export const route = defineRoute({ name: 'health', methods: ['GET'], route: 'health', authLevel: 'anonymous', handler: health });

register(route);
