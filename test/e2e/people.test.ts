/**
 * Who may act for which school (issue 25), end to end: the built pane in Chromium against the
 * local API on the embedded Cosmos server. An LA admin's People view (members, invitations,
 * access requests, the tenant allow-list) and its actions; a school approver's view of their own
 * school; the first-run screens for someone invited, someone with no role, and someone whose
 * organisation is not registered. Each action's outcome is read back from the API.
 */
import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { COUNCIL_TENANT } from '../../functions/src/store/samplePeople';
import { syntheticGuid } from '../../functions/src/store/samplePeople';
import { TEST_SCHOOLS } from '../api/harness';
import { type Pane, capture, startPane } from './paneHarness';

jest.setTimeout(240_000);

const ACORN = TEST_SCHOOLS[0] as { laestab: string; name: string };
const BRAMBLE = TEST_SCHOOLS[1] as { laestab: string; name: string };

let pane: Pane;
let adminToken: string;

beforeAll(async () => {
  pane = await startPane();
  adminToken = await pane.stack.token({ role: 'la', admin: true, name: 'Dev LA admin' });
});

afterAll(async () => {
  await pane?.stop();
});

/** A synthetic person of the council's tenant with no role: (tid, oid), a name and an e-mail. */
const person = (label: string) => ({ tid: COUNCIL_TENANT, oid: syntheticGuid(`people-e2e:${label}`), name: `Test ${label}`, email: `${label}@council.example` });

