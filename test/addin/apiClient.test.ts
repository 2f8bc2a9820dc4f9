/**
 * The add-in's API client (addin/api): against the real local stack (embedded Cosmos + API) for
 * what the API really answers, and against a scripted fetch for what an outage looks like.
 */
import { PROBLEM_TYPES, SPECIFIC_PROBLEM_TYPES } from '../../functions/src/http/problems';
import { ROLES } from '../../functions/src/auth/principal';
import {
  API_MESSAGES,
  type ApiFetch,
  ApiOffline,
  ApiProblem,
  type ApiRequestInit,
  ApiUnexpectedResponse,
  createApiClient,
  describeError,
  newIdempotencyKey,
  paneApi,
  type RetryNotice,
  roleSchema,
} from '../../addin/api';
import { problemFromResponse, STATUS_SLUGS } from '../../addin/api/problems';
import { SignInFailed } from '../../addin/auth';
import { BUNDLED_RESOURCE_BASES } from '../../shared/resourceBases/dataset';
import { aReturn, PRIMARY, TRANSFER_YEAR } from '../factories/transition';
import { startStack, type Stack } from '../api/harness';

let stack: Stack;
let schoolToken: string;
let laToken: string;
beforeAll(async () => {
  stack = await startStack();
  schoolToken = await stack.token({ role: 'school', school: PRIMARY });
  laToken = await stack.token({ role: 'la' });
});
afterAll(async () => {
  await stack.stop();
});

interface Sent {
  url: string;
  init: ApiRequestInit;
}

/** Real fetch, recorded; `intercept` may answer or fail an attempt instead (after or before sending it). */
function recordingFetch(intercept?: (n: number, real: () => Promise<Response>) => Promise<Response>): { fetch: ApiFetch; sent: Sent[] } {
  const sent: Sent[] = [];
  const fetch: ApiFetch = (url, init) => {
    sent.push({ url, init });
    const real = () => globalThis.fetch(url, init as RequestInit);
    return intercept ? intercept(sent.length, real) : real();
  };
  return { fetch, sent };
}

/** A client on the stack that records its retries and never really waits between them. */
function stackClient(token: string | undefined, fetch?: ApiFetch) {
  const retries: RetryNotice[] = [];
  const delays: number[] = [];
  const client = createApiClient({
    baseUrl: stack.baseUrl,
    getToken: () => token,
    ...(fetch ? { fetch } : {}),
    onRetry: (n) => retries.push(n),
    sleep: async (ms) => {
      delays.push(ms);
    },
    random: () => 0,
  });
  return { client, retries, delays };
}

