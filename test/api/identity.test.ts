/**
 * Membership management (issue 25), end to end over the local stack: invitations (made, claimed,
 * expired, claimed twice, from the wrong tenant, revoked while being claimed), access requests
 * (approved, declined, seen by the requester), removal effective on the next request, the audit
 * trail's read scoping and workbook, and the per-person rate limit.
 */
import { randomUUID } from 'node:crypto';
import ExcelJS from 'exceljs';
import { identityStores } from '../../functions/src/identity';
import { COUNCIL_TENANT, trustTenant } from '../../functions/src/store/samplePeople';
import { subjectOf } from '../../shared/identity';
import { startStack, type Stack, TEST_SCHOOLS } from './harness';

const PROBLEMS = 'https://goodstart.birmingham.example/problems/';
const ACORN = '3302001';
const BRAMBLE = '3302002'; // trust T1; the directory below records its tenant
const COPPER = '3302003';
const T1_TENANT = trustTenant('T1');

let stack: Stack;
let admin: string;
beforeAll(async () => {
  stack = await startStack({ schools: TEST_SCHOOLS.map((s) => (s.laestab === BRAMBLE ? { ...s, tenantId: T1_TENANT } : s)) });
  admin = await stack.token({ role: 'la', admin: true, name: 'Dev LA admin' });
}, 60_000);
afterAll(async () => {
  await stack.stop();
});

type Json = Record<string, any>;

async function api(token: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: Json; res: Response }> {
  const res = await stack.fetch(path, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text === '' ? {} : (JSON.parse(text) as Json), res };
}

/** A new person of `tid` with no role yet, and their token (with e-mail and name). */
async function newcomer(tid = COUNCIL_TENANT, email = `person.${randomUUID().slice(0, 8)}@school.example`) {
  const oid = randomUUID();
  const token = await stack.token({ tid, oid, email, name: 'New Person' });
  return { tid, oid, email, token, subject: subjectOf(tid, oid) };
}

/** A school approver of `school`, seeded as the LA would have made them. */
async function approverOf(school: string) {
  const person = await newcomer();
  await stack.store.memberships.grant('seed', { tid: person.tid, oid: person.oid, name: `Approver of ${school}` }, { role: 'schoolApprover', school });
  return { ...person, token: await stack.token({ tid: person.tid, oid: person.oid, name: `Approver of ${school}` }) };
}

const auditOf = async (target: string) => (await identityStores(stack.store).audit.list()).filter((e) => e.target === target);

