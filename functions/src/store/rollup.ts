/**
 * The maintained city rollup: GET /aggregates reads ROLLUP_SHARDS documents per year, whatever
 * the number of schools, instead of one head and one summary per school.
 *
 * Each shard holds, for the schools that hash to it and for each include mode (submitted only,
 * or with drafts), the running total of their summaries and which version of each school it
 * holds. It is kept right without transactions:
 * - Before a write commits a school's head, it creates a mark: a small document of its own
 *   (never contended: create() of a new id) naming the school and the year.
 * - After the head commit (or a failed attempt), it settles: reads the shard and the school's
 *   head, takes away the summary of the version the shard holds, adds the summary of the
 *   version the head now wants, and replaces the shard with If-Match (a lost race reads again
 *   and retries), then deletes its mark. Applying a version the shard already holds changes
 *   nothing, so settling is idempotent per version, and whoever settles last reads the newest head.
 * - So every school is either up to date in its shard or marked. A process that dies between
 *   the steps (or a settle that lost every race) leaves its mark; readers query the year's marks
 *   (a handful), settle those schools before summing, and delete marks older than
 *   PENDING_GRACE_MS, by which time their writer is dead.
 *
 * Returns stored before the rollup existed (or by a version that did not maintain it) are taken
 * in by seeding: the directory's primaries, in LAESTAB order, SEED_SCHOOLS_PER_READ at a time,
 * each shard taking its part of a chunk under If-Match like a settle, and recording how far it
 * has got (`seededThrough`). Why chunks: one pass over a city of 24,000 schools is more than one
 * HTTP request should take in (on the embedded server it took 39 s and timed out). Why point
 * reads, not a query per chunk: a point read costs the same whatever the container holds, while
 * the embedded server's query copies its result list once per document it holds, O(n²): ~10 s a
 * query over the returns container at 24,000 schools, whatever the filter. So:
 * - An aggregates read seeds at most one chunk. Until every shard is seeded it answers 503 (try
 *   again), never totals that leave schools out: partial totals would look complete.
 * - `npm run rollup:rebuild` (rebuild()) seeds every year with returns, chunk by chunk, then
 *   writes the `rollup:complete` document, so users never meet the 503. Run it once after
 *   upgrading a deployment, when every instance runs this version.
 * - Once `rollup:complete` exists (the rebuild wrote it, or the database was new: the local
 *   seeder writes it before storing sample returns through mark/settle), every return is in the
 *   rollup or marked, and a year's shards need no seeding at all: a new year costs nothing.
 */
import { randomUUID } from 'node:crypto';
import type { Container } from '@azure/cosmos';
import { addSummary, CITY_TOTAL } from '../../../shared/aggregate/merge';
import { emptySummary, schoolSummary, type SchoolSummary } from '../../../shared/aggregate/summary';
import {
  headDocId,
  headDocSchema,
  ROLLUP_COMPLETE_DOC_ID,
  rollupCompleteDocSchema,
  type RollupCompleteDoc,
  rollupMarkDocSchema,
  type RollupMarkDoc,
  rollupShardDocId,
  rollupShardDocSchema,
  type RollupShardDoc,
  summaryDocId,
  summaryDocSchema,
  versionDocId,
  versionDocSchema,
} from './documents';
import { mapWithConcurrency, POINT_READ_CONCURRENCY, pointRead, pointReadWithEtag } from './reads';
import { wantedVersion } from './summaries';

