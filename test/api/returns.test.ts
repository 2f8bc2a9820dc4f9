/**
 * Contract of the returns endpoints: PUT/GET /api/returns/{laestab}/{year}, its history, the
 * secondary's cohort and the LA tracker, against the real embedded Cosmos server.
 */
import { randomUUID } from 'node:crypto';
import ExcelJS from 'exceljs';
import { writeTransitionWorkbook } from '../../xlsx/template';
import type { TransitionReturn } from '../../shared/transition/schema';
import { aReturn, PRIMARY, row, SECONDARY, sheet, TRANSFER_YEAR, upnFor } from '../factories/transition';
import { startStack, type Stack, subjectFor, TEST_SCHOOLS } from './harness';
import { understatedSheetBomb } from '../factories/zip';
import { cohortSliceDocId } from '../../functions/src/store/documents';
import { trackerSchema } from '../../functions/src/openapi/document';
import { receiptSchema } from '../../functions/src/store/returns';
import { CHASE_LIST_HEADER } from '../../shared/chaseList';
import { daysToDeadline } from '../../shared/timetable';

const P = 'https://goodstart.birmingham.example/problems/';
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const OTHER_PRIMARY = '3302002';
const OTHER_SECONDARY = '3304002';

let stack: Stack;
let school: string;
const tokens: Record<string, string> = {};
beforeAll(async () => {
  stack = await startStack({ env: { MAX_JSON_BYTES: String(256 * 1024), MAX_XLSX_BYTES: String(512 * 1024) } });
  school = await stack.token({ role: 'school', school: PRIMARY });
  tokens['other'] = await stack.token({ role: 'school', school: OTHER_PRIMARY });
  tokens['secondary'] = await stack.token({ role: 'school', school: SECONDARY });
  tokens['otherSecondary'] = await stack.token({ role: 'school', school: OTHER_SECONDARY });
  tokens['la'] = await stack.token({ role: 'la' });
  tokens['t1'] = await stack.token({ role: 'trust', trust: 'T1' });
}, 60_000);
afterAll(async () => {
  await stack.stop();
});

const auth = (token: string) => ({ authorization: `Bearer ${token}` });
const url = (laestab = PRIMARY, year = TRANSFER_YEAR) => `/returns/${laestab}/${year}`;

function put(body: unknown, opts: { token?: string; laestab?: string; query?: string; headers?: Record<string, string>; raw?: BodyInit } = {}) {
  return stack.fetch(`${url(opts.laestab)}${opts.query ?? ''}`, {
    method: 'PUT',
    headers: { ...auth(opts.token ?? school), 'content-type': 'application/json', 'idempotency-key': randomUUID(), ...opts.headers },
    body: opts.raw ?? JSON.stringify(body),
  });
}
const get = (path: string, token = school, headers: Record<string, string> = {}) => stack.fetch(path, { headers: { ...auth(token), ...headers } });
const json = async <T = Record<string, unknown>>(res: Response) => (await res.json()) as T;

/** A return from another primary (feeder column is that school). */
function returnFrom(primary: string, count: number, secondary = SECONDARY): TransitionReturn {
  const rows = Array.from({ length: count }, (_, i) => row(i + 1, { feederPrimary: primary, upn: upnFor(i + 1, primary) }));
  return { year: TRANSFER_YEAR, sheets: [sheet(rows, `Receiving (${secondary})`)], explanations: [] };
}