describe('against the local API', () => {
  test('health says the stack is in local mode', async () => {
    const { client } = stackClient(undefined);
    await expect(client.health()).resolves.toMatchObject({ status: 'ok', mode: 'local', version: '0.0.0-test' });
  });

  test('me names the school the token is for, with its directory entry', async () => {
    const { client } = stackClient(schoolToken);
    const me = await client.me();
    expect(me.principal).toMatchObject({ role: 'school', school: PRIMARY });
    expect(me.schools.map((s) => s.laestab)).toEqual([PRIMARY]);
  });

  test('a submission whose answer was lost is retried with the same key and stored once', async () => {
    // The first attempt reaches the API and is stored; its answer is lost on the way back.
    const { fetch, sent } = recordingFetch(async (n, real) => {
      const res = await real();
      if (n === 1) throw new TypeError('fetch failed');
      return res;
    });
    const { client, retries, delays } = stackClient(schoolToken, fetch);
    const key = newIdempotencyKey();
    const result = await client.putReturn(PRIMARY, TRANSFER_YEAR, aReturn(3), { status: 'submitted', idempotencyKey: key });

    expect(sent).toHaveLength(2);
    expect(sent.map((s) => s.init.headers['idempotency-key'])).toEqual([key, key]);
    expect(retries).toEqual([{ attempt: 2, of: 4, delayMs: 250, reason: 'offline', method: 'PUT', path: `/returns/${PRIMARY}/${TRANSFER_YEAR}` }]);
    expect(delays).toEqual([250]);
    expect(result.replayed).toBe(true);
    expect(result.created).toBe(true);
    expect(result.value).toMatchObject({ school: PRIMARY, year: TRANSFER_YEAR, version: 1, status: 'submitted' });
    expect(result.etag).toMatch(/\S/);

    const history = await client.history(PRIMARY, TRANSFER_YEAR);
    expect(history.versions.map((v) => v.version)).toEqual([1]);
    const current = await client.getReturn(PRIMARY, TRANSFER_YEAR);
    expect(current.etag).toBe(result.etag);
    expect(current.value.return.sheets[0]?.rows).toHaveLength(3);
  });

  test('submitting against a version someone else replaced is 412 with the stale-return message', async () => {
    const { client } = stackClient(schoolToken);
    const loaded = await client.getReturn(PRIMARY, TRANSFER_YEAR);
    const theirs = await client.putReturn(PRIMARY, TRANSFER_YEAR, aReturn(4), { status: 'submitted', idempotencyKey: newIdempotencyKey(), ifMatch: loaded.etag });
    expect(theirs.created).toBe(true);
    expect(theirs.replayed).toBe(false);

    const mine = client.putReturn(PRIMARY, TRANSFER_YEAR, aReturn(5), { status: 'submitted', idempotencyKey: newIdempotencyKey(), ifMatch: loaded.etag });
    const problem = await mine.catch((e: unknown) => e);
    expect(problem).toBeInstanceOf(ApiProblem);
    expect(problem).toMatchObject({
      status: 412,
      slug: 'precondition-failed',
      userMessage: 'Someone else submitted this return since you last loaded it.',
      nextStep: 'Reload the status, then check and submit again.',
    });
    expect((problem as ApiProblem).correlationId).toMatch(/\S/);
    const history = await client.history(PRIMARY, TRANSFER_YEAR);
    expect(history.versions.map((v) => v.version)).toEqual([2, 1]);
  });

  test('a return with errors is return-has-errors, with every issue and its cell', async () => {
    const bad = aReturn(2);
    bad.sheets[0]!.rows[0]!.values.sex = 'X';
    bad.sheets[0]!.rows[1]!.values.senProvision = 'Q';
    const { client } = stackClient(schoolToken);
    const problem = (await client.putReturn(PRIMARY, TRANSFER_YEAR, bad, { status: 'draft', idempotencyKey: newIdempotencyKey() }).catch((e: unknown) => e)) as ApiProblem;
    expect(problem).toBeInstanceOf(ApiProblem);
    expect(problem.status).toBe(422);
    expect(problem.slug).toBe('return-has-errors');
    expect(problem.userMessage).toBe(API_MESSAGES['return-has-errors'].userMessage);
    expect(problem.validation?.errors.map((e) => e.cell)).toEqual(expect.arrayContaining(['D10', 'Q11']));
    expect(problem.validation?.summary.errors).toBe(problem.validation?.errors.length);
  });

  test('an unexplained query refuses submission as unexplained-queries, listing the query', async () => {
    const r = aReturn(1);
    r.sheets[0]!.rows[0]!.values.attendance = 80;
    const { client } = stackClient(schoolToken);
    const problem = (await client.putReturn(PRIMARY, TRANSFER_YEAR, r, { status: 'submitted', idempotencyKey: newIdempotencyKey() }).catch((e: unknown) => e)) as ApiProblem;
    expect(problem).toMatchObject({ status: 422, slug: 'unexplained-queries', nextStep: 'Fix or explain each query listed, or save as a draft for now.' });
    expect(problem.validation?.queries[0]).toMatchObject({ rule: 'GS2010Q', cell: 'Z10' });
  });

  test('refusals map to their problem types and messages: invalid-token, forbidden, not-found, invalid-parameter', async () => {
    const outcome = (p: Promise<unknown>) => p.then(() => 'resolved', (e: unknown) => e);
    const signedOut = stackClient(undefined).client;
    const school = stackClient(schoolToken).client;
    const la = stackClient(laToken).client;

    expect(await outcome(signedOut.me())).toMatchObject({ status: 401, slug: 'invalid-token', userMessage: 'Your sign-in has expired or is not valid for Good Start.' });
    expect(await outcome(school.tracker(TRANSFER_YEAR))).toMatchObject({ status: 403, slug: 'forbidden', userMessage: API_MESSAGES.forbidden.userMessage });
    expect(await outcome(la.getReturn('3302002', TRANSFER_YEAR))).toMatchObject({ status: 404, slug: 'not-found', nextStep: API_MESSAGES['not-found'].nextStep });
    expect(await outcome(la.tracker(1066))).toMatchObject({ status: 400, slug: 'invalid-parameter', userMessage: 'The school or year in the request is not valid.' });
  });

  test('the LA reads the tracker in the one lower-case state vocabulary, the cohort, aggregates, the dataset it publishes, and the export', async () => {
    const { client } = stackClient(laToken);
    const cohort = await client.cohort('3304001', TRANSFER_YEAR);
    expect(cohort.feeders).toEqual([{ primary: PRIMARY, name: 'Acorn Lane Primary (test)', version: 2, pupils: 4 }]);
    expect(cohort.pupils.map((p) => p.sourceSchool)).toEqual([PRIMARY, PRIMARY, PRIMARY, PRIMARY]);
    const tracker = await client.tracker(TRANSFER_YEAR);
    expect(tracker.schools.find((s) => s.school === PRIMARY)?.status).toBe('submitted');
    expect(tracker.schools.find((s) => s.school === '3302002')?.status).toBe('outstanding');
    const aggregates = await client.aggregates(TRANSFER_YEAR, ['area']);
    expect(aggregates).toMatchObject({ year: TRANSFER_YEAR, by: ['area'], disclosureControlled: false });
    const published = await client.putResourceBases('2019-20', BUNDLED_RESOURCE_BASES, { idempotencyKey: newIdempotencyKey() });
    expect(published).toMatchObject({ created: true, replayed: false });
    const dataset = await client.resourceBases('latest');
    expect(dataset.value.rows).toEqual(BUNDLED_RESOURCE_BASES.rows);
    expect(dataset.etag).toBe(published.etag);
    const exported = await client.consolidatedExport(TRANSFER_YEAR);
    expect(exported.filename).toBe(`goodstart-consolidated-${TRANSFER_YEAR}.xlsx`);
    // An .xlsx is a zip: it starts "PK".
    expect([...exported.bytes.subarray(0, 2)]).toEqual([0x50, 0x4b]);
  });
});

