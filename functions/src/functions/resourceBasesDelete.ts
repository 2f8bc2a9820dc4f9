/**
 * DELETE /api/resource-bases/{year} (LA only): withdraws a dataset published by mistake (a wrong
 * year, or figures that should never have gone out), so the RB.* functions stop using it.
 *
 * - Answers 200 with the year withdrawn and the year `latest` names now (resourceBaseWithdrawalSchema).
 * - `Idempotency-Key` is required, as on every write: a retried withdraw replays its answer rather
 *   than finding nothing left and answering 404.
 * - `If-Match` (an ETag from GET), when sent, must be the dataset's current ETag (stale → 412), so
 *   the officer withdraws the version they looked at, not a colleague's correction since.
 * - `latest` then names the newest dataset that remains; with none left, `latest` is 404 and the
 *   add-in's RB.* functions fall back to the bundled 2019-20 review, as before any publish.
 * - 404 when the year has no dataset; 405 for `latest` itself (a withdraw names its year).
 * - Audited as `resourceBases.withdraw` in the city partition.
 */
import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import type { ResourceBaseWithdrawal } from '../../../shared/api/responses';
import { authenticate, requireRole, type Principal } from '../auth';
import { httpEtag, ifMatchHolds } from '../http/etag';
import { withErrors, type RequestScope } from '../http/handler';
import { withIdempotency } from '../http/idempotency';
import { HttpProblem } from '../http/problems';
import { register } from '../http/registry';
import { defineRoute } from '../http/route';
import { getStore } from '../store';
import { LATEST, parseResourceBaseYear, readResourceBaseDoc } from './resourceBasesGet';
import { codeOf, settleLatest } from './resourceBasesPut';

export const RESOURCE_BASES_WITHDRAW_ACTION = 'resourceBases.withdraw';

async function withdraw(request: HttpRequest, principal: Principal, academicYear: string, scope: RequestScope): Promise<HttpResponseInit> {
  const store = getStore();
  const container = await store.container('resourceBases');
  const current = await readResourceBaseDoc(container, academicYear);
  if (!current) throw new HttpProblem('not-found', { detail: `No resource-base dataset has been published for ${academicYear}.` });
  const ifMatch = request.headers.get('if-match');
  if (ifMatch !== null && !ifMatchHolds(ifMatch, httpEtag(current._etag))) {
    throw new HttpProblem('precondition-failed', { detail: 'The dataset has changed since you read it; GET it again before withdrawing it.' });
  }
  try {
    // Conditional on the version just read: a publish that raced ours in between is not withdrawn unseen.
    await container.item(academicYear, academicYear).delete({ accessCondition: { type: 'IfMatch', condition: current._etag ?? '' } });
  } catch (error) {
    if (codeOf(error) === 412 || codeOf(error) === 404) {
      throw new HttpProblem('precondition-failed', { detail: 'Another change to this dataset landed at the same time; GET it again and retry.' });
    }
    throw error;
  }
  const latest = await settleLatest(container);
  await store.audit.record({
    who: principal.subject,
    role: principal.role,
    school: null,
    action: RESOURCE_BASES_WITHDRAW_ACTION,
    ids: [`resourceBases:${academicYear}`],
    correlationId: scope.correlationId,
  });
  scope.log.info('resourceBases.withdrawn', { academicYear, latest: latest ?? null });
  const answer: ResourceBaseWithdrawal = { withdrawn: academicYear, latest: latest ?? null };
  return { status: 200, headers: { 'cache-control': 'no-store' }, jsonBody: answer };
}

export const resourceBasesDelete = withErrors(async (request, scope) => {
  const principal = await authenticate(request);
  requireRole(principal, 'la');
  const academicYear = parseResourceBaseYear(request.params['year']);
  if (academicYear === LATEST) {
    throw new HttpProblem('method-not-allowed', {
      detail: 'Withdraw an academic year by name, e.g. DELETE /api/resource-bases/2019-20; "latest" then names the newest that remains.',
      headers: { allow: 'GET' },
    });
  }
  return withIdempotency(request, principal, new Uint8Array(), () => withdraw(request, principal, academicYear, scope), { correlationId: scope.correlationId });
});

export const route = defineRoute({
  name: 'resourceBasesDelete',
  methods: ['DELETE'],
  route: 'resource-bases/{year}',
  authLevel: 'anonymous',
  handler: resourceBasesDelete,
});

register(route);
