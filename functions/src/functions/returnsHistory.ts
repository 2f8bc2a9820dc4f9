/**
 * GET /api/returns/{laestab}/{year}/history: every committed version of a school's return,
 * newest first: who submitted it (subject and role), when, its status, content hash and issue
 * counts, and which receiving secondaries have opened it (read receipts). No pupil data: one
 * query in the school's partition that projects the metadata only, and one for the receipts.
 * Scope as for the return itself; audited (`return.history`), since it says who worked on it.
 */
import { withErrors } from '../http/handler';
import { HttpProblem } from '../http/problems';
import { register } from '../http/registry';
import { defineRoute } from '../http/route';
import { returnsRepository } from '../store/returns';
import { authoriseSchoolRead } from '../http/schoolRead';
import type { HistoryResponse } from '../openapi/document';

export const returnsHistory = withErrors(async (request, { correlationId }) => {
  const { principal, laestab, year, store } = await authoriseSchoolRead(request);

  const [versions, seen] = await Promise.all([returnsRepository().history(laestab, year), returnsRepository().seenBy(laestab, year)]);
  // The one "nothing stored" rule: a school's own view with nothing stored is 404.
  if (versions.length === 0) throw new HttpProblem('not-found', { detail: `School ${laestab} has no return for ${year}.` });
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
        seenBy: seen.filter((s) => s.version === v.version).map(({ secondary, at }) => ({ secondary, at })),
      })),
    } satisfies HistoryResponse,
  };
});

export const route = defineRoute({ name: 'returnsHistory', methods: ['GET'], route: 'returns/{laestab}/{year}/history', authLevel: 'anonymous', handler: returnsHistory });

register(route);