describe('invitations', () => {
  it('an LA admin invites a SENCo; the invitee sees who invited them, accepts, and acts as that SENCo from then on', async () => {
    const person = await newcomer(COUNCIL_TENANT, `Jo.Senco.${randomUUID().slice(0, 6)}@Acorn.example`);
    const made = await api(admin, 'POST', '/invitations', { email: person.email, role: 'senco', school: ACORN });
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ state: 'pending', role: 'senco', school: ACORN, scopeName: 'Acorn Lane Primary (test)', invitedByName: 'Dev LA admin' });
    expect(Date.parse(made.body.expiresAt) - Date.parse(made.body.createdAt)).toBe(7 * 24 * 3600 * 1000);

    // With no role yet, /me refuses, but their own access page shows the invitation (found by e-mail, case-insensitively).
    expect((await api(person.token, 'GET', '/me')).status).toBe(403);
    const mine = await api(person.token, 'GET', '/access-requests/mine');
    expect(mine.status).toBe(200);
    expect(mine.body.invitation).toMatchObject({ id: made.body.id, text: 'You are invited as SENCo of Acorn Lane Primary (test) by Dev LA admin' });

    const accepted = await api(person.token, 'POST', `/invitations/${made.body.id}/accept`);
    expect(accepted.status).toBe(200);
    expect(accepted.body.member).toMatchObject({ tid: person.tid, oid: person.oid, role: 'senco', school: ACORN });
    const me = await api(person.token, 'GET', '/me');
    expect(me.status).toBe(200);
    expect(me.body.principal).toMatchObject({ role: 'school', access: 'senco', school: ACORN });
    expect((await api(person.token, 'GET', '/access-requests/mine')).body.invitation).toBeNull();

    const audit = await identityStores(stack.store).audit.list(`school:${ACORN}`);
    expect(audit.filter((e) => e.target === made.body.id).map((e) => e.subType)).toEqual(['user-invited']);
    expect((await auditOf(person.subject)).map((e) => e.subType)).toEqual(['invitation-claimed']);
  });

  it('GET /me of someone who already has a role shows an invitation to another one', async () => {
    const approver = await approverOf(ACORN);
    const email = `me.${randomUUID().slice(0, 6)}@acorn.example`;
    const senco = await stack.token({ tid: approver.tid, oid: approver.oid, email, name: 'Approver' });
    expect((await api(senco, 'GET', '/me')).body.pendingInvitation).toBeNull();
    await api(admin, 'POST', '/invitations', { email, role: 'senco', school: ACORN });
    expect((await api(senco, 'GET', '/me')).body.pendingInvitation).toMatchObject({ role: 'senco', school: ACORN, text: 'You are invited as SENCo of Acorn Lane Primary (test) by Dev LA admin' });
  });

  it('claimed twice is 409; someone else’s e-mail finds nothing (404), even with the invitation id', async () => {
    const person = await newcomer();
    const { body } = await api(admin, 'POST', '/invitations', { email: person.email, role: 'senco', school: COPPER });
    const other = await newcomer();
    expect((await api(other.token, 'POST', `/invitations/${body.id}/accept`)).status).toBe(404);
    expect((await api(person.token, 'POST', `/invitations/${body.id}/accept`)).status).toBe(200);
    const again = await api(person.token, 'POST', `/invitations/${body.id}/accept`);
    expect([again.status, again.body.type]).toEqual([409, `${PROBLEMS}invitation-claimed`]);
    // A second person whose token carries the same e-mail cannot claim it either.
    const sameEmail = await newcomer(COUNCIL_TENANT, person.email);
    expect((await api(sameEmail.token, 'POST', `/invitations/${body.id}/accept`)).status).toBe(409);
  });

  it('an expired one is 410, and its expiry is audited once', async () => {
    const person = await newcomer();
    const { body } = await api(admin, 'POST', '/invitations', { email: person.email, role: 'senco', school: COPPER });
    const container = await stack.store.container('invitations');
    const { resource } = await container.item(body.id, body.id).read();
    await container.item(body.id, body.id).replace({ ...resource, expiresAt: new Date(Date.now() - 1000).toISOString() });
    const res = await api(person.token, 'POST', `/invitations/${body.id}/accept`);
    expect([res.status, res.body.type]).toEqual([410, `${PROBLEMS}invitation-expired`]);
    expect((await api(person.token, 'POST', `/invitations/${body.id}/accept`)).status).toBe(410);
    expect((await api(person.token, 'GET', '/access-requests/mine')).body.invitation).toBeNull();
    expect((await auditOf(body.id)).map((e) => e.subType).sort()).toEqual(['invitation-expired', 'user-invited']);
    expect((await api(person.token, 'GET', '/me')).status).toBe(403);
  });

  it('one for a school whose tenant the directory records is refused from another tenant (403), and accepted from its own', async () => {
    const email = `senco.${randomUUID().slice(0, 6)}@bramble.example`;
    const { body } = await api(admin, 'POST', '/invitations', { email, role: 'senco', school: BRAMBLE });
    const wrong = await newcomer(COUNCIL_TENANT, email);
    const refused = await api(wrong.token, 'POST', `/invitations/${body.id}/accept`);
    expect([refused.status, refused.body.type]).toEqual([403, `${PROBLEMS}invitation-wrong-tenant`]);
    expect(refused.body.detail).toMatch(/Bramble Hill Primary \(test\)'s own Microsoft 365 organisation/);
    const right = await newcomer(T1_TENANT, email);
    expect((await api(right.token, 'POST', `/invitations/${body.id}/accept`)).status).toBe(200);
  });

  it('a school approver invites for its own school only (403 for another school or an LA role)', async () => {
    const approver = await approverOf(ACORN);
    expect((await api(approver.token, 'POST', '/invitations', { email: 'x@school.example', role: 'senco', school: ACORN })).status).toBe(201);
    expect((await api(approver.token, 'POST', '/invitations', { email: 'y@school.example', role: 'schoolApprover', school: ACORN })).status).toBe(201);
    const other = await api(approver.token, 'POST', '/invitations', { email: 'x@school.example', role: 'senco', school: COPPER });
    expect([other.status, other.body.detail]).toEqual([403, expect.stringMatching(/own school only/)]);
    expect((await api(approver.token, 'POST', '/invitations', { email: 'x@school.example', role: 'laAdmin' })).status).toBe(403);
    // A SENCo is not an approver.
    const senco = await stack.token({ role: 'school', school: ACORN });
    expect((await api(senco, 'POST', '/invitations', { email: 'x@school.example', role: 'senco', school: ACORN })).status).toBe(403);
    // Its list shows its own school's; another school's is refused.
    const list = await api(approver.token, 'GET', `/invitations?school=${ACORN}`);
    expect(list.status).toBe(200);
    expect(list.body.invitations.every((i: Json) => i.school === ACORN)).toBe(true);
    expect((await api(approver.token, 'GET', `/invitations?school=${COPPER}`)).status).toBe(403);
  });

  it('a concurrent accept and revoke leave one consistent outcome, audited once', async () => {
    for (let round = 0; round < 4; round++) {
      const person = await newcomer();
      const { body } = await api(admin, 'POST', '/invitations', { email: person.email, role: 'senco', school: COPPER });
      const [accept, revoke] = await Promise.all([api(person.token, 'POST', `/invitations/${body.id}/accept`), api(admin, 'DELETE', `/invitations/${body.id}`)]);
      const statuses = [accept.status, revoke.status].sort();
      expect([[200, 409], [200, 410]]).toContainEqual(statuses);
      const stored = (await identityStores(stack.store).invitations.get(body.id))?.doc;
      const member = await stack.store.memberships.get(person);
      const ended = [...(await auditOf(body.id)), ...(await auditOf(person.subject))].filter((e) => e.subType !== 'user-invited');
      if (accept.status === 200) {
        expect(stored?.state).toBe('claimed');
        expect(member?.memberships).toHaveLength(1);
        expect(ended.map((e) => e.subType)).toEqual(['invitation-claimed']);
      } else {
        expect(stored?.state).toBe('revoked');
        expect(member).toBeUndefined();
        expect(ended.map((e) => e.subType)).toEqual(['invitation-revoked']);
      }
    }
  });
});

