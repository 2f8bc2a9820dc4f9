/**
 * The returns repository: immutable versions of a school's transition return, the cohort slices
 * each submitted version routes to its receiving secondaries, the school's summary, and the head
 * that says which version is current.
 *
 * Documents (their schemas are in store/documents.ts):
 * - version `return:{year}:v{n}`: the return, its validation report and the valid pupils the
 *   validator read from it (so no reader parses its cells again). Created with create(), never changed.
 * - cohort slice `cohort:{year}:{primary}`, in the RECEIVING SECONDARY's partition: the valid
 *   pupils one primary sends to that secondary, from the primary's latest submitted version.
 * - summary `summary:{year}` in the `summaries` container: counts only (no pupil rows).
 * - head `head:{year}`: the current version, its status, the latest submitted version, the
 *   secondaries that version names, and every committed version number.
 * - action `action:{year}:{actionId}`: the version an idempotent action (an Idempotency-Key) was
 *   answered with, written just before the commit point. A retry of that action after a crash
 *   (the key's record never marked done) finds it and answers with that version's receipt, so it
 *   never stores the old content again on top of versions committed since.
 *
 * Writes go in that order, without batches (the embedded server's batches are not atomic and
 * real Cosmos batches cannot span the secondary's partition anyway). The head, replaced with
 * If-Match on the etag read at the start, is the commit point: readers go through it, so a crash
 * between steps never shows a partial version. A version document no head names is invisible;
 * a cohort slice or summary whose version is not the head's is ignored by readers (which fall
 * back to the version the head names), and the next write to the school rewrites them.
 */
import { createHash } from 'node:crypto';
import type { Container } from '@azure/cosmos';
import { mapWithConcurrency, POINT_READ_CONCURRENCY, pointRead, pointReadWithEtag, readByIdForSchools } from './reads';
import { schoolSummary } from '../../../shared/aggregate/summary';
import { laestabInText } from '../../../shared/codes';
import type { ReturnStatus } from '../../../shared/status';
import { type PupilRow, type TransitionReturn, type ValidationReport } from '../../../shared/transition/schema';
import type { Actor, Principal } from '../auth/principal';
import {
  actionDocId,
  actionDocSchema,
  type ActionDoc,
  cohortSliceDocId,
  cohortSliceDocSchema,
  type CohortSliceDoc,
  type Counts,
  headDocId,
  headDocSchema,
  type HeadDoc,
  summaryDocId,
  summaryDocSchema,
  type SummaryDoc,
  type SeenBy,
  seenDocId,
  seenDocSchema,
  type SeenDoc,
  type VersionMeta,
  VERSION_META_PROJECTION,
  versionDocId,
  versionDocSchema,
  type VersionDoc,
  versionMetaSchema,
} from './documents';
import { receiptSchema, type Receipt } from '../../../shared/api/responses';
import { getStore } from './index';
import { CityRollup } from './rollup';
import { UpnIndex, upnIndex } from './upnIndex';

/** (design) Attempts at taking the next version number or committing the head before giving up with 503. */
export const MAX_WRITE_ATTEMPTS = 25;

export { receiptSchema, type Receipt };

export class PreconditionFailed extends Error {
  constructor(readonly currentEtag: string | undefined) {
    super('precondition failed');
    this.name = 'PreconditionFailed';
  }
}

/** Thrown when every attempt lost a race; the endpoint answers 503 with Retry-After. */
export class WriteContention extends Error {
  constructor() {
    super('write contention');
    this.name = 'WriteContention';
  }
}

const codeOf = (error: unknown): unknown => (error as { code?: unknown } | null)?.code;

