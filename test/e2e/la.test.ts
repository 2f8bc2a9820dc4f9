/**
 * The LA officer's and the trust lead's task pane end to end: the built pane in Chromium, the
 * in-memory workbook, the local API on the embedded Cosmos server, each flow driven by clicks.
 * Screenshots and axe results land in test-results/taskpane/.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { unzipSync, strFromU8 } from 'fflate';
import type { Page } from 'playwright-core';
import { TEST_SCHOOLS } from '../api/harness';
import { TRANSFER_YEAR, row, sheet, upnFor } from '../factories/transition';
import { type Pane, capture, inHost, startPane } from './paneHarness';

jest.setTimeout(240_000);

const [ACORN, BRAMBLE, COPPERBEECH] = TEST_SCHOOLS as [(typeof TEST_SCHOOLS)[number], (typeof TEST_SCHOOLS)[number], (typeof TEST_SCHOOLS)[number]];
const SECONDARY = TEST_SCHOOLS[3] as (typeof TEST_SCHOOLS)[number];
const YEAR = TRANSFER_YEAR;

let pane: Pane;
let page: Page;

type Snapshot = { sheets: Array<{ name: string; cells: Record<string, unknown>; charts: Array<{ name: string; type: string; title: string }> }>; tables: Array<{ name: string; sheet: string }>; created: number };
const snapshot = (): Promise<Snapshot> => inHost<Snapshot>(page, 'snapshot');
const aggregateTables = (s: Snapshot) => s.tables.filter((t) => !t.sheet.startsWith('Chase list'));

/** The sheets a workbook file lists (xl/workbook.xml), and which are hidden: read from the zip, whatever wrote it. */
function workbookSheets(bytes: Uint8Array): Array<{ name: string; hidden: boolean }> {
  const xml = strFromU8(unzipSync(bytes, { filter: (f) => f.name === 'xl/workbook.xml' })['xl/workbook.xml'] ?? new Uint8Array());
  return [...xml.matchAll(/<sheet\b([^>]*)\/?>/g)].map(([, attrs = '']) => ({
    name: /\bname="([^"]*)"/.exec(attrs)?.[1]?.replace(/&amp;/g, '&') ?? '',
    hidden: /\bstate="(hidden|veryHidden)"/.test(attrs),
  }));
}

