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
 * - A shard that has never been read is seeded on first read: every directory primary of the
 *   shard is applied from its head in one pass (this is also how existing data is taken in).
 */
import { randomUUID } from 'node:crypto';
import type { Container } from '@azure/cosmos';
import { addSummary, CITY_TOTAL } from '../../../shared/aggregate/merge';
import { emptySummary, schoolSummary, type SchoolSummary } from '../../../shared/aggregate/summary';
import {
  headDocId,
  headDocSchema,
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
import { mapWithConcurrency, POINT_READ_CONCURRENCY, pointRead, pointReadWithEtag, readByIdForSchools } from './reads';
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

/** A year's city totals, per include mode, with who is in them. */
export interface CityTotals {
  year: number;
  submitted: { total: SchoolSummary; schools: Set<string> };
  drafts: { total: SchoolSummary; schools: Set<string> };
  /** Schools whose documents could not be read: left out of the totals, never guessed at. */
  unreadable: Set<string>;
}

/** Heads and summary documents by school, as read together. */
interface Source {
  heads: Map<string, unknown>;
  summaries: Map<string, unknown>;
}

/** (design) Up to this many schools are point-read (a writer's settle: one); more go by chunked queries. */
const POINT_READS_UP_TO = 8;

/** The document with this id in each school's partition: point reads for a few schools, chunked queries for many. */
async function byId(container: Container, id: string, schools: readonly string[]): Promise<Map<string, unknown>> {
  if (schools.length > POINT_READS_UP_TO) return readByIdForSchools(container, id, schools);
  const found = await Promise.all(schools.map(async (school) => [school, await pointRead<unknown>(container, id, school)] as const));
  return new Map(found.filter(([, doc]) => doc !== undefined));
}

const codeOf = (error: unknown): unknown => (error as { code?: unknown } | null)?.code;

function emptyShard(year: number, shard: number): RollupShardDoc {
  const empty = () => ({ total: emptySummary(CITY_TOTAL, year), applied: {} });
  return { id: rollupShardDocId(year, shard), year, shard, type: 'rollup', seeded: false, submitted: empty(), drafts: empty(), pending: {} };
}

export class CityRollup {
  constructor(
    private readonly containers: RollupContainers,
    private readonly now: () => number = Date.now,
  ) {}

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

  /** The year's marks, by shard. */
  private async marks(year: number): Promise<Map<number, RollupMarkDoc[]>> {
    const { resources } = await (await this.containers.rollups()).items
      .query<unknown>({ query: "SELECT * FROM c WHERE c.type = 'mark' AND c.year = @year", parameters: [{ name: '@year', value: year }] })
      .fetchAll();
    const out = new Map<number, RollupMarkDoc[]>();
    for (const raw of resources) {
      const mark = rollupMarkDocSchema.parse(raw);
      out.set(mark.shard, [...(out.get(mark.shard) ?? []), mark]);
    }
    return out;
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

  /** The year's totals: every shard read, seeded or settled first where it needs it. */
  async read(year: number): Promise<CityTotals> {
    const container = await this.containers.rollups();
    const shards = Array.from({ length: ROLLUP_SHARDS }, (_, i) => i);
    const totals: CityTotals = {
      year,
      submitted: { total: emptySummary(CITY_TOTAL, year), schools: new Set() },
      drafts: { total: emptySummary(CITY_TOTAL, year), schools: new Set() },
      unreadable: new Set(),
    };
    const read = await Promise.all(
      shards.map(async (shard) => {
        const found = await pointReadWithEtag<unknown>(container, rollupShardDocId(year, shard), rollupShardDocId(year, shard));
        return { shard, doc: found && rollupShardDocSchema.parse(found.doc), etag: found?.etag };
      }),
    );
    // Shards never seeded take in the whole year from one pass over its heads and summaries,
    // read AFTER the shards: a commit settled since changed a shard's etag, so that shard's
    // If-Match fails and it is seeded the slow way instead of from a stale pass.
    // The marks too are read after the shards: a mark made since is for a head not yet in them.
    const marks = await this.marks(year);
    const unseeded = read.filter((r) => !r.doc?.seeded);
    const pass = unseeded.length > 0 ? await this.yearPass(year) : undefined;
    // Shards that need work are settled a few at a time, so one read never queues a city's worth of queries at once.
    const docs = await mapWithConcurrency(read, RECONCILE_CONCURRENCY, async ({ shard, doc, etag }) => {
      const shardMarks = marks.get(shard) ?? [];
      if (doc && doc.seeded && Object.keys(doc.pending).length === 0 && shardMarks.length === 0) return { doc, unreadable: [] as string[] };
      if (pass && !doc?.seeded) {
        const seeded = await this.seed(doc ?? emptyShard(year, shard), etag, pass, shardMarks);
        if (seeded) {
          await this.dropOldMarks(shardMarks, seeded.unreadable);
          return seeded;
        }
      }
      return this.reconcile(year, shard, shardMarks);
    });
    for (const { doc, unreadable } of docs) {
      for (const mode of MODES) {
        totals[mode].total = addSummary(totals[mode].total, doc[mode].total);
        for (const school of Object.keys(doc[mode].applied)) totals[mode].schools.add(school);
      }
      for (const school of unreadable) totals.unreadable.add(school);
    }
    return totals;
  }

  /** Every head and summary of the year, by school: one query each (a one-off, when a year's rollup is first read). */
  private async yearPass(year: number): Promise<Source> {
    const scan = async (container: Container, type: string) => {
      const { resources } = await container.items
        .query<{ school?: unknown }>({ query: 'SELECT * FROM c WHERE c.type = @type AND c.year = @year', parameters: [{ name: '@type', value: type }, { name: '@year', value: year }] }, { maxItemCount: 5_000 })
        .fetchAll();
      return new Map(resources.flatMap((r) => (typeof r.school === 'string' ? [[r.school, r] as [string, unknown]] : [])));
    };
    const [heads, summaries] = await Promise.all([scan(await this.containers.returns(), 'head'), scan(await this.containers.summaries(), 'summary')]);
    return { heads, summaries };
  }

  /** Seeds a shard from a year pass, under If-Match on the etag read before the pass; undefined when it lost a race. */
  private async seed(doc: RollupShardDoc, etag: string | undefined, pass: Source, marks: readonly RollupMarkDoc[]): Promise<{ doc: RollupShardDoc; unreadable: string[] } | undefined> {
    const container = await this.containers.rollups();
    const pendingSchools = new Set([...Object.values(doc.pending).map((p) => p.school), ...marks.map((m) => m.school)]);
    const schools = new Set(pendingSchools);
    for (const school of await this.containers.primaries()) if (shardOf(school) === doc.shard) schools.add(school);
    // Marked schools are read afresh: their writers may have committed since the pass.
    const { unreadable } = await this.apply(doc, [...schools], pass, pendingSchools);
    this.keepUnreadable(doc, [...schools], unreadable);
    doc.seeded = true;
    try {
      if (etag !== undefined) await container.item(doc.id, doc.id).replace(rollupShardDocSchema.parse(doc), { accessCondition: { type: 'IfMatch', condition: etag } });
      else await container.items.create(rollupShardDocSchema.parse(doc));
      return { doc, unreadable };
    } catch (error) {
      if (codeOf(error) === 412 || codeOf(error) === 409) return undefined;
      throw error;
    }
  }

  /** Seeds a shard if it never was, settles its marked schools and drops marks past their grace. */
  async reconcile(year: number, shard: number, marks: readonly RollupMarkDoc[] = []): Promise<{ doc: RollupShardDoc; unreadable: string[] }> {
    const result = await this.update(year, shard, async (doc) => {
      const schools = new Set([...Object.values(doc.pending).map((p) => p.school), ...marks.map((m) => m.school)]);
      if (!doc.seeded) for (const school of await this.containers.primaries()) if (shardOf(school) === shard) schools.add(school);
      const { unreadable } = await this.apply(doc, [...schools]);
      this.keepUnreadable(doc, [...schools], unreadable);
      doc.seeded = true;
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
      const doc = read ? rollupShardDocSchema.parse(read.doc) : emptyShard(year, shard);
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
  private async apply(doc: RollupShardDoc, schools: readonly string[], pass?: Source, fresh: ReadonlySet<string> = new Set()): Promise<{ unreadable: string[] }> {
    if (schools.length === 0) return { unreadable: [] };
    const { year } = doc;
    const [returns, summaries] = [await this.containers.returns(), await this.containers.summaries()];
    // From the year pass where there is one, except the schools to read afresh; else a chunk of schools per query.
    const toRead = pass ? schools.filter((s) => fresh.has(s)) : schools;
    const [readHeads, readSummaries] = await Promise.all([byId(returns, headDocId(year), toRead), byId(summaries, summaryDocId(year), toRead)]);
    const pick = (from: Map<string, unknown> | undefined, read: Map<string, unknown>) => new Map(schools.map((s) => [s, fresh.has(s) || !from ? read.get(s) : from.get(s)]));
    const heads = pick(pass?.heads, readHeads);
    const summaryDocs = pick(pass?.summaries, readSummaries);
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