/** A fetch that answers from a script, one entry per attempt (the last repeats). */
function scriptedFetch(script: readonly (Response | Error | (() => Response))[]): { fetch: ApiFetch; sent: Sent[] } {
  const sent: Sent[] = [];
  const fetch: ApiFetch = async (url, init) => {
    sent.push({ url, init });
    const step = script[Math.min(sent.length, script.length) - 1];
    if (step instanceof Error) throw step;
    if (typeof step === 'function') return step();
    return (step as Response).clone();
  };
  return { fetch, sent };
}

const problemResponse = (status: number, slug: string, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify({ type: `https://goodstart.birmingham.example/problems/${slug}`, title: slug, status, correlationId: 'corr-123' }), {
    status,
    headers: { 'content-type': 'application/problem+json', ...headers },
  });
const healthy = () => new Response(JSON.stringify({ status: 'ok', version: '1.2.3', mode: 'cloud', cosmos: 'reachable' }), { status: 200 });

function fakeClient(fetch: ApiFetch, extra: { timeoutMs?: number } = {}) {
  const retries: RetryNotice[] = [];
  const delays: number[] = [];
  const client = createApiClient({
    baseUrl: 'https://api.test/api',
    getToken: () => 'token-1',
    fetch,
    onRetry: (n) => retries.push(n),
    sleep: async (ms) => {
      delays.push(ms);
    },
    random: () => 0,
    ...extra,
  });
  return { client, retries, delays };
}

