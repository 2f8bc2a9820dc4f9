/**
 * The API contract, checked as an integrating client would check it: every documented
 * operation is driven through every status it declares, with real requests against the local
 * stack (school, secondary, trust and LA tokens, and bad ones), and every response is validated
 * against the served OpenAPI document (status, content type, headers, body; Ajv, JSON Schema
 * 2020-12). A response the document does not describe fails; so does a declared status that no
 * request here reaches, unless it is one of the few EXCEPTIONS below, each with its reason.
 */
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { HttpRequest } from '@azure/functions';
import { idempotencyRecordId, requestHash } from '../../functions/src/http/idempotency';
import { PROBLEM_BASE } from '../../functions/src/http/problems';
import { headDocId } from '../../functions/src/store/documents';
import { startEmbeddedCosmos, type EmbeddedCosmos } from '../../functions/src/store/embedded';
import { BUNDLED_RESOURCE_BASES } from '../../shared/resourceBases/dataset';
import { aReturn, PRIMARY, SECONDARY, TRANSFER_YEAR } from '../factories/transition';
import { ContractChecker } from './contract';
import { type FaultProxy, startFaultProxy } from './faultProxy';
import { COUNCIL_TENANT } from '../../functions/src/store/samplePeople';
import { startStack, type Stack, subjectFor } from './harness';

/** The harness's tokens are of the synthetic council tenant; another tenant's id to add and remove. */
const TEST_TENANT = COUNCIL_TENANT;
const OTHER_TENANT = '00000000-0000-4000-8000-00000000beef';

type Json = Record<string, any>;

/** Operations a corrupt stored document fails with 500 (the others skip it as unreadable, or read no documents). */
const REACHED_500 = [
  'GET /returns/{laestab}/{year} 500',
  'GET /returns/{laestab}/{year}/history 500',
  'PUT /returns/{laestab}/{year} 500',
  'GET /tracker/{year} 500',
  'GET /resource-bases/{year} 500',
];

/** Declared statuses no request here reaches, on purpose. */
const EXCEPTIONS: Array<{ matches: (pair: string) => boolean; why: string }> = [
  {
    matches: (pair) => pair.endsWith(' 500') && !REACHED_500.includes(pair),
    why: 'internal-error is only a bug or a corrupt stored document; it is reached wherever a corrupt document fails the request (REACHED_500), while these tolerate one or read none',
  },
  {
    matches: (pair) => ['GET /openapi.json 503', 'GET /.well-known/jwks.json 503'].includes(pair),
    why: 'these read nothing from Cosmos DB (the document and the dev key are built in process), so an outage cannot reach them',
  },
  { matches: (pair) => pair === 'GET /.well-known/jwks.json 404', why: 'only outside local mode (Entra publishes the keys); the stack runs in local mode' },
  {
    matches: (pair) => ['GET /access-requests/mine 403', 'POST /access-requests 403'].includes(pair),
    why: 'these need no role (a person with none asks for one), so no-membership and forbidden, declared on every signed-in operation, cannot happen',
  },
];

let cosmos: EmbeddedCosmos;
let proxy: FaultProxy;
let stack: Stack;
let checker: ContractChecker;
const tokens: Record<'la' | 'admin' | 'trust' | 'primary' | 'bramble' | 'copper' | 'secondary' | 'stranger' | 'nobody' | 'unregistered', string> = {} as never;

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const LATER_YEAR = 2040; // a year nobody has returned anything for
const CORRUPT_YEAR = 2031;
const returnUrl = (school = PRIMARY, year: number | string = TRANSFER_YEAR) => `/returns/${school}/${year}`;

interface Call {
  token?: keyof typeof tokens | string;
  headers?: Record<string, string>;
  body?: string;
}

/** One real request, checked against the document; returns the status, body and headers. */
async function call(method: string, path: string, expected: number, options: Call = {}, problem?: string): Promise<{ body: any; res: Response }> {
  const token = options.token === undefined ? undefined : (tokens as Record<string, string>)[options.token] ?? options.token;
  const res = await stack.fetch(path, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...options.headers },
    ...(options.body !== undefined ? { body: options.body } : {}),
  });
  const copy = res.clone();
  const { body } = await checker.check(method, res);
  expect({ path, status: res.status }).toEqual({ path, status: expected });
  if (problem !== undefined) expect({ path, type: (body as Json).type }).toEqual({ path, type: `${PROBLEM_BASE}${problem}` });
  return { body, res: copy };
}

const jsonPut = (body: unknown, key: string | undefined = randomUUID(), headers: Record<string, string> = {}) => ({
  headers: { 'content-type': 'application/json', ...(key ? { 'idempotency-key': key } : {}), ...headers },
  body: typeof body === 'string' ? body : JSON.stringify(body),
});

const dataset = (academicYear: string, change: Json = {}) => {
  const { publishedAt: _p, ...bundled } = BUNDLED_RESOURCE_BASES;
  return { ...bundled, academicYear, ...change };
};

/** A pending idempotency record held by a request that never finishes: a duplicate waits, then gets 409. */
async function holdKey(subject: string, path: string, bytes: string, method = 'PUT'): Promise<string> {
  const key = randomUUID();
  const url = `${stack.baseUrl}${path}`;
  const request = new HttpRequest({ method, url, headers: method === 'DELETE' ? {} : { 'content-type': 'application/json' }, body: { string: bytes } });
  const id = idempotencyRecordId(subject, key);
  const container = await stack.store.container('idempotency');
  await container.items.create({ id, key: id, hash: requestHash(request, new TextEncoder().encode(bytes)), state: 'pending', owner: 'a-crashed-request', createdAt: new Date().toISOString(), leaseUntil: Date.now() + 10 * 60_000 });
  return key;
}

/** A request with a header node's parser refuses, sent raw (fetch would not send it). */
function rawRequest(text: string): Promise<Response> {
  return new Promise((resolve, reject) => {
    const { hostname, port } = new URL(stack.baseUrl);
    const socket = net.connect(Number(port), hostname, () => socket.write(text));
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const [head = '', body = ''] = raw.split('\r\n\r\n');
      const [statusLine = '', ...lines] = head.split('\r\n');
      const headers = new Headers(lines.map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trim()] as [string, string]));
      resolve(new Response(body, { status: Number(statusLine.split(' ')[1]), headers }));
    });
  });
}

let pendingReturn: Promise<Response>;
let pendingDataset: Promise<Response>;
let pendingWithdraw: Promise<Response>;

