/**
 * GET /api/exports/{year}/consolidated.xlsx[?include=drafts] (LA only)
 *
 * The city's consolidated return: the same workbook `goodstart consolidate` writes, built from
 * the stored returns instead of files. For each primary in the directory: a point read of its
 * head document, then of the version it names (the latest submitted one; the current draft too
 * with ?include=drafts), with the validation report stored beside it
 * (never re-validated, so the workbook shows what the school was told). Schools with nothing
 * stored are listed on the Tracker sheet as outstanding, so the export doubles as the chase list.
 *
 * Pupil-level export: one audit record in the city partition naming the version documents
 * exported, written before the workbook is returned (fail closed). No pupil values in it.
 */
import { consolidate, trackerStatus, type ReturnOutcome, type TrackerEntry } from '../../../shared/consolidation';
import type { SchoolDirectory } from '../../../shared/schools';
import { INCLUDE_VALUES, schoolState, STATUS_LABELS, type ReturnStatus, type SchoolState } from '../../../shared/status';
import { writeConsolidatedWorkbook } from '../../../xlsx/consolidated';
import { authenticate, requireRole } from '../auth';
import { withErrors } from '../http/handler';
import { XLSX_MEDIA_TYPE } from '../http/negotiate';
import { register } from '../http/registry';
import { defineRoute } from '../http/route';
import { getStore } from '../store';
import { mapWithConcurrency, POINT_READ_CONCURRENCY, pointRead, readByIdForSchools } from '../store/reads';
import { headDocId, headDocSchema, versionDocId, versionDocSchema } from '../store/documents';
import { wantedVersion } from '../store/summaries';
import { oneOfParam, transferYearParam } from '../http/params';

export const EXPORT_AUDIT_ACTION = 'export.consolidated';
/** The audit schema caps ids per entry; a bigger city is recorded over several entries. */
const AUDIT_IDS_PER_ENTRY = 1000;

type SchoolExport =
  | { school: string; state: 'read'; schoolState: SchoolState; versionId: string; version: number; status: ReturnStatus; outcome: Extract<ReturnOutcome, { kind: 'read' }> }
  | { school: string; state: 'outstanding' | 'draft-left-out' | 'unreadable' };

function trackerLine(s: Exclude<SchoolExport, { state: 'read' }>, directory: SchoolDirectory): TrackerEntry {
  const lines: Record<typeof s.state, Pick<TrackerEntry, 'state' | 'status'>> = {
    outstanding: { state: 'outstanding', status: `${STATUS_LABELS.outstanding}: no return received` },
    'draft-left-out': { state: 'draft', status: `${STATUS_LABELS.draft} only: not included (add ?include=drafts)` },
    unreadable: { status: 'Stored return could not be read; report this to the service team' },
  };
  const line = lines[s.state];
  return { school: s.school, schoolName: directory.find(s.school)?.name, rows: 0, errors: 0, queries: 0, ...line };
}

export const exportsConsolidated = withErrors(async (request, { correlationId, log }) => {
  const principal = await authenticate(request);
  requireRole(principal, 'la');
  const year = transferYearParam(request);
  const include = oneOfParam(request, 'include', INCLUDE_VALUES);

  const store = getStore();
  const directory = await store.directory.get();
  const returns = await store.container('returns');
  const primaries = directory.primaries().map((s) => s.laestab);

  // Not named `exports`: that would shadow CommonJS's own in the compiled module.
  const heads = await readByIdForSchools(returns, headDocId(year), primaries);
  const perSchool = await mapWithConcurrency(primaries, POINT_READ_CONCURRENCY, async (school): Promise<SchoolExport> => {
    const rawHead = heads.get(school);
    if (rawHead === undefined) return { school, state: 'outstanding' };
    const head = headDocSchema.safeParse(rawHead);
    if (!head.success) return { school, state: 'unreadable' };
    if (head.data.school !== school) return { school, state: 'unreadable' };
    const wanted = wantedVersion(head.data, include === 'drafts');
    if (wanted === undefined) return { school, state: 'draft-left-out' };
    const versionId = versionDocId(year, wanted.version);
    const parsed = versionDocSchema.safeParse(await pointRead<unknown>(returns, versionId, school));
    if (!parsed.success || parsed.data.school !== school) return { school, state: 'unreadable' };
    return {
      school,
      state: 'read',
      schoolState: schoolState(head.data),
      versionId,
      version: parsed.data.version,
      status: wanted.status,
      outcome: { kind: 'read', ret: parsed.data.ret, report: parsed.data.report, pupils: parsed.data.pupils },
    };
  });

  const read = perSchool.filter((e): e is Extract<SchoolExport, { state: 'read' }> => e.state === 'read');
  const result = consolidate(
    read.map((e) => e.outcome),
    { year, directory },
  );
  // consolidate() keeps outcome order; name each line by its stored school and status, not a guess from the rows.
  const tracker: TrackerEntry[] = result.tracker.map((t, i) => {
    const e = read[i];
    if (!e) return t;
    const label = `${STATUS_LABELS[e.status]} (version ${e.version})`;
    const stored = e.status === 'submitted' ? label : `${label}: ${trackerStatus(e.outcome.report)}`;
    return { ...t, school: e.school, schoolName: directory.find(e.school)?.name, state: e.schoolState, status: stored };
  });
  for (const e of perSchool) if (e.state !== 'read') tracker.push(trackerLine(e, directory));
  const unreadable = perSchool.filter((e) => e.state === 'unreadable').length;
  if (unreadable > 0) log.warn('export.unreadableReturns', { year, count: unreadable });

  const bytes = await writeConsolidatedWorkbook({
    year,
    generatedAt: new Date().toISOString(),
    pupils: result.pupils,
    tracker,
    received: {
      returns: read.length,
      outstanding: perSchool.filter((e) => e.state === 'outstanding').length,
      unreadable,
      draftsLeftOut: perSchool.filter((e) => e.state === 'draft-left-out').length,
    },
    tables: result.tables,
  });

  const ids = read.map((e) => `${e.school}:${e.versionId}`);
  for (let i = 0; i === 0 || i < ids.length; i += AUDIT_IDS_PER_ENTRY) {
    await store.audit.record({
      who: principal.subject,
      role: principal.role,
      school: null,
      action: EXPORT_AUDIT_ACTION,
      ids: ids.slice(i, i + AUDIT_IDS_PER_ENTRY),
      correlationId,
    });
  }
  log.info('export.consolidated', { year, schools: read.length, pupils: result.pupils.length, bytes: bytes.byteLength });

  return {
    status: 200,
    headers: {
      'content-type': XLSX_MEDIA_TYPE,
      'content-disposition': `attachment; filename="goodstart-consolidated-${year}.xlsx"`,
      // Pupil-level data: never kept by a browser or proxy cache.
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    },
    body: bytes,
  };
}, { produces: [XLSX_MEDIA_TYPE] });

export const route = defineRoute({
  name: 'exportsConsolidated',
  methods: ['GET'],
  route: 'exports/{year}/consolidated.xlsx',
  authLevel: 'anonymous',
  handler: exportsConsolidated,
});

register(route);