/** (design) Shards per year: concurrent commits of different schools rarely meet on one document, and a read stays 16 point reads. */
export const ROLLUP_SHARDS = 16;
/** (design) A mark older than this belongs to a writer that died: a write settles within seconds. */
export const PENDING_GRACE_MS = 60_000;
/** (design) Shards settled at once by a read. */
const RECONCILE_CONCURRENCY = 2;
/** (design) Attempts a writer's settle makes before leaving the school to the next read. */
const SETTLE_ATTEMPTS = 5;
/** (design) Attempts at replacing a shard before giving up (the next reader or writer settles it). */
const MAX_SHARD_ATTEMPTS = 25;
/**
 * (design) Directory primaries one aggregates read takes in while seeding: two point reads each
 * (head and summary), so a read stays around a second or two on the embedded server. A city of
 * 450 is seeded by its first read, 4,500 by three, 24,000 by twelve (or by the rebuild beforehand).
 */
export const SEED_SCHOOLS_PER_READ = 2_000;

export const MODES = ['submitted', 'drafts'] as const;
export type RollupMode = (typeof MODES)[number];

/** The shard a school's contribution lives in: FNV-1a of its LAESTAB. */
export function shardOf(school: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < school.length; i++) {
    h ^= school.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % ROLLUP_SHARDS;
}

export interface RollupContainers {
  rollups: () => Promise<Container>;
  returns: () => Promise<Container>;
  summaries: () => Promise<Container>;
  /** The directory's primaries: who a first read seeds. */
  primaries: () => Promise<readonly string[]>;
}

/** A year's city totals, per include mode, with who is in them. Read-only: reads of unchanged shards share one. */
export interface CityTotals {
  readonly year: number;
  readonly submitted: { readonly total: SchoolSummary; readonly schools: ReadonlySet<string> };
  readonly drafts: { readonly total: SchoolSummary; readonly schools: ReadonlySet<string> };
  /** Schools whose documents could not be read: left out of the totals, never guessed at. */
  readonly unreadable: ReadonlySet<string>;
}

/** The document with this id in each school's partition, by school: point reads, whose cost does not grow with the container. */
async function byId(container: Container, id: string, schools: readonly string[]): Promise<Map<string, unknown>> {
  const found = await mapWithConcurrency(schools, POINT_READ_CONCURRENCY, async (school) => [school, await pointRead<unknown>(container, id, school)] as const);
  return new Map(found.filter(([, doc]) => doc !== undefined));
}

const codeOf = (error: unknown): unknown => (error as { code?: unknown } | null)?.code;

/** A year's rollup is still being seeded from existing returns: the totals would be partial, so none are given (503: try again). */
export class RollupSeeding extends Error {
  readonly code = 503;
  constructor(
    readonly year: number,
    readonly seeded: number,
    readonly primaries: number,
  ) {
    super(`the city totals for ${year} are being built from existing returns (${seeded} of ${primaries} schools taken in)`);
    this.name = 'RollupSeeding';
  }
}

/** A shard as read, with its etag; undefined when it was never written. */
interface ShardRead {
  shard: number;
  doc: RollupShardDoc | undefined;
  etag: string | undefined;
}

/** A shard no one has written: seeded from the start once the rollup is complete (nothing from before it is left to take in). */
function emptyShard(year: number, shard: number, seeded = false): RollupShardDoc {
  const empty = () => ({ total: emptySummary(CITY_TOTAL, year), applied: {} });
  return { id: rollupShardDocId(year, shard), year, shard, type: 'rollup', seeded, submitted: empty(), drafts: empty(), pending: {} };
}

/**
 * Whether a shard must be seeded before its totals are whole: one written unseeded (before the
 * rollup was complete, or from before the cross-tab: documents.ts), or, until the rollup is
 * complete, one never written.
 */
const needsSeeding = (r: ShardRead, complete: boolean): boolean => (r.doc ? !r.doc.seeded : !complete);

export class CityRollup {
  /** Once the `rollup:complete` document is seen it stays: it is never deleted. */
  private complete = false;
  /**
   * Shards as last parsed, by id, with their etags; and the totals last summed, keyed by the
   * etags they came from. At 24,000 schools the shards hold 48,000 school versions: parsing and
   * counting them again when no shard has changed was most of a read's time.
   */
  private readonly parsed = new Map<string, { etag: string; doc: RollupShardDoc }>();
  private summed: { key: string; totals: CityTotals } | undefined;

