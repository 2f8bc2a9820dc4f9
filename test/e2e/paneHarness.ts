/**
 * The task pane under test as a user meets it: the BUILT bundle (a production webpack build with
 * the developer sign-in), served on loopback, in headless Chromium, with the in-memory Excel host
 * served in place of office.js, against the local API on the embedded Cosmos server.
 *
 * Every view gets a screenshot in test-results/taskpane/<view>.png and an axe-core entry in
 * test-results/taskpane/axe.json (git-ignored), so a person can look at what the tests saw.
 */
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { builtAddin, REPO } from '../addin/builtAddin';
import { CHROMIUM, CHROMIUM_ARGS as ARGS, serveBuilt } from '../addin/serveBuilt';
import { startStack, type Stack } from '../api/harness';

/** The API URL baked into the build (the committed default); the browser's calls to it are routed to the test stack. */
const BUILT_API = 'http://localhost:7071/api';
const OFFICE_JS = 'https://appsforoffice.microsoft.com/lib/1/hosted/office.js';
export const RESULTS = path.join(REPO, 'test-results/taskpane');
/** A task pane is narrow: Excel's default is about 350 px. */
export const PANE_VIEWPORT = { width: 380, height: 900 };

let hostBundle: string | undefined;

/** The in-memory Excel host, bundled for the browser. */
async function fakeHostScript(): Promise<string> {
  if (hostBundle) return hostBundle;
  const esbuild = require('esbuild') as typeof import('esbuild');
  const out = await esbuild.build({ entryPoints: [path.join(REPO, 'test/excelHost/browserEntry.ts')], bundle: true, format: 'iife', write: false, target: 'es2020', logLevel: 'silent' });
  hostBundle = out.outputFiles[0]?.text ?? '';
  return hostBundle;
}

export interface Pane {
  stack: Stack;
  browser: Browser;
  context: BrowserContext;
  page: Page;
  origin: string;
  /** false: the API is "down" (every request to it fails as a network error). */
  setApiUp(up: boolean): void;
  /** Opens a fresh page (a new Excel window with an empty workbook). */
  open(): Promise<Page>;
  stop(): Promise<void>;
}

export async function startPane(): Promise<Pane> {
  const [dist, script] = await Promise.all([builtAddin({ devSignIn: true }), fakeHostScript()]);
  const server = await serveBuilt(dist);
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // The API answers the pane's origin with CORS headers, as it answers the add-in's host in production.
  const stack = await startStack({ corsOrigins: [origin] });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
  const context = await browser.newContext({ viewport: PANE_VIEWPORT, locale: 'en-GB', timezoneId: 'Europe/London' });
  let apiUp = true;
  // Nothing else leaves the machine. Registered first: Playwright tries the newest route first.
  await context.route(/^https?:\/\/(?!127\.0\.0\.1|localhost)/, (route) => route.abort('blockedbyclient'));
  await context.route(`${OFFICE_JS}*`, (route) => route.fulfill({ status: 200, contentType: 'text/javascript', body: script }));
  await context.route(`${BUILT_API}/**`, async (route) => {
    if (!apiUp) {
      await route.abort('connectionrefused');
      return;
    }
    const target = route.request().url().replace(BUILT_API, stack.baseUrl);
    try {
      const response = await route.fetch({ url: target });
      await route.fulfill({ response });
    } catch {
      await route.abort('connectionrefused');
    }
  });
  const open = async (): Promise<Page> => {
    const p = await context.newPage();
    await p.goto(`${origin}/taskpane.html`);
    return p;
  };
  const page = await open();
  return {
    stack,
    browser,
    context,
    page,
    origin,
    setApiUp: (up) => {
      apiUp = up;
    },
    open,
    stop: async () => {
      await browser.close();
      await new Promise((r) => server.close(r));
      await stack.stop();
    },
  };
}

/** Runs `fn` against the in-memory workbook inside the page (window.__host). */
export async function inHost<T>(page: Page, fn: string, ...args: unknown[]): Promise<T> {
  return page.evaluate(
    ([body, a]) => {
      const host = (window as unknown as { __host: Record<string, (...x: unknown[]) => unknown> }).__host;
      return (host[body as string] as (...x: unknown[]) => unknown).apply(host, a as unknown[]) as T;
    },
    [fn, args] as const,
  );
}

export interface AxeEntry {
  view: string;
  violations: Array<{ id: string; impact: string | null; help: string; nodes: number; targets: string[] }>;
}

/** axe-core over the whole page; the entry is written beside the screenshots. */
export async function axe(page: Page, view: string): Promise<AxeEntry> {
  const source = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  await page.addScriptTag({ content: source });
  const result = await page.evaluate(async () => {
    const w = window as unknown as { axe: { run(ctx: unknown, opts: unknown): Promise<{ violations: Array<{ id: string; impact: string | null; help: string; nodes: Array<{ target: string[] }> }> }> } };
    // Tabster's focus sentinels (Fluent UI's <i data-tabster-dummy tabindex=0 aria-hidden>) move focus
    // on; axe reads them as focusable hidden content, so they are left out, and nothing else is.
    return w.axe.run({ include: [['body']], exclude: [['[data-tabster-dummy]']] }, { resultTypes: ['violations'] });
  });
  const entry: AxeEntry = {
    view,
    violations: result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length, targets: v.nodes.slice(0, 5).map((n) => n.target.join(' ')) })),
  };
  writeAxe(entry);
  return entry;
}

/** One fragment per view, merged into axe.json: test files run in parallel workers. */
function writeAxe(entry: AxeEntry): void {
  const dir = path.join(RESULTS, '.axe');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, `${entry.view}.json`), JSON.stringify(entry));
  const all = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as AxeEntry);
  fs.writeFileSync(path.join(RESULTS, 'axe.json'), `${JSON.stringify(all, null, 2)}\n`);
}

/** A screenshot of the pane as it is now, and its axe check; returns the serious and critical violations. */
export async function capture(page: Page, view: string): Promise<AxeEntry['violations']> {
  fs.mkdirSync(RESULTS, { recursive: true });
  // Let animations (dialogs, progress) settle.
  await page.waitForTimeout(250);
  await page.screenshot({ path: path.join(RESULTS, `${view}.png`), fullPage: true });
  const entry = await axe(page, view);
  return entry.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** Polls `read` until it equals `expected` (deep), or fails with the last value after `timeoutMs`. */
export async function eventually<T>(read: () => Promise<T>, expected: T, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    last = await read();
    if (JSON.stringify(last) === JSON.stringify(expected)) return;
    if (Date.now() > deadline) {
      expect(last).toEqual(expected);
      return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
