/**
 * The LA's resource base dataset and the trust lead's sheets end to end: the built pane in
 * Chromium, the in-memory workbook, the local API on the embedded Cosmos server, driven by clicks.
 * The custom functions run in the same page, so RB.COSTPERPLACE is called through the bundle.
 */
import type { Page } from 'playwright-core';
import { BUNDLED_RESOURCE_BASES } from '../../shared/resourceBases/dataset';
import { type Pane, capture, eventually, inHost, startPane } from './paneHarness';

jest.setTimeout(180_000);

let pane: Pane;

beforeAll(async () => {
  pane = await startPane();
});

afterAll(async () => {
  await pane?.stop();
});

async function signInAs(p: Page, role: 'LA officer' | 'Trust lead'): Promise<void> {
  await p.getByRole('button', { name: 'Use this identity' }).waitFor();
  await p.getByRole('radio', { name: role }).click();
  await p.getByRole('button', { name: 'Use this identity' }).click();
}

/** RB.COSTPERPLACE(area, need) through the bundle's association, as Excel would call it. */
const costPerPlace = (p: Page, area: string, need: string): Promise<unknown> =>
  p.evaluate(
    async ([a, n]) => {
      const fns = (window as unknown as { __associated: Record<string, (...args: unknown[]) => Promise<unknown>> }).__associated;
      return fns['RB.COSTPERPLACE']?.([[a]], [[n]]);
    },
    [area, need] as const,
  );

const recalculations = (p: Page): Promise<number> => p.evaluate(() => (window as unknown as { __host: { recalculations: number } }).__host.recalculations);

describe('LA officer: the resource base dataset', () => {
  let page: Page;
  const east = BUNDLED_RESOURCE_BASES.rows[0] as { area: string; need: string; places: number; cost: number };

  beforeAll(async () => {
    page = pane.page;
    await signInAs(page, 'LA officer');
  });

  it('loads the dataset into a sheet as a table', async () => {
    await page.getByRole('tab', { name: 'Resource bases' }).click();
    await page.getByRole('button', { name: 'Edit resource bases' }).click();
    await page.getByText(/^Editing 2019-20/).waitFor();
    expect(await inHost(page, 'value', 'Resource bases', 'B3')).toBe('2019-20');
    expect(await inHost(page, 'grid', 'Resource bases', 'A7:D7')).toEqual([[east.area, east.need, east.places, east.cost]]);
  });

  it('lists problems at their cells before anything is sent', async () => {
    await inHost(page, 'edit', 'Resource bases', 'C8', 'lots');
    await page.getByRole('button', { name: 'Publish' }).click();
    await page.getByText('1 problem to fix before publishing').waitFor();
    await page.getByRole('button', { name: 'C8' }).waitFor();
    expect(await inHost(page, 'fill', 'Resource bases', 'C8')).toBe('#FDE7E9');
    expect(await capture(page, 'resource-bases')).toEqual([]);
  });

  it('publishes an edit, and RB.COSTPERPLACE reflects it after Excel recalculates', async () => {
    expect(await costPerPlace(page, 'East', 'ASD')).toEqual([[east.cost / east.places]]);
    const before = await recalculations(page);
    await inHost(page, 'edit', 'Resource bases', 'C8', 56);
    await inHost(page, 'edit', 'Resource bases', 'C7', 110);
    await page.getByRole('button', { name: 'Publish' }).click();
    await page.getByText('Published 2019-20').waitFor();
    expect(await inHost(page, 'fill', 'Resource bases', 'C8')).toBeUndefined();
    expect(await recalculations(page)).toBe(before + 1);
    expect(await costPerPlace(page, 'East', 'ASD')).toEqual([[east.cost / 110]]);
    expect(await capture(page, 'resource-bases-published')).toEqual([]);
  });

  it("explains a colleague's publish in the meantime (412), and sends nothing over it", async () => {
    const token = await pane.stack.token({ role: 'la' });
    const latest = (await (await pane.stack.fetch('/resource-bases/latest', { headers: { authorization: `Bearer ${token}` } })).json()) as Record<string, unknown>;
    const { publishedAt: _at, ...kept } = latest;
    const theirs = { ...kept, rows: (latest['rows'] as Array<Record<string, unknown>>).map((r, i) => (i === 1 ? { ...r, places: 60 } : r)) };
    const put = await pane.stack.fetch('/resource-bases/2019-20', {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': 'colleague-1' },
      body: JSON.stringify(theirs),
    });
    expect(put.status).toBe(200);
    await inHost(page, 'edit', 'Resource bases', 'C9', 99);
    await page.getByRole('button', { name: 'Publish' }).click();
    await page.getByText('Someone else published the dataset after you loaded it.').waitFor();
    await eventually(async () => {
      const res = await pane.stack.fetch('/resource-bases/latest', { headers: { authorization: `Bearer ${token}` } });
      return ((await res.json()) as { rows: Array<{ places: number }> }).rows.slice(0, 3).map((r) => r.places);
    }, [110, 60, 107]);
  });
});

describe('trust lead: toolkit grid and costing sheet', () => {
  let page: Page;

  beforeAll(async () => {
    page = await pane.open();
    await signInAs(page, 'Trust lead');
  });

  it('inserts a toolkit grid with its formula rows wired and a support chart', async () => {
    await page.getByRole('tab', { name: 'Toolkit grid' }).click();
    await page.getByRole('button', { name: 'Insert toolkit grid' }).click();
    await page.getByText("'Toolkit grid' inserted").waitFor();
    expect(await capture(page, 'toolkit-grid')).toEqual([]);
    // 16 bands × 3 placeholder criteria in rows 5–52; 30 pupils in B–AE.
    expect(await inHost(page, 'formula', 'Toolkit grid', 'B54')).toBe('=TOOLKIT.BAND(A5:AE52)');
    expect(await inHost(page, 'formula', 'Toolkit grid', 'AE56')).toBe('=TOOLKIT.GAP(AE54,$B$2,$D$2)');
    expect(await inHost(page, 'formula', 'Toolkit grid', 'AE57')).toBe('=TOOLKIT.SUPPORT(AE54,$B$2,AE55,$D$2)');
    expect(await inHost(page, 'formula', 'Toolkit grid', 'AI5')).toBe('=COUNTIF($B$57:$AE$57,"Universal")');
  });

  it('asks before replacing a grid that has content', async () => {
    await page.getByRole('button', { name: 'Insert toolkit grid' }).click();
    await page.getByText("'Toolkit grid' already has content").waitFor();
    await page.getByRole('button', { name: 'Keep it' }).click();
    expect(await inHost(page, 'formula', 'Toolkit grid', 'B54')).toBe('=TOOLKIT.BAND(A5:AE52)');
  });

  it('inserts the costing sheet with RB.* formulas and a chart', async () => {
    await page.getByRole('tab', { name: 'Costing' }).click();
    await page.getByRole('textbox', { name: /Intake for sufficiency/ }).fill('2027');
    await page.getByRole('button', { name: 'Insert costing sheet' }).click();
    await page.getByText("'Costing' inserted").waitFor();
    expect(await capture(page, 'costing')).toEqual([]);
    expect(await inHost(page, 'grid', 'Costing', 'A6:E6')).toEqual([['East', 'ASD/C&L/SLCN', '=RB.PLACES($A6,$B6)', '=RB.COSTPERPLACE($A6,$B6)', '=RB.SUFFICIENCY($A6,$B6,$B$3)']]);
    expect(await inHost(page, 'value', 'Costing', 'B3')).toBe(2027);
  });
});