describe('PUT /api/returns/{laestab}/{year}', () => {
  it('stores a valid return as version 1 and answers 201 with a receipt and the head ETag', async () => {
    const res = await put(aReturn(3));
    expect(res.status).toBe(201);
    expect(res.headers.get('etag')).toBeTruthy();
    const receipt = await json(res);
    expect(receipt).toMatchObject({ school: PRIMARY, year: TRANSFER_YEAR, version: 1, status: 'submitted' });
    expect(receipt['contentHash']).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect((receipt['report'] as { summary: { rows: number; errors: number } }).summary).toMatchObject({ rows: 3, errors: 0 });
    expect(receipt['summary']).toMatchObject({ school: PRIMARY });
    expect(receiptSchema.safeParse(receipt).success).toBe(true);
  });

  it('answers 200 with the same receipt and no new version when the content is unchanged', async () => {
    const first = await json(await put(aReturn(3)));
    const res = await put(aReturn(3));
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual(first);
  });

  it('creates a new immutable version when the content changes, and history lists both', async () => {
    const before = await json<{ versions: { version: number }[] }>(await get(`${url()}/history`));
    const res = await put(aReturn(4));
    expect(res.status).toBe(201);
    const receipt = await json<{ version: number }>(res);
    expect(receipt.version).toBe(before.versions[0]!.version + 1);
    const history = await json<{ versions: Array<{ version: number; submittedBy: { subject: string; role: string }; contentHash: string; rows: number }> }>(
      await get(`${url()}/history`),
    );
    expect(history.versions.map((v) => v.version)).toEqual([receipt.version, ...before.versions.map((v) => v.version)]);
    expect(history.versions[0]).toMatchObject({ submittedBy: { subject: subjectFor({ role: 'school', school: PRIMARY }), role: 'school' }, rows: 4 });
    expect(JSON.stringify(history)).not.toContain('Testsurname');
  });

  it('refuses a return with errors: 422 listing every issue with rule ids and cells', async () => {
    const bad = aReturn(2);
    bad.sheets[0]!.rows[0]!.values.sex = 'X';
    bad.sheets[0]!.rows[1]!.values.senProvision = 'Q';
    const res = await put(bad);
    expect(res.status).toBe(422);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    const body = await json<{ type: string; report: { errors: Array<{ rule: string; cell: string }>; summary: { errors: number } } }>(res);
    expect(body.type).toBe(`${P}return-has-errors`);
    expect(body.report.summary.errors).toBe(body.report.errors.length);
    expect(body.report.errors.map((e) => e.cell)).toEqual(expect.arrayContaining(['D10', 'Q11']));
  });

  it('needs every query explained before submission, but stores a draft with queries', async () => {
    const r = aReturn(1);
    r.sheets[0]!.rows[0]!.values.attendance = 80;
    const refused = await put(r);
    expect(refused.status).toBe(422);
    const body = await json<{ type: string; report: { queries: Array<{ rule: string; cell: string }>; summary: { unexplainedQueries: number } } }>(refused);
    expect(body.type).toBe(`${P}unexplained-queries`);
    expect(body.report.queries[0]).toMatchObject({ rule: 'GS2010Q', cell: 'Z10' });

    const draft = await put(r, { query: '?status=draft' });
    expect(draft.status).toBe(201);
    expect(await json(draft)).toMatchObject({ status: 'draft' });

    const explained = { ...r, explanations: [{ rule: 'GS2010Q', sheet: 'Transition', cell: 'Z10', text: 'Long hospital stay in the spring term.' }] };
    const submitted = await put(explained);
    expect(submitted.status).toBe(201);
    expect(await json(submitted)).toMatchObject({ status: 'submitted' });
  });

  it('answers 400 for an unknown status, malformed JSON and a missing Idempotency-Key', async () => {
    const status = await put(aReturn(1), { query: '?status=final' });
    expect(status.status).toBe(400);
    expect((await json<{ type: string }>(status)).type).toBe(`${P}invalid-parameter`);
    expect((await get(url('12345'), tokens['la']!)).status).toBe(400);
    expect((await get(`/tracker/1066`, tokens['la']!)).status).toBe(400);
    expect((await put(undefined, { raw: '{"year": 2027,' })).status).toBe(400);
    const noKey = await stack.fetch(url(), { method: 'PUT', headers: { ...auth(school), 'content-type': 'application/json' }, body: JSON.stringify(aReturn(1)) });
    expect(noKey.status).toBe(400);
  });

  it('answers 422 for unknown fields (strict bodies)', async () => {
    const res = await put({ ...aReturn(1), pupilNotes: 'x' });
    expect(res.status).toBe(422);
    expect((await json<{ type: string }>(res)).type).toBe(`${P}validation-failed`);
  });

  it('answers 401 without a token and 403 for another school, a trust or the LA', async () => {
    const anon = await stack.fetch(url(), { method: 'PUT', headers: { 'content-type': 'application/json', 'idempotency-key': randomUUID() }, body: '{}' });
    expect(anon.status).toBe(401);
    for (const t of [tokens['other']!, tokens['t1']!, tokens['la']!]) {
      const res = await put(aReturn(1), { token: t });
      expect(res.status).toBe(403);
      expect((await json<{ type: string }>(res)).type).toBe(`${P}forbidden`);
    }
  });

  it('answers 413 over the cap before parsing and 415 for other content types', async () => {
    const big = await put(undefined, { raw: `{"x":"${'a'.repeat(300 * 1024)}"}` });
    expect(big.status).toBe(413);
    const text = await put(undefined, { raw: 'hello', headers: { 'content-type': 'text/plain' } });
    expect(text.status).toBe(415);
  });

  it('honours If-Match: the current ETag writes, a stale one gets 412', async () => {
    const current = await get(url());
    const etag = current.headers.get('etag')!;
    const ok = await put(aReturn(5), { headers: { 'if-match': etag } });
    expect(ok.status).toBe(201);
    const stale = await put(aReturn(6), { headers: { 'if-match': etag } });
    expect(stale.status).toBe(412);
    expect((await json<{ type: string }>(stale)).type).toBe(`${P}precondition-failed`);
  });

  it('lets exactly one of two writers holding the same ETag win (one 201, one 412)', async () => {
    const etag = (await get(url())).headers.get('etag')!;
    const [a, b] = await Promise.all([put(aReturn(7), { headers: { 'if-match': etag } }), put(aReturn(8), { headers: { 'if-match': etag } })]);
    expect([a.status, b.status].sort()).toEqual([201, 412]);
    const winner = (a.status === 201 ? await json<{ version: number }>(a) : await json<{ version: number }>(b)).version;
    const now = await json<{ version: number; report: { summary: { rows: number } } }>(await get(url()));
    expect(now.version).toBe(winner);
    const history = await json<{ versions: { version: number }[] }>(await get(`${url()}/history`));
    expect(history.versions[0]!.version).toBe(winner);
  });

  it('accepts the filled workbook itself as .xlsx', async () => {
    const ret = aReturn(2);
    const bytes = await writeTransitionWorkbook({ year: TRANSFER_YEAR, sheets: ret.sheets, explanations: ret.explanations });
    const res = await stack.fetch(url(OTHER_PRIMARY), {
      method: 'PUT',
      headers: { ...auth(tokens['other']!), 'content-type': XLSX, 'idempotency-key': randomUUID() },
      body: Buffer.from(bytes),
    });
    // The factory's feeder column names PRIMARY, so OTHER_PRIMARY's return is refused row by row (GS1072).
    expect(res.status).toBe(422);
    expect((await json<{ report: { errors: { rule: string }[] } }>(res)).report.errors.map((e) => e.rule)).toContain('GS1072');

    const ours = await stack.fetch(`${url()}?status=submitted`, {
      method: 'PUT',
      headers: { ...auth(school), 'content-type': XLSX, 'idempotency-key': randomUUID() },
      body: Buffer.from(bytes),
    });
    expect([200, 201]).toContain(ours.status);
    expect(await json(ours)).toMatchObject({ school: PRIMARY, status: 'submitted' });
  });

  it('refuses eight understated-size zip bombs sent at once as zip-bomb, answering /health 200 meanwhile', async () => {
    const bomb = Buffer.from(understatedSheetBomb(300));
    const puts = Array.from({ length: 8 }, () =>
      stack.fetch(url(), { method: 'PUT', headers: { ...auth(school), 'content-type': XLSX, 'idempotency-key': randomUUID() }, body: bomb }),
    );
    const health = stack.fetch('/health');
    for (const res of await Promise.all(puts)) {
      expect(res.status).toBe(422);
      expect(await json(res)).toMatchObject({ code: 'zip-bomb', detail: expect.stringMatching(/unpacks to more than its header declares/) });
    }
    expect((await health).status).toBe(200);
  });

  it('answers 422 workbook-unreadable naming hidden columns in an uploaded workbook', async () => {
    const ret = aReturn(2);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(await writeTransitionWorkbook({ year: TRANSFER_YEAR, sheets: ret.sheets, explanations: ret.explanations })) as unknown as ArrayBuffer);
    wb.worksheets.find((ws) => ws.name !== 'Instructions')!.getColumn('C').hidden = true;
    const res = await stack.fetch(url(), {
      method: 'PUT',
      headers: { ...auth(school), 'content-type': XLSX, 'idempotency-key': randomUUID() },
      body: Buffer.from((await wb.xlsx.writeBuffer()) as ArrayBuffer),
    });
    expect(res.status).toBe(422);
    const body = await json<{ type: string; detail: string }>(res);
    expect(body.type).toBe(`${P}workbook-unreadable`);
    expect(body.detail).toMatch(/has hidden column C; unhide them/);
  });

  it('answers 415 for bytes that are not a workbook sent as .xlsx', async () => {
    const res = await stack.fetch(url(), { method: 'PUT', headers: { ...auth(school), 'content-type': XLSX, 'idempotency-key': randomUUID() }, body: 'not a zip file' });
    expect([415, 422]).toContain(res.status);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
  });
});

