/**
 * Reading the per-school summary documents the returns endpoint writes beside each return
 * (`summaries` container, partition /school, id `summary:{year}`). City aggregates are built
 * from these alone: one point read per school in the LA's directory, with bounded concurrency,
 * so the cost grows with the number of schools and never with the number of pupils, and no
 * query ever crosses partitions or touches a pupil row.
 */
import type { Container } from '@azure/cosmos';
import { z } from 'zod';
import { schoolSummarySchema, type SchoolSummary } from '../../../shared/aggregate/summary';

/**
 * Point reads in flight at once. High enough to hide loopback/Azure round trips, low enough
 * not to burst past a modest provisioned throughput (each read is ~1 RU; the SDK retries 429s).
 */
export const SUMMARY_READ_CONCURRENCY = 32;

export const SUMMARY_STATUSES = ['Submitted', 'Draft'] as const;
export type SummaryStatus = (typeof SUMMARY_STATUSES)[number];

export function summaryDocId(year: number): string {
  return `summary:${year}`;
}

/** What aggregation relies on in a summary document; other members belong to the writer. */
export const summaryDocSchema = z.looseObject({
  id: z.string(),
  school: z.string(),
  year: z.number().int(),
  type: z.literal('summary'),
  status: z.enum(SUMMARY_STATUSES),
  version: z.number().int().positive(),
  summary: schoolSummarySchema,
});
export type SummaryDoc = z.infer<typeof summaryDocSchema>;

/**
 * Maps `items` through `fn` with at most `limit` calls in flight, keeping input order.
 * The first rejection rejects the whole call (remaining items are not started).
 */
export async function mapWithConcurrency<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (!failed && next < items.length) {
      const i = next++;
      try {
        out[i] = await fn(items[i] as T, i);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return out;
}

/** One point read; undefined when the document does not exist (the SDK reports 404 as an empty resource). */
export async function pointRead<T>(container: Container, id: string, partition: string): Promise<T | undefined> {
  try {
    const { resource } = await container.item(id, partition).read();
    return (resource as T | undefined) ?? undefined;
  } catch (error) {
    if ((error as { code?: unknown }).code === 404) return undefined;
    throw error;
  }
}

export type SummaryRead =
  | { school: string; state: 'found'; doc: SummaryDoc }
  /** No summary yet: the school is outstanding. */
  | { school: string; state: 'missing' }
  /** A document that does not match the summary shape; left out of the totals, never guessed at. */
  | { school: string; state: 'invalid' };

export interface ReadSummariesOptions {
  concurrency?: number;
}

/** The year's summary document for each school (LAESTABs), one point read each, in input order. */
export async function readSummaries(
  container: Container,
  schools: readonly string[],
  year: number,
  options: ReadSummariesOptions = {},
): Promise<SummaryRead[]> {
  const id = summaryDocId(year);
  return mapWithConcurrency(schools, options.concurrency ?? SUMMARY_READ_CONCURRENCY, async (school): Promise<SummaryRead> => {
    const raw = await pointRead<unknown>(container, id, school);
    if (raw === undefined) return { school, state: 'missing' };
    const parsed = summaryDocSchema.safeParse(raw);
    if (!parsed.success || parsed.data.school !== school || parsed.data.year !== year || parsed.data.summary.school !== school) {
      return { school, state: 'invalid' };
    }
    return { school, state: 'found', doc: parsed.data };
  });
}

/** The summaries to aggregate: Submitted ones, plus Drafts when asked for. */
export function includedSummaries(reads: readonly SummaryRead[], options: { includeDrafts: boolean }): SchoolSummary[] {
  return reads.flatMap((r) =>
    r.state === 'found' && (r.doc.status === 'Submitted' || options.includeDrafts) ? [r.doc.summary] : [],
  );
}
