/**
 * The cross-school UPN index: which UPNs are on more than one school's latest submitted return
 * (issue 29), so the LA is told (tracker), the secondary sees such a pupil once with a warning
 * (cohort), and each primary is told another school has the pupil, never which (receipt, check).
 *
 * It holds no more than it needs: a UPN is kept only as HMAC-SHA256 under the server's
 * CROSS_SCHOOL_KEY (config.ts), which a reader of the database cannot reverse or test guesses
 * against without the key, beside the LAESTABs and versions holding it. The city tables are not
 * changed by it: such a pupil is counted under each school that returned them, as the CLI does.
 *
 * Documents (container `crossSchool`, schemas in store/documents.ts):
 * - entry `upn:{year}:{hash}`: school → { version, on }, and `shared` (two or more on);
 * - school `upnSchool:{year}:{school}`: the hashes its submitted version put in;
 * - mark `upnMark:{year}:{uuid}`: a submission about to commit, not yet taken in.
 *
 * Kept right without transactions, as the city rollup is (store/rollup.ts):
 * - Before a submitted head commits, the writer makes a mark. After it (or a failed attempt) it
 *   settles the school, then deletes the mark. Readers settle every marked school of the year
 *   first, and delete marks older than PENDING_GRACE_MS, whose writer must be dead.
 * - A settle brings the school's entries to the version its head names as submitted: it first
 *   records every hash it may touch (`touched`, under If-Match on the school document), then
 *   turns each on or off, then records what it holds. A crash part way leaves `touched`, which
 *   the next settle looks at again, so a hash is never left on for a version that dropped it.
 * - Each entry holds, per school, the version that last set it; an older version's settle that
 *   finishes late changes nothing (versions only grow), so racing settles end as the newest says.
 */
import { createHmac, randomUUID } from 'node:crypto';
import type { Container } from '@azure/cosmos';
import {
  headDocId,
  headDocSchema,
  upnEntryDocId,
  upnEntryDocSchema,
  type UpnEntryDoc,
  upnMarkDocSchema,
  type UpnMarkDoc,
  upnSchoolDocId,
  upnSchoolDocSchema,
  type UpnSchoolDoc,
  versionDocId,
  versionDocSchema,
} from './documents';
import { mapWithConcurrency, pointRead, pointReadWithEtag } from './reads';
import { PENDING_GRACE_MS } from './rollup';
import type { CrossSchoolNotice } from '../../../shared/api/responses';
import { alsoOnAnotherReturnNotice } from '../../../shared/crossSchool';
import type { PupilRow } from '../../../shared/transition/schema';
import { getStore } from './index';

/** (design) Entries changed at once by one settle: a return has up to 2,000 pupils. */
const ENTRY_CONCURRENCY = 8;
/** (design) Attempts at replacing one document before giving up (a mark stays, and the next read settles). */
const MAX_ATTEMPTS = 25;

const codeOf = (error: unknown): unknown => (error as { code?: unknown } | null)?.code;
const lost = (error: unknown) => codeOf(error) === 412 || codeOf(error) === 409;

/** The id an audit record gives a read of the index: which year, never which UPN. */
export const crossSchoolAuditId = (year: number) => `crossSchool:${year}`;

/** The index's key for a UPN: HMAC-SHA256 of it (trimmed, upper case) under the server's secret, hex. */
export function upnHash(key: string, upn: string): string {
  return createHmac('sha256', key).update(upn.trim().toUpperCase()).digest('hex');
}

export interface UpnIndexContainers {
  index: () => Promise<Container>;
  returns: () => Promise<Container>;
}

/** A keyed UPN held by two or more schools' latest submitted returns. */
export interface SharedUpn {
  hash: string;
  /** The schools holding it, in LAESTAB order. */
  schools: string[];
}

/** The schools `on` in an entry, sorted. */
const onSchools = (entry: UpnEntryDoc): string[] =>
  Object.entries(entry.schools)
    .filter(([, s]) => s.on)
    .map(([school]) => school)
    .sort();

export class UpnIndex {
  constructor(
    private readonly containers: UpnIndexContainers,
    private readonly key: string,
    private readonly now: () => number = Date.now,
  ) {}

  hash(upn: string): string {
    return upnHash(this.key, upn);
  }

  /** Step before a submitted head commit: marks the school. Returns the mark to delete once settled. */
  async mark(school: string, year: number): Promise<string> {
    const doc: UpnMarkDoc = { id: `upnMark:${year}:${randomUUID()}`, type: 'upnMark', year, school, at: this.now() };
    await (await this.containers.index()).items.create(upnMarkDocSchema.parse(doc));
    return doc.id;
  }

