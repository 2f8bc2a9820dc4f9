/**
 * The same UPN on two schools' returns (issue 29), through the API: the cross-school index
 * (store/upnIndex.ts) flags it to the LA's tracker with both schools, the secondary's cohort lists
 * the pupil once with a warning, and each primary is told on its receipt and its check that
 * another school has the pupil, never which. The index holds keyed hashes, never a UPN, is kept
 * right across crashes and concurrent commits, and every read of it is audited.
 * Also issue 32 item 4: a read receipt only from the secondary's own read.
 */
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import type { Container } from '@azure/cosmos';
import { SchoolDirectory } from '../../shared/schools';
import type { ReturnStatus } from '../../shared/status';
import type { TransitionReturn } from '../../shared/transition/schema';
import { validateReturn } from '../../shared/transition/validate';
import { headDocId, headDocSchema, seenDocId, versionDocId, versionDocSchema } from '../../functions/src/store/documents';
import { ReturnsRepository } from '../../functions/src/store/returns';
import { PENDING_GRACE_MS } from '../../functions/src/store/rollup';
import { UpnIndex, upnHash } from '../../functions/src/store/upnIndex';
import { crashable } from '../factories/crashable';
import { row, SECONDARY, sheet, TRANSFER_YEAR, upnFor } from '../factories/transition';
import { startStack, type Stack, TEST_SCHOOLS } from './harness';

const [ACORN, BRAMBLE, COPPER] = ['3302001', '3302002', '3302003'] as const;
const OTHER_SECONDARY = '3304002';
/** The pupil both Acorn and Bramble return: one UPN, as a pupil who moved primary would have. */
const MOVER = upnFor(777, '3302099');
const PRIMARIES = TEST_SCHOOLS.filter((s) => s.phase === 'primary').map((s) => s.laestab);
const directory = new SchoolDirectory(TEST_SCHOOLS);

let stack: Stack;
const tokens: Record<string, string> = {};
beforeAll(async () => {
  stack = await startStack();
  tokens['acorn'] = await stack.token({ role: 'school', school: ACORN });
  tokens['bramble'] = await stack.token({ role: 'school', school: BRAMBLE });
  tokens['secondary'] = await stack.token({ role: 'school', school: SECONDARY });
  tokens['la'] = await stack.token({ role: 'la' });
  tokens['trust'] = await stack.token({ role: 'trust', trust: 'T1' });
}, 60_000);
afterAll(async () => {
  await stack.stop();
});

const auth = (who: string) => ({ authorization: `Bearer ${tokens[who]}` });
const json = async <T>(res: Response): Promise<T> => {
  expect(res.ok).toBe(true);
  return (await res.json()) as T;
};

/** A return of `count` pupils of the school's own, plus (when given) these UPNs, for one secondary. */
function returnOf(school: string, count: number, shared: readonly string[] = [], year = TRANSFER_YEAR, secondary = SECONDARY): TransitionReturn {
  const upns = [...Array.from({ length: count }, (_, i) => upnFor(i + 1, school)), ...shared];
  const rows = upns.map((upn, i) => row(i + 1, { feederPrimary: school, upn, dob: `${year - 11}-01-15` }));
  return { year, sheets: [sheet(rows, `Receiving (${secondary})`)], explanations: [] };
}

async function submit(who: string, school: string, ret: TransitionReturn, status: ReturnStatus = 'submitted') {
  const res = await stack.fetch(`/returns/${school}/${ret.year}?status=${status}`, {
    method: 'PUT',
    headers: { ...auth(who), 'content-type': 'application/json', 'idempotency-key': randomUUID() },
    body: JSON.stringify(ret),
  });
  expect(res.status).toBe(201);
  return (await res.json()) as { crossSchool: { pupils: { sheet: string; row: number; otherReturns: number }[]; notice: string } };
}