beforeAll(async () => {
  cosmos = await startEmbeddedCosmos();
  proxy = await startFaultProxy(cosmos.endpoint);
  stack = await startStack({ env: { COSMOS_ENDPOINT: proxy.endpoint } });
  tokens.la = await stack.token({ role: 'la' });
  tokens.trust = await stack.token({ role: 'trust', trust: 'T1' });
  tokens.primary = await stack.token({ role: 'school', school: PRIMARY });
  tokens.bramble = await stack.token({ role: 'school', school: '3302002' });
  tokens.copper = await stack.token({ role: 'school', school: '3302003' });
  tokens.secondary = await stack.token({ role: 'school', school: SECONDARY });
  tokens.stranger = await stack.token({ role: 'school', school: '3309999' });
  tokens.admin = await stack.token({ role: 'la', admin: true });
  // A person of a registered tenant with no membership, and one of a tenant nobody registered.
  tokens.nobody = await stack.token({ tid: TEST_TENANT, oid: '00000000-0000-4000-8000-0000000000b0' });
  tokens.unregistered = await stack.token({ tid: '00000000-0000-4000-8000-00000000dead', oid: '00000000-0000-4000-8000-0000000000b1' });
  checker = new ContractChecker((await (await stack.fetch('/openapi.json')).json()) as Json);

  // Duplicates of requests still "in progress" (their holder crashed moments ago): they wait, then 409.
  const retBody = JSON.stringify(aReturn(2));
  const retKey = await holdKey(subjectFor({ role: 'school', school: PRIMARY }), returnUrl(), retBody);
  pendingReturn = stack.fetch(returnUrl(), { method: 'PUT', headers: { authorization: `Bearer ${tokens.primary}`, 'content-type': 'application/json', 'idempotency-key': retKey }, body: retBody });
  const dsBody = JSON.stringify(dataset('2025-26'));
  const dsKey = await holdKey(subjectFor({ role: 'la' }), '/resource-bases/2025-26', dsBody);
  pendingDataset = stack.fetch('/resource-bases/2025-26', { method: 'PUT', headers: { authorization: `Bearer ${tokens.la}`, 'content-type': 'application/json', 'idempotency-key': dsKey }, body: dsBody });
  const withdrawKey = await holdKey(subjectFor({ role: 'la' }), '/resource-bases/2019-20', '', 'DELETE');
  pendingWithdraw = stack.fetch('/resource-bases/2019-20', { method: 'DELETE', headers: { authorization: `Bearer ${tokens.la}`, 'idempotency-key': withdrawKey } });

  // Stored documents that no longer match their schema: the reads that meet them fail as 500
  // (Copperbeech's head for CORRUPT_YEAR is read by its return, its history, the tracker and a write).
  const returns = await stack.store.container('returns');
  await returns.items.create({ id: headDocId(CORRUPT_YEAR), school: '3302003', version: 'not a number' });
}, 60_000);

afterAll(async () => {
  await stack.stop();
  await proxy.close();
  await cosmos.stop();
});

describe('service endpoints', () => {
  it('health, the document and the dev JWKS: 200, and 406 for an Accept they cannot produce', async () => {
    await call('GET', '/health', 200);
    await call('GET', '/health', 406, { headers: { accept: 'text/html' } }, 'not-acceptable');
    await call('GET', '/openapi.json', 200);
    await call('GET', '/openapi.json', 406, { headers: { accept: 'application/xml' } }, 'not-acceptable');
    const jwks = await call('GET', '/.well-known/jwks.json', 200);
    expect(jwks.body.keys).toHaveLength(1);
    await call('GET', '/.well-known/jwks.json', 406, { headers: { accept: 'text/plain' } }, 'not-acceptable');
  });

  it('me: 200 for each role, 401 without a valid token, 403 for an account outside the directory, 406', async () => {
    const school = await call('GET', '/me', 200, { token: 'primary' });
    expect(school.body.schools.map((s: Json) => s.laestab)).toEqual([PRIMARY]);
    expect((await call('GET', '/me', 200, { token: 'la' })).body.schools).toEqual([]);
    const missing = await call('GET', '/me', 401, {}, 'invalid-token');
    expect(missing.res.headers.get('www-authenticate')).toMatch(/^Bearer/);
    await call('GET', '/me', 401, { token: 'not-a-jwt' }, 'invalid-token');
    await call('GET', '/me', 403, { token: 'stranger' }, 'forbidden');
    await call('GET', '/me', 403, { token: 'nobody' }, 'no-membership');
    const unregistered = await call('GET', '/me', 401, { token: 'unregistered' }, 'tenant-not-registered');
    expect(unregistered.res.headers.get('www-authenticate')).toMatch(/^Bearer/);
    await call('GET', '/me', 406, { token: 'primary', headers: { accept: 'text/csv' } }, 'not-acceptable');
  });
});

describe('PUT /returns/{laestab}/{year}', () => {
  const body = aReturn(3);
  const firstKey = randomUUID();
  let etag = '';

  it('201 for a new version with a quoted ETag and Location; 200 for the same content; a replay says so', async () => {
    const created = await call('PUT', returnUrl(), 201, { token: 'primary', ...jsonPut(body, firstKey) });
    etag = created.res.headers.get('etag') ?? '';
    expect(etag).toMatch(/^"[^"]+"$/);
    expect(created.res.headers.get('location')).toBe(`/api${returnUrl()}`);
    expect(created.body).toMatchObject({ school: PRIMARY, year: TRANSFER_YEAR, version: 1, status: 'submitted' });
    const same = await call('PUT', returnUrl(), 200, { token: 'primary', ...jsonPut(body) });
    expect(same.body.version).toBe(1);
    const replay = await call('PUT', returnUrl(), 201, { token: 'primary', ...jsonPut(body, firstKey) });
    expect(replay.res.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.res.headers.get('x-correlation-id')).not.toBe(created.res.headers.get('x-correlation-id'));
  });

  it('If-Match compares strongly by RFC 9110: the quoted current ETag and * pass; a weak, stale or bare one is 412', async () => {
    await call('PUT', returnUrl(), 412, { token: 'primary', ...jsonPut(aReturn(4), undefined, { 'if-match': `W/${etag}` }) }, 'precondition-failed');
    await call('PUT', returnUrl(), 412, { token: 'primary', ...jsonPut(aReturn(4), undefined, { 'if-match': '"stale"' }) }, 'precondition-failed');
    await call('PUT', returnUrl(), 412, { token: 'primary', ...jsonPut(aReturn(4), undefined, { 'if-match': etag.slice(1, -1) }) }, 'precondition-failed');
    await call('PUT', returnUrl('3302002'), 412, { token: 'bramble', ...jsonPut(aReturn(1), undefined, { 'if-match': '"any"' }) }, 'precondition-failed');
    const updated = await call('PUT', returnUrl(), 201, { token: 'primary', ...jsonPut(aReturn(4), undefined, { 'if-match': `"other", ${etag}` }) });
    expect(updated.body.version).toBe(2);
    etag = updated.res.headers.get('etag') ?? '';
    const any = await call('PUT', returnUrl(), 201, { token: 'primary', ...jsonPut(aReturn(3), undefined, { 'if-match': '*' }) });
    expect(any.body.version).toBe(3);
  });

  it('400 for every malformed parameter, body or key, as problem+json with a correlation id', async () => {
    for (const path of [returnUrl(PRIMARY, 'abc'), returnUrl(PRIMARY, 1999), returnUrl('330200'), returnUrl('180001'), `${returnUrl()}?status=final`]) {
      const bad = await call('PUT', path, 400, { token: 'primary', ...jsonPut(body) }, 'invalid-parameter');
      expect(bad.body.parameter).toMatch(/^(year|laestab|status)$/);
    }
    await call('PUT', returnUrl(), 400, { token: 'primary', ...jsonPut('{"year": 2027,') }, 'malformed-body');
    await call('PUT', returnUrl(), 400, { token: 'primary', ...jsonPut(body, null as never) }, 'idempotency-key-missing');
    await call('PUT', returnUrl(), 400, { token: 'primary', ...jsonPut(body, 'short') }, 'idempotency-key-invalid');
  });

  it('400 problem+json for a malformed header the parser refuses (Content-Length: abc)', async () => {
    const res = await rawRequest(`PUT /api${returnUrl()} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: abc\r\n\r\n{}`);
    expect(res.status).toBe(400);
    const { body } = await checker.check('PUT', res, `${stack.baseUrl}${returnUrl()}`);
    expect((body as Json).type).toBe(`${PROBLEM_BASE}malformed-body`);
  });

  it('401, 403, 406, 413 and 415', async () => {
    await call('PUT', returnUrl(), 401, jsonPut(body), 'invalid-token');
    await call('PUT', returnUrl(), 403, { token: 'la', ...jsonPut(body) }, 'forbidden');
    await call('PUT', returnUrl(), 403, { token: 'bramble', ...jsonPut(body) }, 'forbidden');
    await call('PUT', returnUrl(), 406, { token: 'primary', ...jsonPut(body, undefined, { accept: 'text/html' }) }, 'not-acceptable');
    const tooBig = await call('PUT', returnUrl(), 413, { token: 'primary', ...jsonPut(`"${'x'.repeat(2 * 1024 * 1024 + 10)}"`) }, 'payload-too-large');
    expect(tooBig.body.maxBytes).toBe(2 * 1024 * 1024);
    const text = await call('PUT', returnUrl(), 415, { token: 'primary', headers: { 'content-type': 'text/csv', 'idempotency-key': randomUUID() }, body: 'a,b' }, 'unsupported-media-type');
    expect(text.body.accepted).toEqual(['application/json', XLSX]);
  });

  it('422 for each kind of invalid body, each with exactly its declared members', async () => {
    const shape = await call('PUT', returnUrl(), 422, { token: 'primary', ...jsonPut({ year: 'soon' }) }, 'validation-failed');
    expect(shape.body.issues.length).toBeGreaterThan(0);
    await call('PUT', returnUrl(), 422, { token: 'primary', ...jsonPut(aReturn(5), firstKey) }, 'idempotency-key-reused');
    const withErrors = aReturn(2);
    withErrors.sheets[0]!.rows[0]!.values.sex = 'X';
    const errors = await call('PUT', returnUrl(), 422, { token: 'primary', ...jsonPut(withErrors) }, 'return-has-errors');
    expect(errors.body.report.summary.errors).toBe(errors.body.report.errors.length);
    const queried = aReturn(2);
    queried.sheets[0]!.rows[0]!.values.attendance = 80;
    const queries = await call('PUT', returnUrl(), 422, { token: 'primary', ...jsonPut(queried) }, 'unexplained-queries');
    expect(queries.body.report.queries[0]).toMatchObject({ rule: 'GS2010Q', cell: 'Z10' });
    // One answer for a body that is not an xlsx, sent as one (an .ods, a CSV, anything): 422 workbook-unreadable.
    const notXlsx = await call(
      'PUT',
      returnUrl(),
      422,
      { token: 'primary', headers: { 'content-type': XLSX, 'idempotency-key': randomUUID() }, body: 'name,upn\nnot,a workbook' },
      'workbook-unreadable',
    );
    expect(notXlsx.body.code).toBe('not-xlsx');
  });

  it('409 with Retry-After for a duplicate of a request still in progress', async () => {
    const res = await pendingReturn;
    const { body } = await checker.check('PUT', res);
    expect(res.status).toBe(409);
    expect((body as Json).type).toBe(`${PROBLEM_BASE}request-in-progress`);
    expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
  }, 60_000);
});

