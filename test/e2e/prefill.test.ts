/**
 * Prefill from MIS in the built pane: the SENCo chooses a Common Transfer File, the pane reads it
 * in the browser and writes the Year 6 pupils' prefilled cells; on a sheet with pupils it asks
 * first and never touches the columns the SENCo typed.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { sampleCtf } from '../../samples/ctf';
import { TEST_SCHOOLS } from '../api/harness';
import { aReturn, row, sheet, upnFor } from '../factories/transition';
import { prefillFromCtf, prefillSummary, readCtf } from '../../shared/ctf';
import { type Pane, capture, inHost, startPane } from './paneHarness';

jest.setTimeout(180_000);

const PRIMARY = TEST_SCHOOLS[0] as (typeof TEST_SCHOOLS)[number];
let pane: Pane;
let page: Page;
let dir: string;

/** A CTF from the primary's MIS with `count` Year 6 pupils (plus pupils in other years). */
function ctfFile(name: string, count: number): string {
  const rows = Array.from({ length: count }, (_, i) => row(i + 1, { feederPrimary: PRIMARY.laestab, upn: upnFor(i + 1, PRIMARY.laestab) }));
  const file = path.join(dir, name);
  fs.writeFileSync(file, sampleCtf({ school: PRIMARY, year: 2027, ret: aReturn(count, { sheets: [sheet(rows)] }), seed: 7, style: 1 }));
  return file;
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'goodstart-ctf-'));
  pane = await startPane();
  page = pane.page;
  await page.getByRole('button', { name: 'Use this identity' }).click();
  await page.getByRole('button', { name: 'Create transition sheet' }).click();
  await page.getByText("Created 'Transition'").waitFor();
});

afterAll(async () => {
  await pane?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('prefill from MIS (CTF)', () => {
  it('writes the Year 6 pupils into an empty sheet, read in the browser', async () => {
    const file = ctfFile('first.ctf.xml', 4);
    // What the shared reader makes of the same file: the pane must write exactly that.
    const expected = prefillFromCtf(readCtf(new Uint8Array(fs.readFileSync(file))));
    expect(expected.rows.length).toBeGreaterThanOrEqual(4);
    await page.getByTestId('ctf-file').setInputFiles(file);
    await page.getByText(prefillSummary(expected)).waitFor();
    const upns = (await inHost<unknown[][]>(page, 'grid', 'Transition', `F10:F${9 + expected.rows.length}`)).flat();
    expect(upns).toEqual(expected.rows.map((r) => r.upn));
    expect(upns.slice(0, 4)).toEqual([1, 2, 3, 4].map((n) => upnFor(n, PRIMARY.laestab)));
    // Only the prefilled columns: attendance (Z) is the SENCo's to fill.
    expect(await inHost(page, 'value', 'Transition', 'Z10')).toBeUndefined();
    expect(await inHost(page, 'value', 'Transition', 'E10')).toBe(PRIMARY.laestab);
    expect(typeof (await inHost(page, 'value', 'Transition', 'C10'))).toBe('number');
  });

  it('on a sheet with pupils, asks first, updates only prefilled cells and adds new pupils', async () => {
    await inHost(page, 'edit', 'Transition', 'Z10', 96);
    await inHost(page, 'edit', 'Transition', 'A10', 'Mistyped');
    const before = (await inHost<unknown[][]>(page, 'grid', 'Transition', 'F10:F30')).flat().filter((v) => v !== '');
    await page.getByTestId('ctf-file').setInputFiles(ctfFile('second.ctf.xml', 5));
    await page.getByText('Update the sheet from the CTF?').waitFor();
    // Only the column that differs is named: the surname typed over in A10.
    await page.getByText("1 pupil matched by UPN, with the CTF's values taking the place of yours in Legal surname.").waitFor();
    expect(await capture(page, 'prefill')).toEqual([]);
    await page.getByRole('button', { name: 'Update the sheet' }).click();
    await page.getByText(/1 pupil added, 1 pupil updated/).waitFor();
    expect(await inHost(page, 'value', 'Transition', 'A10')).not.toBe('Mistyped');
    expect(await inHost(page, 'value', 'Transition', 'Z10')).toBe(96);
    // The new pupil goes below the rows already there.
    expect(await inHost(page, 'value', 'Transition', `F${10 + before.length}`)).toBe(upnFor(5, PRIMARY.laestab));
  });

  it('refuses a hostile file before expanding anything, and says what to do', async () => {
    const bad = path.join(dir, 'bomb.ctf.xml');
    fs.writeFileSync(bad, '<?xml version="1.0"?><!DOCTYPE CTfile [<!ENTITY a "aaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]><CTfile>&b;</CTfile>');
    const before = await inHost<unknown[][]>(page, 'grid', 'Transition', 'A10:AM20');
    await page.getByTestId('ctf-file').setInputFiles(bad);
    await page.getByText('This file cannot be used').waitFor();
    expect(await inHost(page, 'grid', 'Transition', 'A10:AM20')).toEqual(before);
  });
});
