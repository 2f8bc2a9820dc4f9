/**
 * Reading the per-school summary documents the returns endpoint writes beside each return
 * (`summaries` container, partition /school, id `summary:{year}`). City aggregates are built
 * from these: per school in the LA's directory, its summary and the head that says which
 * version is current, so the cost grows with the number of schools and never with the number
 * of pupils. They are read a chunk of schools at a time with `c.school IN (...)`: a filter on
 * the partition key, which Cosmos routes to exactly those partitions (and the embedded server
 * answers far faster than one point read per document).
 */
import type { Container } from '@azure/cosmos';
import { mapWithConcurrency, POINT_READ_CONCURRENCY, pointRead, readByIdForSchools } from './reads';
import { headDocId, headDocSchema, type HeadDoc, summaryDocId, summaryDocSchema, versionDocId, versionDocSchema } from './documents';
import { schoolSummary, type SchoolSummary } from '../../../shared/aggregate/summary';
import type { ReturnStatus } from '../../../shared/status';

/**
 * The version a reader should use: the latest submitted one, or with drafts the current one;
 * undefined when there is none. A summary document is trusted only when it is for this version:
 * one written for a version that never committed (a crash mid-write) or for a newer draft is not used.
 */
export function wantedVersion(head: HeadDoc, includeDrafts: boolean): { version: number; status: ReturnStatus } | undefined {
  if (includeDrafts || head.status === 'submitted') return { version: head.version, status: head.status };
  return head.submittedVersion !== undefined ? { version: head.submittedVersion, status: 'submitted' } : undefined;
}

export type SummaryRead =
  | { school: string; state: 'found'; version: number; status: ReturnStatus; summary: SchoolSummary; source: 'summary' | 'version' }
  /** No committed return: the school is outstanding. */
  | { school: string; state: 'outstanding' }
  /** Only a draft, and drafts were not asked for. */
  | { school: string; state: 'draft-only' }
  /** Documents that do not match their shape; left out of the totals, never guessed at. */
  | { school: string; state: 'invalid' };

export interface ReadSummariesOptions {
  includeDrafts?: boolean;
  concurrency?: number;
}

/**
 * Each school's summary for the year, in input order. The heads and the summary documents
 * are read a chunk of schools per query (readByIdForSchools). In the rare case the summary is not for the version
 * the head names (a draft saved after a submission, or derived documents not yet reconciled
 * after a crash), the named version is read from the school's own partition and summed here;
 * only counts leave this function.
 */
export async function readSummaries(
  containers: { summaries: Container; returns: Container },
  schools: readonly string[],
  year: number,
  options: ReadSummariesOptions = {},
): Promise<SummaryRead[]> {
  const includeDrafts = options.includeDrafts ?? false;
  const [heads, summaries] = await Promise.all([
    readByIdForSchools(containers.returns, headDocId(year), schools),
    readByIdForSchools(containers.summaries, summaryDocId(year), schools),
  ]);
  return mapWithConcurrency(schools, options.concurrency ?? POINT_READ_CONCURRENCY, async (school): Promise<SummaryRead> => {
    const rawHead = heads.get(school);
    const rawSummary = summaries.get(school);
    if (rawHead === undefined) return { school, state: 'outstanding' };
    const head = headDocSchema.safeParse(rawHead);
    if (!head.success || head.data.school !== school) return { school, state: 'invalid' };
    const wanted = wantedVersion(head.data, includeDrafts);
    if (wanted === undefined) return { school, state: 'draft-only' };

    const doc = summaryDocSchema.safeParse(rawSummary);
    if (doc.success && doc.data.school === school && doc.data.year === year && doc.data.version === wanted.version && doc.data.summary.school === school) {
      return { school, state: 'found', ...wanted, summary: doc.data.summary, source: 'summary' };
    }
    const version = versionDocSchema.safeParse(await pointRead<unknown>(containers.returns, versionDocId(year, wanted.version), school));
    if (!version.success || version.data.school !== school) return { school, state: 'invalid' };
    const summary = schoolSummary(school, year, version.data.pupils);
    return { school, state: 'found', ...wanted, summary, source: 'version' };
  });
}

/** The summaries to aggregate. */
export function includedSummaries(reads: readonly SummaryRead[]): SchoolSummary[] {
  return reads.flatMap((r) => (r.state === 'found' ? [r.summary] : []));
}