async function api<T>(token: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await pane.stack.fetch(path, {
    method,
    headers: { authorization: `Bearer ${token}`, accept: 'application/json', ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as T };
}

/** A fresh pane (its own sessionStorage) signed in with `token`, as the dev sign-in leaves it. */
async function paneAs(token: string): Promise<Page> {
  const page = await pane.open();
  await page.evaluate((t) => sessionStorage.setItem('goodstart.accessToken', t), token);
  await page.reload();
  return page;
}

type Invitation = { id: string; email: string; state: string };
type Request = { id: string; name?: string; state: string; reason?: string };
type Member = { id: string; name?: string; role: string; school?: string };

describe('an LA admin manages people', () => {
  let page: Page;
  const asker = person('asker');
  const refused = person('refused');
  const invitee = 'acorn.newsenco@council.example';

  beforeAll(async () => {
    for (const p of [asker, refused]) {
      const token = await pane.stack.token(p);
      expect((await api(token, 'POST', '/access-requests', { role: 'senco', school: ACORN.laestab, message: 'I start in September' })).status).toBe(201);
    }
    expect((await api(adminToken, 'POST', '/invitations', { email: invitee, role: 'senco', school: ACORN.laestab })).status).toBe(201);
    page = await paneAs(adminToken);
  });

  it('shows the People view with the signed-in header naming the person, organisation and role', async () => {
    await page.getByRole('tab', { name: 'People' }).click();
    expect(await page.getByLabel('Organisation', { exact: true }).textContent()).toBe('Birmingham City Council (synthetic)');
    await page.getByText('LA admin', { exact: true }).waitFor();
    await page.getByRole('combobox', { name: 'School or trust' }).click();
    await page.getByRole('option', { name: `${ACORN.name} (${ACORN.laestab})` }).click();
    await page.getByText(`${asker.name} asks to be SENCo of ${ACORN.name}`).waitFor();
    await page.getByText(`${invitee}, SENCo of ${ACORN.name}`).waitFor();
    await page.getByText(`Dev SENCo, SENCo of ${ACORN.name}`).waitFor();
    await page.getByRole('heading', { name: 'Organisations that may sign in' }).waitFor();
    expect(await capture(page, 'people')).toEqual([]);
  });

  it('approves one request and declines another with a reason', async () => {
    await page.getByRole('button', { name: `Approve ${asker.name}` }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Approve' }).click();
    await page.getByText(`Approved: ${asker.name} is now SENCo of ${ACORN.name}.`).waitFor();

    await page.getByRole('button', { name: `Decline ${refused.name}` }).click();
    const dialog = page.getByRole('dialog');
    expect(await dialog.getByRole('button', { name: 'Decline' }).isDisabled()).toBe(true);
    await dialog.getByRole('textbox', { name: /Reason/ }).fill('The school already has a SENCo');
    await dialog.getByRole('button', { name: 'Decline' }).click();
    await page.getByText(`Declined the request from ${refused.name}.`).waitFor();

    const { body } = await api<{ requests: Request[] }>(adminToken, 'GET', `/access-requests?school=${ACORN.laestab}`);
    expect(body.requests.find((r) => r.name === asker.name)?.state).toBe('approved');
    expect(body.requests.find((r) => r.name === refused.name)).toMatchObject({ state: 'declined', reason: 'The school already has a SENCo' });
    const members = await api<{ members: Member[] }>(adminToken, 'GET', `/memberships?school=${ACORN.laestab}`);
    expect(members.body.members.some((m) => m.name === asker.name && m.role === 'senco')).toBe(true);
  });

  it('resends an invitation (a fresh one replaces it), then revokes it after asking', async () => {
    await page.getByRole('button', { name: `Resend the invitation for ${invitee}` }).click();
    await page.getByText(`Sent ${invitee} a new invitation, valid for 7 days.`).waitFor();
    let invitations = (await api<{ invitations: Invitation[] }>(adminToken, 'GET', `/invitations?school=${ACORN.laestab}`)).body.invitations.filter((i) => i.email === invitee);
    expect(invitations.map((i) => i.state).sort()).toEqual(['pending', 'revoked']);

    await page.getByRole('button', { name: `Revoke the invitation for ${invitee}` }).click();
    await page.getByRole('dialog').getByText(`The invitation for ${invitee} to be SENCo of ${ACORN.name} will stop working.`).waitFor();
    await page.getByRole('dialog').getByRole('button', { name: 'Revoke' }).click();
    await page.getByText(`Revoked the invitation for ${invitee}.`).waitFor();
    invitations = (await api<{ invitations: Invitation[] }>(adminToken, 'GET', `/invitations?school=${ACORN.laestab}`)).body.invitations.filter((i) => i.email === invitee);
    expect(invitations.map((i) => i.state)).toEqual(['revoked', 'revoked']);
  });

  it('removes a member only once confirmed, effective on their next request', async () => {
    const removedToken = await pane.stack.token(asker);
    expect((await api(removedToken, 'GET', '/me')).status).toBe(200);
    await page.getByRole('button', { name: `Remove ${asker.name} as SENCo of ${ACORN.name}` }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
    expect((await api(removedToken, 'GET', '/me')).status).toBe(200);

    await page.getByRole('button', { name: `Remove ${asker.name} as SENCo of ${ACORN.name}` }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Remove' }).click();
    await page.getByText(`Removed: ${asker.name} is no longer SENCo of ${ACORN.name}.`).waitFor();
    expect((await api(removedToken, 'GET', '/me')).status).toBe(403);
  });

  it('invites someone to a role at a school', async () => {
    const email = 'bramble.approver@council.example';
    await page.getByRole('textbox', { name: 'E-mail address' }).fill(email);
    await page.getByRole('combobox', { name: 'Role' }).click();
    await page.getByRole('option', { name: 'School approver' }).click();
    await page.getByRole('textbox', { name: /School \(LAESTAB/ }).fill(BRAMBLE.laestab);
    await page.getByRole('button', { name: 'Send invitation' }).click();
    await page.getByText(`Invited ${email} as school approver of ${BRAMBLE.name}.`, { exact: false }).waitFor();
    const { body } = await api<{ invitations: Array<Invitation & { role: string }> }>(adminToken, 'GET', `/invitations?school=${BRAMBLE.laestab}`);
    expect(body.invitations.filter((i) => i.email === email).map((i) => [i.role, i.state])).toEqual([['schoolApprover', 'pending']]);
  });

  it('adds an organisation to the allow-list with a reason, and removes it after asking', async () => {
    const tid = randomUUID();
    await page.getByRole('textbox', { name: /Tenant id/ }).fill(tid);
    await page.getByRole('textbox', { name: /Organisation name/ }).fill('Oakfield Trust (synthetic)');
    await page.getByRole('textbox', { name: /Reason \(kept in the audit\)/ }).fill('Joins the transition programme');
    await page.getByRole('button', { name: 'Add organisation' }).click();
    await page.getByText('Added Oakfield Trust (synthetic): its people can now sign in.').waitFor();
    let tenants = (await api<{ tenants: Array<{ tid: string; reason: string }> }>(adminToken, 'GET', '/tenants')).body.tenants;
    expect(tenants.find((t) => t.tid === tid)?.reason).toBe('Joins the transition programme');

    await page.getByRole('button', { name: 'Remove Oakfield Trust (synthetic)' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Remove' }).click();
    await page.getByText('Removed Oakfield Trust (synthetic) from the organisations that may sign in.').waitFor();
    tenants = (await api<{ tenants: Array<{ tid: string; reason: string }> }>(adminToken, 'GET', '/tenants')).body.tenants;
    expect(tenants.some((t) => t.tid === tid)).toBe(false);
  });
});

describe('a school approver', () => {
  it('gets the People view for their own school only, and an LA officer gets none', async () => {
    const approver = person('approver');
    const invited = await api<Invitation>(adminToken, 'POST', '/invitations', { email: approver.email, role: 'schoolApprover', school: BRAMBLE.laestab });
    const token = await pane.stack.token(approver);
    expect((await api(token, 'POST', `/invitations/${invited.body.id}/accept`)).status).toBe(200);

    const page = await paneAs(token);
    await page.getByText('School approver', { exact: true }).waitFor();
    await page.getByRole('tab', { name: 'People' }).click();
    await page.getByRole('heading', { name: `People at ${BRAMBLE.name}` }).waitFor();
    await page.getByText(`Dev SENCo, SENCo of ${BRAMBLE.name}`).waitFor();
    expect(await page.getByRole('combobox', { name: 'School or trust' }).count()).toBe(0);
    expect(await page.getByRole('heading', { name: 'Organisations that may sign in' }).count()).toBe(0);
    expect(await page.getByRole('textbox', { name: /School \(LAESTAB/ }).inputValue()).toBe(BRAMBLE.laestab);
    await page.close();

    const officer = await paneAs(await pane.stack.token({ role: 'la' }));
    await officer.getByRole('tab', { name: 'Tracker' }).waitFor();
    expect(await officer.getByRole('tab', { name: 'People' }).count()).toBe(0);
    await officer.close();
  });
});

describe('the first-run screens', () => {
  it('shows an invited person their invitation, and accepting gives them the role', async () => {
    const invitee = person('invitee');
    expect((await api(adminToken, 'POST', '/invitations', { email: invitee.email, role: 'senco', school: ACORN.laestab })).status).toBe(201);
    const page = await paneAs(await pane.stack.token(invitee));
    await page.getByText(`You are invited as SENCo of ${ACORN.name} by Dev LA admin.`).waitFor();
    expect(await capture(page, 'invited')).toEqual([]);
    await page.getByRole('button', { name: 'Accept' }).click();
    await page.getByText(`${invitee.name}, ${ACORN.name} (${ACORN.laestab})`).waitFor();
    await page.getByRole('tab', { name: 'Transition return' }).waitFor();
    await page.close();
  });

  it('tells someone with no role who can give access, sends their request, and shows a decline with its reason', async () => {
    const stranger = person('stranger');
    const page = await paneAs(await pane.stack.token(stranger));
    await page.getByRole('heading', { name: 'You have no access yet' }).waitFor();
    await page.getByText(/Your school's Good Start approver can give you access/).waitFor();
    await page.getByRole('textbox', { name: /School \(LAESTAB/ }).fill(ACORN.laestab);
    await page.getByRole('textbox', { name: /A note for the approver/ }).fill('New SENCo from September');
    await page.getByRole('button', { name: 'Request access' }).click();
    await page.getByText(new RegExp(`^Your request to be SENCo of ${ACORN.name.replace(/[()]/g, '\\$&')} was sent\\. .*Dev LA admin.* can approve it\\.$`)).waitFor();
    await page.getByText(`SENCo of ${ACORN.name}: Waiting for a decision`).waitFor();
    expect(await capture(page, 'no-access')).toEqual([]);

    const { body } = await api<{ requests: Request[] }>(adminToken, 'GET', `/access-requests?school=${ACORN.laestab}`);
    const mine = body.requests.find((r) => r.name === stranger.name);
    expect(mine?.state).toBe('pending');
    expect((await api(adminToken, 'POST', `/access-requests/${mine?.id}/decline`, { reason: 'Please ask your headteacher first' })).status).toBe(200);
    await page.reload();
    await page.getByText(`SENCo of ${ACORN.name}: Declined by Dev LA admin`).waitFor();
    await page.getByText('Reason: Please ask your headteacher first').waitFor();
    await page.close();
  });

  it('tells someone from an organisation not on the allow-list to ask the LA, when the pane reopens with their token', async () => {
    const page = await paneAs(await pane.stack.token({ tid: randomUUID(), oid: randomUUID(), name: 'Test outsider' }));
    await page.getByText('Your organisation is not yet registered with Good Start; ask the LA.').waitFor();
    expect(await capture(page, 'not-registered')).toEqual([]);
    await page.getByRole('button', { name: 'Sign in with another account' }).click();
    await page.getByRole('button', { name: 'Sign in with Microsoft' }).waitFor();
    await page.close();
  });
});
