/**
 * The HTTP frame: body caps before parsing, strict bodies, problem+json, content negotiation,
 * errors that never leak, and logs that never hold a UPN, a name or a date of birth.
 * Uses test-only routes served beside the real ones.
 */
import net from 'node:net';
import { HttpRequest, InvocationContext } from '@azure/functions';
import { z } from 'zod';
import { getConfig } from '../../functions/src/config';
import { readBytesBody, readJsonBody } from '../../functions/src/http/body';
import { withErrors } from '../../functions/src/http/handler';
import { formatLogLine, redact } from '../../functions/src/http/logger';
import { JSON_MEDIA_TYPE, negotiate, XLSX_MEDIA_TYPE } from '../../functions/src/http/negotiate';
import { PROBLEM_BASE, PROBLEM_TYPES } from '../../functions/src/http/problems';
import { defineRoute } from '../../functions/src/http/route';
import { startStack, type Stack } from './harness';

// Synthetic pupil identity: a UPN-shaped string, an invented name and a date of birth.
const UPN = 'A123456789012';
const SURNAME = 'Quillfeather';
const FORENAME = 'Ada';
const DOB = '2014-03-05';

const echoSchema = z.strictObject({ year: z.number().int(), note: z.string().max(2_000_000).optional() });

const testRoutes = [
  defineRoute({
    name: 'testEcho',
    methods: ['POST'],
    route: 'test/echo',
    authLevel: 'anonymous',
    handler: withErrors(async (request) => {
      const body = await readJsonBody(request, getConfig().limits.maxJsonBytes, echoSchema);
      return { status: 200, jsonBody: { year: body.year } };
    }),
  }),
  defineRoute({
    name: 'testExplode',
    methods: ['POST'],
    route: 'test/explode',
    authLevel: 'anonymous',
    handler: withErrors(async () => {
      throw new Error(`Could not place pupil ${FORENAME} ${SURNAME} (${UPN}) born ${DOB}`);
    }),
  }),
  defineRoute({
    name: 'testLog',
    methods: ['POST'],
    route: 'test/log',
    authLevel: 'anonymous',
    handler: withErrors(async (request, { log }) => {
      const body = (await readJsonBody(request, 10_000, z.record(z.string(), z.unknown()))) as Record<string, unknown>;
      log.info('pupil.received', { ...body, note: `UPN ${UPN} dob ${DOB}` });
      return { status: 204 };
    }),
  }),
  defineRoute({
    name: 'testWorkbook',
    methods: ['GET'],
    route: 'test/workbook/{year:int}',
    authLevel: 'anonymous',
    handler: withErrors(
      async (request, { mediaType }) =>
        mediaType === XLSX_MEDIA_TYPE
          ? { status: 200, headers: { 'content-type': XLSX_MEDIA_TYPE }, body: new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0xff, 0x00]) }
          : { status: 200, jsonBody: { year: Number(request.params['year']) } },
      { produces: [JSON_MEDIA_TYPE, XLSX_MEDIA_TYPE] },
    ),
  }),
];

let stack: Stack;
const JSON_CAP = 64 * 1024;
const HOST_CAP = 256 * 1024;

beforeAll(async () => {
  stack = await startStack({ extraRoutes: testRoutes, env: { MAX_JSON_BYTES: String(JSON_CAP), MAX_XLSX_BYTES: String(HOST_CAP) } });
});
afterAll(async () => {
  await stack.stop();
});

const post = (path: string, body: BodyInit, headers: Record<string, string> = { 'content-type': 'application/json' }, extra: RequestInit = {}) =>
  stack.fetch(path, { method: 'POST', body, headers, ...extra });

/** A body sent chunked, without Content-Length. */
function streamed(text: string): { body: ReadableStream<Uint8Array>; duplex: 'half' } {
  const bytes = new TextEncoder().encode(text);
  return {
    body: new ReadableStream({
      start(controller) {
        for (let i = 0; i < bytes.length; i += 16 * 1024) controller.enqueue(bytes.subarray(i, i + 16 * 1024));
        controller.close();
      },
    }),
    duplex: 'half',
  };
}

async function problemOf(res: Response): Promise<Record<string, unknown>> {
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  return (await res.json()) as Record<string, unknown>;
}

