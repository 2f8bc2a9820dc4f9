/**
 * The LA's school directory, stored as one document and cached in memory for a short time:
 * every authenticated request reads it (scope checks), and it changes a few times a year.
 */
import type { Container } from '@azure/cosmos';
import type { z } from 'zod';
import { type School, SchoolDirectory } from '../../../shared/schools';
import { DIRECTORY_DOC_ID, directoryDocSchema } from './documents';

export { DIRECTORY_DOC_ID };
/** Long enough to spare Cosmos a read per request; short enough that a newly added school can sign in within a minute. */
export const DIRECTORY_CACHE_MS = 60_000;

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

  /** Publishes a new directory (validated: shape and no duplicate LAESTAB/URN) in one atomic replace. */
  async replace(schools: readonly School[]): Promise<void> {
    const doc = directoryDocSchema.parse({ id: DIRECTORY_DOC_ID, schools: [...schools], updatedAt: new Date().toISOString() } satisfies z.input<typeof directoryDocSchema>);
    await (await this.container()).items.upsert(doc);
    this.cached = { directory: new SchoolDirectory(doc.schools), at: this.now() };
  }

  invalidate(): void {
    this.cached = undefined;
  }

  private async load(): Promise<SchoolDirectory> {
    const { resource } = await (await this.container()).item(DIRECTORY_DOC_ID, DIRECTORY_DOC_ID).read();
    const schools = resource ? directoryDocSchema.parse(resource).schools : [];
    const directory = new SchoolDirectory(schools);
    this.cached = { directory, at: this.now() };
    return directory;
  }
}
