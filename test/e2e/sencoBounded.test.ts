/**
 * The check step on a sheet with more problems than a report lists: the built pane in Chromium
 * on the in-memory workbook. The counts are of every problem, the list and the sheet's shading
 * are of the first REPORT_ISSUE_LIMIT, and a line says how many more there are.
 */
import type { Page } from 'playwright-core';
import { REPORT_ISSUE_LIMIT } from '../../shared/transition/schema';
import { TEST_SCHOOLS } from '../api/harness';
import { pupilGrid, pupilRange } from '../excelHost/pupilGrid';
import { type Pane, capture, inHost, startPane } from './paneHarness';

jest.setTimeout(180_000);

const PRIMARY = TEST_SCHOOLS[0] as (typeof TEST_SCHOOLS)[number];
const SECONDARY = TEST_SCHOOLS[3] as (typeof TEST_SCHOOLS)[number];

let pane: Pane;
let page: Page;

beforeAll(async () => {
  pane = await startPane();
  page = pane.page;
});

afterAll(async () => {
  await pane?.stop();
});

describe('the check step on 300 pupils, each with a sex code that is not in the list', () => {
  it('counts all 300 errors, lists and shades the first 200, and says 100 more are not shown', async () => {
    await page.getByRole('button', { name: 'Use this identity' }).click();
    await page.getByRole('textbox', { name: /Receiving secondary school/ }).fill(`${SECONDARY.name} (${SECONDARY.laestab})`);
    await page.getByRole('button', { name: 'Create transition sheet' }).click();
    await page.getByText("Created 'Transition'").waitFor();
    await inHost(page, 'edit', 'Transition', pupilRange(300), pupilGrid(300, () => ({ feederPrimary: PRIMARY.laestab, sex: 'X' })));

    await page.getByRole('button', { name: 'Go to Check' }).click();
    await page.getByRole('button', { name: 'Check sheet' }).click();
    await page.getByText('300 errors', { exact: true }).waitFor();
    await page.getByText(`Errors (300, the first ${REPORT_ISSUE_LIMIT} shown)`).waitFor();
    await page.getByText('100 more issues are not shown; fix these and check again.').waitFor();
    // The rule's count is of every problem; "Show all" opens the listed ones.
    await page.getByRole('button', { name: `Show all ${REPORT_ISSUE_LIMIT} listed` }).waitFor();
    expect(await page.getByLabel('300 problems').count()).toBe(1);
    expect(await capture(page, 'check-bounded')).toEqual([]);

    // Row 10 is the first pupil: the 200th listed is row 209, the first left out row 210.
    expect(await inHost(page, 'displayedFill', 'Transition', 'D209')).toBe('#FDE7E9');
    expect(await inHost(page, 'displayedFill', 'Transition', 'D210')).toBeUndefined();
  });
});