describe('GET /api/returns/{laestab}/{year}', () => {
  it('gives the school its current return with report and ETag', async () => {
    const res = await get(url());
    expect(res.status).toBe(200);
    const body = await json<{ version: number; return: TransitionReturn; report: unknown }>(res);
    expect(body.return.sheets[0]!.rows.length).toBeGreaterThan(0);
    expect(res.headers.get('etag')).toBeTruthy();
  });

  it('gives the trust its schools (T1 holds 3302002, not 3302001) and the LA every school', async () => {
    expect((await get(url(), tokens['t1']!)).status).toBe(403);
    expect((await get(url(), tokens['la']!)).status).toBe(200);
  });

  it('answers 404 when there is no return, 404 for a school not in the directory and 403 out of scope', async () => {
    expect((await get(url('3302003'), tokens['la']!)).status).toBe(404);
    expect((await get(url('3309999'), tokens['la']!)).status).toBe(404);
    expect((await get(url(), tokens['other']!)).status).toBe(403);
    expect((await get(url())).status).toBe(200);
  });

  it('returns the workbook when .xlsx is asked for by name', async () => {
    const res = await get(url(), school, { accept: XLSX });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(XLSX);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(await res.arrayBuffer());
    expect(wb.worksheets.every((w) => w.state === 'visible')).toBe(true);
  });
});

