/**
 * POST /api/returns/{laestab}/{year}/cross-school: a primary's check, before it submits, of which
 * of its own sheet's UPNs another school's latest submitted return also holds (issue 29). The
 * answer gives only UPNs the school sent, with how many other returns hold each, never which
 * school: the LA resolves it. The pane's Check step asks this beside its local validation.
 *
 * Only the school itself asks (the same scope as writing its return). Nothing is stored; the
 * body is capped (MAX_JSON_BYTES, at most a return's 2,000 UPNs) before it is parsed, and the
 * read of the index is audited as `crossSchool.check` with no pupil values.
 */
import type { HttpResponseInit } from '@azure/functions';
import { crossSchoolCheckRequestSchema, type CrossSchoolCheckResponse } from '../../../shared/api/responses';
import { alsoOnAnotherReturnNotice } from '../../../shared/crossSchool';
import { authenticate, requireWriteReturn } from '../auth';
import { getConfig } from '../config';
import { parseJsonBytes, readBytesBody, requireContentType } from '../http/body';
import { withErrors } from '../http/handler';
import { JSON_MEDIA_TYPE } from '../http/negotiate';
import { returnTarget } from '../http/params';
import { register } from '../http/registry';
import { defineRoute } from '../http/route';
import { getStore } from '../store';
import { crossSchoolAuditId, upnIndex } from '../store/upnIndex';

export const crossSchoolCheck = withErrors(async (request, { correlationId }): Promise<HttpResponseInit> => {
  const principal = await authenticate(request);
  const { laestab, year } = returnTarget(request);
  requireWriteReturn(principal, laestab);
  requireContentType(request, JSON_MEDIA_TYPE);
  const { upns } = parseJsonBytes(await readBytesBody(request, getConfig().limits.maxJsonBytes), crossSchoolCheckRequestSchema, 'a list of UPNs');
  const others = await upnIndex().elsewhere(laestab, year, upns);
  await getStore().audit.record({ who: principal.subject, role: principal.role, school: laestab, action: 'crossSchool.check', ids: [crossSchoolAuditId(year)], correlationId });
  const flagged = [...others].map(([upn, otherReturns]) => ({ upn, otherReturns })).sort((a, b) => (a.upn < b.upn ? -1 : a.upn > b.upn ? 1 : 0));
  return {
    status: 200,
    headers: { 'cache-control': 'no-store' },
    jsonBody: { school: laestab, year, upns: flagged, notice: alsoOnAnotherReturnNotice(flagged.length) } satisfies CrossSchoolCheckResponse,
  };
});

export const route = defineRoute({ name: 'crossSchoolCheck', methods: ['POST'], route: 'returns/{laestab}/{year}/cross-school', authLevel: 'anonymous', handler: crossSchoolCheck });

register(route);