  /** Step after the commit (or a failed attempt): the school's entries follow its head; then the mark goes. */
  async settle(school: string, year: number, mark?: string): Promise<void> {
    const index = await this.containers.index();
    const returns = await this.containers.returns();
    const id = upnSchoolDocId(year, school);
    let settled = false;
    for (let attempt = 0; attempt < MAX_ATTEMPTS && !settled; attempt++) {
      const read = await pointReadWithEtag<unknown>(index, id, id);
      const state: UpnSchoolDoc = read ? upnSchoolDocSchema.parse(read.doc) : { id, type: 'upnSchool', year, school, version: 0, hashes: [], touched: [] };
      const rawHead = await pointRead<unknown>(returns, headDocId(year), school);
      const version = rawHead === undefined ? 0 : (headDocSchema.parse(rawHead).submittedVersion ?? 0);
      // Nothing to do; or a head read before a newer settle's (versions only grow): that one holds more.
      settled = (read !== undefined && state.version === version && state.touched.length === 0) || version < state.version;
      if (settled) break;
      const target = new Set(version === 0 ? [] : await this.hashesOf(returns, school, year, version));
      const touched = [...new Set([...state.hashes, ...state.touched, ...target])].sort();
      try {
        // 1) What this settle may change, before it changes anything.
        const claimed = await this.replace(index, { ...state, touched }, read?.etag);
        // 2) Each entry on or off, stamped with the version.
        await mapWithConcurrency(touched, ENTRY_CONCURRENCY, (hash) => this.setEntry(index, year, hash, school, version, target.has(hash)));
        // 3) What the entries now hold.
        await this.replace(index, { ...state, version, hashes: [...target].sort(), touched: [] }, claimed);
        settled = true;
      } catch (error) {
        if (!lost(error)) throw error;
        // Another settle of this school moved the document: read its work and go again.
      }
    }
    // Every attempt lost a race: the mark stays, and the next read settles the school.
    if (!settled) throw Object.assign(new Error('cross-school index contention'), { code: 503 });
    if (mark !== undefined) await this.deleteMarks([mark]);
  }

  /** Settles every school marked for the year (readers call this first); deletes marks past their grace. */
  async settlePending(year: number): Promise<void> {
    const index = await this.containers.index();
    const { resources } = await index.items
      .query<unknown>({ query: "SELECT c.id, c.type, c.year, c.school, c.at FROM c WHERE c.type = 'upnMark' AND c.year = @year", parameters: [{ name: '@year', value: year }] })
      .fetchAll();
    const marks = resources.map((r) => upnMarkDocSchema.parse(r));
    const schools = [...new Set(marks.map((m) => m.school))];
    await mapWithConcurrency(schools, 2, (school) => this.settle(school, year));
    const cutoff = this.now() - PENDING_GRACE_MS;
    await this.deleteMarks(marks.filter((m) => m.at < cutoff).map((m) => m.id));
  }

  /** Every keyed UPN two or more schools hold for the year: one query for the entries flagged shared. */
  async shared(year: number): Promise<SharedUpn[]> {
    await this.settlePending(year);
    const { resources } = await (await this.containers.index()).items
      .query<unknown>({ query: "SELECT * FROM c WHERE c.type = 'upnEntry' AND c.year = @year AND c.shared = true", parameters: [{ name: '@year', value: year }] })
      .fetchAll();
    return resources
      .map((r) => upnEntryDocSchema.parse(r))
      .map((e) => ({ hash: e.hash, schools: onSchools(e) }))
      .filter((s) => s.schools.length > 1)
      .sort((a, b) => (a.hash < b.hash ? -1 : a.hash > b.hash ? 1 : 0));
  }

  /**
   * Which of these UPNs (as given) another school's latest submitted return also holds, and how
   * many other schools: point reads of their entries. The other schools are not named, as a
   * primary is not told who else returned its pupil.
   *
   * Other schools' submissions still in flight are not settled here: a school's own check or
   * receipt must not wait on (and contend with) every concurrent submission in the city. Such a
   * submission is seen by its own school's receipt, and by the LA's reads, which settle first.
   */
  async elsewhere(school: string, year: number, upns: readonly string[]): Promise<Map<string, number>> {
    const index = await this.containers.index();
    const distinct = [...new Set(upns)];
    const found = await mapWithConcurrency(distinct, ENTRY_CONCURRENCY * 4, async (upn) => {
      const raw = await pointRead<unknown>(index, upnEntryDocId(year, this.hash(upn)), upnEntryDocId(year, this.hash(upn)));
      const others = raw === undefined ? 0 : onSchools(upnEntryDocSchema.parse(raw)).filter((s) => s !== school).length;
      return [upn, others] as const;
    });
    return new Map(found.filter(([, others]) => others > 0));
  }