describe('reads of one school: GET /returns and its history', () => {
  it('200 as JSON with a quoted ETag, and as the workbook by Accept', async () => {
    const json = await call('GET', returnUrl(), 200, { token: 'primary' });
    expect(json.res.headers.get('etag')).toMatch(/^"[^"]+"$/);
    expect(json.body).toMatchObject({ school: PRIMARY, year: TRANSFER_YEAR, version: 3, status: 'submitted' });
    const book = await call('GET', returnUrl(), 200, { token: 'la', headers: { accept: XLSX } });
    expect(book.res.headers.get('content-type')).toBe(XLSX);
    const history = await call('GET', `${returnUrl()}/history`, 200, { token: 'la' });
    expect(history.body.versions.map((v: Json) => v.version)).toEqual([3, 2, 1]);
  });

  it('one "nothing stored" rule: a school with nothing for the year is 404 on its return and its history', async () => {
    await call('GET', returnUrl('3302003'), 404, { token: 'la' }, 'not-found');
    await call('GET', `${returnUrl('3302003')}/history`, 404, { token: 'la' }, 'not-found');
    await call('GET', returnUrl('3309999'), 404, { token: 'la' }, 'not-found');
  });

  it('one bad-parameter rule on every route: 400 invalid-parameter, never a bare 404', async () => {
    for (const suffix of ['', '/history']) {
      for (const path of [returnUrl(PRIMARY, 'abc'), returnUrl(PRIMARY, 1999), returnUrl('abc'), returnUrl('990001')]) {
        await call('GET', `${path}${suffix}`, 400, { token: 'la' }, 'invalid-parameter');
      }
    }
  });

  it('401, 403 out of scope, 406, and 500 (with a correlation id only) for a corrupt stored document', async () => {
    for (const suffix of ['', '/history']) {
      await call('GET', `${returnUrl()}${suffix}`, 401, {}, 'invalid-token');
      await call('GET', `${returnUrl()}${suffix}`, 403, { token: 'bramble' }, 'forbidden');
      await call('GET', `${returnUrl()}${suffix}`, 406, { token: 'primary', headers: { accept: 'text/csv' } }, 'not-acceptable');
    }
    const broken = await call('GET', returnUrl('3302003', CORRUPT_YEAR), 500, { token: 'la' }, 'internal-error');
    expect(Object.keys(broken.body).sort()).toEqual(['correlationId', 'detail', 'status', 'title', 'type']);
    await call('GET', `${returnUrl('3302003', CORRUPT_YEAR)}/history`, 500, { token: 'la' }, 'internal-error');
    await call('GET', `/tracker/${CORRUPT_YEAR}`, 500, { token: 'la' }, 'internal-error');
    // If-Match reads the head before the body is processed.
    await call('PUT', returnUrl('3302003', CORRUPT_YEAR), 500, { token: 'copper', ...jsonPut(aReturn(1), undefined, { 'if-match': '"v1"' }) }, 'internal-error');
  });
});

describe('GET /cohorts/{laestab}/{year}', () => {
  it('200 as JSON and as the workbook; a secondary nobody names yet says noReturnsYet', async () => {
    const cohort = await call('GET', `/cohorts/${SECONDARY}/${TRANSFER_YEAR}`, 200, { token: 'secondary' });
    expect(cohort.body).toMatchObject({ school: SECONDARY, noReturnsYet: false, feeders: [{ primary: PRIMARY, version: 3, pupils: 3 }] });
    expect(cohort.body.pupils[0].sourceSchool).toBe(PRIMARY);
    await call('GET', `/cohorts/${SECONDARY}/${TRANSFER_YEAR}`, 200, { token: 'trust', headers: { accept: XLSX } });
    const empty = await call('GET', `/cohorts/3304002/${TRANSFER_YEAR}`, 200, { token: 'la' });
    expect(empty.body).toMatchObject({ noReturnsYet: true, feeders: [], pupils: [] });
  });

  it('400, 401, 403, 404 for a school that is not a secondary, 406', async () => {
    await call('GET', `/cohorts/${SECONDARY}/abc`, 400, { token: 'la' }, 'invalid-parameter');
    await call('GET', `/cohorts/43040/${TRANSFER_YEAR}`, 400, { token: 'la' }, 'invalid-parameter');
    await call('GET', `/cohorts/${SECONDARY}/${TRANSFER_YEAR}`, 401, {}, 'invalid-token');
    await call('GET', `/cohorts/${SECONDARY}/${TRANSFER_YEAR}`, 403, { token: 'primary' }, 'forbidden');
    await call('GET', `/cohorts/${PRIMARY}/${TRANSFER_YEAR}`, 404, { token: 'la' }, 'not-found');
    await call('GET', `/cohorts/${SECONDARY}/${TRANSFER_YEAR}`, 406, { token: 'la', headers: { accept: 'application/pdf' } }, 'not-acceptable');
  });
});