  constructor(
    private readonly containers: RollupContainers,
    private readonly now: () => number = Date.now,
    private readonly seedSchoolsPerRead = SEED_SCHOOLS_PER_READ,
  ) {}

  /** True once every return is in the rollup or marked (store/rollup.ts header). */
  async isComplete(): Promise<boolean> {
    if (this.complete) return true;
    const container = await this.containers.rollups();
    this.complete = (await pointRead<unknown>(container, ROLLUP_COMPLETE_DOC_ID, ROLLUP_COMPLETE_DOC_ID)) !== undefined;
    return this.complete;
  }

  /** Records that every return is in the rollup: after a rebuild, or in a new database before anything is stored. */
  async declareComplete(by: RollupCompleteDoc['by']): Promise<void> {
    const doc: RollupCompleteDoc = { id: ROLLUP_COMPLETE_DOC_ID, type: 'rollupComplete', by, at: new Date(this.now()).toISOString() };
    await (await this.containers.rollups()).items.upsert(rollupCompleteDocSchema.parse(doc));
    this.complete = true;
  }

  /** Step before a head commit: marks the school. Returns the mark to delete once settled. */
  async mark(school: string, year: number): Promise<string> {
    const doc: RollupMarkDoc = { id: `mark:${year}:${randomUUID()}`, type: 'mark', year, shard: shardOf(school), school, at: this.now() };
    await (await this.containers.rollups()).items.create(rollupMarkDocSchema.parse(doc));
    return doc.id;
  }

  /** Step after a head commit (or a failed attempt): applies the school's current head, then deletes the mark. */
  async settle(school: string, year: number, mark: string): Promise<void> {
    // A few attempts only: a settle that keeps losing leaves its mark, and the next read settles the school.
    await this.update(
      year,
      shardOf(school),
      async (doc) => {
        const { unreadable } = await this.apply(doc, [school]);
        this.keepUnreadable(doc, [school], unreadable);
        return { doc, unreadable };
      },
      SETTLE_ATTEMPTS,
    );
    await this.deleteMarks([mark]);
  }

  /**
   * The year's marks, by shard, and its shards' etags, from one query over the rollups container:
   * small documents only, so a read fetches a shard's body only when its etag is new to it.
   */
  private async index(year: number): Promise<{ marks: Map<number, RollupMarkDoc[]>; etags: Map<number, string> }> {
    const { resources } = await (await this.containers.rollups()).items
      .query<{ type?: unknown; shard?: unknown; _etag?: unknown }>({
        query: "SELECT c.id, c.type, c.year, c.shard, c.school, c.at, c._etag FROM c WHERE c.year = @year AND (c.type = 'mark' OR c.type = 'rollup')",
        parameters: [{ name: '@year', value: year }],
      })
      .fetchAll();
    const marks = new Map<number, RollupMarkDoc[]>();
    const etags = new Map<number, string>();
    for (const raw of resources) {
      if (raw.type === 'rollup' && typeof raw.shard === 'number' && typeof raw._etag === 'string') {
        etags.set(raw.shard, raw._etag);
        continue;
      }
      const { _etag, ...doc } = raw;
      const mark = rollupMarkDocSchema.parse(doc);
      marks.set(mark.shard, [...(marks.get(mark.shard) ?? []), mark]);
    }
    return { marks, etags };
  }

  private async deleteMarks(ids: readonly string[]): Promise<void> {
    const container = await this.containers.rollups();
    await Promise.all(
      ids.map((id) =>
        container
          .item(id, id)
          .delete()
          .catch((error: unknown) => {
            if (codeOf(error) !== 404) throw error;
          }),
      ),
    );
  }

