/**
 * Issue 29 in the pane: a UPN on two primaries' submitted returns is flagged to the LA on the
 * tracker with both schools, and the secondary pulling its cohort sees the pupil once, with a
 * warning. The built pane in Chromium against the local API; screenshots in test-results/taskpane/.
 */
import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { TEST_SCHOOLS } from '../api/harness';
import { TRANSFER_YEAR, row, sheet, upnFor } from '../factories/transition';
import { type Pane, capture, inHost, startPane } from './paneHarness';

jest.setTimeout(240_000);

const [ACORN, BRAMBLE] = TEST_SCHOOLS as [(typeof TEST_SCHOOLS)[number], (typeof TEST_SCHOOLS)[number]];
const SECONDARY = TEST_SCHOOLS[3] as (typeof TEST_SCHOOLS)[number];
const MOVER = upnFor(777, '3302099');

let pane: Pane;

/** A primary submits its pupils plus the pupil both schools returned, over the API. */
async function send(laestab: string, pupils: number): Promise<void> {
  const token = await pane.stack.token({ role: 'school', school: laestab });
  const upns = [...Array.from({ length: pupils }, (_, i) => upnFor(i + 1, laestab)), MOVER];
  const rows = upns.map((upn, i) => row(i + 1, { feederPrimary: laestab, upn }));
  const res = await pane.stack.fetch(`/returns/${laestab}/${TRANSFER_YEAR}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
    body: JSON.stringify({ year: TRANSFER_YEAR, sheets: [sheet(rows, `${SECONDARY.name} (${SECONDARY.laestab})`)], explanations: [] }),
  });
  expect(res.status).toBe(201);
}

beforeAll(async () => {
  pane = await startPane();
  await send(ACORN.laestab, 2);
  await send(BRAMBLE.laestab, 1);
});

afterAll(async () => {
  await pane?.stop();
});

async function signIn(p: Page, choose: (p: Page) => Promise<void>): Promise<void> {
  await p.getByRole('button', { name: 'Use this identity' }).waitFor();
  await choose(p);
  await p.getByRole('button', { name: 'Use this identity' }).click();
}

it('shows the LA the UPN on two schools\' returns, naming both schools, on the tracker and the chase list sheet', async () => {
  const p = pane.page;
  await signIn(p, (q) => q.getByRole('radio', { name: 'LA officer' }).check());
  await p.getByRole('textbox', { name: /Transfer year/ }).fill(String(TRANSFER_YEAR));
  await p.getByRole('button', { name: 'Refresh', exact: true }).click();
  await p.getByText('2 of 3 schools submitted').waitFor();
  await p.getByText("1 UPN on more than one school's return", { exact: true }).waitFor();
  await p.getByText(`${ACORN.name} (${ACORN.laestab}) and ${BRAMBLE.name} (${BRAMBLE.laestab}): 1 UPN`).waitFor();
  expect(await p.locator('body').innerText()).not.toContain(MOVER);
  await p.getByText("1 UPN also on another school's return").first().waitFor();
  expect(await capture(p, 'tracker-cross-school')).toEqual([]);

  await p.getByRole('button', { name: 'Chase list' }).click();
  await p.getByText(/'Chase list .*' created/).waitFor();
  const a3 = String(await inHost(p, 'value', `Chase list ${TRANSFER_YEAR}-${String((TRANSFER_YEAR + 1) % 100).padStart(2, '0')}`, 'A3'));
  expect(a3).toMatch(/^1 UPN is on more than one school's return/);
  expect(a3).toContain(`${ACORN.name} (${ACORN.laestab}) and ${BRAMBLE.name} (${BRAMBLE.laestab}): 1 UPN`);
});

it('gives the secondary the pupil once, with a warning', async () => {
  const p = await pane.open();
  await signIn(p, async (q) => {
    await q.getByRole('combobox', { name: 'School' }).click();
    await q.getByRole('option', { name: new RegExp(SECONDARY.name.replace(/[()]/g, '\\$&')) }).click();
  });
  await p.getByRole('button', { name: 'Pull incoming cohort' }).click();
  await p.getByText(/'Year 7 .*' created/).waitFor();
  await p.getByText("1 pupil on more than one school's return", { exact: true }).waitFor();
  await p.getByText(`(UPN ${MOVER}): listed from ${ACORN.name}; also sent by ${BRAMBLE.name}`).waitFor();
  const upns = (await inHost<unknown[][]>(p, 'grid', `Year 7 ${TRANSFER_YEAR}-${String((TRANSFER_YEAR + 1) % 100).padStart(2, '0')}`, 'F10:F14')).flat();
  expect(upns.filter((u) => u === MOVER)).toHaveLength(1);
  expect(upns.filter((u) => typeof u === 'string' && u !== '')).toHaveLength(2 + 1 + 1);
  expect(await capture(p, 'cohort-cross-school')).toEqual([]);
  await p.close();
});
