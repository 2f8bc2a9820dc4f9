/**
 * GET /api/cohorts/{laestab}/{year}: a secondary's incoming Year 7, every valid pupil from every
 * feeder primary whose latest submitted return names it, as JSON or (Accept: .xlsx) one
 * transition sheet with the secondary in A7. The primaries' heads say who feeds it (a chunk of
 * primaries per query); the cohort slices in the secondary's own partition give the pupils,
 * rebuilt from the version when a slice is missing or stale (store/returns.ts).
 *
 * Scope: the secondary itself, its trust, or the LA; 403 otherwise (before any read). A school
 * that is not a secondary in the directory is 404. Audited as `cohort.read` with the slice ids.
 * Each feeding primary's version gets a read receipt ("seen by <secondary> at <time>") the
 * first time the secondary itself reads it here (a school token for this LAESTAB); the primary
 * sees them on its return and in its history. Reads by its trust or the LA are audited, and
 * record no receipt: the receipt tells the primary its data reached the school it named.
 *
 * A UPN sent by two feeders is listed once (from the first feeder by LAESTAB) and in
 * `crossSchool`, as is a UPN the cross-school index (store/upnIndex.ts) finds on any other
 * school's latest submitted return: the LA resolves which school is right. The audit record names
 * that index read (`crossSchool:{year}`).
 */
import type { HttpResponseInit } from '@azure/functions';
import type { PupilRow, RowValues } from '../../../shared/transition/schema';
import { cellText } from '../../../shared/transition/normalise';
import { SHEET_LAYOUT, TRANSITION_COLUMNS } from '../../../shared/transition/layout';
import { writeTransitionWorkbook } from '../../../xlsx/template';
import { withErrors } from '../http/handler';
import { JSON_MEDIA_TYPE, XLSX_MEDIA_TYPE } from '../http/negotiate';
import { HttpProblem } from '../http/problems';
import { register } from '../http/registry';
import { defineRoute } from '../http/route';
import { cohortSliceDocId } from '../store/documents';
import { returnsRepository } from '../store/returns';
import { authoriseSchoolRead } from '../http/schoolRead';
import type { CohortResponse } from '../openapi/document';
import { crossSchoolAuditId, type SharedUpn, upnIndex } from '../store/upnIndex';

function rowValues(p: PupilRow): RowValues {
  return Object.fromEntries(TRANSITION_COLUMNS.map((c) => [c.key, cellText(p, c)])) as RowValues;
}

type Feeder = { primary: string; pupils: PupilRow[] };
type CohortWarning = NonNullable<CohortResponse['crossSchool']>[number];

/**
 * The cohort's pupils with each UPN once: feeders come in LAESTAB order, and a UPN a later feeder
 * also sent is left out of its rows and named in the warning. A UPN the index finds on other
 * schools' returns (going elsewhere, perhaps) is warned of too, with how many.
 */
export function oncePerUpn(feeders: readonly Feeder[], shared: readonly SharedUpn[], hash: (upn: string) => string): { pupils: Array<PupilRow & { sourceSchool: string }>; crossSchool: CohortWarning[] } {
  const sharedBy = new Map(shared.map((s) => [s.hash, s.schools]));
  const first = new Map<string, CohortWarning>();
  const pupils: Array<PupilRow & { sourceSchool: string }> = [];
  for (const f of feeders) {
    for (const p of f.pupils) {
      const upn = p.upn.trim().toUpperCase();
      const seen = first.get(upn);
      if (seen) {
        if (!seen.alsoFrom.includes(f.primary) && seen.sourceSchool !== f.primary) seen.alsoFrom.push(f.primary);
        continue;
      }
      first.set(upn, { upn: p.upn, sourceSchool: f.primary, alsoFrom: [], otherReturns: 0 });
      pupils.push({ ...p, sourceSchool: f.primary });
    }
  }
  const crossSchool: CohortWarning[] = [];
  for (const [upn, w] of first) {
    const holders = sharedBy.get(hash(upn)) ?? [];
    const others = new Set([...holders, ...w.alsoFrom].filter((s) => s !== w.sourceSchool));
    if (others.size > 0) crossSchool.push({ ...w, otherReturns: others.size });
  }
  return { pupils, crossSchool };
}

export const cohortsGet = withErrors(async (request, { correlationId, log, mediaType: type }): Promise<HttpResponseInit> => {
  const { principal, laestab, year, store, directory } = await authoriseSchoolRead(request);
  const school = directory.find(laestab);
  if (school?.phase !== 'secondary') throw new HttpProblem('not-found', { detail: `School ${laestab} is not a secondary school in the LA directory.` });

  const [feeders, shared] = await Promise.all([returnsRepository().cohort(laestab, year, directory.primaries().map((p) => p.laestab)), upnIndex().shared(year)]);
  await store.audit.record({
    who: principal.subject,
    role: principal.role,
    school: laestab,
    action: 'cohort.read',
    ids: [...feeders.map((f) => `${cohortSliceDocId(year, f.primary)}:v${f.version}`), crossSchoolAuditId(year)],
    correlationId,
  });
  // Read receipts for the primaries: their data has reached this secondary (its own first read per version).
  if (principal.role === 'school' && principal.school === laestab) {
    await returnsRepository()
      .recordSeen(laestab, year, feeders, principal.role)
      .catch((error: unknown) => log.warn('cohort.seenNotRecorded', { error, year }));
  }
  const { pupils, crossSchool } = oncePerUpn(feeders, shared, (upn) => upnIndex().hash(upn));

  if (type === XLSX_MEDIA_TYPE) {
    const bytes = await writeTransitionWorkbook({
      year,
      sheets: [
        {
          name: SHEET_LAYOUT.sheetName,
          receivingSecondary: `${school.name} (${school.laestab})`,
          rows: pupils.map((p, i) => ({ row: SHEET_LAYOUT.firstDataRow + i, values: rowValues(p) })),
        },
      ],
    });
    return {
      status: 200,
      headers: { 'content-type': XLSX_MEDIA_TYPE, 'content-disposition': `attachment; filename="cohort-${laestab}-${year}.xlsx"`, 'cache-control': 'no-store', vary: 'Accept' },
      body: bytes,
    };
  }
  return {
    status: 200,
    headers: { 'cache-control': 'no-store', vary: 'Accept' },
    jsonBody: {
      school: laestab,
      year,
      noReturnsYet: feeders.length === 0,
      feeders: feeders.map((f) => ({ primary: f.primary, name: directory.find(f.primary)?.name ?? null, version: f.version, pupils: f.pupils.length })),
      pupils,
      crossSchool,
    } satisfies CohortResponse,
  };
}, { produces: [JSON_MEDIA_TYPE, XLSX_MEDIA_TYPE] });

export const route = defineRoute({ name: 'cohortsGet', methods: ['GET'], route: 'cohorts/{laestab}/{year}', authLevel: 'anonymous', handler: cohortsGet });

register(route);
