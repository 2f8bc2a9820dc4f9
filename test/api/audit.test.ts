/**
 * Audit and logs: every successful pupil-level read or write leaves exactly one audit record
 * (who, role, school, action, ids, correlation id), refusals and idempotent replays leave none,
 * no record holds a pupil value, and no log line holds a UPN, name or date of birth.
 */
import { randomUUID } from 'node:crypto';
import type { AuditRecord } from '../../functions/src/store';
import { aReturn, PRIMARY, SECONDARY, TRANSFER_YEAR } from '../factories/transition';
import { startStack, type Stack } from './harness';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
let stack: Stack;
let tokens: Record<'school' | 'secondary' | 'la' | 'other', string>;
beforeAll(async () => {
  stack = await startStack();
  tokens = {
    school: await stack.token({ role: 'school', school: PRIMARY }),
    secondary: await stack.token({ role: 'school', school: SECONDARY }),
    la: await stack.token({ role: 'la' }),
    other: await stack.token({ role: 'school', school: '3302002' }),
  };
}, 60_000);
afterAll(async () => {
  await stack.stop();
});

interface Call {
  correlationId: string;
  status: number;
  /** The audit action expected, or undefined when none is. */
  action?: string;
  school: string | null;
}

const calls: Call[] = [];
async function call(path: string, token: string, init: RequestInit & { headers?: Record<string, string> }, action: string | undefined, school: string | null): Promise<Response> {
  const correlationId = `test-${randomUUID()}`;
  const res = await stack.fetch(path, { ...init, headers: { ...init.headers, authorization: `Bearer ${token}`, 'x-correlation-id': correlationId } });
  await res.clone().arrayBuffer();
  calls.push({ correlationId, status: res.status, ...(res.status < 300 && res.headers.get('idempotent-replayed') === null && action ? { action } : {}), school });
  return res;
}

const returnPath = `/returns/${PRIMARY}/${TRANSFER_YEAR}`;
const putInit = (body: unknown, key = randomUUID()) => ({
  method: 'PUT',
  headers: { 'content-type': 'application/json', 'idempotency-key': key },
  body: JSON.stringify(body),
});

it('writes one audit record per successful pupil-level call, none for refusals or replays', async () => {
  const key = randomUUID();
  const ret = aReturn(3);
  expect((await call(returnPath, tokens.school, putInit(ret, key), 'return.write', PRIMARY)).status).toBe(201);
  expect((await call(returnPath, tokens.school, putInit(ret, key), 'return.write', PRIMARY)).headers.get('idempotent-replayed')).toBe('true');
  expect((await call(returnPath, tokens.school, putInit(ret), 'return.write', PRIMARY)).status).toBe(200);
  expect((await call(returnPath, tokens.other, putInit(ret), 'return.write', PRIMARY)).status).toBe(403);
  const bad = aReturn(1);
  bad.sheets[0]!.rows[0]!.values.sex = 'X';
  expect((await call(returnPath, tokens.school, putInit(bad), 'return.write', PRIMARY)).status).toBe(422);
  expect((await call(returnPath, tokens.school, {}, 'return.read', PRIMARY)).status).toBe(200);
  expect((await call(returnPath, tokens.la, { headers: { accept: XLSX } }, 'return.read', PRIMARY)).status).toBe(200);
  expect((await call(returnPath, tokens.other, {}, 'return.read', PRIMARY)).status).toBe(403);
  expect((await call(`${returnPath}/history`, tokens.school, {}, 'return.history', PRIMARY)).status).toBe(200);
  expect((await call(`/cohorts/${SECONDARY}/${TRANSFER_YEAR}`, tokens.secondary, {}, 'cohort.read', SECONDARY)).status).toBe(200);
  expect((await call(`/cohorts/${SECONDARY}/${TRANSFER_YEAR}`, tokens.la, { headers: { accept: XLSX } }, 'cohort.read', SECONDARY)).status).toBe(200);
  expect((await call(`/cohorts/${SECONDARY}/${TRANSFER_YEAR}`, tokens.school, {}, 'cohort.read', SECONDARY)).status).toBe(403);
  expect((await call(`/tracker/${TRANSFER_YEAR}`, tokens.la, {}, 'tracker.read', null)).status).toBe(200);

  const records: AuditRecord[] = [
    ...(await stack.store.audit.forSchool(PRIMARY)),
    ...(await stack.store.audit.forSchool(SECONDARY)),
    ...(await stack.store.audit.forSchool('city')),
  ];
  const expected = calls.filter((c) => c.action !== undefined);
  expect(records).toHaveLength(expected.length);
  for (const c of expected) {
    const matching = records.filter((r) => r.correlationId === c.correlationId);
    expect(matching).toHaveLength(1);
    expect(matching[0]).toMatchObject({ action: c.action, school: c.school ?? 'city' });
    expect(matching[0]!.who).toMatch(/^[0-9a-f-]{36}\/[0-9a-f-]{36}$/);
  }
  const text = JSON.stringify(records);
  for (const row of ret.sheets[0]!.rows) {
    for (const v of [row.values.surname, row.values.forename, row.values.upn, row.values.dob]) expect(text).not.toContain(String(v));
  }
});

it('logs no UPN, name or date of birth from the fixtures', () => {
  const all = stack.logs.map((l) => l.line).join('\n');
  expect(all.length).toBeGreaterThan(0);
  for (const row of aReturn(3).sheets[0]!.rows) {
    for (const v of [row.values.surname, row.values.forename, row.values.upn, row.values.dob]) expect(all).not.toContain(String(v));
  }
});