  /** Marks whose writer must be dead by now, for schools that were read: settled here, so deleted. */
  private async dropOldMarks(marks: readonly RollupMarkDoc[], unreadable: readonly string[]): Promise<void> {
    const cutoff = this.now() - PENDING_GRACE_MS;
    await this.deleteMarks(marks.filter((m) => m.at < cutoff && !unreadable.includes(m.school)).map((m) => m.id));
  }

  /** A school that cannot be read stays listed in its shard, so it is tried again (and counted) until it can be read. */
  private keepUnreadable(doc: RollupShardDoc, tried: readonly string[], unreadable: readonly string[]): void {
    for (const school of tried) delete doc.pending[`unreadable:${school}`];
    for (const school of unreadable) doc.pending[`unreadable:${school}`] = { school, at: this.now() };
  }

  /** The year's totals: every shard read, seeded or settled first where it needs it. Throws RollupSeeding while seeding is unfinished. */
  async read(year: number): Promise<CityTotals> {
    let { marks, etags } = await this.index(year);
    let read = await this.readShards(year, etags);
    const complete = await this.isComplete();
    if (read.some((r) => needsSeeding(r, complete))) {
      const progress = await this.seedChunk(year, read.filter((r) => needsSeeding(r, complete)));
      if (progress.seeded < progress.primaries) throw new RollupSeeding(year, progress.seeded, progress.primaries);
      ({ marks, etags } = await this.index(year));
      read = await this.readShards(year, etags);
      // A shard a settle created meanwhile, before the rollup was complete, holds its one school only.
      if (read.some((r) => needsSeeding(r, complete))) throw new RollupSeeding(year, progress.seeded - 1, progress.primaries);
    }
    // Shards that need work are settled a few at a time, so one read never queues a city's worth of queries at once.
    const clean = (r: ShardRead) => Object.keys(r.doc?.pending ?? {}).length === 0 && !marks.has(r.shard);
    const key = `${year}|${read.map((r) => r.etag ?? '-').join('|')}`;
    if (this.summed?.key === key && read.every(clean)) return this.summed.totals;
    const docs = await mapWithConcurrency(read, RECONCILE_CONCURRENCY, async (r) => {
      if (clean(r)) return { doc: r.doc ?? emptyShard(year, r.shard), unreadable: [] as string[] };
      return this.reconcile(year, r.shard, marks.get(r.shard) ?? []);
    });
    const totals = {
      year,
      submitted: { total: emptySummary(CITY_TOTAL, year), schools: new Set<string>() },
      drafts: { total: emptySummary(CITY_TOTAL, year), schools: new Set<string>() },
      unreadable: new Set<string>(),
    };
    for (const { doc, unreadable } of docs) {
      for (const mode of MODES) {
        totals[mode].total = addSummary(totals[mode].total, doc[mode].total);
        for (const school of Object.keys(doc[mode].applied)) totals[mode].schools.add(school);
      }
      for (const school of unreadable) totals.unreadable.add(school);
    }
    // Kept only when nothing needed settling: then the etags read are exactly what was summed.
    if (read.every(clean)) this.summed = { key, totals };
    return totals;
  }

  /**
   * Takes every existing return into the rollup, chunk by chunk, then declares it complete: the
   * maintenance step after upgrading from a version without the rollup (`npm run rollup:rebuild`).
   * Safe to run again, and beside live traffic once every instance maintains the rollup.
   */
  async rebuild(options: { years?: readonly number[]; onYear?: (year: number, primaries: number) => void } = {}): Promise<number[]> {
    const years = options.years ? [...options.years].sort((a, b) => a - b) : await this.yearsWithReturns();
    for (const year of years) {
      for (;;) {
        const read = await this.readShards(year);
        const complete = await this.isComplete();
        if (!read.some((r) => needsSeeding(r, complete))) break;
        await this.seedChunk(year, read.filter((r) => needsSeeding(r, complete)));
      }
      await this.read(year); // settles what is marked
      options.onYear?.(year, (await this.containers.primaries()).length);
    }
    await this.declareComplete('rebuild');
    return years;
  }

