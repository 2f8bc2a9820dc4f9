/**
 * Stored documents for tests that seed Cosmos directly, built as the schemas in
 * functions/src/store/documents.ts say (the types are theirs, so a fixture cannot drift from
 * what the repository writes). Counts only and synthetic returns: no real pupil.
 */
import type { SchoolSummary } from '../../shared/aggregate/summary';
import type { ReturnStatus } from '../../shared/status';
import type { PupilRow, TransitionReturn, ValidationReport } from '../../shared/transition/schema';
import { headDocId, type HeadDoc, summaryDocId, type SummaryDoc, versionDocId, type VersionDoc } from '../../functions/src/store/documents';

export const STORED_AT = '2027-06-10T09:00:00.000Z';

const submittedBy = (school: string): VersionDoc['submittedBy'] => ({ subject: `dev-school-${school}`, role: 'school' });

/** A committed version of a school's return, with what validateReturn made of it (report and valid pupils). */
export function versionDoc(
  school: string,
  year: number,
  version: number,
  status: ReturnStatus,
  ret: TransitionReturn,
  { report, pupils }: { report: ValidationReport; pupils: PupilRow[] },
): VersionDoc {
  return {
    id: versionDocId(year, version),
    school,
    year,
    type: 'version',
    version,
    status,
    submittedBy: submittedBy(school),
    submittedAt: STORED_AT,
    contentHash: `sha256:test-${school}-${year}-${version}`,
    ret,
    report,
    pupils,
  };
}

/**
 * The head naming `version` as current, versions 1..version committed. The latest submitted
 * version is `submittedVersion`, or the current one when it is submitted.
 */
export function headDoc(school: string, year: number, version: number, status: ReturnStatus, submittedVersion?: number): HeadDoc {
  const submitted = submittedVersion ?? (status === 'submitted' ? version : undefined);
  return {
    id: headDocId(year),
    school,
    year,
    type: 'head',
    version,
    status,
    contentHash: `sha256:test-${school}-${year}-${version}`,
    submittedAt: STORED_AT,
    submittedBy: submittedBy(school),
    counts: { rows: 0, errors: 0, queries: 0, unexplainedQueries: 0 },
    ...(submitted !== undefined ? { submittedVersion: submitted } : {}),
    secondaries: [],
    committed: Array.from({ length: version }, (_, i) => i + 1),
  };
}

/** A school's summary document for one version. */
export function summaryDoc(summary: SchoolSummary, status: ReturnStatus, version = 1): SummaryDoc {
  return {
    id: summaryDocId(summary.year),
    school: summary.school,
    year: summary.year,
    type: 'summary',
    status,
    version,
    submittedAt: STORED_AT,
    rows: summary.pupils,
    errors: 0,
    queries: 0,
    unexplainedQueries: 0,
    summary,
  };
}
