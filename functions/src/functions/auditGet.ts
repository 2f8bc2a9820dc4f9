/**
 * GET /api/audit?school=… (or ?trust=…, or neither): the identity audit trail, newest first:
 * invitations made, claimed, expired and revoked; requests made, approved and declined;
 * memberships removed; tenants added and removed. LA admins read all of it; a school's approvers
 * read their school's. With an .xlsx Accept header, the same as a workbook (xlsx/identityAudit.ts).
 */
import type { HttpResponseInit } from '@azure/functions';
import { writeIdentityAuditWorkbook } from '../../../xlsx/identityAudit';
import { authenticate } from '../auth';
import { withErrors } from '../http/handler';
import { JSON_MEDIA_TYPE, XLSX_MEDIA_TYPE } from '../http/negotiate';
import { register } from '../http/registry';
import { defineRoute } from '../http/route';
import { identityService } from '../identity';
import { actorOf, scopeFilterParam } from '../identity/http';

export const auditGet = withErrors(
  async (request, { correlationId, mediaType }): Promise<HttpResponseInit> => {
    const principal = await authenticate(request);
    const filter = scopeFilterParam(request);
    const entries = await identityService(correlationId).readAudit(actorOf(principal), filter);
    if (mediaType === XLSX_MEDIA_TYPE) {
      const name = 'school' in filter ? `audit-${filter.school}` : 'trust' in filter ? `audit-${filter.trust}` : 'audit';
      return {
        status: 200,
        headers: { 'cache-control': 'no-store', vary: 'Accept', 'content-type': XLSX_MEDIA_TYPE, 'content-disposition': `attachment; filename="${name}.xlsx"` },
        body: await writeIdentityAuditWorkbook(entries),
      };
    }
    return { status: 200, headers: { 'cache-control': 'no-store', vary: 'Accept' }, jsonBody: { entries } };
  },
  { produces: [JSON_MEDIA_TYPE, XLSX_MEDIA_TYPE] },
);

export const route = defineRoute({ name: 'auditGet', methods: ['GET'], route: 'audit', authLevel: 'anonymous', handler: auditGet });

register(route);