describe('POST /returns/{laestab}/{year}/cross-school', () => {
  const post = (body: string, type = 'application/json') => ({ token: 'primary', headers: { 'content-type': type }, body });
  it('200 with the UPNs also on another return (none here); 400, 401, 403, 406, 413, 415, 422', async () => {
    const ok = await call('POST', `${returnUrl()}/cross-school`, 200, post(JSON.stringify({ upns: [] })));
    expect(ok.body).toMatchObject({ school: PRIMARY, upns: [], notice: '' });
    await call('POST', `${returnUrl(PRIMARY, 'abc')}/cross-school`, 400, post('{}'), 'invalid-parameter');
    await call('POST', `${returnUrl()}/cross-school`, 400, post('{not json'), 'malformed-body');
    await call('POST', `${returnUrl()}/cross-school`, 401, { headers: { 'content-type': 'application/json' }, body: '{}' }, 'invalid-token');
    await call('POST', `${returnUrl()}/cross-school`, 403, { ...post('{}'), token: 'la' }, 'forbidden');
    await call('POST', `${returnUrl()}/cross-school`, 406, { ...post('{}'), headers: { 'content-type': 'application/json', accept: 'text/csv' } }, 'not-acceptable');
    await call('POST', `${returnUrl()}/cross-school`, 413, post(JSON.stringify({ upns: ['x'.repeat(3 * 1024 * 1024)] })), 'payload-too-large');
    await call('POST', `${returnUrl()}/cross-school`, 415, post('a,b', 'text/csv'), 'unsupported-media-type');
    await call('POST', `${returnUrl()}/cross-school`, 422, post(JSON.stringify({ upns: 'A123' })), 'validation-failed');
  });
});

describe('city views: tracker, aggregates, export', () => {
  it('200 for the LA and a trust; a year with no returns is 200 with noReturnsYet, never 404', async () => {
    const tracker = await call('GET', `/tracker/${TRANSFER_YEAR}`, 200, { token: 'la' });
    expect(tracker.body).toMatchObject({ noReturnsYet: false, totals: { expected: 3, submitted: 1, outstanding: 2 } });
    expect((await call('GET', `/tracker/${TRANSFER_YEAR}`, 200, { token: 'trust' })).body.totals.expected).toBe(2);
    expect((await call('GET', `/tracker/${LATER_YEAR}`, 200, { token: 'la' })).body).toMatchObject({ noReturnsYet: true, totals: { outstanding: 3 } });
    const chaseList = await call('GET', `/tracker/${TRANSFER_YEAR}`, 200, { token: 'la', headers: { accept: XLSX } });
    expect(chaseList.res.headers.get('content-disposition')).toBe(`attachment; filename="tracker-${TRANSFER_YEAR}.xlsx"`);

    const city = await call('GET', `/aggregates/${TRANSFER_YEAR}`, 200, { token: 'la' });
    expect(city.body).toMatchObject({ noReturnsYet: false, disclosureControlled: false });
    expect(city.body.tables.map((t: { id: string }) => t.id)).toEqual([
      'need-by-provision',
      'area-by-provision',
      'secondary-by-provision',
      'support-by-provision',
      'locality-by-provision',
      'area-by-locality',
    ]);
    expect((await call('GET', `/aggregates/${TRANSFER_YEAR}?by=area-locality,need`, 200, { token: 'trust' })).body.by).toEqual(['area-locality', 'need']);
    expect((await call('GET', `/aggregates/${TRANSFER_YEAR}?by=need&include=drafts`, 200, { token: 'trust' })).body).toMatchObject({ noReturnsYet: true, disclosureControlled: true });
    expect((await call('GET', `/aggregates/${LATER_YEAR}`, 200, { token: 'la' })).body).toMatchObject({ noReturnsYet: true, schools: { included: 0 } });

    const book = await call('GET', `/exports/${TRANSFER_YEAR}/consolidated.xlsx`, 200, { token: 'la' });
    expect(book.res.headers.get('content-disposition')).toBe(`attachment; filename="goodstart-consolidated-${TRANSFER_YEAR}.xlsx"`);
    await call('GET', `/exports/${LATER_YEAR}/consolidated.xlsx`, 200, { token: 'la' });
  });

  it('400 for a bad year or query value, 401, 403, 406', async () => {
    for (const path of [`/tracker/abc`, `/aggregates/abc`, `/aggregates/${TRANSFER_YEAR}?by=shoe-size`, `/aggregates/${TRANSFER_YEAR}?include=all`, `/exports/abc/consolidated.xlsx`, `/exports/${TRANSFER_YEAR}/consolidated.xlsx?include=all`]) {
      await call('GET', path, 400, { token: 'la' }, 'invalid-parameter');
    }
    for (const path of [`/tracker/${TRANSFER_YEAR}`, `/aggregates/${TRANSFER_YEAR}`, `/exports/${TRANSFER_YEAR}/consolidated.xlsx`]) {
      await call('GET', path, 401, {}, 'invalid-token');
      await call('GET', path, 403, { token: path.startsWith('/exports') ? 'trust' : 'primary' }, 'forbidden');
    }
    await call('GET', `/tracker/${TRANSFER_YEAR}`, 406, { token: 'la', headers: { accept: 'text/csv' } }, 'not-acceptable');
    await call('GET', `/aggregates/${TRANSFER_YEAR}`, 406, { token: 'la', headers: { accept: 'text/csv' } }, 'not-acceptable');
    await call('GET', `/exports/${TRANSFER_YEAR}/consolidated.xlsx`, 406, { token: 'la', headers: { accept: 'application/json' } }, 'not-acceptable');
  });
});