const check = (who: string, school: string, upns: string[], year = TRANSFER_YEAR) =>
  stack.fetch(`/returns/${school}/${year}/cross-school`, { method: 'POST', headers: { ...auth(who), 'content-type': 'application/json' }, body: JSON.stringify({ upns }) });

interface Tracker {
  schools: { school: string; crossSchoolUpns: number }[];
  crossSchool: { upns: number; groups: { schools: string[]; count: number }[]; line: string };
}
interface Cohort {
  pupils: { upn: string; sourceSchool: string }[];
  crossSchool: { upn: string; sourceSchool: string; alsoFrom: string[]; otherReturns: number }[];
}

describe('the same UPN on two primaries\' returns', () => {
  let first: Awaited<ReturnType<typeof submit>>;
  let second: Awaited<ReturnType<typeof submit>>;
  beforeAll(async () => {
    first = await submit('acorn', ACORN, returnOf(ACORN, 2, [MOVER]));
    second = await submit('bramble', BRAMBLE, returnOf(BRAMBLE, 3, [MOVER]));
  });

  it('tells the second primary on its receipt that another school has the pupil, at the pupil\'s row, without naming it', () => {
    // The first to submit had nobody to share with yet.
    expect(first.crossSchool).toEqual({ pupils: [], notice: '' });
    expect(second.crossSchool.pupils).toEqual([{ sheet: 'Transition', row: row(4).row, otherReturns: 1 }]);
    expect(second.crossSchool.notice).toMatch(/1 pupil on this return is also on another school's return.*LA will resolve/);
    expect(JSON.stringify(second)).not.toContain(ACORN);
    expect(JSON.stringify(second)).not.toContain('Acorn');
  });

  it('audits each read of the index in the request\'s own record, with no pupil values', async () => {
    const audit = await stack.store.audit.forSchool(BRAMBLE);
    expect(audit.filter((a) => a.action === 'return.write').map((a) => a.ids)).toEqual([['return:2027:v1', `crossSchool:${TRANSFER_YEAR}`]]);
    expect(JSON.stringify(audit)).not.toContain(MOVER);
  });

  it('tells the first primary when it checks its sheet: only the UPNs it sent, not the school', async () => {
    const res = await check('acorn', ACORN, [upnFor(1, ACORN), MOVER, upnFor(2, ACORN)]);
    const body = await json<{ upns: unknown[]; notice: string }>(res);
    expect(body.upns).toEqual([{ upn: MOVER, otherReturns: 1 }]);
    expect(body.notice).toContain('another school');
    expect(JSON.stringify(body)).not.toContain(BRAMBLE);
    // Only the school itself may ask about its pupils.
    expect((await check('bramble', ACORN, [MOVER])).status).toBe(403);
    expect((await check('la', ACORN, [MOVER])).status).toBe(403);
    const audit = await stack.store.audit.forSchool(ACORN);
    const entry = audit.find((a) => a.action === 'crossSchool.check');
    expect(entry).toMatchObject({ role: 'school', ids: [`crossSchool:${TRANSFER_YEAR}`] });
    expect(JSON.stringify(audit)).not.toContain(MOVER);
  });

  it('flags the UPN to the LA on the tracker with both schools, counted beside the totals, and audits the read', async () => {
    const tracker = await json<Tracker>(await stack.fetch(`/tracker/${TRANSFER_YEAR}`, { headers: auth('la') }));
    expect(tracker.crossSchool).toMatchObject({ upns: 1, groups: [{ schools: [ACORN, BRAMBLE], count: 1 }] });
    expect(tracker.crossSchool.line).toMatch(/^1 UPN is on more than one school's return/);
    expect(tracker.schools.map((s) => [s.school, s.crossSchoolUpns])).toEqual([
      [ACORN, 1],
      [BRAMBLE, 1],
      [COPPER, 0],
    ]);
    // The response does not need the UPN: the schools named hold it.
    expect(JSON.stringify(tracker)).not.toContain(MOVER);
    const city = await stack.store.audit.forSchool('city');
    expect(city.find((a) => a.action === 'tracker.read' && a.role === 'la')?.ids).toEqual([`crossSchool:${TRANSFER_YEAR}`]);
  });

  it('names to a trust only the sets of schools within the trust', async () => {
    const tracker = await json<Tracker>(await stack.fetch(`/tracker/${TRANSFER_YEAR}`, { headers: auth('trust') }));
    // Bramble is in trust T1, Acorn is not: the trust learns Bramble has one such UPN, not with whom.
    expect(tracker.crossSchool).toMatchObject({ upns: 1, groups: [] });
    expect(tracker.schools.find((s) => s.school === BRAMBLE)?.crossSchoolUpns).toBe(1);
  });

  it('gives the secondary the pupil once, with a warning naming the feeders that sent it', async () => {
    const cohort = await json<Cohort>(await stack.fetch(`/cohorts/${SECONDARY}/${TRANSFER_YEAR}`, { headers: auth('secondary') }));
    expect(cohort.pupils.filter((p) => p.upn === MOVER)).toEqual([expect.objectContaining({ sourceSchool: ACORN })]);
    expect(cohort.pupils).toHaveLength(2 + 3 + 1);
    expect(cohort.crossSchool).toEqual([{ upn: MOVER, sourceSchool: ACORN, alsoFrom: [BRAMBLE], otherReturns: 1 }]);
    const audit = await stack.store.audit.forSchool(SECONDARY);
    expect(audit.find((a) => a.action === 'cohort.read' && a.role === 'school')?.ids).toContain(`crossSchool:${TRANSFER_YEAR}`);
  });

  it('keeps keyed hashes and schools in the index, never a UPN', async () => {
    const container = await stack.store.container('crossSchool');
    const { resources } = await container.items.query<Record<string, unknown>>('SELECT * FROM c').fetchAll();
    expect(resources.length).toBeGreaterThan(0);
    const text = JSON.stringify(resources);
    for (const upn of [MOVER, upnFor(1, ACORN), upnFor(1, BRAMBLE)]) expect(text).not.toContain(upn);
    const entry = resources.find((r) => r['id'] === `upn:${TRANSFER_YEAR}:${upnHash(stack.config.crossSchoolKey, MOVER)}`);
    expect(entry).toMatchObject({ shared: true, schools: { [ACORN]: { on: true }, [BRAMBLE]: { on: true } } });
  });

  it('clears the flag when a school submits a correction without the pupil; a draft changes nothing', async () => {
    const year = TRANSFER_YEAR + 1;
    await submit('acorn', ACORN, returnOf(ACORN, 1, [MOVER], year));
    await submit('bramble', BRAMBLE, returnOf(BRAMBLE, 1, [MOVER], year));
    // A draft without the pupil: the latest SUBMITTED version is what counts, as the cohort sees it.
    await submit('bramble', BRAMBLE, returnOf(BRAMBLE, 2, [], year), 'draft');
    const tracker = async () => (await json<Tracker>(await stack.fetch(`/tracker/${year}`, { headers: auth('la') }))).crossSchool;
    expect((await tracker()).upns).toBe(1);
    await submit('bramble', BRAMBLE, returnOf(BRAMBLE, 2, [], year));
    expect(await tracker()).toMatchObject({ upns: 0, groups: [] });
    expect((await json<{ upns: unknown[] }>(await check('acorn', ACORN, [MOVER], year))).upns).toEqual([]);
  });
});

describe('the index across crashes and concurrent commits', () => {
  const POOL = [upnFor(901, '3302099'), upnFor(902, '3302099'), upnFor(903, '3302099')];
  let nextYear = 2040;

  function indexOver(wrap: (c: Container) => Container = (c) => c, now: () => number = Date.now): UpnIndex {
    return new UpnIndex({ index: async () => wrap(await stack.store.container('crossSchool')), returns: async () => wrap(await stack.store.container('returns')) }, stack.config.crossSchoolKey, now);
  }

  interface Commit {
    school: string;
    status: ReturnStatus;
    shared: string[];
    /** Writes this commit makes before its process dies; undefined: it does not crash. */
    crashAfter: number | undefined;
  }

  async function run(commit: Commit, year: number): Promise<void> {
    const budget = { left: commit.crashAfter ?? Number.POSITIVE_INFINITY };
    const wrap = (c: Container) => crashable(c, budget);
    const repo = new ReturnsRepository(
      async () => wrap(await stack.store.container('returns')),
      async () => wrap(await stack.store.container('summaries')),
      undefined,
      undefined,
      indexOver(wrap),
    );
    const ret = returnOf(commit.school, 1, commit.shared, year);
    const { report, pupils } = validateReturn(ret, { directory, year, school: commit.school });
    expect(pupils).toHaveLength(1 + commit.shared.length);
    await repo
      .write({ school: commit.school, year, status: commit.status, ret, report, pupils, principal: { subject: 'property', role: 'school', school: commit.school } })
      .catch(() => undefined); // a crash, or contention: what the head says is the truth either way
  }

  /** What the index must say: from every school's head, its latest submitted version's UPNs. */
  async function recomputed(year: number): Promise<{ hash: string; schools: string[] }[]> {
    const returns = await stack.store.container('returns');
    const holders = new Map<string, string[]>();
    for (const school of PRIMARIES) {
      const { resource: head } = await returns.item(headDocId(year), school).read();
      const submitted = head ? headDocSchema.parse(head).submittedVersion : undefined;
      if (submitted === undefined) continue;
      const { resource } = await returns.item(versionDocId(year, submitted), school).read();
      for (const p of versionDocSchema.parse(resource).pupils) {
        const hash = upnHash(stack.config.crossSchoolKey, p.upn);
        holders.set(hash, [...(holders.get(hash) ?? []), school]);
      }
    }
    return [...holders]
      .filter(([, schools]) => schools.length > 1)
      .map(([hash, schools]) => ({ hash, schools: schools.sort() }))
      .sort((a, b) => (a.hash < b.hash ? -1 : 1));
  }

  it('equals a recomputation from the heads after any commits, concurrent or crashed between any two writes', async () => {
    const commitArb: fc.Arbitrary<Commit> = fc.record({
      school: fc.constantFrom(...PRIMARIES),
      status: fc.constantFrom<ReturnStatus>('submitted', 'submitted', 'draft'),
      shared: fc.subarray(POOL),
      crashAfter: fc.option(fc.integer({ min: 0, max: 10 }), { nil: undefined }),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(commitArb, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 4 }), async (rounds) => {
        const year = nextYear++;
        const reader = indexOver();
        for (const round of rounds) {
          await Promise.all(round.map((c) => run(c, year)));
          expect(await reader.shared(year)).toEqual(await recomputed(year));
        }
      }),
      { numRuns: 20 },
    );
  }, 300_000);

  it('a submission that crashed after its commit is found by its mark and settled by the next read; the mark goes once its writer must be dead', async () => {
    const year = nextYear++;
    await run({ school: ACORN, status: 'submitted', shared: [POOL[0] as string], crashAfter: undefined }, year);
    // Version, cohort slice, summary, index mark and head written; the crash comes before the index settles.
    await run({ school: BRAMBLE, status: 'submitted', shared: [POOL[0] as string], crashAfter: 5 }, year);
    const container = await stack.store.container('crossSchool');
    const marks = async () =>
      (await container.items.query<{ school: string }>({ query: "SELECT c.school FROM c WHERE c.type = 'upnMark' AND c.year = @year", parameters: [{ name: '@year', value: year }] }).fetchAll()).resources;
    expect(await marks()).toEqual([{ school: BRAMBLE }]);
    // The head says Bramble submitted; the index does not know yet.
    const { resource: head } = await (await stack.store.container('returns')).item(headDocId(year), BRAMBLE).read();
    expect(headDocSchema.parse(head).submittedVersion).toBe(1);

    // The LA's next tracker read settles it.
    const tracker = await json<Tracker>(await stack.fetch(`/tracker/${year}`, { headers: auth('la') }));
    expect(tracker.crossSchool.groups).toEqual([{ schools: [ACORN, BRAMBLE], count: 1 }]);
    expect(await marks()).toHaveLength(1); // the writer might still be running
    await indexOver(undefined, () => Date.now() + PENDING_GRACE_MS + 1).shared(year);
    expect(await marks()).toEqual([]);
  });

  it('a settle that died part way is finished by the next, even one for a later version without that pupil', async () => {
    const year = nextYear++;
    // 5 writes to commit, then the settle claims its hashes and turns both entries on: it dies before recording that it holds them.
    await run({ school: ACORN, status: 'submitted', shared: [POOL[1] as string], crashAfter: 8 }, year);
    await run({ school: BRAMBLE, status: 'submitted', shared: [POOL[1] as string], crashAfter: undefined }, year);
    // Acorn's correction drops the pupil before any read has settled its first submission.
    await run({ school: ACORN, status: 'submitted', shared: [], crashAfter: undefined }, year);
    expect(await recomputed(year)).toEqual([]);
    expect(await indexOver().shared(year)).toEqual([]);
  });
});

describe('read receipts only from the school they name (issue 32 item 4)', () => {
  const year = TRANSFER_YEAR + 2;
  const seen = async (primary: string) =>
    (await json<{ seenBy: { secondary: string; version: number; at: string }[] }>(await stack.fetch(`/returns/${primary}/${year}`, { headers: auth('la') }))).seenBy;

  it('records nothing when the LA or a trust opens the cohort; the secondary\'s own read records the receipt', async () => {
    await submit('acorn', ACORN, returnOf(ACORN, 2, [], year));
    for (const who of ['la', 'trust']) {
      expect((await stack.fetch(`/cohorts/${SECONDARY}/${year}`, { headers: auth(who) })).status).toBe(200);
    }
    expect(await seen(ACORN)).toEqual([]);
    // Those reads are still audited.
    const audit = await stack.store.audit.forSchool(SECONDARY);
    expect(audit.filter((a) => a.action === 'cohort.read').map((a) => a.role)).toEqual(expect.arrayContaining(['la', 'trust']));

    expect((await stack.fetch(`/cohorts/${SECONDARY}/${year}`, { headers: auth('secondary') })).status).toBe(200);
    expect(await seen(ACORN)).toEqual([{ secondary: SECONDARY, version: 1, at: expect.any(String) }]);
  });

  it('ignores a receipt an LA read recorded before the rule, and lets the secondary\'s first read replace it', async () => {
    await submit('bramble', BRAMBLE, returnOf(BRAMBLE, 1, [], year, OTHER_SECONDARY));
    const returns = await stack.store.container('returns');
    const id = seenDocId(year, 1, OTHER_SECONDARY);
    await returns.items.create({ id, school: BRAMBLE, year, type: 'seen', version: 1, secondary: OTHER_SECONDARY, at: '2026-01-01T00:00:00.000Z', role: 'la' });
    expect(await seen(BRAMBLE)).toEqual([]);

    const own = await stack.token({ role: 'school', school: OTHER_SECONDARY });
    expect((await stack.fetch(`/cohorts/${OTHER_SECONDARY}/${year}`, { headers: { authorization: `Bearer ${own}` } })).status).toBe(200);
    const receipts = await seen(BRAMBLE);
    expect(receipts).toEqual([{ secondary: OTHER_SECONDARY, version: 1, at: expect.any(String) }]);
    expect(receipts[0]?.at).not.toBe('2026-01-01T00:00:00.000Z');
    const { resource } = await returns.item(id, BRAMBLE).read<{ role: string }>();
    expect(resource?.role).toBe('school');
  });
});
