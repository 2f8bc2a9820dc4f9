/**
 * GET /api/returns/{laestab}/{year}/history: every committed version of a school's return,
 * newest first: who submitted it (subject and role), when, its status, content hash and issue
 * counts. No pupil data: one query in the school's partition that projects the metadata only.
 * Scope as for the return itself; audited (`return.history`), since it says who worked on it.
 */
import { authenticate, requireReadSchool } from '../auth';
import { withErrors } from '../http/handler';
import { HttpProblem } from '../http/problems';
import { register } from '../http/registry';
import { defineRoute } from '../http/route';
import { getStore } from '../store';
import { returnsRepository } from '../store/returns';
import { returnTarget } from '../http/params';

export const returnsHistory = withErrors(async (request, { correlationId }) => {
  const principal = await authenticate(request);
  const { laestab, year } = returnTarget(request);
  const store = getStore();
  const directory = await store.directory.get();
  requireReadSchool(principal, laestab, directory);
  if (!directory.find(laestab)) throw new HttpProblem('not-found', { detail: `School ${laestab} is not in the LA directory.` });

  const versions = await returnsRepository().history(laestab, year);
  await store.audit.record({ who: principal.subject, role: principal.role, school: laestab, action: 'return.history', ids: versions.map((v) => v.id), correlationId });
  return {
    status: 200,
    headers: { 'cache-control': 'no-store' },
    jsonBody: {
      school: laestab,
      year,
      versions: versions.map((v) => ({
        version: v.version,
        status: v.status,
        submittedBy: v.submittedBy,
        submittedAt: v.submittedAt,
        contentHash: v.contentHash,
        rows: v.rows,
        errors: v.errors,
        queries: v.queries,
        unexplainedQueries: v.unexplainedQueries,
      })),
    },
  };
});

export const route = defineRoute({ name: 'returnsHistory', methods: ['GET'], route: 'returns/{laestab}/{year:int}/history', authLevel: 'anonymous', handler: returnsHistory });

register(route);