describe('outages, with a scripted fetch', () => {
  test('429 with Retry-After waits what it says, then succeeds', async () => {
    const { fetch, sent } = scriptedFetch([problemResponse(429, 'too-many-requests', { 'retry-after': '2' }), healthy()]);
    const { client, retries, delays } = fakeClient(fetch);
    await expect(client.health()).resolves.toMatchObject({ mode: 'cloud' });
    expect(sent).toHaveLength(2);
    expect(delays).toEqual([2000]);
    expect(retries).toEqual([{ attempt: 2, of: 4, delayMs: 2000, reason: 'throttled', method: 'GET', path: '/health' }]);
  });

  test('503 on every attempt: four attempts, honouring Retry-After, then service-unavailable', async () => {
    const { fetch, sent } = scriptedFetch([problemResponse(503, 'service-unavailable', { 'retry-after': '1' })]);
    const { client, retries, delays } = fakeClient(fetch);
    const problem = (await client.putReturn(PRIMARY, TRANSFER_YEAR, aReturn(1), { status: 'submitted', idempotencyKey: 'key-00000001' }).catch((e: unknown) => e)) as ApiProblem;
    expect(sent).toHaveLength(4);
    expect(new Set(sent.map((s) => s.init.headers['idempotency-key']))).toEqual(new Set(['key-00000001']));
    expect(delays).toEqual([1000, 1000, 1000]);
    expect(retries.map((r) => `${r.attempt} of ${r.of}`)).toEqual(['2 of 4', '3 of 4', '4 of 4']);
    expect(problem).toBeInstanceOf(ApiProblem);
    expect(problem).toMatchObject({
      status: 503,
      slug: 'service-unavailable',
      correlationId: 'corr-123',
      retryAfterSeconds: 1,
      userMessage: "The Good Start service can't be reached right now.",
      nextStep: 'Nothing was sent twice: try again and the same submission will be used.',
    });
  });

  test('network failure on every attempt: bounded, with exponential backoff, then ApiOffline', async () => {
    const { fetch, sent } = scriptedFetch([new TypeError('fetch failed')]);
    const { client, delays } = fakeClient(fetch);
    const offline = (await client.putReturn(PRIMARY, TRANSFER_YEAR, aReturn(1), { status: 'draft', idempotencyKey: 'key-00000002' }).catch((e: unknown) => e)) as ApiOffline;
    expect(sent).toHaveLength(4);
    // Equal jitter with random() = 0: half of 500, 1000, 2000 ms.
    expect(delays).toEqual([250, 500, 1000]);
    expect(offline).toBeInstanceOf(ApiOffline);
    expect(offline).toMatchObject({
      reason: 'network',
      attempts: 4,
      write: true,
      userMessage: "The Good Start service can't be reached right now.",
      nextStep: 'Nothing was sent twice: try again and the same submission will be used.',
    });
    expect(offline.message).toBe('cannot reach https://api.test/api (fetch failed)');
  });

  test('an attempt with no answer is aborted after the timeout and counts as offline', async () => {
    const hang: ApiFetch = (_url, init) => new Promise((_resolve, reject) => init.signal?.addEventListener('abort', () => reject(new Error('aborted'))));
    const { client, retries } = fakeClient(hang, { timeoutMs: 20 });
    const offline = await client.me().catch((e: unknown) => e);
    expect(offline).toBeInstanceOf(ApiOffline);
    expect(offline).toMatchObject({ reason: 'timeout', attempts: 4, write: false, nextStep: 'Check your internet connection, then try again.' });
    expect(retries.map((r) => r.reason)).toEqual(['timeout', 'timeout', 'timeout']);
  });

  test('not retried: a 500, a 4xx, and a Retry-After longer than the policy allows', async () => {
    for (const answer of [problemResponse(500, 'internal-error'), problemResponse(403, 'forbidden'), problemResponse(503, 'service-unavailable', { 'retry-after': '120' })]) {
      const { fetch, sent } = scriptedFetch([answer]);
      const { client, retries } = fakeClient(fetch);
      await expect(client.me()).rejects.toBeInstanceOf(ApiProblem);
      expect(sent).toHaveLength(1);
      expect(retries).toEqual([]);
    }
  });

  test('a duplicate still in progress (409 request-in-progress) is waited for with the same key', async () => {
    const receipt = (await stackClient(schoolToken).client.getReturn(PRIMARY, TRANSFER_YEAR)).value;
    const { fetch, sent } = scriptedFetch([
      problemResponse(409, 'request-in-progress', { 'retry-after': '1' }),
      () => new Response(JSON.stringify({ ...receipt, summary: emptySummary() }), { status: 201, headers: { etag: '"v9"', 'idempotent-replayed': 'true' } }),
    ]);
    const { client, retries } = fakeClient(fetch);
    const result = await client.putReturn(PRIMARY, TRANSFER_YEAR, aReturn(1), { status: 'submitted', idempotencyKey: 'key-00000003' });
    expect(sent).toHaveLength(2);
    expect(retries.map((r) => r.reason)).toEqual(['in-progress']);
    expect(result).toMatchObject({ etag: '"v9"', created: true, replayed: true });
  });

  test('a replayed receipt stored before a summary count existed still reads: the pane does not check the summary', async () => {
    const receipt = (await stackClient(schoolToken).client.getReturn(PRIMARY, TRANSFER_YEAR)).value;
    const { bySecondaryNeed: _added, ...olderSummary } = emptySummary();
    const { fetch } = scriptedFetch([() => new Response(JSON.stringify({ ...receipt, summary: olderSummary }), { status: 201, headers: { etag: '"v9"', 'idempotent-replayed': 'true' } })]);
    const { client } = fakeClient(fetch);
    const result = await client.putReturn(PRIMARY, TRANSFER_YEAR, aReturn(1), { status: 'submitted', idempotencyKey: 'key-00000004' });
    expect(result).toMatchObject({ etag: '"v9"', replayed: true, value: { version: receipt.version, status: receipt.status } });
  });

  test('the caller cancelling stops at once: an AbortError, not an outage', async () => {
    const controller = new AbortController();
    const { fetch, sent } = scriptedFetch([new TypeError('fetch failed')]);
    const client = createApiClient({ baseUrl: 'https://api.test/api', fetch, sleep: () => new Promise((_r, reject) => controller.signal.addEventListener('abort', () => reject(controller.signal.reason))) });
    const pending = client.me({ signal: controller.signal });
    await new Promise((r) => setTimeout(r, 10));
    controller.abort();
    const error = await pending.catch((e: unknown) => e);
    expect((error as Error).name).toBe('AbortError');
    expect(sent).toHaveLength(1);
  });

  test('a body that is not problem+json still maps by status, never to a bare code', async () => {
    const { fetch } = scriptedFetch([new Response('<html>Bad gateway</html>', { status: 502, headers: { 'content-type': 'text/html' } })]);
    const problem = (await fakeClient(fetch).client.me().catch((e: unknown) => e)) as ApiProblem;
    expect(problem).toMatchObject({ status: 502, slug: 'service-unavailable', userMessage: "The Good Start service can't be reached right now.", nextStep: 'Try again in a minute.' });
  });

  test('a 2xx in the wrong shape is ApiUnexpectedResponse, never data', async () => {
    const { fetch } = scriptedFetch([new Response(JSON.stringify({ principal: { role: 'admin' } }), { status: 200 })]);
    const error = await fakeClient(fetch).client.me().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiUnexpectedResponse);
    expect(error).toMatchObject({ status: 200, userMessage: API_MESSAGES['unexpected-response'].userMessage });
  });
});