describe('memberships', () => {
  it('removal takes effect on the very next request, with a plain 403 saying whom to ask', async () => {
    const approver = await approverOf(COPPER);
    const person = await newcomer();
    const { body } = await api(approver.token, 'POST', '/invitations', { email: person.email, role: 'senco', school: COPPER });
    const { body: accepted } = await api(person.token, 'POST', `/invitations/${body.id}/accept`);
    expect((await api(person.token, 'GET', '/me')).status).toBe(200);

    const members = await api(approver.token, 'GET', `/memberships?school=${COPPER}`);
    expect(members.body.members.map((m: Json) => m.id)).toContain(accepted.member.id);
    expect((await api(approver.token, 'GET', '/memberships')).status).toBe(403);
    expect((await api(approver.token, 'DELETE', `/memberships/${accepted.member.id}`)).status).toBe(200);

    const next = await api(person.token, 'GET', '/me');
    expect([next.status, next.body.type]).toEqual([403, `${PROBLEMS}no-membership`]);
    expect(next.body.detail).toMatch(/Ask your school’s Good Start approver/);
    expect((await auditOf(person.subject)).map((e) => e.subType).sort()).toEqual(['invitation-claimed', 'membership-removed']);
    // Removing it again finds nothing; nobody removes their own.
    expect((await api(approver.token, 'DELETE', `/memberships/${accepted.member.id}`)).status).toBe(404);
    const own = (await stack.store.memberships.get(approver))?.memberships[0]?.id;
    expect((await api(approver.token, 'DELETE', `/memberships/${own}`)).status).toBe(409);
  });
});

