/**
 * GET /api/tracker/{year}: the LA's chase list. Every primary in the directory with its state
 * (`submitted`, `draft` or `outstanding`: shared/status.ts), version, when, and counts of rows,
 * errors and queries, plus totals. The LA sees the city; a trust sees its own primaries
 * (auth/scope.ts `schoolsInScope`). Schools get 403.
 *
 * One point read per primary (the head document, which is the commit point and carries the
 * counts; the summary document beside it may briefly be ahead of or behind it after a crash),
 * with bounded concurrency, so the cost grows with schools and never with pupils. No pupil data;
 * audited as `tracker.read` in the city partition.
 *
 * UPNs on two or more schools' latest submitted returns (store/upnIndex.ts) are counted beside
 * the totals and grouped by the schools holding them, for the LA to resolve; the UPNs themselves
 * are not given (the schools named hold them). The audit record names the index read (`crossSchool:{year}`).
 *
 * With an .xlsx Accept header it answers the chase list as a workbook (xlsx/chaseList.ts):
 * the schools still to send a return (shared/chaseList.ts), outstanding first, with the days to the deadline.
 */
import type { HttpResponseInit } from '@azure/functions';
import { schoolState, type SchoolState } from '../../../shared/status';
import { authenticate, requireRole, schoolsInScope } from '../auth';
import { withErrors } from '../http/handler';
import { register } from '../http/registry';
import { defineRoute } from '../http/route';
import { getStore } from '../store';
import { returnsRepository } from '../store/returns';
import { crossSchoolAuditId, crossSchoolSummary, upnIndex } from '../store/upnIndex';
import { crossSchoolLine } from '../../../shared/crossSchool';
import { transferYearParam } from '../http/params';
import { JSON_MEDIA_TYPE, XLSX_MEDIA_TYPE } from '../http/negotiate';
import { writeChaseListWorkbook } from '../../../xlsx/chaseList';
import type { TrackerResponse } from '../openapi/document';

export const trackerGet = withErrors(async (request, { correlationId, mediaType: type }): Promise<HttpResponseInit> => {
  const principal = await authenticate(request);
  requireRole(principal, 'la', 'trust');
  const year = transferYearParam(request);
  const store = getStore();
  const directory = await store.directory.get();
  const primaries = schoolsInScope(principal, directory).filter((s) => s.phase === 'primary');
  const repo = returnsRepository();

  const [heads, shared] = await Promise.all([repo.heads(primaries.map((s) => s.laestab), year), upnIndex().shared(year)]);
  const crossSchool = crossSchoolSummary(shared, new Set(primaries.map((s) => s.laestab)));
  const schools = primaries.map((s) => {
    const head = heads.get(s.laestab);
    const status = schoolState(head);
    return {
      school: s.laestab,
      name: s.name,
      area: s.area,
      phase: s.phase,
      email: s.email ?? null,
      status,
      version: head?.version ?? null,
      submittedVersion: head?.submittedVersion ?? null,
      submittedAt: head?.submittedAt ?? null,
      rows: head?.counts.rows ?? 0,
      errors: head?.counts.errors ?? 0,
      queries: head?.counts.queries ?? 0,
      unexplainedQueries: head?.counts.unexplainedQueries ?? 0,
      crossSchoolUpns: crossSchool.perSchool.get(s.laestab) ?? 0,
    };
  });
  const count = (st: SchoolState) => schools.filter((s) => s.status === st).length;
  await store.audit.record({ who: principal.subject, role: principal.role, school: null, action: 'tracker.read', ids: [crossSchoolAuditId(year)], correlationId });
  if (type === XLSX_MEDIA_TYPE) {
    const body = await writeChaseListWorkbook({ year, today: new Date(), schools });
    return {
      status: 200,
      headers: { 'cache-control': 'no-store', vary: 'Accept', 'content-type': XLSX_MEDIA_TYPE, 'content-disposition': `attachment; filename="tracker-${year}.xlsx"` },
      body,
    };
  }
  return {
    status: 200,
    headers: { 'cache-control': 'no-store', vary: 'Accept' },
    jsonBody: {
      year,
      noReturnsYet: schools.every((s) => s.status === 'outstanding'),
      schools,
      totals: {
        expected: schools.length,
        submitted: count('submitted'),
        draft: count('draft'),
        outstanding: count('outstanding'),
        rows: schools.reduce((n, s) => n + s.rows, 0),
        unexplainedQueries: schools.reduce((n, s) => n + s.unexplainedQueries, 0),
      },
      crossSchool: { upns: crossSchool.upns, groups: crossSchool.groups, line: crossSchoolLine(crossSchool.upns) },
    } satisfies TrackerResponse,
  };
}, { produces: [JSON_MEDIA_TYPE, XLSX_MEDIA_TYPE] });

export const route = defineRoute({ name: 'trackerGet', methods: ['GET'], route: 'tracker/{year}', authLevel: 'anonymous', handler: trackerGet });

register(route);