describe("the task pane's port (PaneApi) and what it shows for a failure (describeError)", () => {
  test('no return yet is null and an empty history, not a failure', async () => {
    const api = paneApi(stackClient(laToken).client);
    await expect(api.currentReturn('3302003', TRANSFER_YEAR)).resolves.toBeNull();
    await expect(api.history('3302003', TRANSFER_YEAR)).resolves.toEqual([]);
  });

  test('a submission reports its retries as "attempt of attempts", and its receipt, ETag and replay', async () => {
    const { fetch } = recordingFetch(async (n, real) => {
      const res = await real();
      if (n === 1) throw new TypeError('fetch failed');
      return res;
    });
    const current = await paneApi(stackClient(schoolToken).client).currentReturn(PRIMARY, TRANSFER_YEAR);
    // This client loses the answer to its first request: the PUT.
    const api = paneApi(stackClient(schoolToken, fetch).client);
    const retries: string[] = [];
    const result = await api.submitReturn(PRIMARY, TRANSFER_YEAR, aReturn(6), {
      status: 'draft',
      idempotencyKey: api.newIdempotencyKey(),
      ...(current?.etag ? { ifMatch: current.etag } : {}),
      onRetry: (attempt, of) => retries.push(`${attempt} of ${of}`),
    });
    expect(retries).toEqual(['2 of 4']);
    expect(result).toMatchObject({ created: true, replayed: true, receipt: { status: 'draft', version: (current?.version ?? 0) + 1 } });
    expect(result.etag).toMatch(/\S/);
  });

  test('each failure becomes the kind the pane branches on, with the message, next step and reference', () => {
    const stale = problemFromResponse(412, new Headers(), { type: 'https://goodstart.birmingham.example/problems/precondition-failed', title: 't', correlationId: 'c-1' });
    expect(describeError(stale)).toEqual({
      kind: 'stale',
      title: 'Someone else submitted this return since you last loaded it.',
      detail: '',
      next: 'Reload the status, then check and submit again.',
      correlationId: 'c-1',
      // The problem type, for the screens that branch on it (no-membership, tenant-not-registered).
      problem: 'precondition-failed',
    });
    const issue = { rule: 'GS1010', severity: 'error', sheet: 'Transition', cell: 'D10', row: 10, column: 'D', message: 'm', fix: 'f' };
    const invalid = problemFromResponse(422, new Headers(), {
      type: 'https://goodstart.birmingham.example/problems/return-has-errors',
      title: 't',
      report: { errors: [issue], queries: [], summary: { sheets: 1, rows: 1, errors: 1, queries: 0, unexplainedQueries: 0, canSubmit: false } },
    });
    const described = describeError(invalid);
    expect(invalid.validation?.errors).toEqual([issue]);
    expect(described).toMatchObject({ kind: 'validation', title: 'The return has errors, so it was not saved.', issues: [issue] });
    expect(describeError(new ApiOffline('network', 4, true, 'x'))).toMatchObject({ kind: 'offline', next: 'Nothing was sent twice: try again and the same submission will be used.' });
    expect(describeError(problemFromResponse(401, new Headers(), undefined))).toMatchObject({ kind: 'signin', title: API_MESSAGES['invalid-token'].userMessage });
    expect(describeError(problemFromResponse(403, new Headers(), undefined))).toMatchObject({ kind: 'forbidden' });
    expect(describeError(new SignInFailed('the sign-in window was closed', true))).toEqual({
      kind: 'signin',
      title: 'Signing in to Good Start did not finish.',
      detail: 'the sign-in window was closed',
      next: 'Sign in again when you are ready.',
    });
    expect(describeError(new Error('boom'))).toMatchObject({ kind: 'other', detail: 'boom' });
  });
});