/** JSON with object keys sorted, so the same return always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function contentHash(ret: TransitionReturn): string {
  return `sha256:${createHash('sha256').update(canonicalJson(ret)).digest('hex')}`;
}

export const countsOf = (report: ValidationReport): Counts => ({
  rows: report.summary.rows,
  errors: report.summary.errors,
  queries: report.summary.queries,
  unexplainedQueries: report.summary.unexplainedQueries,
});



/** The pupils each receiving secondary gets, from the valid rows of a return. */
export function slicesBySecondary(pupils: readonly PupilRow[]): Map<string, PupilRow[]> {
  const out = new Map<string, PupilRow[]>();
  for (const p of pupils) {
    const list = out.get(p.receivingSecondary) ?? [];
    list.push(p);
    out.set(p.receivingSecondary, list);
  }
  return out;
}

export interface WriteInput {
  school: string;
  year: number;
  status: ReturnStatus;
  ret: TransitionReturn;
  report: ValidationReport;
  /** validateReturn's pupils for `ret`. */
  pupils: PupilRow[];
  principal: Actor;
  /** The client's If-Match: the head etag it last read. */
  ifMatch?: string;
  /** The idempotent action this write carries out (http/idempotency.ts IdempotentAction.id). */
  action?: string;
}

export interface WriteResult {
  created: boolean;
  receipt: Receipt;
  /** The head's etag, when the receipt's version is the current one (a replayed older action's is not). */
  etag?: string;
  versionDocId: string;
  /** True when the action had already stored (or been answered with) this version before a crash. */
  replayed?: boolean;
}

