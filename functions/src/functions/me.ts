/**
 * GET /api/me: the signed-in user as the API sees them (role, school or trust, and the school's
 * directory entry). The add-in calls it after sign-in to choose which panes to show.
 */
import { authenticate, schoolsInScope } from '../auth';
import { withErrors } from '../http/handler';
import { register } from '../http/registry';
import { defineRoute } from '../http/route';
import { getStore } from '../store';

export const me = withErrors(async (request) => {
  const principal = await authenticate(request);
  const directory = await getStore().directory.get();
  // The user's own schools: the LA's scope is the whole city, so it has none in particular.
  const schools = principal.role === 'la' ? [] : schoolsInScope(principal, directory);
  return {
    status: 200,
    headers: { 'cache-control': 'no-store' },
    jsonBody: { principal, schools },
  };
});

export const route = defineRoute({ name: 'me', methods: ['GET'], route: 'me', authLevel: 'anonymous', handler: me });

register(route);
