/**
 * The LA's school directory, stored as pages and cached in memory for a short time: every
 * authenticated request reads it (scope checks), and it changes a few times a year.
 *
 * A directory of 24,000 schools is ~3.5 MB of JSON, past Cosmos's 2 MB item limit, so it is kept
 * as pages of DIRECTORY_PAGE_SIZE schools, one generation per publish, named by a small pointer
 * document. Without transactions, a publish is atomic for readers because of the order:
 * 1. write the new generation's pages (ids no reader knows yet);
 * 2. replace the pointer with If-Match (one write: the publish point; a lost race reads it again);
 * 3. delete the generation it replaced, and any page no pointer named for ORPHAN_PAGE_GRACE_MS
 *    (a publish that died between the steps).
 * A reader reads the pointer, then exactly that generation's pages; a page gone missing means a
 * newer publish replaced it meanwhile, so the reader starts again from the pointer. It never
 * mixes two generations. A directory stored as one document (before paging) is still read.
 */
import { randomUUID } from 'node:crypto';
import type { Container } from '@azure/cosmos';
import { type School, SchoolDirectory, schoolDirectorySchema } from '../../../shared/schools';
import {
  DIRECTORY_DOC_ID,
  directoryDocSchema,
  directoryPageDocId,
  directoryPageDocSchema,
  type DirectoryPageDoc,
  directoryPointerDocSchema,
  type DirectoryPointerDoc,
} from './documents';
import { mapWithConcurrency, pointRead, pointReadWithEtag } from './reads';

export { DIRECTORY_DOC_ID };
/** Long enough to spare Cosmos a read per request; short enough that a newly added school can sign in within a minute. */
export const DIRECTORY_CACHE_MS = 60_000;
/** (design) Schools per page: ~150 bytes a school, so ~150 KB a page, far under Cosmos's 2 MB item limit. */
export const DIRECTORY_PAGE_SIZE = 1_000;
/** (design) A page no pointer names, older than this, is from a publish that died: a publish takes seconds. */
export const ORPHAN_PAGE_GRACE_MS = 10 * 60_000;
/** (design) Page reads and writes in flight at once. */
const PAGE_CONCURRENCY = 4;
/** (design) Times a reader starts again when publishes keep replacing the generation it is reading. */
const LOAD_ATTEMPTS = 5;
/** (design) Attempts at flipping the pointer against concurrent publishes. */
const PUBLISH_ATTEMPTS = 10;

const codeOf = (error: unknown): unknown => (error as { code?: unknown } | null)?.code;

export class SchoolDirectoryStore {
  private cached: { directory: SchoolDirectory; at: number } | undefined;
  private loading: Promise<SchoolDirectory> | undefined;

