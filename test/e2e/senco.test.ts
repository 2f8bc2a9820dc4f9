/**
 * The SENCo's task pane end to end: the built pane in Chromium, the in-memory workbook, the
 * local API on the embedded Cosmos server, every flow driven by clicks as a SENCo would.
 * Screenshots and axe results land in test-results/taskpane/.
 */
import type { Page } from 'playwright-core';
import { SHEET_LAYOUT } from '../../shared/transition/layout';
import { TEST_SCHOOLS } from '../api/harness';
import { upnFor, validValues } from '../factories/transition';
import { pupilGrid, pupilRange, typedRow } from '../excelHost/pupilGrid';
import { type Pane, capture, eventually, inHost, startPane } from './paneHarness';

jest.setTimeout(180_000);

const PRIMARY = TEST_SCHOOLS[0] as (typeof TEST_SCHOOLS)[number];
const SECONDARY = TEST_SCHOOLS[3] as (typeof TEST_SCHOOLS)[number];
const A7 = `${SECONDARY.name} (${SECONDARY.laestab})`;
const YEAR = 2027;

let pane: Pane;
let page: Page;

beforeAll(async () => {
  pane = await startPane();
  page = pane.page;
});

afterAll(async () => {
  await pane?.stop();
});

async function signInAs(p: Page, schoolLabel: RegExp | undefined): Promise<void> {
  await p.getByRole('button', { name: 'Use this identity' }).waitFor();
  if (schoolLabel) {
    await p.getByRole('combobox', { name: 'School' }).click();
    await p.getByRole('option', { name: schoolLabel }).click();
  }
  await p.getByRole('button', { name: 'Use this identity' }).click();
}

type Snapshot = { sheets: Array<{ name: string; cells: Record<string, unknown> }> };
const cellsOf = async (p: Page, sheet: string): Promise<Record<string, unknown>> =>
  ((await inHost<Snapshot>(p, 'snapshot')).sheets.find((s) => s.name === sheet)?.cells ?? {});

async function history(): Promise<Array<{ version: number; status: string }>> {
  const token = await pane.stack.token({ role: 'school', school: PRIMARY.laestab });
  const res = await pane.stack.fetch(`/returns/${PRIMARY.laestab}/${YEAR}/history`, { headers: { authorization: `Bearer ${token}` } });
  if (res.status === 404) return [];
  return ((await res.json()) as { versions: Array<{ version: number; status: string }> }).versions;
}