describe('body caps: 413 before parsing', () => {
  // Not JSON at all: a 400 would mean it was parsed; 413 means the size was checked first.
  const overJsonCap = '{'.repeat(JSON_CAP + 1);
  const overHostCap = '{'.repeat(HOST_CAP + 1);

  it('rejects a body over the endpoint cap declared by Content-Length', async () => {
    const res = await post('/test/echo', overJsonCap);
    expect(res.status).toBe(413);
    expect(await problemOf(res)).toMatchObject({ type: 'https://goodstart.birmingham.example/problems/payload-too-large', status: 413, maxBytes: JSON_CAP });
  });

  it('rejects a body over the endpoint cap sent without Content-Length', async () => {
    const { body, duplex } = streamed(overJsonCap);
    const res = await stack.fetch('/test/echo', { method: 'POST', body, duplex, headers: { 'content-type': 'application/json' } } as RequestInit);
    expect(res.status).toBe(413);
  });

  it('rejects a body over the host cap, with and without Content-Length, before any handler runs', async () => {
    const before = stack.logs.filter((l) => l.line.includes('"function":"testEcho"')).length;
    expect((await post('/test/echo', overHostCap)).status).toBe(413);
    const { body, duplex } = streamed(overHostCap);
    const res = await stack.fetch('/test/echo', { method: 'POST', body, duplex, headers: { 'content-type': 'application/json' } } as RequestInit);
    expect(res.status).toBe(413);
    expect((await problemOf(res))['maxBytes']).toBe(HOST_CAP);
    expect(stack.logs.filter((l) => l.line.includes('"function":"testEcho"')).length).toBe(before);
  });

  it('accepts a body just under the cap', async () => {
    const note = 'x'.repeat(JSON_CAP - 100);
    const res = await post('/test/echo', JSON.stringify({ year: 2026, note }));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ year: 2026 });
  });

  it('checks a handler called directly: the declared length, then the streamed bytes', async () => {
    const ctx = new InvocationContext({ functionName: 'direct' });
    const declared = new HttpRequest({ method: 'POST', url: 'http://localhost/api/x', headers: { 'content-length': '999999' }, body: { string: '{}' } });
    await expect(readBytesBody(declared, 1000)).rejects.toMatchObject({ status: 413 });
    const undeclared = new HttpRequest({ method: 'POST', url: 'http://localhost/api/x', body: { string: 'y'.repeat(1001) } });
    await expect(readBytesBody(undeclared, 1000)).rejects.toMatchObject({ status: 413 });
    const ok = new HttpRequest({ method: 'POST', url: 'http://localhost/api/x', headers: { 'content-type': 'application/json' }, body: { string: '{"year":1}' } });
    await expect(readJsonBody(ok, 1000, echoSchema)).resolves.toEqual({ year: 1 });
    expect(ctx.functionName).toBe('direct');
  });
});