const sameEtag = (a: string, b: string) => a.replace(/^W\//, '') === b.replace(/^W\//, '');

export class ReturnsRepository {
  constructor(
    private readonly returns: () => Promise<Container>,
    private readonly summaries: () => Promise<Container>,
    private readonly now: () => Date = () => new Date(),
    /** The city rollup each commit maintains (store/rollup.ts); absent, the first aggregates read takes the school in. */
    private readonly rollup?: CityRollup,
    /** The cross-school UPN index each submission maintains (store/upnIndex.ts), marked and settled like the rollup. */
    private readonly upns?: UpnIndex,
  ) {}

  async head(school: string, year: number): Promise<{ doc: HeadDoc; etag: string } | undefined> {
    const read = await pointReadWithEtag<unknown>(await this.returns(), headDocId(year), school);
    return read && { doc: headDocSchema.parse(read.doc), etag: read.etag };
  }

  /** Heads for many schools, a chunk of partitions per query (tracker). */
  async heads(schools: readonly string[], year: number): Promise<Map<string, HeadDoc>> {
    const raw = await readByIdForSchools(await this.returns(), headDocId(year), schools);
    return new Map([...raw].map(([school, doc]) => [school, headDocSchema.parse(doc)]));
  }

  async version(school: string, year: number, version: number): Promise<VersionDoc | undefined> {
    const read = await pointReadWithEtag<unknown>(await this.returns(), versionDocId(year, version), school);
    return read && versionDocSchema.parse(read.doc);
  }

  /** The current version (via the head) and the head's etag; undefined when the school has no return. */
  async current(school: string, year: number): Promise<{ head: HeadDoc; etag: string; version: VersionDoc } | undefined> {
    const head = await this.head(school, year);
    if (!head) return undefined;
    const version = await this.version(school, year, head.doc.version);
    // A head always names a version that exists (it is written last); anything else is corruption, not a 404.
    if (!version) throw new Error('head names a missing version');
    return { head: head.doc, etag: head.etag, version };
  }

  receiptOf(version: VersionDoc): Receipt {
    return {
      school: version.school,
      year: version.year,
      version: version.version,
      status: version.status,
      contentHash: version.contentHash,
      submittedAt: version.submittedAt,
      submittedBy: version.submittedBy,
      report: version.report,
      summary: schoolSummary(version.school, version.year, version.pupils),
    };
  }

  /**
   * Stores a new version and makes it current, or (same content and status as the head) returns
   * the current one. Throws PreconditionFailed on a stale If-Match, WriteContention when every
   * attempt lost a race.
   */
  async write(input: WriteInput): Promise<WriteResult> {
    const marked: { mark?: string; upnMark?: string } = {};
    try {
      return await this.commit(input, marked);
    } finally {
      // Likewise the cross-school index: a failure leaves its mark for the next reader to settle.
      if (marked.upnMark !== undefined) await this.upns?.settle(input.school, input.year, marked.upnMark).catch(() => undefined);
      // Whatever happened, the rollup takes in what the head now says; a failure here leaves the
      // mark, and the next aggregates read settles the school instead.
      if (marked.mark !== undefined) await this.rollup?.settle(input.school, input.year, marked.mark).catch(() => undefined);
    }
  }

  /**
   * The version an action was answered with, when that version is committed: a retry of an
   * action whose answer was lost (a crash before its Idempotency-Key record was marked done).
   */
  async actionOutcome(school: string, year: number, action: string): Promise<WriteResult | undefined> {
    const read = await pointReadWithEtag<unknown>(await this.returns(), actionDocId(year, action), school);
    if (!read) return undefined;
    const done = actionDocSchema.parse(read.doc);
    const head = await this.head(school, year);
    if (!head || !head.doc.committed.includes(done.version)) return undefined; // never committed: the action runs again
    const version = await this.version(school, year, done.version);
    if (!version) throw new Error('head names a missing version');
    return {
      created: done.created,
      receipt: this.receiptOf(version),
      ...(head.doc.version === done.version ? { etag: head.etag } : {}),
      versionDocId: version.id,
      replayed: true,
    };
  }

  /** Records what the action is about to be answered with (before the commit point, or with an answer that commits nothing). */
  private async recordAction(input: WriteInput, version: number, created: boolean): Promise<void> {
    if (input.action === undefined) return;
    const doc: ActionDoc = {
      id: actionDocId(input.year, input.action),
      school: input.school,
      year: input.year,
      type: 'action',
      action: input.action,
      version,
      created,
      at: this.now().toISOString(),
    };
    await (await this.returns()).items.upsert(actionDocSchema.parse(doc));
  }

  private async commit(input: WriteInput, marked: { mark?: string; upnMark?: string }): Promise<WriteResult> {
    const { school, year, status, ret, report, pupils, principal } = input;
    const hash = contentHash(ret);
    const container = await this.returns();

    if (input.action !== undefined) {
      const earlier = await this.actionOutcome(school, year, input.action);
      if (earlier) return earlier;
    }

    for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
      const head = await this.head(school, year);
      if (input.ifMatch !== undefined && input.ifMatch !== '*' && (!head || !sameEtag(head.etag, input.ifMatch))) {
        throw new PreconditionFailed(head?.etag);
      }
      if (input.ifMatch === '*' && !head) throw new PreconditionFailed(undefined);
      if (head && head.doc.contentHash === hash && head.doc.status === status) {
        const current = await this.version(school, year, head.doc.version);
        if (!current) throw new Error('head names a missing version');
        await this.recordAction(input, current.version, false);
        return { created: false, receipt: this.receiptOf(current), etag: head.etag, versionDocId: current.id };
      }

      // 1) The version document. A taken number is a concurrent writer's or an uncommitted
      //    (crashed) attempt's: adopt it when it holds this very content, else take the next.
      let n = (head?.doc.version ?? 0) + 1;
      let version: VersionDoc | undefined;
      let adopted = false;
      for (let k = 0; k < MAX_WRITE_ATTEMPTS && version === undefined; k++, n++) {
        const doc: VersionDoc = {
          id: versionDocId(year, n),
          school,
          year,
          type: 'version',
          version: n,
          status,
          submittedBy: { subject: principal.subject, role: principal.role },
          submittedAt: this.now().toISOString(),
          contentHash: hash,
          ret,
          report,
          pupils,
        };
        try {
          await container.items.create(versionDocSchema.parse(doc));
          version = doc;
        } catch (error) {
          if (codeOf(error) !== 409) throw error;
          const taken = await this.version(school, year, n);
          if (taken && taken.contentHash === hash && taken.status === status && !(head?.doc.committed ?? []).includes(n)) {
            version = taken;
            adopted = true;
          }
        }
      }
      if (!version) throw new WriteContention();
      if (adopted) {
        // Adopted: an identical concurrent submission may have committed it meanwhile.
        const now = await this.head(school, year);
        if (now && now.doc.version === version.version && now.doc.contentHash === hash) {
          await this.recordAction(input, version.version, false);
          return { created: false, receipt: this.receiptOf(version), etag: now.etag, versionDocId: version.id };
        }
      }

      // 2) + 3) What readers of other partitions see.
      const secondaries = status === 'submitted' ? [...slicesBySecondary(pupils).keys()].sort() : (head?.doc.secondaries ?? []);
      await this.writeDerived(version, pupils, head?.doc);

      // 4) The commit point.
      const newHead: HeadDoc = {
        id: headDocId(year),
        school,
        year,
        type: 'head',
        version: version.version,
        status,
        contentHash: hash,
        submittedAt: version.submittedAt,
        submittedBy: version.submittedBy,
        counts: countsOf(report),
        ...(status === 'submitted' ? { submittedVersion: version.version } : head?.doc.submittedVersion !== undefined ? { submittedVersion: head.doc.submittedVersion } : {}),
        secondaries,
        committed: [...(head?.doc.committed ?? []), version.version].sort((a, b) => a - b),
      };
      // The action's answer is known before the commit point, so a crash after it is answered alike.
      await this.recordAction(input, version.version, true);
      // The rollup hears of the commit before it happens, so a crash after it is found and settled.
      if (this.rollup && marked.mark === undefined) marked.mark = await this.rollup.mark(school, year);
      // Only a submission changes which version the index holds (the latest submitted).
      if (this.upns && status === 'submitted' && marked.upnMark === undefined) marked.upnMark = await this.upns.mark(school, year);
      try {
        const { etag } = head
          ? await container.item(newHead.id, school).replace(headDocSchema.parse(newHead), { accessCondition: { type: 'IfMatch', condition: head.etag } })
          : await container.items.create(headDocSchema.parse(newHead));
        return { created: true, receipt: this.receiptOf(version), etag: etag ?? '', versionDocId: version.id };
      } catch (error) {
        if (codeOf(error) !== 412 && codeOf(error) !== 409) throw error;
        // Someone committed first. When it was this very version (an identical concurrent
        // submission), the work is done; otherwise our derived documents may be ahead of the head.
        const now = await this.head(school, year);
        if (now && now.doc.version === version.version && now.doc.contentHash === hash) {
          await this.recordAction(input, version.version, false);
          return { created: false, receipt: this.receiptOf(version), etag: now.etag, versionDocId: version.id };
        }
        await this.reconcile(school, year).catch(() => undefined);
        if (input.ifMatch !== undefined) throw new PreconditionFailed((await this.head(school, year))?.etag);
        // No precondition from the client: try again on top of the new head.
      }
    }
    throw new WriteContention();
  }

  /** Steps 2 and 3 for a version: cohort slices (submitted only) and the summary. */
  private async writeDerived(version: VersionDoc, pupils: PupilRow[], previous: HeadDoc | undefined): Promise<void> {
    const { school, year } = version;
    const container = await this.returns();
    if (version.status === 'submitted') {
      const slices = slicesBySecondary(pupils);
      await Promise.all(
        [...slices].map(([secondary, list]) =>
          container.items.upsert(
            cohortSliceDocSchema.parse({
              id: cohortSliceDocId(year, school),
              school: secondary,
              year,
              type: 'cohort',
              primary: school,
              version: version.version,
              pupils: list,
            } satisfies CohortSliceDoc),
          ),
        ),
      );
      // A secondary the school no longer sends pupils to loses its slice.
      const gone = (previous?.secondaries ?? []).filter((s) => !slices.has(s));
      await Promise.all(
        gone.map((s) =>
          container
            .item(cohortSliceDocId(year, school), s)
            .delete()
            .catch((error: unknown) => {
              if (codeOf(error) !== 404) throw error;
            }),
        ),
      );
    }
    const summaries = await this.summaries();
    const doc: SummaryDoc = {
      id: summaryDocId(year),
      school,
      year,
      type: 'summary',
      status: version.status,
      version: version.version,
      submittedAt: version.submittedAt,
      ...countsOf(version.report),
      summary: schoolSummary(school, year, pupils),
    };
    await summaries.items.upsert(summaryDocSchema.parse(doc));
  }

  /** Rewrites the derived documents from what the head says is current (after a lost race, or a crash). */
  async reconcile(school: string, year: number): Promise<void> {
    const head = await this.head(school, year);
    if (!head) return;
    const current = await this.version(school, year, head.doc.version);
    if (!current) return;
    if (head.doc.submittedVersion !== undefined && head.doc.submittedVersion !== current.version) {
      const submitted = await this.version(school, year, head.doc.submittedVersion);
      if (submitted) await this.writeDerived(submitted, submitted.pupils, undefined);
    }
    await this.writeDerived(current, current.pupils, undefined);
  }

  /**
   * Records that `secondary`'s cohort, holding these primaries' versions, has been opened: the
   * first time for each version only (create() is exclusive on the id; a 409 means it was seen).
   */
  async recordSeen(secondary: string, year: number, feeders: readonly { primary: string; version: number }[], role: Principal['role']): Promise<void> {
    const container = await this.returns();
    const at = this.now().toISOString();
    await mapWithConcurrency(feeders, POINT_READ_CONCURRENCY, async ({ primary, version }) => {
      const doc: SeenDoc = { id: seenDocId(year, version, secondary), school: primary, year, type: 'seen', version, secondary, at, role };
      try {
        await container.items.create(seenDocSchema.parse(doc));
      } catch (error) {
        if (codeOf(error) !== 409) throw error;
        // A receipt an LA or trust read recorded before only the secondary's own read counted: this read replaces it.
        const held = seenDocSchema.safeParse(await pointRead<unknown>(container, doc.id, primary));
        if (role === 'school' && held.success && held.data.role !== 'school') await container.item(doc.id, primary).replace(seenDocSchema.parse(doc));
      }
    });
  }

  /** Which secondaries have opened which of the school's versions, first opening first: one query in its partition. */
  async seenBy(school: string, year: number): Promise<SeenBy[]> {
    const { resources } = await (await this.returns()).items
      .query<unknown>({
        query: "SELECT * FROM c WHERE c.school = @school AND c.type = 'seen' AND c.year = @year",
        parameters: [
          { name: '@school', value: school },
          { name: '@year', value: year },
        ],
      })
      .fetchAll();
    return resources
      .map((r) => seenDocSchema.parse(r))
      // Only the secondary's own read is a receipt; ones an LA or trust read recorded before that rule are ignored.
      .filter((r) => r.role === 'school')
      .map(({ secondary, version, at }) => ({ secondary, version, at }))
      .sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.secondary.localeCompare(b.secondary)));
  }

  /** Committed versions, newest first, without pupil data. */
  async history(school: string, year: number): Promise<Array<Omit<VersionMeta, 'summary'> & Counts>> {
    const head = await this.head(school, year);
    if (!head) return [];
    const committed = new Set(head.doc.committed);
    const container = await this.returns();
    const { resources } = await container.items
      .query<unknown>({
        query: `SELECT ${VERSION_META_PROJECTION} FROM c WHERE c.school = @school AND c.type = 'version' AND c.year = @year`,
        parameters: [
          { name: '@school', value: school },
          { name: '@year', value: year },
        ],
      })
      .fetchAll();
    return resources
      .map((r) => versionMetaSchema.parse(r))
      .filter((r) => committed.has(r.version))
      .sort((a, b) => b.version - a.version)
      .map(({ summary, ...r }) => ({ ...r, rows: summary.rows, errors: summary.errors, queries: summary.queries, unexplainedQueries: summary.unexplainedQueries }));
  }

  /**
   * A secondary's incoming pupils: its cohort slices (one partition), each checked against its
   * primary's head. A slice from an uncommitted or superseded write is replaced by the pupils of
   * the version the head names; a slice for a secondary the head no longer names is dropped.
   */
  /**
   * A secondary's incoming pupils: every primary whose latest submitted version names it.
   * The primaries' heads (the commit points) say who feeds it, read a chunk of primaries per
   * query; each feeder's cohort slice in the secondary's partition is used when it is for that
   * version, and otherwise (a slice not yet written or left stale by a crash mid-write) the
   * pupils are rebuilt from the version itself. So a committed submission always reaches its
   * secondaries, whatever happened to the derived documents.
   */
  async cohort(secondary: string, year: number, primaries: readonly string[]): Promise<Array<{ primary: string; version: number; pupils: PupilRow[] }>> {
    const container = await this.returns();
    const [heads, { resources }] = await Promise.all([
      this.heads(primaries, year),
      container.items
        .query<unknown>({
          query: "SELECT * FROM c WHERE c.school = @school AND c.type = 'cohort' AND c.year = @year",
          parameters: [
            { name: '@school', value: secondary },
            { name: '@year', value: year },
          ],
        })
        .fetchAll(),
    ]);
    // A slice that does not parse is treated like a stale one: the pupils come from the version.
    const parsed = resources.flatMap((r) => {
      const slice = cohortSliceDocSchema.safeParse(r);
      return slice.success ? [slice.data] : [];
    });
    const slices = new Map(parsed.map((slice) => [slice.primary, slice]));
    const feeding = [...heads.values()].filter((h) => h.submittedVersion !== undefined && h.secondaries.includes(secondary));
    const feeders = await mapWithConcurrency(feeding, POINT_READ_CONCURRENCY, async (head) => {
      const submitted = head.submittedVersion as number;
      const slice = slices.get(head.school);
      if (slice && slice.version === submitted) return { primary: head.school, version: submitted, pupils: slice.pupils };
      const version = await this.version(head.school, year, submitted);
      if (!version) return undefined;
      const pupils = version.pupils.filter((p) => p.receivingSecondary === secondary);
      return { primary: head.school, version: submitted, pupils };
    });
    return feeders.filter((f) => f !== undefined).sort((a, b) => (a.primary < b.primary ? -1 : a.primary > b.primary ? 1 : 0));
  }
}

