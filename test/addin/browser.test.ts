/**
 * The shipped artefact in a browser: the built functions.js is loaded in headless Chromium under
 * a `CustomFunctions` shim, registers itself through `associate`, and every function listed in
 * the generated functions.json is evaluated against expected values. The API is unreachable
 * (every request leaving the test server is aborted), so the RB functions show the offline
 * behaviour: the bundled 2019-20 dataset, and #N/A for sufficiency.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { builtAddin } from './builtAddin';
import { CHROMIUM, CHROMIUM_ARGS as ARGS, serveBuilt } from './serveBuilt';


interface FunctionMetadata {
  id: string;
  name: string;
  parameters: { name: string; optional?: boolean; dimensionality?: string; type?: string }[];
}

/** Expected parameter names per id; [x] is optional. The list is the product's public surface. */
const EXPECTED_SIGNATURES: Record<string, string[]> = {
  'TOOLKIT.BAND': ['grid', '[threshold]'],
  'TOOLKIT.GAP': ['band', 'yearGroup', '[term]'],
  'TOOLKIT.SUPPORT': ['band', 'yearGroup', '[bandsGained12m]', '[term]'],
  'TOOLKIT.PROGRESS': ['fromBandOrHistory', '[toBand]', '[months]'],
  'TOOLKIT.TREND': ['history', '[yearGroup]', '[asOf]'],
  'TOOLKIT.GROUPPROGRESS': ['history', 'pupils', 'groupColumn', '[from]', '[to]'],
  'RB.COSTPERPLACE': ['[area]', '[need]', '[phase]'],
  'RB.COSTPERPLACERANGE': ['costs', 'places'],
  'RB.PLACES': ['[area]', '[need]', '[phase]'],
  'RB.SUFFICIENCY': ['[area]', '[need]', '[year]'],
  'SEND.UPNCHECK': ['upn'],
  'SEND.UPNLETTER': ['upn'],
  'SEND.NEEDAREA': ['code'],
};

type Outcome = { value: unknown } | { error: { shim: boolean; code: string; message: string } };