describe('resource bases', () => {
  let etag = '';

  it('GET before anything is published is 404; PUT creates (201, Location) and replaces (200)', async () => {
    await call('GET', '/resource-bases/latest', 404, { token: 'primary' }, 'not-found');
    const created = await call('PUT', '/resource-bases/2019-20', 201, { token: 'la', ...jsonPut(dataset('2019-20'), undefined, { 'if-none-match': '*' }) });
    expect(created.res.headers.get('location')).toBe('/api/resource-bases/2019-20');
    etag = created.res.headers.get('etag') ?? '';
    const replaced = await call('PUT', '/resource-bases/2019', 200, { token: 'la', ...jsonPut(dataset('2019-20', { source: 'revised' }), undefined, { 'if-match': etag }) });
    expect(replaced.body.source).toBe('revised');
    etag = replaced.res.headers.get('etag') ?? '';
  });

  it('GET: 200 with ETag and Content-Location, 304 for If-None-Match, 400, 401, 403, 404, 406, 500', async () => {
    const latest = await call('GET', '/resource-bases/latest', 200, { token: 'trust' });
    expect(latest.res.headers.get('content-location')).toBe('/api/resource-bases/2019-20');
    expect(latest.res.headers.get('etag')).toBe(etag);
    await call('GET', '/resource-bases/2019-20', 304, { token: 'trust', headers: { 'if-none-match': `W/${etag}` } });
    await call('GET', '/resource-bases/next', 400, { token: 'la' }, 'invalid-parameter');
    await call('GET', '/resource-bases/latest', 401, {}, 'invalid-token');
    await call('GET', '/resource-bases/latest', 403, { token: 'stranger' }, 'forbidden');
    await call('GET', '/resource-bases/2024-25', 404, { token: 'la' }, 'not-found');
    await call('GET', '/resource-bases/latest', 406, { token: 'la', headers: { accept: XLSX } }, 'not-acceptable');
    // Stored after `latest` has a pointer, so only a read by its own year meets it.
    const datasets = await stack.store.container('resourceBases');
    await datasets.items.create({ id: '2031-32', year: '2031-32', publishedAt: new Date().toISOString(), dataset: { rows: 'not rows' } });
    await call('GET', '/resource-bases/2031-32', 500, { token: 'la' }, 'internal-error');
  });

  it('PUT: 400, 401, 403, 405 on latest, 406, 412, 413, 415, 422, and 409 for a duplicate in progress', async () => {
    await call('PUT', '/resource-bases/next', 400, { token: 'la', ...jsonPut(dataset('2019-20')) }, 'invalid-parameter');
    await call('PUT', '/resource-bases/2019-20', 400, { token: 'la', ...jsonPut('{') }, 'malformed-body');
    await call('PUT', '/resource-bases/2019-20', 400, { token: 'la', ...jsonPut(dataset('2019-20'), null as never) }, 'idempotency-key-missing');
    await call('PUT', '/resource-bases/2019-20', 400, { token: 'la', ...jsonPut(dataset('2019-20'), 'a b c d e f') }, 'idempotency-key-invalid');
    await call('PUT', '/resource-bases/2019-20', 401, jsonPut(dataset('2019-20')), 'invalid-token');
    await call('PUT', '/resource-bases/2019-20', 403, { token: 'primary', ...jsonPut(dataset('2019-20')) }, 'forbidden');
    const latest = await call('PUT', '/resource-bases/latest', 405, { token: 'la', ...jsonPut(dataset('2019-20')) }, 'method-not-allowed');
    expect(latest.res.headers.get('allow')).toBe('GET');
    await call('PUT', '/resource-bases/2019-20', 406, { token: 'la', ...jsonPut(dataset('2019-20'), undefined, { accept: 'text/html' }) }, 'not-acceptable');
    await call('PUT', '/resource-bases/2019-20', 412, { token: 'la', ...jsonPut(dataset('2019-20'), undefined, { 'if-match': '"stale"' }) }, 'precondition-failed');
    await call('PUT', '/resource-bases/2019-20', 412, { token: 'la', ...jsonPut(dataset('2019-20'), undefined, { 'if-none-match': '*' }) }, 'precondition-failed');
    await call('PUT', '/resource-bases/2019-20', 413, { token: 'la', ...jsonPut(`"${'x'.repeat(300 * 1024)}"`) }, 'payload-too-large');
    await call('PUT', '/resource-bases/2019-20', 415, { token: 'la', headers: { 'content-type': 'text/plain', 'idempotency-key': randomUUID() }, body: 'x' }, 'unsupported-media-type');
    await call('PUT', '/resource-bases/2019-20', 422, { token: 'la', ...jsonPut(dataset('2020-21')) }, 'validation-failed');
    const key = randomUUID();
    await call('PUT', '/resource-bases/2026-27', 201, { token: 'la', ...jsonPut(dataset('2026-27'), key) });
    await call('PUT', '/resource-bases/2026-27', 422, { token: 'la', ...jsonPut(dataset('2026-27', { source: 'changed' }), key) }, 'idempotency-key-reused');
    const res = await pendingDataset;
    const { body } = await checker.check('PUT', res);
    expect([res.status, (body as Json).type]).toEqual([409, `${PROBLEM_BASE}request-in-progress`]);
  }, 60_000);

  it('DELETE: 200, then 404; 400, 401, 403, 405 on latest, 406, 412, 422 for a reused key, and 409 for a duplicate in progress', async () => {
    const withdraw = (key: string = randomUUID(), headers: Record<string, string> = {}) => ({ token: 'la', headers: { 'idempotency-key': key, ...headers } });
    await call('PUT', '/resource-bases/2028-29', 201, { token: 'la', ...jsonPut(dataset('2028-29')) });
    const key = randomUUID();
    const withdrawn = await call('DELETE', '/resource-bases/2028', 200, withdraw(key));
    expect(withdrawn.body.withdrawn).toBe('2028-29');
    await call('DELETE', '/resource-bases/2028-29', 404, withdraw(), 'not-found');
    await call('DELETE', '/resource-bases/2019-20', 422, withdraw(key), 'idempotency-key-reused');
    await call('DELETE', '/resource-bases/next', 400, withdraw(), 'invalid-parameter');
    await call('DELETE', '/resource-bases/2019-20', 400, { token: 'la' }, 'idempotency-key-missing');
    await call('DELETE', '/resource-bases/2019-20', 400, withdraw('a b c d e f'), 'idempotency-key-invalid');
    await call('DELETE', '/resource-bases/2019-20', 401, { headers: { 'idempotency-key': randomUUID() } }, 'invalid-token');
    await call('DELETE', '/resource-bases/2019-20', 403, { ...withdraw(), token: 'trust' }, 'forbidden');
    const latest = await call('DELETE', '/resource-bases/latest', 405, withdraw(), 'method-not-allowed');
    expect(latest.res.headers.get('allow')).toBe('GET');
    await call('DELETE', '/resource-bases/2019-20', 406, withdraw(randomUUID(), { accept: 'text/html' }), 'not-acceptable');
    await call('DELETE', '/resource-bases/2019-20', 412, withdraw(randomUUID(), { 'if-match': '"stale"' }), 'precondition-failed');
    const res = await pendingWithdraw;
    const { body } = await checker.check('DELETE', res);
    expect([res.status, (body as Json).type]).toEqual([409, `${PROBLEM_BASE}request-in-progress`]);
    await call('GET', '/resource-bases/2019-20', 200, { token: 'la' });
  }, 60_000);
});