describe('strict JSON bodies', () => {
  it('422 with the zod issues for an unknown field, naming the field but not echoing values', async () => {
    const res = await post('/test/echo', JSON.stringify({ year: 2026, surname: SURNAME }));
    expect(res.status).toBe(422);
    const body = await problemOf(res);
    expect(body).toMatchObject({ type: 'https://goodstart.birmingham.example/problems/validation-failed', status: 422 });
    expect(body['issues']).toEqual([expect.objectContaining({ path: '', code: 'unrecognized_keys' })]);
    expect(JSON.stringify(body)).not.toContain(SURNAME);
  });

  it('422 for a wrong type, with the path', async () => {
    const res = await post('/test/echo', JSON.stringify({ year: UPN }));
    const body = await problemOf(res);
    expect(res.status).toBe(422);
    expect(body['issues']).toEqual([expect.objectContaining({ path: 'year', code: 'invalid_type' })]);
    expect(JSON.stringify(body)).not.toContain(UPN);
  });

  it('400 for a body that is not JSON, 415 for another content type', async () => {
    expect((await post('/test/echo', '{"year":')).status).toBe(400);
    const res = await post('/test/echo', 'year=2026', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(res.status).toBe(415);
    expect((await problemOf(res))['accepted']).toEqual(['application/json']);
  });
});

describe('problem+json', () => {
  it('has type, title, status, detail and the correlation id, also in the header', async () => {
    const res = await post('/test/echo', '{', { 'content-type': 'application/json', 'x-correlation-id': 'client-op-12345' });
    expect(res.headers.get('x-correlation-id')).toBe('client-op-12345');
    expect(await problemOf(res)).toEqual({
      type: 'https://goodstart.birmingham.example/problems/malformed-body',
      title: PROBLEM_TYPES['malformed-body'].title,
      status: 400,
      detail: 'The body is not valid UTF-8 JSON.',
      correlationId: 'client-op-12345',
    });
  });

  it('answers an unknown route with 404 and a known route with the wrong method with 405', async () => {
    expect((await problemOf(await stack.fetch('/no/such/thing')))['status']).toBe(404);
    const res = await stack.fetch('/health', { method: 'DELETE' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET');
  });

  it('uses a distinct type URI per slug', () => {
    const statuses = Object.values(PROBLEM_TYPES).map((p) => p.status);
    expect(new Set(statuses).size).toBe(statuses.length);
  });
});

describe('errors and logs never leak pupil data', () => {
  it('turns a thrown error into a 500 that says nothing about it', async () => {
    const res = await post('/test/explode', '{}');
    expect(res.status).toBe(500);
    const text = await res.text();
    const body = JSON.parse(text) as Record<string, unknown>;
    expect(body).toMatchObject({ type: 'https://goodstart.birmingham.example/problems/internal-error', status: 500 });
    expect(body['correlationId']).toBe(res.headers.get('x-correlation-id'));
    for (const secret of [UPN, SURNAME, DOB, 'Error:', 'at ']) expect(text).not.toContain(secret);
  });

  it('logs the failure with the correlation id and frames, but no UPN, name or date of birth', async () => {
    const res = await post('/test/explode', '{}', { 'content-type': 'application/json', 'x-correlation-id': 'explode-0001' });
    expect(res.status).toBe(500);
    const failure = stack.logs.find((l) => l.level === 'error' && l.line.includes('explode-0001'));
    expect(failure).toBeDefined();
    expect(JSON.parse(failure?.line ?? '{}')).toMatchObject({ event: 'request.failed', error: { name: 'Error' } });
  });

  it('redacts names, UPNs and dates of birth from logged fields', async () => {
    const pupil = { surname: SURNAME, forename: FORENAME, dob: DOB, upn: UPN, legal_surname: SURNAME };
    const res = await post('/test/log', JSON.stringify(pupil));
    expect(res.status).toBe(204);
    expect(stack.logs.some((l) => l.line.includes('pupil.received'))).toBe(true);
  });

  afterAll(() => {
    const all = stack.logs.map((l) => l.line).join('\n');
    expect(all.length).toBeGreaterThan(0);
    for (const secret of [UPN, SURNAME, DOB]) expect(all).not.toContain(secret);
  });

  it('answers 503 with Retry-After, not 500, when Cosmos is throttling or unreachable', async () => {
    const handler = withErrors(async () => {
      throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    });
    const res = await handler(new HttpRequest({ method: 'GET', url: 'http://localhost/api/x' }), new InvocationContext({ logHandler: () => undefined }));
    expect(res.status).toBe(503);
    expect(new Headers(res.headers as Record<string, string>).get('retry-after')).toBe('5');
  });

  it('redact masks nested keys and UPN/date-shaped text', () => {
    expect(redact({ a: { Surname: 'X', DateOfBirth: 'y', list: [`see ${UPN}`] }, when: DOB })).toEqual({
      a: { Surname: '[redacted]', DateOfBirth: '[redacted]', list: ['see [upn]'] },
      when: '[date]',
    });
    expect(formatLogLine('info', `row ${UPN}`)).toBe('{"level":"info","event":"row [upn]"}');
  });
});

describe('content negotiation', () => {
  const req = (accept?: string) => new HttpRequest({ method: 'GET', url: 'http://localhost/api/x', headers: accept ? { accept } : {} });

  it('negotiate() picks the workbook only when asked for by name and not outranked', () => {
    const offered = [JSON_MEDIA_TYPE, XLSX_MEDIA_TYPE];
    expect(negotiate(req(XLSX_MEDIA_TYPE), offered)).toBe(XLSX_MEDIA_TYPE);
    expect(negotiate(req(`application/json;q=0.5, ${XLSX_MEDIA_TYPE}`), offered)).toBe(XLSX_MEDIA_TYPE);
    expect(negotiate(req(`${XLSX_MEDIA_TYPE};q=0.5, application/json`), offered)).toBe(JSON_MEDIA_TYPE);
    expect(negotiate(req('*/*'), offered)).toBe(JSON_MEDIA_TYPE);
    expect(negotiate(req(), offered)).toBe(JSON_MEDIA_TYPE);
    expect(negotiate(req(`${XLSX_MEDIA_TYPE};q=0`), offered)).toBeUndefined();
  });

  it('negotiate() defaults to the first offer and returns undefined for 406', () => {
    expect(negotiate(req(), ['application/json', XLSX_MEDIA_TYPE])).toBe('application/json');
    expect(negotiate(req('text/csv'), ['application/json', XLSX_MEDIA_TYPE])).toBeUndefined();
  });

  it('serves binary bodies byte for byte through the local host, and JSON otherwise', async () => {
    const xlsx = await stack.fetch('/test/workbook/2026', { headers: { accept: XLSX_MEDIA_TYPE } });
    expect(xlsx.headers.get('content-type')).toBe(XLSX_MEDIA_TYPE);
    expect([...new Uint8Array(await xlsx.arrayBuffer())]).toEqual([0x50, 0x4b, 0x03, 0x04, 0xff, 0x00]);
    expect(await (await stack.fetch('/test/workbook/2026')).json()).toEqual({ year: 2026 });
    expect((await stack.fetch('/test/workbook/twenty')).status).toBe(404);
    const refused = await stack.fetch('/test/workbook/2026', { headers: { accept: 'text/csv' } });
    expect(refused.status).toBe(406);
    expect(await refused.json()).toMatchObject({ type: `${PROBLEM_BASE}not-acceptable`, available: [JSON_MEDIA_TYPE, XLSX_MEDIA_TYPE], correlationId: refused.headers.get('x-correlation-id') });
  });
});

describe('headers on every answer', () => {
  /** One raw HTTP/1.1 exchange with the local host, for requests fetch() will not send. */
  const raw = (request: string) =>
    new Promise<string>((resolve, reject) => {
      const { hostname, port } = new URL(stack.baseUrl);
      const socket = net.connect(Number(port), hostname, () => socket.end(request));
      let text = '';
      socket.on('data', (c: Buffer) => (text += c.toString('latin1')));
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });

  it('sends nosniff on JSON, workbooks, problems and the host\'s own answers', async () => {
    const answers = await Promise.all([
      stack.fetch('/health'),
      stack.fetch('/test/workbook/2026', { headers: { accept: XLSX_MEDIA_TYPE } }),
      stack.fetch('/test/workbook/twenty'),
      stack.fetch('/no-such-route'),
      stack.fetch('/health', { method: 'DELETE' }),
    ]);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 404, 404, 405]);
    for (const a of answers) expect(a.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('answers a malformed Host with 400 problem+json, not 500', async () => {
    const text = await raw('GET /api/health HTTP/1.1\r\nHost: bad host:x\r\nConnection: close\r\n\r\n');
    expect(text).toMatch(/^HTTP\/1\.1 400 /);
    expect(text.toLowerCase()).toContain('content-type: application/problem+json');
    expect(text.toLowerCase()).toContain('x-content-type-options: nosniff');
    expect(text).toContain(`${PROBLEM_BASE}malformed-body`);
  });

  it('answers 503 with Retry-After when a Cosmos request times out', async () => {
    // The Cosmos client's own error for a request past its requestTimeout.
    const handler = withErrors(async () => {
      throw Object.assign(new Error('Timeout Error! Request took more than 10000 ms'), { name: 'TimeoutError', code: 'TimeoutError' });
    });
    const res = await handler(new HttpRequest({ method: 'GET', url: 'http://localhost/api/x' }), new InvocationContext({ logHandler: () => undefined }));
    expect(res.status).toBe(503);
    expect(new Headers(res.headers as Record<string, string>).get('retry-after')).toBe('5');
  });
});

describe('CORS for the add-in dev server', () => {
  it('answers a preflight from https://localhost:3000 and not from elsewhere', async () => {
    const ok = await stack.fetch('/me', { method: 'OPTIONS', headers: { origin: 'https://localhost:3000', 'access-control-request-method': 'GET' } });
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://localhost:3000');
    expect(ok.headers.get('access-control-allow-headers')).toContain('authorization');
    // A browser client can read every header the OpenAPI document declares.
    const read = await stack.fetch('/health', { headers: { origin: 'https://localhost:3000' } });
    expect(read.headers.get('access-control-expose-headers')?.split(', ').sort()).toEqual(
      ['allow', 'content-disposition', 'content-location', 'etag', 'idempotent-replayed', 'location', 'retry-after', 'www-authenticate', 'x-correlation-id'],
    );
    const other = await stack.fetch('/health', { headers: { origin: 'https://evil.example' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });
});