  /** What a primary is told of these pupils (its own): which are also on another school's return, by sheet and row, not where. */
  async notice(school: string, year: number, pupils: readonly Pick<PupilRow, 'upn' | 'sheet' | 'row'>[]): Promise<CrossSchoolNotice> {
    const others = await this.elsewhere(school, year, pupils.map((p) => p.upn));
    const flagged = pupils
      .filter((p) => others.has(p.upn))
      .map((p) => ({ sheet: p.sheet, row: p.row, otherReturns: others.get(p.upn) as number }))
      .sort((a, b) => (a.sheet < b.sheet ? -1 : a.sheet > b.sheet ? 1 : a.row - b.row));
    return { pupils: flagged, notice: alsoOnAnotherReturnNotice(flagged.length) };
  }

  /** The keyed UPNs of one version's valid pupils. */
  private async hashesOf(returns: Container, school: string, year: number, version: number): Promise<string[]> {
    const raw = await pointRead<unknown>(returns, versionDocId(year, version), school);
    // A head names only versions that exist; anything else is corruption, left for the next settle.
    if (raw === undefined) throw new Error('head names a missing version');
    return [...new Set(versionDocSchema.parse(raw).pupils.map((p) => this.hash(p.upn)))];
  }

  /** Replaces (or, with no etag, creates) the school document; answers its new etag. A lost race throws 412/409. */
  private async replace(index: Container, doc: UpnSchoolDoc, etag: string | undefined): Promise<string> {
    const parsed = upnSchoolDocSchema.parse(doc);
    const result = etag === undefined ? await index.items.create(parsed) : await index.item(doc.id, doc.id).replace(parsed, { accessCondition: { type: 'IfMatch', condition: etag } });
    return result.etag ?? '';
  }

  /** Sets the school on or off in one entry, unless a newer version of the school already did. */
  private async setEntry(index: Container, year: number, hash: string, school: string, version: number, on: boolean): Promise<void> {
    const id = upnEntryDocId(year, hash);
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const read = await pointReadWithEtag<unknown>(index, id, id);
      const entry: UpnEntryDoc = read ? upnEntryDocSchema.parse(read.doc) : { id, type: 'upnEntry', year, hash, schools: {}, shared: false };
      const held = entry.schools[school];
      if (held && (held.version > version || (held.version === version && held.on === on))) return;
      // Off for a school the entry never had: nothing to take out, but the stamp keeps an older settle from adding it.
      entry.schools[school] = { version, on };
      entry.shared = onSchools(entry).length > 1;
      try {
        if (read) await index.item(id, id).replace(upnEntryDocSchema.parse(entry), { accessCondition: { type: 'IfMatch', condition: read.etag } });
        else await index.items.create(upnEntryDocSchema.parse(entry));
        return;
      } catch (error) {
        if (!lost(error)) throw error;
      }
    }
    throw Object.assign(new Error('cross-school entry contention'), { code: 503 });
  }

  private async deleteMarks(ids: readonly string[]): Promise<void> {
    const index = await this.containers.index();
    await Promise.all(
      ids.map((id) =>
        index
          .item(id, id)
          .delete()
          .catch((error: unknown) => {
            if (codeOf(error) !== 404) throw error;
          }),
      ),
    );
  }
}

let instance: UpnIndex | undefined;
let instanceStore: unknown;

/** The process's cross-school index over the process's store, keyed with its CROSS_SCHOOL_KEY. */
export function upnIndex(): UpnIndex {
  const store = getStore();
  if (!instance || instanceStore !== store) {
    instance = new UpnIndex({ index: () => store.container('crossSchool'), returns: () => store.container('returns') }, store.config.crossSchoolKey);
    instanceStore = store;
  }
  return instance;
}

/** What the tracker says of shared UPNs, for the schools in scope (a trust sees only sets within its own schools). */
export function crossSchoolSummary(shared: readonly SharedUpn[], inScope: ReadonlySet<string>): { upns: number; perSchool: Map<string, number>; groups: Array<{ schools: string[]; count: number }> } {
  const perSchool = new Map<string, number>();
  const groups = new Map<string, { schools: string[]; count: number }>();
  let upns = 0;
  for (const { schools } of shared) {
    const mine = schools.filter((s) => inScope.has(s));
    if (mine.length === 0) continue;
    upns += 1;
    for (const s of mine) perSchool.set(s, (perSchool.get(s) ?? 0) + 1);
    if (mine.length < schools.length) continue;
    const key = schools.join(',');
    const group = groups.get(key) ?? { schools, count: 0 };
    group.count += 1;
    groups.set(key, group);
  }
  const ordered = [...groups.values()].sort((a, b) => b.count - a.count || (a.schools.join() < b.schools.join() ? -1 : 1));
  return { upns, perSchool, groups: ordered };
}