describe('access requests', () => {
  it('a person with no role asks; the school’s approver declines with a reason, which the person sees next time', async () => {
    const approver = await approverOf(ACORN);
    const person = await newcomer();
    const made = await api(person.token, 'POST', '/access-requests', { role: 'senco', school: ACORN, message: 'New SENCo from September' });
    expect(made.status).toBe(201);
    expect(made.body.reviewers).toEqual(expect.arrayContaining([`Approver of ${ACORN}`]));
    expect((await api(approver.token, 'GET', `/access-requests?school=${ACORN}`)).body.requests.map((r: Json) => r.id)).toContain(made.body.request.id);

    const declined = await api(approver.token, 'POST', `/access-requests/${made.body.request.id}/decline`, { reason: 'Not on our staff list' });
    expect(declined.body).toMatchObject({ state: 'declined', reason: 'Not on our staff list' });
    expect((await api(admin, 'POST', `/access-requests/${made.body.request.id}/approve`, {})).body.type).toBe(`${PROBLEMS}request-decided`);
    const mine = await api(person.token, 'GET', '/access-requests/mine');
    expect(mine.body.requests[0]).toMatchObject({ state: 'declined', reason: 'Not on our staff list' });
    expect((await api(person.token, 'GET', '/me')).status).toBe(403);
  });

  it('an LA admin approves, granting the role; an approver cannot decide another school’s; a decline needs a reason', async () => {
    const person = await newcomer();
    const made = await api(person.token, 'POST', '/access-requests', { role: 'senco', school: COPPER });
    const otherApprover = await approverOf(ACORN);
    expect((await api(otherApprover.token, 'POST', `/access-requests/${made.body.request.id}/approve`, {})).status).toBe(403);
    expect((await api(admin, 'POST', `/access-requests/${made.body.request.id}/decline`, {})).status).toBe(422);
    const approved = await api(admin, 'POST', `/access-requests/${made.body.request.id}/approve`, { reason: 'Confirmed with the head' });
    expect(approved.body.state).toBe('approved');
    expect((await api(person.token, 'GET', '/me')).body.principal).toMatchObject({ access: 'senco', school: COPPER });
    expect((await auditOf(person.subject)).map((e) => e.subType).sort()).toEqual(['access-approved', 'access-requested']);
  });

  it('are rate-limited per person: 429 with Retry-After', async () => {
    const person = await newcomer();
    const statuses: number[] = [];
    let last: Response | undefined;
    for (let i = 0; i < 6; i++) {
      const r = await api(person.token, 'POST', '/access-requests', { role: 'senco', school: ACORN });
      statuses.push(r.status);
      last = r.res;
    }
    expect(statuses).toEqual([201, 409, 409, 409, 409, 429]);
    expect(Number(last?.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another person is not held back by it.
    expect((await api((await newcomer()).token, 'POST', '/access-requests', { role: 'senco', school: ACORN })).status).toBe(201);
  });
});

describe('the audit trail', () => {
  it('LA admins read all of it; a school’s approvers their school’s only', async () => {
    const approver = await approverOf(ACORN);
    await api(approver.token, 'POST', '/invitations', { email: 'audit.test@acorn.example', role: 'senco', school: ACORN });
    await api(admin, 'POST', '/invitations', { email: 'audit.test@copper.example', role: 'senco', school: COPPER });
    const mine = await api(approver.token, 'GET', `/audit?school=${ACORN}`);
    expect(mine.status).toBe(200);
    expect(mine.body.entries.length).toBeGreaterThan(0);
    expect(new Set(mine.body.entries.map((e: Json) => e.scope))).toEqual(new Set([`school:${ACORN}`]));
    expect((await api(approver.token, 'GET', `/audit?school=${COPPER}`)).status).toBe(403);
    expect((await api(approver.token, 'GET', '/audit')).status).toBe(403);
    expect((await api(await stack.token({ role: 'la' }), 'GET', '/audit')).status).toBe(403);
    const all = await api(admin, 'GET', '/audit');
    expect(all.body.entries.map((e: Json) => e.scope)).toEqual(expect.arrayContaining([`school:${ACORN}`, `school:${COPPER}`]));
  });

  it('downloads as .xlsx, one visible sheet, every cell escaped', async () => {
    const person = await newcomer();
    const made = await api(person.token, 'POST', '/access-requests', { role: 'senco', school: COPPER, message: '=HYPERLINK("http://evil.example")' });
    expect(made.status).toBe(201);
    const res = await stack.fetch(`/audit?school=${COPPER}`, { headers: { authorization: `Bearer ${admin}`, accept: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="audit-${COPPER}.xlsx"`);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(await res.arrayBuffer()) as never);
    expect(wb.worksheets.map((w) => [w.name, w.state])).toEqual([['Audit', 'visible']]);
    const cells = wb.worksheets[0]!.getSheetValues().flatMap((row) => (Array.isArray(row) ? row : [])).filter((v) => typeof v === 'string') as string[];
    expect(cells).toContain('\'=HYPERLINK("http://evil.example")');
    expect(cells.some((v) => v.startsWith('='))).toBe(false);
  });
});

describe('tenant changes in the identity audit', () => {
  it('records a tenant added, renamed and removed, with the old and new names and the reason, readable by LA admins', async () => {
    const tid = randomUUID();
    expect((await api(admin, 'POST', '/tenants', { tid, name: 'Oakfield Trust (test)', reason: 'Joins for the 2027 transfer' })).status).toBe(201);
    expect((await api(admin, 'POST', '/tenants', { tid, name: 'Oakfield Academy Trust (test)', reason: 'Renamed by the trust' })).status).toBe(200);
    expect((await api(admin, 'DELETE', `/tenants/${tid}`)).status).toBe(200);
    const entries = (await api(admin, 'GET', '/audit')).body.entries as Json[];
    const order = ['tenant-added', 'tenant-updated', 'tenant-removed'];
    const mine = entries.filter((e) => e.target === tid).sort((a, b) => order.indexOf(String(a.subType)) - order.indexOf(String(b.subType)));
    expect(mine.map((e) => [e.type, e.subType, e.scope, e.edited, e.reason])).toEqual([
      ['tenant', 'tenant-added', 'la', [{ name: 'name', oldValue: null, newValue: 'Oakfield Trust (test)' }], 'Joins for the 2027 transfer'],
      ['tenant', 'tenant-updated', 'la', [{ name: 'name', oldValue: 'Oakfield Trust (test)', newValue: 'Oakfield Academy Trust (test)' }], 'Renamed by the trust'],
      ['tenant', 'tenant-removed', 'la', [{ name: 'name', oldValue: 'Oakfield Academy Trust (test)', newValue: null }], null],
    ]);
    expect(new Set(mine.map((e) => e.who)).size).toBe(1);
  });
});
