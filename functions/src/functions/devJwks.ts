/**
 * GET /api/.well-known/jwks.json: the public half of the local dev signing key, so other local
 * tools can verify dev tokens. It exists only with AUTH_MODE=local; with Entra the keys are
 * Microsoft's, published by Entra, and this route answers 404.
 */
import { readLocalPublicJwks } from '../auth';
import { getConfig } from '../config';
import { withErrors } from '../http/handler';
import { HttpProblem } from '../http/problems';
import { register } from '../http/registry';
import { defineRoute } from '../http/route';

export const JWK_SET_MEDIA_TYPE = 'application/jwk-set+json';

export const devJwks = withErrors(async () => {
  const { auth } = getConfig();
  if (auth.mode !== 'local') throw new HttpProblem('not-found', { detail: 'There is no dev JWKS outside local mode.' });
  return {
    status: 200,
    headers: { 'content-type': JWK_SET_MEDIA_TYPE, 'cache-control': 'no-store' },
    body: JSON.stringify(readLocalPublicJwks(auth.localKeyDir)),
  };
}, { produces: [JWK_SET_MEDIA_TYPE] });

export const route = defineRoute({ name: 'devJwks', methods: ['GET'], route: '.well-known/jwks.json', authLevel: 'anonymous', handler: devJwks });

register(route);