describe('the tenant allow-list: GET, POST and DELETE /tenants', () => {
  const entry = (name = 'Oak Trust (test)') => ({ headers: { 'content-type': 'application/json' }, body: JSON.stringify({ tid: OTHER_TENANT, name, reason: 'The trust joins Good Start' }) });

  it('an LA admin adds (201), replaces (200), lists and removes (200, then 404) a tenant', async () => {
    expect((await call('POST', '/tenants', 201, { token: 'admin', ...entry() })).body).toMatchObject({ tid: OTHER_TENANT, name: 'Oak Trust (test)' });
    await call('POST', '/tenants', 200, { token: 'admin', ...entry('Oak Trust') });
    const list = await call('GET', '/tenants', 200, { token: 'admin' });
    expect(list.body.tenants.map((t: Json) => t.tid)).toContain(OTHER_TENANT);
    await call('DELETE', `/tenants/${OTHER_TENANT}`, 200, { token: 'admin' });
    await call('DELETE', `/tenants/${OTHER_TENANT}`, 404, { token: 'admin' }, 'not-found');
  });

  it('400, 401, 403, 406, 409, 413, 415, 422', async () => {
    await call('DELETE', '/tenants/not-a-guid', 400, { token: 'admin' }, 'invalid-parameter');
    await call('POST', '/tenants', 400, { token: 'admin', headers: { 'content-type': 'application/json' }, body: '{"tid":' }, 'malformed-body');
    for (const [method, path] of [['GET', '/tenants'], ['POST', '/tenants'], ['DELETE', `/tenants/${OTHER_TENANT}`]] as const) {
      await call(method, path, 401, method === 'POST' ? entry() : {}, 'invalid-token');
      await call(method, path, 403, { token: 'la', ...(method === 'POST' ? entry() : {}) }, 'forbidden');
      await call(method, path, 406, { token: 'admin', headers: { accept: 'text/csv', ...(method === 'POST' ? entry().headers : {}) }, ...(method === 'POST' ? { body: entry().body } : {}) }, 'not-acceptable');
    }
    await call('DELETE', `/tenants/${TEST_TENANT}`, 409, { token: 'admin' }, 'conflict');
    await call('POST', '/tenants', 413, { token: 'admin', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ tid: OTHER_TENANT, name: 'x'.repeat(10_000), reason: 'r' }) }, 'payload-too-large');
    await call('POST', '/tenants', 415, { token: 'admin', headers: { 'content-type': 'text/plain' }, body: 'x' }, 'unsupported-media-type');
    await call('POST', '/tenants', 422, { token: 'admin', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ tid: 'not-a-guid', name: 'x', reason: 'r' }) }, 'validation-failed');
  });
});

describe('the rollup rebuild: POST /rollup/rebuild', () => {
  it('an LA admin rebuilds (200, the years taken in, audited); 401, 403, 406', async () => {
    const { body } = await call('POST', '/rollup/rebuild', 200, { token: 'admin' });
    expect(body.years).toContain(TRANSFER_YEAR);
    expect(await stack.store.audit.forSchool('city')).toContainEqual(expect.objectContaining({ action: 'rollup.rebuild', ids: body.years.map(String) }));
    await call('POST', '/rollup/rebuild', 401, {}, 'invalid-token');
    await call('POST', '/rollup/rebuild', 403, { token: 'la' }, 'forbidden');
    await call('POST', '/rollup/rebuild', 406, { token: 'admin', headers: { accept: 'text/csv' } }, 'not-acceptable');
  });
});