describe('the message table', () => {
  test('every problem type the API documents has a message and a next step', () => {
    const slugs = [...Object.keys(PROBLEM_TYPES), ...Object.keys(SPECIFIC_PROBLEM_TYPES)];
    for (const slug of slugs) {
      const row = API_MESSAGES[slug as keyof typeof API_MESSAGES];
      expect(row?.userMessage).toMatch(/\w/);
      expect(row?.nextStep).toMatch(/\w/);
    }
  });

  test("a status falls back to the API's own slug for that status", () => {
    for (const [slug, { status }] of Object.entries(PROBLEM_TYPES)) expect(STATUS_SLUGS[status]).toBe(slug);
  });

  test('the client knows the roles the API issues', () => {
    expect(roleSchema.options).toEqual([...ROLES]);
  });
});

function emptySummary() {
  return {
    school: PRIMARY,
    year: TRANSFER_YEAR,
    pupils: 0,
    byProvisionNeed: { E: {}, K: {}, N: {} },
    bySecondary: {},
    bySecondaryNeed: {},
    bySupport: { Universal: { E: 0, K: 0, N: 0 }, Targeted: { E: 0, K: 0, N: 0 }, Specialist: { E: 0, K: 0, N: 0 } },
    resourceBaseDemand: [],
  };
}
