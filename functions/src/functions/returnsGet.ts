/**
 * GET /api/returns/{laestab}/{year}: the school's current return (the version its head names)
 * with its validation report, as JSON, or as the transition workbook when the client asks for
 * .xlsx by name in Accept. The ETag is the head's: send it back as If-Match on the next PUT.
 *
 * Scope: the school itself, its trust, or the LA (canReadSchool). Out of scope is 403: the
 * directory is public, so a 403 reveals nothing a 404 would hide, but whether a school has
 * submitted is only ever told to those in scope (the 403 comes before any read).
 * An unknown school, or no return yet, is 404. Every successful read is audited.
 */
import { writeTransitionWorkbook } from '../../../xlsx/template';
import { withErrors } from '../http/handler';
import { httpEtag } from '../http/etag';
import { JSON_MEDIA_TYPE, XLSX_MEDIA_TYPE } from '../http/negotiate';
import { HttpProblem } from '../http/problems';
import { register } from '../http/registry';
import { defineRoute } from '../http/route';
import { returnsRepository } from '../store/returns';
import { authoriseSchoolRead } from '../http/schoolRead';
import type { ReturnDocument } from '../openapi/document';

export const returnsGet = withErrors(async (request, { correlationId, mediaType: type }) => {
  const { principal, laestab, year, store } = await authoriseSchoolRead(request);

  const current = await returnsRepository().current(laestab, year);
  if (!current) throw new HttpProblem('not-found', { detail: `School ${laestab} has no return for ${year}.` });
  const { head, etag, version } = current;
  const seenBy = await returnsRepository().seenBy(laestab, year);
  await store.audit.record({ who: principal.subject, role: principal.role, school: laestab, action: 'return.read', ids: [version.id], correlationId });

  const headers = { etag: httpEtag(etag) ?? '', 'cache-control': 'no-store', vary: 'Accept' };
  if (type === XLSX_MEDIA_TYPE) {
    const bytes = await writeTransitionWorkbook({ year, sheets: version.ret.sheets, explanations: version.ret.explanations });
    return {
      status: 200,
      headers: { ...headers, 'content-type': XLSX_MEDIA_TYPE, 'content-disposition': `attachment; filename="return-${laestab}-${year}-v${head.version}.xlsx"` },
      body: bytes,
    };
  }
  return {
    status: 200,
    headers,
    jsonBody: {
      school: laestab,
      year,
      version: version.version,
      status: version.status,
      submittedAt: version.submittedAt,
      submittedBy: version.submittedBy,
      contentHash: version.contentHash,
      ...(head.submittedVersion !== undefined ? { submittedVersion: head.submittedVersion } : {}),
      return: version.ret,
      report: version.report,
      // Which receiving secondaries have opened which version of this return, first opening first.
      seenBy,
    } satisfies ReturnDocument,
  };
}, { produces: [JSON_MEDIA_TYPE, XLSX_MEDIA_TYPE] });

export const route = defineRoute({ name: 'returnsGet', methods: ['GET'], route: 'returns/{laestab}/{year}', authLevel: 'anonymous', handler: returnsGet });

register(route);