/** Arguments as Excel passes them: matrix parameters as 2-D arrays, scalars as values, omitted as undefined. */
const CASES: { id: string; args: unknown[]; expect: (o: Outcome) => void }[] = [
  {
    id: 'TOOLKIT.BAND',
    args: [[['Band', 'Ali', 'Bea'], ['N.1', 1, 'S'], ['N.1', 'TRUE', ''], ['N.2', '✓', 0], ['N.2', 1, null]]],
    expect: (o) => expect(o).toEqual({ value: [['N.2', 'Pre-N.1']] }),
  },
  { id: 'TOOLKIT.GAP', args: [[['Y4.1']], [[6]]], expect: (o) => expect(o).toEqual({ value: [[4]] }) },
  { id: 'TOOLKIT.GAP', args: [[['Y4.1'], ['Y4.1']], [[6]], [['summer'], ['autumn']]], expect: (o) => expect(o).toEqual({ value: [[5], [3]] }) },
  { id: 'TOOLKIT.SUPPORT', args: [[['Y4.1']], [[6]]], expect: (o) => expect(o).toEqual({ value: [['Targeted']] }) },
  { id: 'TOOLKIT.SUPPORT', args: [[['Y4.1']], [[6]], null, [['summer']]], expect: (o) => expect(o).toEqual({ value: [['Specialist']] }) },
  {
    id: 'TOOLKIT.GAP',
    args: [[['Y4.1']], [[6]], [['winter']]],
    expect: (o) => expect(o).toEqual({ value: [[{ shim: true, code: '#VALUE!', message: expect.stringContaining('"winter" is not a term') }]] }),
  },
  {
    id: 'TOOLKIT.SUPPORT',
    args: [[['Y4.1'], ['Y6.1'], ['']], [['6']], undefined],
    expect: (o) => expect(o).toEqual({ value: [['Targeted'], ['Universal'], ['']] }),
  },
  { id: 'TOOLKIT.PROGRESS', args: [[['Y3.1'], ['Y3.1']], [['Y4.1'], ['Y5.1']], [[12]]], expect: (o) => expect(o).toEqual({ value: [['Holding'], ['Accelerated']] }) },
  { id: 'TOOLKIT.PROGRESS', args: [[['Y3.1']], [['Y4.1']], [[2]]], expect: (o) => expect(o).toEqual({ value: [['Too soon to tell']] }) },
  {
    id: 'TOOLKIT.TREND',
    args: [[['U820200101001', 'Literacy', 'RD1', '2025-09-15', 'Y3.1'], ['U820200101001', 'Literacy', 'RD1', '2026-03-15', 'Y4.1']], [[5]], undefined],
    expect: (o) => expect(o).toEqual({ value: [['Date', 'Term', 'Expected band', 'Gap', 'RD1'], ['2025-09-15', 'autumn', 'Y4.2', 3, 'Y3.1'], ['2026-03-15', 'spring', 'Y5.1', 2, 'Y4.1']] }),
  },
  {
    id: 'TOOLKIT.GROUPPROGRESS',
    args: [
      [['U820200101001', 'Literacy', 'RD1', '2025-09-15', 'Y3.1'], ['U820200101001', 'Literacy', 'RD1', '2026-09-15', 'Y4.1']],
      [['UPN', 'Class'], ['U820200101001', '5B']],
      [['Class']],
      undefined,
      undefined,
    ],
    expect: (o) => expect(o).toEqual({ value: [['Class', 'Widening', 'Holding', 'Accelerated', 'Too soon to tell', 'Not assessed', 'Pupils'], ['5B', 0, 1, 0, 0, 0, 1]] }),
  },
  {
    id: 'RB.COSTPERPLACE',
    args: [undefined, undefined, undefined],
    expect: (o) => {
      const v = (o as { value: number[][] }).value;
      expect(Math.round(v[0]?.[0] ?? 0)).toBe(16678);
    },
  },
  { id: 'RB.COSTPERPLACERANGE', args: [[[100], [200]], [[1], [2]]], expect: (o) => expect(o).toEqual({ value: 100 }) },
  { id: 'RB.PLACES', args: [[['East']], [['ASD']], undefined], expect: (o) => expect(o).toEqual({ value: [[55]] }) },
  { id: 'RB.PLACES', args: [undefined, undefined, undefined], expect: (o) => expect(o).toEqual({ value: [[659]] }) },
  {
    id: 'RB.SUFFICIENCY',
    args: [[['East']], [['ASD']], undefined],
    expect: (o) => expect(o).toEqual({ error: { shim: true, code: '#N/A', message: expect.stringMatching(/not available|sign in/) } }),
  },
  { id: 'SEND.UPNCHECK', args: [[['U820200101001'], ['Z820200101001'], [null]]], expect: (o) => expect(o).toEqual({ value: [[true], [false], ['']] }) },
  { id: 'SEND.UPNLETTER', args: [[['820200101001'], ['U820200101001']]], expect: (o) => expect(o).toEqual({ value: [['U'], ['U']] }) },
  { id: 'SEND.NEEDAREA', args: [[['ASD']]], expect: (o) => expect(o).toEqual({ value: [['Communication and Interaction']] }) },
  {
    id: 'SEND.NEEDAREA',
    args: [[['ASD'], ['XYZ']]],
    expect: (o) => {
      const row = (o as { value: unknown[][] }).value[1]?.[0] as { shim: boolean; code: string; message: string };
      expect(row).toEqual({ shim: true, code: '#VALUE!', message: expect.stringContaining('XYZ') });
    },
  },
];

/** The page Excel's runtime would be: a CustomFunctions that records associations, then the bundle. */
const SHIM_PAGE = `<!doctype html><meta charset="utf-8"><title>custom functions shim</title>
<script>
  window.__associated = {};
  window.__associateCalls = [];
  class ShimError extends Error {
    constructor(code, message) { super(message || ''); this.code = code; this.name = 'CustomFunctions.Error'; }
  }
  window.CustomFunctions = {
    associate(id, fn) { window.__associateCalls.push(id); window.__associated[id] = fn; },
    Error: ShimError,
    ErrorCode: { invalidValue: '#VALUE!', notAvailable: '#N/A', divisionByZero: '#DIV/0!', invalidNumber: '#NUM!', nullReference: '#NULL!', invalidName: '#NAME?', invalidReference: '#REF!' },
  };
  const cell = (v) => v instanceof ShimError ? { shim: true, code: v.code, message: v.message }
    : v instanceof Error ? { shim: false, code: v.name, message: v.message }
    : Array.isArray(v) ? v.map(cell) : v;
  window.__call = async (id, args) => {
    try { return { value: cell(await window.__associated[id](...args)) }; }
    catch (e) { return { error: cell(e) }; }
  };
</script>
<script src="functions.js"></script>`;