  /** The years any school has a head for: a one-off scan of the returns container (slow on the embedded server at city scale: name the years there). */
  private async yearsWithReturns(): Promise<number[]> {
    const { resources } = await (await this.containers.returns()).items
      .query<number>({ query: "SELECT VALUE c.year FROM c WHERE c.type = 'head'" }, { maxItemCount: 10_000 })
      .fetchAll();
    return [...new Set(resources)].sort((a, b) => a - b);
  }

  /**
   * The year's shards. With `etags` (from index()): a shard it does not list is absent, and one
   * whose etag matches the copy parsed before is that copy, so only changed shards are read.
   */
  private async readShards(year: number, etags?: ReadonlyMap<number, string>): Promise<ShardRead[]> {
    const container = await this.containers.rollups();
    return Promise.all(
      Array.from({ length: ROLLUP_SHARDS }, async (_, shard): Promise<ShardRead> => {
        const id = rollupShardDocId(year, shard);
        const listed = etags?.get(shard);
        if (etags && listed === undefined) return { shard, doc: undefined, etag: undefined };
        const known = this.parsed.get(id);
        if (known && listed === known.etag) return { shard, doc: known.doc, etag: known.etag };
        const found = await pointReadWithEtag<unknown>(container, id, id);
        if (!found) return { shard, doc: undefined, etag: undefined };
        if (known?.etag === found.etag) return { shard, doc: known.doc, etag: found.etag };
        const doc = rollupShardDocSchema.parse(found.doc);
        this.parsed.set(id, { etag: found.etag, doc });
        return { shard, doc, etag: found.etag };
      }),
    );
  }

  /**
   * Seeds the next chunk of the year's directory primaries (sorted by LAESTAB) into every shard
   * not yet past it: each shard reads its schools of the chunk and is replaced under If-Match,
   * like a settle, so a commit settled meanwhile makes it read again rather than be overwritten.
   * Returns how many primaries every shard has now taken in.
   */
  private async seedChunk(year: number, unseeded: readonly ShardRead[]): Promise<{ seeded: number; primaries: number }> {
    const primaries = [...(await this.containers.primaries())].sort();
    const from = unseeded.map((r) => r.doc?.seededThrough ?? '').reduce((a, b) => (b < a ? b : a));
    const start = primaries.findIndex((s) => s > from);
    const chunk = start < 0 ? [] : primaries.slice(start, start + this.seedSchoolsPerRead);
    const through = chunk[chunk.length - 1] ?? from;
    const done = start < 0 || start + chunk.length >= primaries.length;
    await mapWithConcurrency(unseeded, RECONCILE_CONCURRENCY, ({ shard }) =>
      this.update(year, shard, async (doc) => {
        if (doc.seeded) return { doc, unreadable: [] };
        const schools = chunk.filter((s) => shardOf(s) === shard && s > (doc.seededThrough ?? ''));
        const { unreadable } = await this.apply(doc, schools);
        this.keepUnreadable(doc, schools, unreadable);
        if (done) {
          doc.seeded = true;
          delete doc.seededThrough;
        } else if (through > (doc.seededThrough ?? '')) doc.seededThrough = through;
        return { doc, unreadable };
      }),
    );
    return { seeded: done ? primaries.length : start + chunk.length, primaries: primaries.length };
  }

  /** Settles a shard's marked and unreadable schools from their current heads, and drops marks past their grace. */
  async reconcile(year: number, shard: number, marks: readonly RollupMarkDoc[] = []): Promise<{ doc: RollupShardDoc; unreadable: string[] }> {
    const result = await this.update(year, shard, async (doc) => {
      const schools = [...new Set([...Object.values(doc.pending).map((p) => p.school), ...marks.map((m) => m.school)])];
      const { unreadable } = await this.apply(doc, schools);
      this.keepUnreadable(doc, schools, unreadable);
      return { doc, unreadable };
    });
    await this.dropOldMarks(marks, result.unreadable);
    return result;
  }