describe('primary SENCo', () => {
  it('signs in through the labelled developer picker, and the pane says who is signed in', async () => {
    await page.getByText('Developer sign-in (local mode)').waitFor();
    expect(await capture(page, 'signin')).toEqual([]);
    await signInAs(page, undefined);
    await page.getByText(`${PRIMARY.name} (${PRIMARY.laestab})`).waitFor();
    await page.getByText('School', { exact: true }).first().waitFor();
    await page.getByRole('tab', { name: '1 Sheet' }).waitFor();
  });

  it('creates the transition sheet in the open workbook', async () => {
    await page.getByRole('button', { name: 'Create transition sheet' }).waitFor();
    await page.getByRole('textbox', { name: /Receiving secondary school/ }).fill(A7);
    expect(await capture(page, 'create')).toEqual([]);
    await page.getByRole('button', { name: 'Create transition sheet' }).click();
    await page.getByText("Created 'Transition'").waitFor();
    expect(await inHost(page, 'value', 'Transition', 'F9')).toBe('UPN');
    expect(await inHost(page, 'value', 'Transition', 'A7')).toBe(A7);
    expect(await inHost(page, 'value', 'Transition', 'A4')).toBe(YEAR);
  });

  it('checks the sheet: problems listed by rule, the cell selected on click, the highlight gone once fixed', async () => {
    // Pupil 3 has a mistyped UPN (an error), pupil 4 low attendance (a query).
    await inHost(page, 'edit', 'Transition', pupilRange(5), pupilGrid(5, (n) => ({ feederPrimary: PRIMARY.laestab, ...(n === 3 ? { upn: 'A12345' } : n === 4 ? { attendance: 81 } : {}) })));
    await page.getByRole('button', { name: 'Go to Check' }).click();
    await page.getByRole('button', { name: 'Check sheet' }).click();
    await page.getByText('Errors (1)').waitFor();
    await page.getByText('Queries (1)').waitFor();
    expect(await capture(page, 'check')).toEqual([]);
    expect(await inHost(page, 'displayedFill', 'Transition', 'F12')).toBe('#FDE7E9');
    expect(await inHost(page, 'displayedFill', 'Transition', 'Z13')).toBe('#FFF4CE');

    await inHost(page, 'edit', 'Lists', 'A1', 'elsewhere');
    await page.getByRole('button', { name: /^F12 .*Go to 'Transition'!F12\.$/ }).click();
    await eventually(async () => (await inHost<{ selection: unknown }>(page, 'snapshot')).selection, { sheet: 'Transition', address: 'F12' });

    // The SENCo fixes the UPN; the live re-check picks up the edited row.
    await inHost(page, 'edit', 'Transition', 'F12', upnFor(3, PRIMARY.laestab));
    await page.getByText(/Re-checked row 12/).waitFor();
    await page.getByText('0 errors').waitFor();
    expect(await inHost(page, 'displayedFill', 'Transition', 'F12')).toBeUndefined();
    expect(await inHost(page, 'displayedFill', 'Transition', 'Z13')).toBe('#FFF4CE');
  });

  it('explains the query in the pane; the text goes to the Query explanations sheet', async () => {
    await page.getByRole('button', { name: 'Explain GS2010Q at Z13' }).click();
    await page.getByRole('textbox', { name: 'Explanation for GS2010Q at Z13' }).fill('Long hospital stay in the spring term; now back full time.');
    expect(await capture(page, 'explain')).toEqual([]);
    await page.getByRole('button', { name: 'Save explanation' }).click();
    await page.getByText('Ready to submit').waitFor();
    expect(await inHost(page, 'grid', 'Query explanations', 'A2:D2')).toEqual([['GS2010Q', 'Transition', 'Z13', 'Long hospital stay in the spring term; now back full time.']]);
    expect(await inHost(page, 'displayedFill', 'Transition', 'Z13')).toBeUndefined();
  });

  it('submits once: a receipt, one version however often it is clicked, and the sheet untouched', async () => {
    await page.getByRole('button', { name: 'Go to Submit' }).click();
    await page.getByText('Nothing has been sent to the LA yet.').waitFor();
    expect(await capture(page, 'submit')).toEqual([]);
    const before = await cellsOf(page, 'Transition');
    await page.getByRole('button', { name: 'Submit to the LA' }).click();
    await page.getByRole('region', { name: 'Receipt' }).waitFor();
    await page.getByText('Submitted to the LA').waitFor();
    expect(await capture(page, 'receipt')).toEqual([]);
    expect(await history()).toEqual([expect.objectContaining({ version: 1, status: 'submitted' })]);
    expect(await cellsOf(page, 'Transition')).toEqual(before);

    await page.getByRole('button', { name: 'Submit to the LA' }).click();
    await page.getByText('No change since version 1: nothing new was stored.').waitFor();
    expect(await history()).toHaveLength(1);
  });

  it('explains a stale version (412) and offers to reload the status', async () => {
    // Someone else at the school sends a new version meanwhile.
    const token = await pane.stack.token({ role: 'school', school: PRIMARY.laestab });
    const other = { year: YEAR, sheets: [{ name: 'Transition', receivingSecondary: A7, rows: [{ row: 10, values: validValues(1, { feederPrimary: PRIMARY.laestab }) }] }], explanations: [] };
    const put = await pane.stack.fetch(`/returns/${PRIMARY.laestab}/${YEAR}?status=draft`, { method: 'PUT', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': 'e2e-other-user-1' }, body: JSON.stringify(other) });
    expect(put.status).toBe(201);

    await inHost(page, 'edit', 'Transition', 'AJ10', 'Art, football and chess.');
    await page.getByRole('button', { name: 'Submit to the LA' }).click();
    await page.getByText(/someone else/i).first().waitFor();
    await page.getByRole('button', { name: 'Reload status' }).first().click();
    await page.getByText(/Draft: version 2/).waitFor();
  });

  it('says so in an outage, keeps the sheet, and the retry with the same key stores one version', async () => {
    const before = await cellsOf(page, 'Transition');
    pane.setApiUp(false);
    await page.getByRole('button', { name: 'Submit to the LA' }).click();
    await page.getByText(/can.t be reached/i).first().waitFor({ timeout: 60_000 });
    expect(await cellsOf(page, 'Transition')).toEqual(before);
    expect(await history()).toHaveLength(2);

    pane.setApiUp(true);
    await page.getByRole('button', { name: 'Try again' }).click();
    await page.getByText('Submitted to the LA').waitFor();
    const versions = await history();
    expect(versions.map((v) => v.version).sort()).toEqual([1, 2, 3]);
    expect(versions.find((v) => v.version === 3)?.status).toBe('submitted');
  });
});

describe('secondary SENCo', () => {
  it('pulls the incoming cohort, and a refresh keeps the columns the school added', async () => {
    const p = await pane.open();
    await signInAs(p, new RegExp(SECONDARY.name.replace(/[()]/g, '\\$&')));
    await p.getByRole('button', { name: 'Pull incoming cohort' }).click();
    await p.getByText("'Year 7 2027-28' created").waitFor();
    expect(await capture(p, 'cohort')).toEqual([]);
    const sheet = 'Year 7 2027-28';
    const upns = (await inHost<unknown[][]>(p, 'grid', sheet, 'F10:F14')).flat();
    expect(upns).toHaveLength(5);
    expect((await inHost<unknown[][]>(p, 'grid', sheet, 'P10:P10'))[0]?.[0]).toBe(PRIMARY.name);

    // The secondary adds its own column and fills it for one pupil.
    const target = upns[2] as string;
    await inHost(p, 'edit', sheet, 'AN9', 'Tutor group');
    await inHost(p, 'edit', sheet, 'AN12', '7B');
    await p.getByRole('button', { name: 'Refresh cohort' }).click();
    await p.getByText("'Year 7 2027-28' refreshed").waitFor();
    const after = await inHost<unknown[][]>(p, 'grid', sheet, 'F10:F14');
    const row = after.findIndex((r) => r[0] === target) + SHEET_LAYOUT.firstDataRow;
    expect(await inHost(p, 'value', sheet, `AN${row}`)).toBe('7B');
    expect(await inHost(p, 'value', sheet, 'AN9')).toBe('Tutor group');
    await p.close();

    // Read receipts: the primary's pane shows that the secondary has opened its return.
    await page.getByRole('button', { name: 'Reload status' }).click();
    await page.getByText(new RegExp(`^${SECONDARY.laestab}: version \\d+, `)).first().waitFor();
  });
});

describe('keyboard only', () => {
  it('reaches every action with Tab and Enter: sign in, create, check, go to a cell, explain, submit', async () => {
    const p = await pane.open();
    /** Presses Tab until the focused element's text or accessible label matches. */
    const focusOn = async (name: string | RegExp): Promise<void> => {
      for (let i = 0; i < 60; i++) {
        await p.keyboard.press('Tab');
        const label = await p.evaluate(() => {
          const el = document.activeElement as HTMLElement | null;
          return `${el?.getAttribute('aria-label') ?? ''}\u0000${(el?.textContent ?? '').trim()}`;
        });
        const [aria, text] = label.split('\u0000');
        if (typeof name === 'string' ? text === name || aria === name : name.test(aria ?? '') || name.test(text ?? '')) return;
      }
      throw new Error(`Tab never reached "${String(name)}"`);
    };
    await p.getByRole('button', { name: 'Use this identity' }).waitFor();
    await focusOn('Use this identity');
    await p.keyboard.press('Enter');
    await p.getByRole('button', { name: 'Create transition sheet' }).waitFor();
    await focusOn('Create transition sheet');
    await p.keyboard.press('Enter');
    await p.getByText("Created 'Transition'").waitFor();
    await inHost(p, 'edit', 'Transition', pupilRange(1), [typedRow({ ...validValues(1), feederPrimary: PRIMARY.laestab, upn: 'X1', attendance: 85 })]);
    await focusOn('Go to Check');
    await p.keyboard.press('Enter');
    await focusOn('Check sheet');
    await p.keyboard.press('Enter');
    // A7 was left blank and the UPN is short: two errors.
    await p.getByText('Errors (2)').waitFor();
    await focusOn(/Go to 'Transition'!F10\.$/);
    await p.keyboard.press('Enter');
    await eventually(async () => (await inHost<{ selection: unknown }>(p, 'snapshot')).selection, { sheet: 'Transition', address: 'F10' });

    // Fix both errors in the sheet, then explain the query and submit, all from the keyboard.
    await inHost(p, 'edit', 'Transition', 'A7', A7);
    await inHost(p, 'edit', 'Transition', 'F10', upnFor(1, PRIMARY.laestab));
    await focusOn('Check again');
    await p.keyboard.press('Enter');
    await p.getByText('0 errors').waitFor();
    await focusOn('Explain GS2010Q at Z10');
    await p.keyboard.press('Enter');
    await p.keyboard.press('Tab');
    await p.keyboard.type('Family bereavement in the spring; attendance is back to normal.');
    await focusOn('Save explanation');
    await p.keyboard.press('Enter');
    await p.getByText('Ready to submit').waitFor();
    await focusOn('Go to Submit');
    await p.keyboard.press('Enter');
    await focusOn('Submit to the LA');
    await p.keyboard.press('Enter');
    await p.getByRole('region', { name: 'Receipt' }).waitFor();
    await p.close();
  });
});
