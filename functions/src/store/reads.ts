/**
 * Read helpers shared by the repositories and endpoints: bounded concurrency, point reads that
 * treat 404 as absent, and reads of one document id across many schools' partitions.
 */
import type { Container } from '@azure/cosmos';

/**
 * Point reads in flight at once. High enough to hide loopback/Azure round trips, low enough
 * not to burst past a modest provisioned throughput (each read is ~1 RU; the SDK retries 429s).
 */
export const POINT_READ_CONCURRENCY = 32;

/** Schools per `IN (...)` query: well under Cosmos's limits on parameters and IN list length. */
export const SCHOOLS_PER_QUERY = 100;
/** Chunk queries in flight at once. */
const QUERY_CONCURRENCY = 4;

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

/** One point read with its ETag; undefined when the document does not exist. */
export async function pointReadWithEtag<T>(container: Container, id: string, partition: string): Promise<{ doc: T; etag: string } | undefined> {
  try {
    const { resource, etag } = await container.item(id, partition).read();
    return resource ? { doc: resource as T, etag: etag ?? '' } : undefined;
  } catch (error) {
    if ((error as { code?: unknown }).code === 404) return undefined;
    throw error;
  }
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

/**
 * The document with this id in each of these schools' partitions, by school: one query per
 * chunk of schools, each filtered on the partition key. Schools without one are absent.
 */
export async function readByIdForSchools(container: Container, id: string, schools: readonly string[]): Promise<Map<string, unknown>> {
  const chunks: string[][] = [];
  for (let i = 0; i < schools.length; i += SCHOOLS_PER_QUERY) chunks.push(schools.slice(i, i + SCHOOLS_PER_QUERY));
  const found = new Map<string, unknown>();
  await mapWithConcurrency(chunks, QUERY_CONCURRENCY, async (chunk) => {
    const query = {
      query: `SELECT * FROM c WHERE c.id = @id AND c.school IN (${chunk.map((_, i) => `@s${i}`).join(', ')})`,
      parameters: [{ name: '@id', value: id }, ...chunk.map((school, i) => ({ name: `@s${i}`, value: school }))],
    };
    const { resources } = await container.items.query<{ school?: unknown }>(query).fetchAll();
    for (const doc of resources) if (typeof doc.school === 'string') found.set(doc.school, doc);
  });
  return found;
}