  constructor(
    private readonly container: () => Promise<Container>,
    private readonly ttlMs = DIRECTORY_CACHE_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** The directory; an empty one when none has been published (every school/trust token then gets 403). */
  async get(): Promise<SchoolDirectory> {
    if (this.cached && this.now() - this.cached.at < this.ttlMs) return this.cached.directory;
    // Concurrent requests after expiry share one read.
    this.loading ??= this.load().finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  /** Publishes a new directory (validated: shape and no duplicate LAESTAB/URN): pages, then the pointer, then clean-up. */
  async replace(schools: readonly School[]): Promise<void> {
    const all = schoolDirectorySchema.parse([...schools]);
    const container = await this.container();
    const generation = randomUUID();
    const pages: School[][] = [];
    for (let i = 0; i < all.length; i += DIRECTORY_PAGE_SIZE) pages.push(all.slice(i, i + DIRECTORY_PAGE_SIZE));
    await mapWithConcurrency(pages, PAGE_CONCURRENCY, async (page, i) => {
      const doc: DirectoryPageDoc = { id: directoryPageDocId(generation, i), type: 'directoryPage', generation, page: i, schools: page, at: this.now() };
      await container.items.create(directoryPageDocSchema.parse(doc));
    });
    const replaced = await this.flip(container, { id: DIRECTORY_DOC_ID, type: 'directoryPointer', generation, pages: pages.length, schools: all.length, updatedAt: new Date().toISOString() });
    this.cached = { directory: new SchoolDirectory(all), at: this.now() };
    await this.removeOldPages(container, generation, replaced);
  }

  invalidate(): void {
    this.cached = undefined;
  }

  /** Replaces the pointer with If-Match on what was read; returns the generation it replaced, if any. */
  private async flip(container: Container, pointer: DirectoryPointerDoc): Promise<string | undefined> {
    for (let attempt = 0; attempt < PUBLISH_ATTEMPTS; attempt++) {
      const current = await pointReadWithEtag<unknown>(container, DIRECTORY_DOC_ID, DIRECTORY_DOC_ID);
      try {
        if (current) await container.item(DIRECTORY_DOC_ID, DIRECTORY_DOC_ID).replace(directoryPointerDocSchema.parse(pointer), { accessCondition: { type: 'IfMatch', condition: current.etag } });
        else await container.items.create(directoryPointerDocSchema.parse(pointer));
        const was = directoryPointerDocSchema.safeParse(current?.doc);
        return was.success ? was.data.generation : undefined;
      } catch (error) {
        if (codeOf(error) !== 412 && codeOf(error) !== 409) throw error;
      }
    }
    throw Object.assign(new Error('directory publish contention'), { code: 503 });
  }

  /** Deletes the replaced generation's pages and orphans past their grace; never the generation the pointer names. */
  private async removeOldPages(container: Container, published: string, replaced: string | undefined): Promise<void> {
    const { resources } = await container.items
      .query<{ id: string; generation: string; at: number }>({ query: "SELECT c.id, c.generation, c.at FROM c WHERE c.type = 'directoryPage'" })
      .fetchAll();
    const current = directoryPointerDocSchema.safeParse(await pointRead<unknown>(container, DIRECTORY_DOC_ID, DIRECTORY_DOC_ID));
    const keep = new Set([published, ...(current.success ? [current.data.generation] : [])]);
    const cutoff = this.now() - ORPHAN_PAGE_GRACE_MS;
    const old = resources.filter((p) => !keep.has(p.generation) && (p.generation === replaced || p.at < cutoff));
    await mapWithConcurrency(old, PAGE_CONCURRENCY, async (p) => {
      await container
        .item(p.id, p.id)
        .delete()
        .catch((error: unknown) => {
          if (codeOf(error) !== 404) throw error;
        });
    });
  }

  private async load(): Promise<SchoolDirectory> {
    const container = await this.container();
    for (let attempt = 0; attempt < LOAD_ATTEMPTS; attempt++) {
      const schools = await this.read(container);
      if (schools === undefined) continue;
      const directory = new SchoolDirectory(schools);
      this.cached = { directory, at: this.now() };
      return directory;
    }
    throw Object.assign(new Error('directory kept changing while being read'), { code: 503 });
  }

  /** The schools of the generation the pointer names; undefined when a newer publish removed a page meanwhile. */
  private async read(container: Container): Promise<School[] | undefined> {
    const raw = await pointRead<{ type?: unknown }>(container, DIRECTORY_DOC_ID, DIRECTORY_DOC_ID);
    if (raw === undefined) return [];
    if (raw.type === undefined) return directoryDocSchema.parse(raw).schools;
    const pointer = directoryPointerDocSchema.parse(raw);
    const pages = await mapWithConcurrency(Array.from({ length: pointer.pages }, (_, i) => i), PAGE_CONCURRENCY, (i) =>
      pointRead<unknown>(container, directoryPageDocId(pointer.generation, i), directoryPageDocId(pointer.generation, i)),
    );
    if (pages.some((p) => p === undefined)) return undefined;
    const schools = pages.flatMap((p) => directoryPageDocSchema.parse(p).schools);
    if (schools.length !== pointer.schools) throw new Error('directory pages do not add up to their pointer');
    return schools;
  }
}