describe('GET /api/cohorts/{laestab}/{year}', () => {
  it('gives the secondary every pupil its feeder primaries send, with the source school', async () => {
    const res = await get(`/cohorts/${SECONDARY}/${TRANSFER_YEAR}`, tokens['secondary']!);
    expect(res.status).toBe(200);
    const body = await json<{ feeders: { primary: string; version: number }[]; pupils: Array<{ sourceSchool: string; receivingSecondary: string }> }>(res);
    const current = await json<{ version: number; report: { summary: { rows: number } } }>(await get(url()));
    expect(body.feeders).toEqual([{ primary: PRIMARY, name: TEST_SCHOOLS.find((s) => s.laestab === PRIMARY)?.name, version: current.version, pupils: current.report.summary.rows }]);
    expect(body.pupils.every((p) => p.sourceSchool === PRIMARY && p.receivingSecondary === SECONDARY)).toBe(true);
  });

  it('moves pupils when the primary names another secondary, and drops the old slice', async () => {
    const moved = returnFrom(PRIMARY, 2, OTHER_SECONDARY);
    expect((await put(moved)).status).toBe(201);
    const old = await json<{ pupils: unknown[] }>(await get(`/cohorts/${SECONDARY}/${TRANSFER_YEAR}`, tokens['secondary']!));
    expect(old.pupils).toHaveLength(0);
    const now = await json<{ pupils: unknown[] }>(await get(`/cohorts/${OTHER_SECONDARY}/${TRANSFER_YEAR}`, tokens['otherSecondary']!));
    expect(now.pupils).toHaveLength(2);
    expect((await put(aReturn(3))).status).toBe(201);
  });

  it('keeps the last submitted version visible while the primary saves a draft', async () => {
    const before = await json<{ pupils: unknown[] }>(await get(`/cohorts/${SECONDARY}/${TRANSFER_YEAR}`, tokens['secondary']!));
    expect((await put(aReturn(9), { query: '?status=draft' })).status).toBe(201);
    const after = await json<{ pupils: unknown[] }>(await get(`/cohorts/${SECONDARY}/${TRANSFER_YEAR}`, tokens['secondary']!));
    expect(after.pupils).toHaveLength(before.pupils.length);
    expect((await put(aReturn(3))).status).toBe(201);
  });

  it('still delivers a committed submission whose cohort slice was never written (a crash mid-write)', async () => {
    const before = await json<{ pupils: unknown[] }>(await get(`/cohorts/${SECONDARY}/${TRANSFER_YEAR}`, tokens['secondary']!));
    expect(before.pupils.length).toBeGreaterThan(0);
    const returns = await stack.store.container('returns');
    await returns.item(cohortSliceDocId(TRANSFER_YEAR, PRIMARY), SECONDARY).delete();
    const after = await json<{ feeders: { primary: string }[]; pupils: unknown[] }>(await get(`/cohorts/${SECONDARY}/${TRANSFER_YEAR}`, tokens['secondary']!));
    expect(after.feeders.map((f) => f.primary)).toEqual([PRIMARY]);
    expect(after.pupils).toEqual(before.pupils);
  });

  it('answers with one transition sheet naming the secondary in A7 as .xlsx', async () => {
    const res = await get(`/cohorts/${SECONDARY}/${TRANSFER_YEAR}`, tokens['la']!, { accept: XLSX });
    expect(res.status).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(await res.arrayBuffer());
    const ws = wb.getWorksheet('Transition')!;
    expect(String(ws.getCell('A7').value)).toContain(SECONDARY);
    expect(ws.getCell('A10').value).toBe('Testsurname1');
  });

  it("records a read receipt on each feeding primary's version, once, which the primary sees on its return and history", async () => {
    const primaryReturn = async () => json<{ seenBy: { secondary: string; version: number; at: string }[]; submittedVersion?: number; version: number }>(await get(url()));
    await get(`/cohorts/${SECONDARY}/${TRANSFER_YEAR}`, tokens['secondary']!);
    const first = await primaryReturn();
    const seenVersion = first.submittedVersion ?? first.version;
    const receipts = first.seenBy.filter((s) => s.secondary === SECONDARY && s.version === seenVersion);
    expect(receipts).toHaveLength(1);
    expect(receipts[0]!.at).toMatch(/^\d{4}-\d{2}-\d{2}T/);

    // Another read (here by the LA) is not a second receipt: the first opening is what the primary needs.
    await get(`/cohorts/${SECONDARY}/${TRANSFER_YEAR}`, tokens['la']!);
    expect((await primaryReturn()).seenBy.filter((s) => s.secondary === SECONDARY && s.version === seenVersion)).toEqual(receipts);

    const history = await json<{ versions: { version: number; seenBy: { secondary: string; at: string }[] }[] }>(await get(`${url()}/history`));
    expect(history.versions.find((v) => v.version === seenVersion)!.seenBy).toEqual([{ secondary: SECONDARY, at: receipts[0]!.at }]);
    expect(history.versions.filter((v) => v.version !== seenVersion).flatMap((v) => v.seenBy.filter((s) => s.secondary === SECONDARY && s.at === receipts[0]!.at))).toEqual([]);
  });

  it('is 403 for a primary or another secondary, 404 for a school that is not a secondary', async () => {
    expect((await get(`/cohorts/${SECONDARY}/${TRANSFER_YEAR}`, school)).status).toBe(403);
    expect((await get(`/cohorts/${SECONDARY}/${TRANSFER_YEAR}`, tokens['otherSecondary']!)).status).toBe(403);
    expect((await get(`/cohorts/${SECONDARY}/${TRANSFER_YEAR}`, tokens['t1']!)).status).toBe(200);
    expect((await get(`/cohorts/${PRIMARY}/${TRANSFER_YEAR}`, tokens['la']!)).status).toBe(404);
  });
});