let repository: ReturnsRepository | undefined;
let repositoryStore: unknown;

/** The process's repository over the process's store. */
export function returnsRepository(): ReturnsRepository {
  const store = getStore();
  if (!repository || repositoryStore !== store) {
    repository = new ReturnsRepository(
      () => store.container('returns'),
      () => store.container('summaries'),
      undefined,
      cityRollup(),
      upnIndex(),
    );
    repositoryStore = store;
  }
  return repository;
}

/** The receiving secondary LAESTABs named in a return's A7 cells (for audit ids). */
export function receivingSecondaries(ret: TransitionReturn): string[] {
  return [...new Set(ret.sheets.map((s) => (s.receivingSecondary ? laestabInText(s.receivingSecondary) : undefined)).filter((s): s is string => s !== undefined))];
}

let rollup: CityRollup | undefined;
let rollupStore: unknown;

/** The process's city rollup over the process's store. */
export function cityRollup(): CityRollup {
  const store = getStore();
  if (!rollup || rollupStore !== store) {
    rollup = new CityRollup({
      rollups: () => store.container('rollups'),
      returns: () => store.container('returns'),
      summaries: () => store.container('summaries'),
      primaries: async () => (await store.directory.get()).schools.filter((s) => s.phase === 'primary').map((s) => s.laestab),
    });
    rollupStore = store;
  }
  return rollup;
}
