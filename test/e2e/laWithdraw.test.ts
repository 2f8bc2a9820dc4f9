/**
 * The LA officer undoes a mistaken publish from the pane: the built pane in Chromium, the
 * in-memory workbook, the local API on the embedded Cosmos server. The withdraw asks first,
 * then `latest` and the RB.* functions go back to the newest year that remains.
 */
import type { Page } from 'playwright-core';
import { BUNDLED_RESOURCE_BASES } from '../../shared/resourceBases/dataset';
import { type Pane, capture, inHost, startPane } from './paneHarness';

jest.setTimeout(180_000);

let pane: Pane;
let page: Page;
let la: string;

beforeAll(async () => {
  pane = await startPane();
  page = pane.page;
  la = await pane.stack.token({ role: 'la' });
});

afterAll(async () => {
  await pane?.stop();
});

const east = BUNDLED_RESOURCE_BASES.rows[0] as { area: string; need: string; places: number; cost: number };
const latestYear = async (): Promise<string | null> => (await pane.stack.fetch('/resource-bases/latest', { headers: { authorization: `Bearer ${la}` } })).headers.get('content-location');

/** RB.COSTPERPLACE(area, need) through the bundle's association, as Excel would call it. */
const costPerPlace = (area: string, need: string): Promise<unknown> =>
  page.evaluate(
    async ([a, n]) => {
      const fns = (window as unknown as { __associated: Record<string, (...args: unknown[]) => Promise<unknown>> }).__associated;
      return fns['RB.COSTPERPLACE']?.([[a]], [[n]]);
    },
    [area, need] as const,
  );

describe('LA officer: withdrawing a dataset published by mistake', () => {
  it('publishes 2099-00 over 2027-28 by mistake, withdraws it after confirming, and latest and RB.COSTPERPLACE go back to 2027-28', async () => {
    // 2027-28 as the LA published it: every cost doubled.
    const { publishedAt: _at, ...bundled } = BUNDLED_RESOURCE_BASES;
    const doubled = { ...bundled, academicYear: '2027-28', rows: bundled.rows.map((r) => ({ ...r, cost: r.cost * 2 })) };
    const put = await pane.stack.fetch('/resource-bases/2027-28', {
      method: 'PUT',
      headers: { authorization: `Bearer ${la}`, 'content-type': 'application/json', 'idempotency-key': 'publish-2027-28' },
      body: JSON.stringify(doubled),
    });
    expect(put.status).toBe(201);

    await page.getByRole('radio', { name: 'LA officer' }).click();
    await page.getByRole('button', { name: 'Use this identity' }).click();
    await page.getByRole('tab', { name: 'Resource bases' }).click();
    await page.getByRole('button', { name: 'Edit resource bases' }).click();
    await page.getByText(/^Editing 2027-28/).waitFor();

    // The mistake: next year's draft figures (East ASD at 110 places) published, as 2099-00.
    await inHost(page, 'edit', 'Resource bases', 'B3', '2099-00');
    await inHost(page, 'edit', 'Resource bases', 'C7', 110);
    await page.getByRole('button', { name: 'Publish' }).click();
    await page.getByText('Published 2099-00').waitFor();
    expect(await latestYear()).toBe('/api/resource-bases/2099-00');
    expect(await costPerPlace('East', 'ASD')).toEqual([[(east.cost * 2) / 110]]);

    await page.getByRole('button', { name: 'Withdraw 2099-00…' }).click();
    await page.getByText('Withdraw the 2099-00 dataset?').waitFor();
    expect(await capture(page, 'resource-bases-withdraw-confirm')).toEqual([]);
    // Asking sends nothing.
    expect(await latestYear()).toBe('/api/resource-bases/2099-00');
    await page.getByRole('button', { name: 'Withdraw 2099-00', exact: true }).click();
    await page.getByText('Withdrew 2099-00').waitFor();
    await page.getByText(/recalculated on the 2027-28 dataset, now the latest/).waitFor();
    expect(await capture(page, 'resource-bases-withdrawn')).toEqual([]);

    expect(await latestYear()).toBe('/api/resource-bases/2027-28');
    expect((await pane.stack.fetch('/resource-bases/2099-00', { headers: { authorization: `Bearer ${la}` } })).status).toBe(404);
    expect(await costPerPlace('East', 'ASD')).toEqual([[(east.cost * 2) / east.places]]);
  });
});