/** A primary sends its return over the API, as its SENCo's pane would. */
async function send(laestab: string, pupils: number, status: 'submitted' | 'draft'): Promise<void> {
  const token = await pane.stack.token({ role: 'school', school: laestab });
  const rows = Array.from({ length: pupils }, (_, i) => row(i + 1, { feederPrimary: laestab, upn: upnFor(i + 1, laestab) }));
  const res = await pane.stack.fetch(`/returns/${laestab}/${YEAR}?status=${status}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
    body: JSON.stringify({ year: YEAR, sheets: [sheet(rows, `${SECONDARY.name} (${SECONDARY.laestab})`)], explanations: [] }),
  });
  expect(res.status).toBe(201);
}

async function signInAs(role: 'LA officer' | 'Trust lead', trust?: string): Promise<void> {
  await page.getByRole('button', { name: 'Use this identity' }).waitFor();
  await page.getByRole('radio', { name: role }).check();
  if (trust) {
    await page.getByRole('combobox', { name: 'Trust' }).click();
    await page.getByRole('option', { name: trust }).click();
  }
  await page.getByRole('button', { name: 'Use this identity' }).click();
}

async function showYear(): Promise<void> {
  await page.getByRole('textbox', { name: /Transfer year/ }).fill(String(YEAR));
}

beforeAll(async () => {
  pane = await startPane();
  page = pane.page;
  await send(ACORN.laestab, 6, 'submitted');
  await send(BRAMBLE.laestab, 2, 'draft');
});

afterAll(async () => {
  await pane?.stop();
});

describe('LA officer', () => {
  it('sees every expected school on the tracker, and filters it by status and area', async () => {
    await signInAs('LA officer');
    await page.getByRole('tab', { name: 'Tracker' }).waitFor();
    await showYear();
    await page.getByRole('button', { name: 'Refresh', exact: true }).click();
    await page.getByText('1 of 3 schools submitted').waitFor();
    const rows = page.getByRole('table', { name: 'Schools and their returns' }).getByRole('row');
    expect(await rows.count()).toBe(4);
    expect(await capture(page, 'tracker')).toEqual([]);

    await page.getByRole('combobox', { name: 'Status' }).selectOption('outstanding');
    await page.getByText('Showing 1 school of 3.').waitFor();
    expect(await rows.nth(1).textContent()).toContain(COPPERBEECH.name);
    await page.getByRole('combobox', { name: 'Status' }).selectOption('all');
    await page.getByRole('combobox', { name: 'Locality area' }).selectOption('North');
    await page.getByText('Showing 2 schools of 3.').waitFor();
    await page.getByRole('combobox', { name: 'Phase' }).selectOption('primary');
    await page.getByText('Showing 2 schools of 3.').waitFor();
  });

  it('writes the chase list sheet, refreshes it in place, and copies the addresses for a BCC', async () => {
    await page.getByRole('button', { name: 'Chase list' }).click();
    await page.getByText("'Chase list 2027-28' created").waitFor();
    const cells = (await snapshot()).sheets.find((s) => s.name === 'Chase list 2027-28')?.cells ?? {};
    expect([cells['4,1'], cells['5,1'], cells['5,2'], cells['5,4'], cells['6,1'], cells['6,4'], cells['7,1']]).toEqual([
      'School',
      COPPERBEECH.name,
      COPPERBEECH.laestab,
      'Outstanding',
      BRAMBLE.name,
      'Draft',
      undefined,
    ]);
    expect(typeof cells['5,5']).toBe('number');
    expect(cells['5,6']).toBe('senco.3302003@schools.example');

    await page.getByRole('button', { name: 'Refresh chase list' }).click();
    await page.getByText("'Chase list 2027-28' refreshed").waitFor();
    expect((await snapshot()).tables.filter((t) => t.sheet === 'Chase list 2027-28')).toHaveLength(1);

    await page.getByRole('button', { name: 'Copy e-mail addresses' }).click();
    // The directory has an address for Copperbeech only; Bramble's row has none to copy.
    expect(await page.getByRole('textbox', { name: 'Addresses of the schools to chase' }).inputValue()).toBe('senco.3302003@schools.example');
  });

  it("pulls the issue's four views as tables with charts, the cross-tab among them, and a refresh adds no duplicates", async () => {
    await page.getByRole('tab', { name: 'Aggregates' }).click();
    await showYear();
    await page.getByRole('button', { name: 'Pull aggregates' }).click();
    await page.getByText('4 tables and 4 charts written').waitFor();
    const first = await snapshot();
    const charts = first.sheets.flatMap((s) => s.charts);
    expect(aggregateTables(first).map((t) => [t.name, t.sheet])).toEqual([
      ['GS_need_by_provision', 'Need and provision'],
      ['GS_area_by_locality', 'Area of need by locality'],
      ['GS_secondary_by_provision', 'Receiving secondaries'],
      ['GS_support_by_provision', 'Support level'],
    ]);
    expect(charts.map((c) => c.type)).toEqual(['BarClustered', 'ColumnStacked', 'BarClustered', 'ColumnClustered']);
    expect(charts.every((c) => c.title !== '')).toBe(true);
    // The LA sees raw counts: Acorn's six pupils (SEN support, SLCN) go to Hillcrest, in the North; Bramble's draft is left out.
    expect(first.sheets.find((s) => s.name === 'Need and provision')?.cells['3,1']).toBeUndefined();
    const crosstab = first.sheets.find((s) => s.name === 'Area of need by locality')?.cells ?? {};
    const rowAt = (r: number) => Array.from({ length: 8 }, (_, c) => crosstab[`${r},${c + 1}`]);
    expect(rowAt(5)).toEqual(['Locality area', 'Cognition and Learning', 'Communication and Interaction', 'Social, Emotional and Mental Health', 'Sensory and/or Physical', 'No broad area (OTH or NSA)', 'No need recorded', 'Total']);
    expect(rowAt(7)).toEqual(['North', 0, 6, 0, 0, 0, 0, 6]);
    expect(rowAt(10)).toEqual(['Total', 0, 6, 0, 0, 0, 0, 6]);

    await page.getByRole('button', { name: 'Refresh aggregates' }).click();
    await page.getByText('4 tables and 4 charts refreshed').waitFor();
    const second = await snapshot();
    expect(aggregateTables(second)).toHaveLength(4);
    expect(second.sheets.flatMap((s) => s.charts)).toHaveLength(4);
    expect(second.sheets.map((s) => s.name)).toEqual(first.sheets.map((s) => s.name));
    expect(await capture(page, 'aggregates')).toEqual([]);
  });

  it('opens the consolidated return as a new workbook: a real workbook with the pupils and the city tables, nothing hidden', async () => {
    await page.getByRole('button', { name: 'Open consolidated return' }).click();
    await page.getByText('Opened in a new workbook').waitFor();
    expect((await snapshot()).created).toBe(1);
    const base64 = await page.evaluate(() => (window as unknown as { __host: { created: Array<{ base64: string }> } }).__host.created[0]?.base64 ?? '');
    const sheets = workbookSheets(Buffer.from(base64, 'base64'));
    expect(sheets.map((s) => s.name)).toEqual(expect.arrayContaining(['About', 'Pupils', 'By need', 'By area of need', 'By receiving secondary', 'By support level', 'By area of need and locality']));
    expect(sheets.filter((s) => s.hidden)).toEqual([]);
  });

  it('offers the consolidated return as a download where Excel cannot open a new workbook, and the file is the same kind of workbook', async () => {
    // An older Excel: no Excel.createWorkbook (ExcelApi 1.8).
    await page.evaluate(() => delete (window as unknown as { Excel: { createWorkbook?: unknown } }).Excel.createWorkbook);
    await page.getByRole('button', { name: 'Open consolidated return' }).click();
    await page.getByText('This Excel cannot open a new workbook from an add-in').waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: /^Download / }).click()]);
    expect(download.suggestedFilename()).toMatch(/\.xlsx$/);
    const file = await download.path();
    const sheets = workbookSheets(fs.readFileSync(file));
    expect(sheets.map((s) => s.name)).toContain('Pupils');
    expect(sheets.filter((s) => s.hidden)).toEqual([]);
    expect((await snapshot()).created).toBe(1);
    expect(await capture(page, 'consolidated-download')).toEqual([]);
  });
});

describe('trust lead', () => {
  it("sees the tracker and aggregates for the trust's schools only, disclosure-controlled", async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await signInAs('Trust lead', 'T1');
    await page.getByRole('tab', { name: 'Tracker' }).waitFor();
    await showYear();
    await page.getByRole('button', { name: 'Refresh', exact: true }).click();
    await page.getByText('0 of 2 schools submitted').waitFor();
    const names = await page.getByRole('table', { name: 'Schools and their returns' }).getByRole('row').allTextContents();
    expect(names.slice(1).map((n) => n.includes(BRAMBLE.name) || n.includes(COPPERBEECH.name))).toEqual([true, true]);
    expect(names.join(' ')).not.toContain(ACORN.name);
    expect(await capture(page, 'tracker-trust')).toEqual([]);

    await page.getByRole('tab', { name: 'Aggregates' }).click();
    await showYear();
    expect(await page.getByRole('button', { name: 'Open consolidated return' }).count()).toBe(0);
    await page.getByRole('button', { name: /aggregates/ }).click();
    await page.getByText(/from 0 of 2 primaries/).waitFor();
    await page.getByText(/statistical disclosure control/).waitFor();
    // The LA's sheets are rewritten in place with the trust's counts: none of Acorn's pupils, no new tables.
    const trustView = await snapshot();
    expect(aggregateTables(trustView)).toHaveLength(4);
    const crosstab = trustView.sheets.find((s) => s.name === 'Area of need by locality')?.cells ?? {};
    expect([crosstab['7,3'], crosstab['10,8']]).toEqual([0, 0]);
    expect(await capture(page, 'aggregates-trust')).toEqual([]);
  });
});