describe('membership management: invitations, access requests, memberships, audit', () => {
  const post = (body: unknown) => ({ headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const person = async (email?: string) => stack.token({ tid: TEST_TENANT, oid: randomUUID(), name: 'Conformance Person', ...(email ? { email } : {}) });
  const XLSX_ACCEPT = { accept: XLSX };

  it('invitations: 201, 200 (list, accept, revoke), 400, 401, 403, 404, 406, 409, 410, 413, 415, 422, 429', async () => {
    const email = `c.${randomUUID().slice(0, 8)}@school.example`;
    const made = await call('POST', '/invitations', 201, { token: 'admin', ...post({ email, role: 'senco', school: PRIMARY }) });
    await call('GET', `/invitations?school=${PRIMARY}`, 200, { token: 'admin' });
    await call('GET', '/invitations?school=12', 400, { token: 'admin' }, 'invalid-parameter');
    await call('GET', '/invitations', 401, {}, 'invalid-token');
    await call('GET', '/invitations', 403, { token: 'primary' }, 'forbidden');
    await call('GET', '/invitations', 406, { token: 'admin', headers: { accept: 'text/csv' } }, 'not-acceptable');
    await call('POST', '/invitations', 400, { token: 'admin', headers: { 'content-type': 'application/json' }, body: '{"email":' }, 'malformed-body');
    await call('POST', '/invitations', 401, post({ email, role: 'senco', school: PRIMARY }), 'invalid-token');
    await call('POST', '/invitations', 403, { token: 'primary', ...post({ email, role: 'senco', school: PRIMARY }) }, 'forbidden');
    await call('POST', '/invitations', 404, { token: 'admin', ...post({ email, role: 'senco', school: '3309999' }) }, 'not-found');
    await call('POST', '/invitations', 406, { token: 'admin', headers: { accept: 'text/csv', 'content-type': 'application/json' }, body: JSON.stringify({ email, role: 'senco', school: PRIMARY }) }, 'not-acceptable');
    await call('POST', '/invitations', 413, { token: 'admin', ...post({ email, role: 'senco', school: PRIMARY, pad: 'x'.repeat(10_000) }) }, 'payload-too-large');
    await call('POST', '/invitations', 415, { token: 'admin', headers: { 'content-type': 'text/plain' }, body: 'x' }, 'unsupported-media-type');
    await call('POST', '/invitations', 422, { token: 'admin', ...post({ email: 'not an address', role: 'senco' }) }, 'validation-failed');

    const invitee = await person(email);
    const accept = `/invitations/${made.body.id}/accept`;
    await call('POST', '/invitations/bad%20id/accept', 400, { token: invitee }, 'invalid-parameter');
    await call('POST', accept, 401, {}, 'invalid-token');
    await call('POST', accept, 404, { token: await person('someone.else@school.example') }, 'not-found');
    await call('POST', accept, 406, { token: invitee, headers: { accept: 'text/csv' } }, 'not-acceptable');
    await call('POST', accept, 200, { token: invitee });
    await call('POST', accept, 409, { token: invitee }, 'invitation-claimed');
    await call('DELETE', `/invitations/${made.body.id}`, 409, { token: 'admin' }, 'invitation-claimed');

    const second = await call('POST', '/invitations', 201, { token: 'admin', ...post({ email, role: 'schoolApprover', school: PRIMARY }) });
    await call('DELETE', '/invitations/bad%20id', 400, { token: 'admin' }, 'invalid-parameter');
    await call('DELETE', `/invitations/${second.body.id}`, 401, {}, 'invalid-token');
    await call('DELETE', `/invitations/${second.body.id}`, 403, { token: 'la' }, 'forbidden');
    await call('DELETE', `/invitations/${randomUUID()}`, 404, { token: 'admin' }, 'not-found');
    await call('DELETE', `/invitations/${second.body.id}`, 406, { token: 'admin', headers: { accept: 'text/csv' } }, 'not-acceptable');
    await call('DELETE', `/invitations/${second.body.id}`, 200, { token: 'admin' });
    await call('DELETE', `/invitations/${second.body.id}`, 410, { token: 'admin' }, 'invitation-revoked');
    await call('POST', `/invitations/${second.body.id}/accept`, 410, { token: invitee }, 'invitation-revoked');

    // From the wrong tenant: a school whose directory entry records its tenant.
    const entries = (await stack.store.directory.get()).schools;
    await stack.store.directory.replace(entries.map((s) => (s.laestab === '3302002' ? { ...s, tenantId: OTHER_TENANT } : s)));
    try {
      const bramble = await call('POST', '/invitations', 201, { token: 'admin', ...post({ email, role: 'senco', school: '3302002' }) });
      await call('POST', `/invitations/${bramble.body.id}/accept`, 403, { token: invitee }, 'invitation-wrong-tenant');
    } finally {
      await stack.store.directory.replace(entries);
    }

    // Rate limit: the harness's la officer is no approver, so use a fresh LA admin.
    const busy = await stack.token({ role: 'la', admin: true, sub: `busy-admin-${randomUUID()}` });
    let last = 0;
    for (let i = 0; i < 101 && last !== 429; i++) last = (await stack.fetch('/invitations', { method: 'POST', headers: { authorization: `Bearer ${busy}`, 'content-type': 'application/json' }, body: JSON.stringify({ email: `n${i}@school.example`, role: 'senco', school: PRIMARY }) })).status;
    const limited = await call('POST', '/invitations', 429, { token: busy, ...post({ email, role: 'senco', school: PRIMARY }) }, 'identity-rate-limited');
    expect(limited.res.headers.get('retry-after')).toMatch(/^\d+$/);
  }, 60_000);

  it('an expired invitation: 410 on accept and on revoke', async () => {
    const email = `e.${randomUUID().slice(0, 8)}@school.example`;
    const made = await call('POST', '/invitations', 201, { token: 'admin', ...post({ email, role: 'senco', school: PRIMARY }) });
    const container = await stack.store.container('invitations');
    const { resource } = await container.item(made.body.id, made.body.id).read();
    await container.item(made.body.id, made.body.id).replace({ ...resource, expiresAt: new Date(Date.now() - 1000).toISOString() });
    await call('POST', `/invitations/${made.body.id}/accept`, 410, { token: await person(email) }, 'invitation-expired');
    await call('DELETE', `/invitations/${made.body.id}`, 410, { token: 'admin' }, 'invitation-expired');
  });

  it('access requests: 201, 200 (list, mine, approve, decline), 400, 401, 403, 404, 406, 409, 413, 415, 422, 429', async () => {
    const asker = await person('asker@school.example');
    const made = await call('POST', '/access-requests', 201, { token: asker, ...post({ role: 'senco', school: SECONDARY }) });
    await call('POST', '/access-requests', 409, { token: asker, ...post({ role: 'senco', school: SECONDARY }) }, 'conflict');
    await call('POST', '/access-requests', 404, { token: asker, ...post({ role: 'senco', school: '3309999' }) }, 'not-found');
    await call('POST', '/access-requests', 400, { token: asker, headers: { 'content-type': 'application/json' }, body: '{' }, 'malformed-body');
    await call('POST', '/access-requests', 401, post({ role: 'senco', school: SECONDARY }), 'invalid-token');
    await call('POST', '/access-requests', 406, { token: asker, headers: { accept: 'text/csv', 'content-type': 'application/json' }, body: '{}' }, 'not-acceptable');
    await call('POST', '/access-requests', 413, { token: asker, ...post({ role: 'senco', school: SECONDARY, message: 'x'.repeat(10_000) }) }, 'payload-too-large');
    await call('POST', '/access-requests', 415, { token: asker, headers: { 'content-type': 'text/plain' }, body: 'x' }, 'unsupported-media-type');
    for (let i = 0; i < 5; i++) await stack.fetch('/access-requests', { method: 'POST', headers: { authorization: `Bearer ${asker}`, 'content-type': 'application/json' }, body: JSON.stringify({ role: 'senco', school: SECONDARY }) });
    const limited = await call('POST', '/access-requests', 429, { token: asker, ...post({ role: 'laAdmin' }) }, 'identity-rate-limited');
    expect(limited.res.headers.get('retry-after')).toMatch(/^\d+$/);
    await call('POST', '/access-requests', 422, { token: await person(), ...post({ role: 'senco' }) }, 'validation-failed');

    await call('GET', '/access-requests/mine', 200, { token: asker });
    await call('GET', '/access-requests/mine', 401, {}, 'invalid-token');
    await call('GET', '/access-requests/mine', 401, { token: 'unregistered' }, 'tenant-not-registered');
    await call('GET', '/access-requests/mine', 406, { token: asker, headers: { accept: 'text/csv' } }, 'not-acceptable');

    await call('GET', `/access-requests?school=${SECONDARY}`, 200, { token: 'admin' });
    await call('GET', '/access-requests?trust=', 400, { token: 'admin' }, 'invalid-parameter');
    await call('GET', '/access-requests', 401, {}, 'invalid-token');
    await call('GET', '/access-requests', 403, { token: 'primary' }, 'forbidden');
    await call('GET', '/access-requests', 406, { token: 'admin', headers: { accept: 'text/csv' } }, 'not-acceptable');

    const second = await call('POST', '/access-requests', 201, { token: await person(), ...post({ role: 'senco', school: SECONDARY }) });
    for (const verb of ['approve', 'decline'] as const) {
      const id = verb === 'approve' ? made.body.request.id : second.body.request.id;
      const reason = post({ reason: 'Checked with the school' });
      await call('POST', `/access-requests/bad%20id/${verb}`, 400, { token: 'admin', ...reason }, 'invalid-parameter');
      await call('POST', `/access-requests/${id}/${verb}`, 400, { token: 'admin', headers: { 'content-type': 'application/json' }, body: '{' }, 'malformed-body');
      await call('POST', `/access-requests/${id}/${verb}`, 401, reason, 'invalid-token');
      await call('POST', `/access-requests/${id}/${verb}`, 403, { token: 'la', ...reason }, 'forbidden');
      await call('POST', `/access-requests/${randomUUID()}/${verb}`, 404, { token: 'admin', ...reason }, 'not-found');
      await call('POST', `/access-requests/${id}/${verb}`, 406, { token: 'admin', headers: { accept: 'text/csv', 'content-type': 'application/json' }, body: reason.body }, 'not-acceptable');
      await call('POST', `/access-requests/${id}/${verb}`, 413, { token: 'admin', ...post({ reason: 'x'.repeat(10_000) }) }, 'payload-too-large');
      await call('POST', `/access-requests/${id}/${verb}`, 415, { token: 'admin', headers: { 'content-type': 'text/plain' }, body: 'x' }, 'unsupported-media-type');
      await call('POST', `/access-requests/${id}/${verb}`, 422, { token: 'admin', ...post({ reason: '' }) }, 'validation-failed');
      await call('POST', `/access-requests/${id}/${verb}`, 200, { token: 'admin', ...reason });
      await call('POST', `/access-requests/${id}/${verb}`, 409, { token: 'admin', ...reason }, 'request-decided');
    }
  }, 60_000);

  it('memberships and audit: 200, 400, 401, 403, 404, 406, 409, and the audit as .xlsx', async () => {
    const members = await call('GET', `/memberships?school=${SECONDARY}`, 200, { token: 'admin' });
    await call('GET', '/memberships?school=x', 400, { token: 'admin' }, 'invalid-parameter');
    await call('GET', '/memberships', 401, {}, 'invalid-token');
    await call('GET', '/memberships', 403, { token: 'primary' }, 'forbidden');
    await call('GET', '/memberships', 406, { token: 'admin', headers: { accept: 'text/csv' } }, 'not-acceptable');
    const id = members.body.members.find((m: Json) => m.role === 'senco')?.id as string;
    await call('DELETE', '/memberships/bad%20id', 400, { token: 'admin' }, 'invalid-parameter');
    await call('DELETE', `/memberships/${id}`, 401, {}, 'invalid-token');
    await call('DELETE', `/memberships/${id}`, 403, { token: 'la' }, 'forbidden');
    await call('DELETE', `/memberships/${id}`, 406, { token: 'admin', headers: { accept: 'text/csv' } }, 'not-acceptable');
    await call('DELETE', `/memberships/${id}`, 200, { token: 'admin' });
    await call('DELETE', `/memberships/${id}`, 404, { token: 'admin' }, 'not-found');
    const own = (await call('GET', '/memberships', 200, { token: 'admin' })).body.members.find((m: Json) => m.role === 'laAdmin' && m.oid === JSON.parse(Buffer.from(tokens.admin.split('.')[1]!, 'base64url').toString()).oid);
    await call('DELETE', `/memberships/${own.id}`, 409, { token: 'admin' }, 'conflict');

    await call('GET', '/audit', 200, { token: 'admin' });
    const book = await call('GET', `/audit?school=${SECONDARY}`, 200, { token: 'admin', headers: XLSX_ACCEPT });
    expect(book.res.headers.get('content-type')).toBe(XLSX);
    await call('GET', '/audit?school=1', 400, { token: 'admin' }, 'invalid-parameter');
    await call('GET', '/audit', 401, {}, 'invalid-token');
    await call('GET', '/audit', 403, { token: 'la' }, 'forbidden');
    await call('GET', '/audit', 406, { token: 'admin', headers: { accept: 'text/csv' } }, 'not-acceptable');
  });
});

describe('when Cosmos DB is unavailable', () => {
  afterAll(() => proxy.clear());

  it('every operation that reads the store answers 503 problem+json with Retry-After', async () => {
    proxy.inject({ kind: 'unavailable', probability: 1 });
    const cases: Array<[string, string, Call]> = [
      ['GET', '/health', {}],
      ['PUT', returnUrl(), { token: 'primary', ...jsonPut(aReturn(6)) }],
      ['GET', returnUrl(), { token: 'primary' }],
      ['GET', `${returnUrl()}/history`, { token: 'primary' }],
      ['GET', `/cohorts/${SECONDARY}/${TRANSFER_YEAR}`, { token: 'secondary' }],
      ['GET', `/tracker/${TRANSFER_YEAR}`, { token: 'la' }],
      ['POST', `${returnUrl()}/cross-school`, { token: 'primary', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ upns: [] }) }],
      ['GET', `/aggregates/${TRANSFER_YEAR}`, { token: 'la' }],
      ['GET', `/exports/${TRANSFER_YEAR}/consolidated.xlsx`, { token: 'la' }],
      ['GET', '/resource-bases/latest', { token: 'la' }],
      ['PUT', '/resource-bases/2027-28', { token: 'la', ...jsonPut(dataset('2027-28')) }],
      ['DELETE', '/resource-bases/2019-20', { token: 'la', headers: { 'idempotency-key': randomUUID() } }],
      ['GET', '/tenants', { token: 'admin' }],
      ['POST', '/tenants', { token: 'admin', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ tid: OTHER_TENANT, name: 'Oak Trust', reason: 'joins' }) }],
      ['DELETE', `/tenants/${OTHER_TENANT}`, { token: 'admin' }],
      ['POST', '/invitations', { token: 'admin', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'o@school.example', role: 'senco', school: PRIMARY }) }],
      ['GET', '/invitations', { token: 'admin' }],
      ['POST', `/invitations/${OTHER_TENANT}/accept`, { token: 'nobody' }],
      ['DELETE', `/invitations/${OTHER_TENANT}`, { token: 'admin' }],
      ['POST', '/access-requests', { token: 'nobody', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ role: 'senco', school: PRIMARY }) }],
      ['GET', '/access-requests', { token: 'admin' }],
      ['GET', '/access-requests/mine', { token: 'nobody' }],
      ['POST', `/access-requests/${OTHER_TENANT}/approve`, { token: 'admin', headers: { 'content-type': 'application/json' }, body: '{}' }],
      ['POST', `/access-requests/${OTHER_TENANT}/decline`, { token: 'admin', headers: { 'content-type': 'application/json' }, body: '{"reason":"r"}' }],
      ['GET', '/memberships', { token: 'admin' }],
      ['DELETE', `/memberships/${OTHER_TENANT}`, { token: 'admin' }],
      ['GET', '/audit', { token: 'admin' }],
      ['POST', '/rollup/rebuild', { token: 'admin' }],
    ];
    for (const [method, path, options] of cases) {
      const { res } = await call(method, path, 503, options, 'service-unavailable');
      expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
    }
    // The directory is cached for a minute; once it lapses, even /me needs the store.
    stack.store.directory.invalidate();
    const { res } = await call('GET', '/me', 503, { token: 'primary' }, 'service-unavailable');
    expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
  }, 120_000);
});