  /** Reads, changes and replaces a shard under If-Match, again on a lost race. */
  private async update(
    year: number,
    shard: number,
    change: (doc: RollupShardDoc) => Promise<{ doc: RollupShardDoc; unreadable: string[] }>,
    attempts = MAX_SHARD_ATTEMPTS,
  ): Promise<{ doc: RollupShardDoc; unreadable: string[] }> {
    const container = await this.containers.rollups();
    const id = rollupShardDocId(year, shard);
    for (let attempt = 0; attempt < attempts; attempt++) {
      const read = await pointReadWithEtag<unknown>(container, id, id);
      const doc = read ? rollupShardDocSchema.parse(read.doc) : emptyShard(year, shard, await this.isComplete());
      const before = read ? JSON.stringify(doc) : undefined;
      const result = await change(doc);
      // Nothing to change (a concurrent settle already applied this version): no write, no race.
      if (before !== undefined && JSON.stringify(result.doc) === before) return result;
      try {
        if (read) await container.item(id, id).replace(rollupShardDocSchema.parse(result.doc), { accessCondition: { type: 'IfMatch', condition: read.etag } });
        else await container.items.create(rollupShardDocSchema.parse(result.doc));
        return result;
      } catch (error) {
        if (codeOf(error) !== 412 && codeOf(error) !== 409) throw error;
      }
    }
    throw Object.assign(new Error('rollup shard contention'), { code: 503 });
  }

  /** Brings `schools` in `doc` to the versions their heads want, in both modes. */
  private async apply(doc: RollupShardDoc, schools: readonly string[]): Promise<{ unreadable: string[] }> {
    if (schools.length === 0) return { unreadable: [] };
    const { year } = doc;
    const [returns, summaries] = [await this.containers.returns(), await this.containers.summaries()];
    const [heads, summaryDocs] = await Promise.all([byId(returns, headDocId(year), schools), byId(summaries, summaryDocId(year), schools)]);
    const unreadable: string[] = [];
    /** A version's summary: the summary document when it is for that version, else the version itself. */
    const summaryOf = async (school: string, version: number): Promise<SchoolSummary> => {
      const stored = summaryDocSchema.safeParse(summaryDocs.get(school));
      if (stored.success && stored.data.school === school && stored.data.version === version && stored.data.summary.school === school) return stored.data.summary;
      const v = versionDocSchema.parse(await pointRead<unknown>(returns, versionDocId(year, version), school));
      return schoolSummary(school, year, v.pupils);
    };
    const changes = await mapWithConcurrency(schools, POINT_READ_CONCURRENCY, async (school) => {
      try {
        const raw = heads.get(school);
        const head = raw === undefined ? undefined : headDocSchema.parse(raw);
        const out: { mode: RollupMode; from?: SchoolSummary; to?: SchoolSummary; version?: number }[] = [];
        for (const mode of MODES) {
          const target = head && wantedVersion(head, mode === 'drafts')?.version;
          const held = Object.hasOwn(doc[mode].applied, school) ? doc[mode].applied[school] : undefined;
          if (target === held) continue;
          out.push({
            mode,
            ...(held !== undefined ? { from: await summaryOf(school, held) } : {}),
            ...(target !== undefined ? { to: await summaryOf(school, target), version: target } : {}),
          });
        }
        return { school, out };
      } catch {
        unreadable.push(school);
        return { school, out: [] };
      }
    });
    for (const { school, out } of changes) {
      for (const { mode, from, to, version } of out) {
        const t = doc[mode];
        if (from) t.total = addSummary(t.total, from, -1);
        if (to) t.total = addSummary(t.total, to, 1);
        if (version !== undefined) t.applied[school] = version;
        else delete t.applied[school];
      }
    }
    return { unreadable };
  }
}