describe('GET /api/tracker/{year}', () => {
  it('lists every primary as submitted, draft or outstanding with counts, and totals', async () => {
    expect((await put(returnFrom(OTHER_PRIMARY, 1), { token: tokens['other']!, laestab: OTHER_PRIMARY, query: '?status=draft' })).status).toBe(201);
    const res = await get(`/tracker/${TRANSFER_YEAR}`, tokens['la']!);
    expect(res.status).toBe(200);
    const body = await json<{ schools: Array<{ school: string; status: string; rows: number; phase: string; email: string | null }>; totals: Record<string, number> }>(res);
    const by = Object.fromEntries(body.schools.map((s) => [s.school, s]));
    expect(Object.keys(by).sort()).toEqual(['3302001', '3302002', '3302003']);
    expect(by[PRIMARY]!.status).toBe('submitted');
    expect(by[OTHER_PRIMARY]!.status).toBe('draft');
    expect(by['3302003']!.status).toBe('outstanding');
    // The directory's contact address and phase travel with each row, for the chase list.
    expect(by['3302003']).toMatchObject({ phase: 'primary', email: 'senco.3302003@schools.example' });
    expect(by[PRIMARY]).toMatchObject({ phase: 'primary', email: null });
    expect(body.totals).toMatchObject({ expected: 3, submitted: 1, draft: 1, outstanding: 1 });
    expect(trackerSchema.safeParse(body).success).toBe(true);
  });

  it('answers the chase list as a workbook when .xlsx is asked for: the schools still to send a return, outstanding first, with the days to the deadline', async () => {
    const res = await get(`/tracker/${TRANSFER_YEAR}`, tokens['la']!, { accept: XLSX });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(XLSX);
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="tracker-${TRANSFER_YEAR}.xlsx"`);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(await res.arrayBuffer());
    const ws = wb.getWorksheet('Chase list')!;
    const rows = ws.getSheetValues().slice(1).map((r) => (r as unknown[]).slice(1, 6));
    expect(rows[0]).toEqual(CHASE_LIST_HEADER.slice(0, 5));
    const days = daysToDeadline(TRANSFER_YEAR, new Date());
    // The test directory's names and areas; the submitted school is not chased.
    expect(rows.slice(1)).toEqual([
      ['Copperbeech Primary (test)', '3302003', 'East', 'Outstanding', days],
      ['Bramble Hill Primary (test)', OTHER_PRIMARY, 'North', 'Draft', days],
    ]);
  });

  it('shows a trust only its own primaries and refuses schools', async () => {
    const body = await json<{ schools: { school: string }[] }>(await get(`/tracker/${TRANSFER_YEAR}`, tokens['t1']!));
    expect(body.schools.map((s) => s.school).sort()).toEqual(['3302002', '3302003']);
    expect((await get(`/tracker/${TRANSFER_YEAR}`, school)).status).toBe(403);
    expect((await stack.fetch(`/tracker/${TRANSFER_YEAR}`)).status).toBe(401);
  });
});