describe('coverage of the document', () => {
  it('reaches every declared status of every operation, except the listed exceptions (which stay unreached)', () => {
    const declared = checker.declared();
    expect(declared.length).toBeGreaterThan(80);
    const unreached = declared.filter((pair) => !checker.reached.has(pair));
    expect(unreached.filter((pair) => !EXCEPTIONS.some((e) => e.matches(pair)))).toEqual([]);
    // The exceptions are honest: none of them was in fact reached.
    expect(declared.filter((pair) => checker.reached.has(pair) && EXCEPTIONS.some((e) => e.matches(pair)))).toEqual([]);
    for (const e of EXCEPTIONS) expect(e.why.length).toBeGreaterThan(20);
  });
});

describe('the checker itself', () => {
  const url = () => `${stack.baseUrl}/me`;
  const problemHeaders = (id: string) => ({ 'content-type': 'application/problem+json', 'x-correlation-id': id });
  const problemBody = (id: string, extra: Json = {}) => JSON.stringify({ type: `${PROBLEM_BASE}not-acceptable`, title: 'None of the accepted media types can be produced', status: 406, correlationId: id, available: ['application/json'], ...extra });

  it('fails a response the document does not describe: an undeclared status, header or member, or a wrong content type', async () => {
    const id = 'abcdefgh-1234';
    await expect(checker.check('GET', new Response('{}', { status: 418, headers: { 'x-correlation-id': id } }), url())).rejects.toThrow('status not declared');
    await expect(checker.check('GET', new Response(problemBody(id), { status: 406, headers: { ...problemHeaders(id), etag: '"x"' } }), url())).rejects.toThrow('header etag sent but not declared');
    await expect(checker.check('GET', new Response(problemBody(id, { extra: 1 }), { status: 406, headers: problemHeaders(id) }), url())).rejects.toThrow('body does not match');
    await expect(checker.check('GET', new Response(problemBody('another-id-99'), { status: 406, headers: problemHeaders(id) }), url())).rejects.toThrow('correlationId');
    await expect(checker.check('GET', new Response(problemBody(id), { status: 406, headers: { 'x-correlation-id': id, 'content-type': 'application/json' } }), url())).rejects.toThrow('content type application/json not declared');
    await expect(checker.check('GET', new Response(problemBody(id), { status: 406, headers: { 'content-type': 'application/problem+json' } }), url())).rejects.toThrow('required header X-Correlation-Id missing');
    await expect(checker.check('DELETE', new Response('', { status: 405 }), url())).rejects.toThrow('not a documented operation');
  });
});