describe('the built custom functions in Chromium', () => {
  let dist: string;
  let server: http.Server;
  let origin: string;
  let browser: Browser;
  let page: Page;
  const outbound: string[] = [];

  beforeAll(async () => {
    dist = await builtAddin();
    server = await serveBuilt(dist, { '/shim.html': SHIM_PAGE });
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    page = await browser.newPage();
    // Signed in, but the API cannot be reached: every request off the test server fails.
    await page.addInitScript(() => sessionStorage.setItem('goodstart.accessToken', 'test-token'));
    await page.route(
      (url) => !url.href.startsWith(origin),
      (route) => {
        outbound.push(route.request().url());
        return route.abort('connectionrefused');
      },
    );
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${origin}/shim.html`);
    await page.waitForFunction(() => Object.keys((window as unknown as { __associated: object }).__associated).length > 0);
    expect(errors).toEqual([]);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((r) => server?.close(r));
  });

  const metadata = (): FunctionMetadata[] => (JSON.parse(fs.readFileSync(path.join(dist, 'functions.json'), 'utf8')) as { functions: FunctionMetadata[] }).functions;

  test('functions.json lists exactly the 13 functions, with their parameters, under their Excel names', () => {
    const fns = metadata();
    expect(fns.map((f) => f.id).sort()).toEqual(Object.keys(EXPECTED_SIGNATURES).sort());
    for (const f of fns) {
      expect(f.name).toBe(f.id);
      expect([f.id, f.parameters.map((p) => (p.optional ? `[${p.name}]` : p.name))]).toEqual([f.id, EXPECTED_SIGNATURES[f.id]]);
    }
  });

  test('the bundle associates every function in the metadata exactly once, and nothing else', async () => {
    const calls = await page.evaluate(() => (window as unknown as { __associateCalls: string[] }).__associateCalls);
    expect([...calls].sort()).toEqual(metadata().map((f) => f.id).sort());
  });

  test('every function in the metadata has an expected-value case here', () => {
    const covered = new Set(CASES.map((c) => c.id));
    expect(metadata().filter((f) => !covered.has(f.id))).toEqual([]);
  });

  test.each(CASES.map((c, i) => [`${c.id} #${i}`, c] as const))('%s gives the expected cell values', async (_name, c) => {
    const outcome = await page.evaluate(([id, args]) => (window as unknown as { __call: (id: string, a: unknown[]) => Promise<unknown> }).__call(id, args), [c.id, c.args] as const);
    c.expect(outcome as Outcome);
  });

  test('offline, the dataset was asked for once in all these cells, and a burst of 500 more reuses the fallback', async () => {
    const before = outbound.length;
    const results = await page.evaluate(async () => {
      const w = window as unknown as { __call: (id: string, a: unknown[]) => Promise<{ value?: number[][] }> };
      return Promise.all(Array.from({ length: 500 }, () => w.__call('RB.PLACES', [[['North']], undefined, undefined])));
    });
    expect(new Set(results.map((r) => JSON.stringify(r)))).toEqual(new Set([JSON.stringify({ value: [[107]] })]));
    expect(outbound.length).toBe(before);
    expect(outbound.filter((u) => u.includes('/resource-bases/'))).toEqual(['http://localhost:7071/api/resource-bases/latest']);
    expect(outbound.filter((u) => u.includes('/aggregates/')).every((u) => /\/aggregates\/\d{4}\?by=area$/.test(u))).toBe(true);
  });

  test('the task pane page renders its header and the function list (office.js unreachable)', async () => {
    const pane = await browser.newPage();
    await pane.route(
      (url) => !url.href.startsWith(origin),
      (route) => route.abort('connectionrefused'),
    );
    await pane.goto(`${origin}/taskpane.html`);
    await pane.getByRole('heading', { name: 'Good Start' }).waitFor({ timeout: 15_000 });
    await pane.locator('[data-function-id="SEND.NEEDAREA"]').waitFor({ timeout: 15_000 });
    expect(await pane.locator('[data-function-id]').count()).toBe(13);
    await expect(pane.getByText('Service unreachable').waitFor({ timeout: 15_000 })).resolves.toBeUndefined();
    await pane.close();
  });

  test('a function\'s help URL opens the pane at that function, with its parameters explained', async () => {
    const pane = await browser.newPage({ viewport: { width: 360, height: 700 } });
    await pane.route(
      (url) => !url.href.startsWith(origin),
      (route) => route.abort('connectionrefused'),
    );
    await pane.goto(`${origin}/taskpane.html#RB.SUFFICIENCY`);
    const card = pane.locator('[id="RB.SUFFICIENCY"]');
    await card.waitFor({ timeout: 15_000 });
    await pane.waitForFunction(() => {
      const box = document.getElementById('RB.SUFFICIENCY')?.getBoundingClientRect();
      return box !== undefined && box.top >= 0 && box.top < window.innerHeight;
    }, undefined, { timeout: 15_000 });
    expect(await card.locator('li').count()).toBe(3);
    expect(await card.innerText()).toMatch(/area/);
    await pane.close();
  });
});
