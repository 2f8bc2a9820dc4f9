/**
 * Every workbook the product writes as a file, seen as a spreadsheet program draws and prints it
 * (issue 30): the blank and the CTF-prefilled template and the consolidated return from the CLI,
 * and the consolidated return, the tracker (chase list) and a secondary's cohort from the API.
 * LibreOffice converts them all to PDF in one process; pdftotext reads each page and pdftoppm
 * draws the first page of each sheet into test-results/workbooks/<name>-<sheet>.png.
 *
 * What a printed page must show: something besides its header and footer; the header naming the
 * workbook and the school or LA and the footer its sheet and page (&P of &N); on a pupil sheet,
 * the column headers and the name columns on every page (print titles) and a note that it holds
 * personal data about children; and on the sheets that fit one page wide, every line whole.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { main } from '../../cli/main';
import { generateSamples } from '../../samples/generate';
import { CHASE_LIST_HEADER } from '../../shared/chaseList';
import { LA_OWNER, PERSONAL_DATA_NOTE } from '../../shared/print';
import { SHEET_LAYOUT } from '../../shared/transition/layout';
import { instructionRows } from '../../shared/transition/sheetPlan';
import { CONSOLIDATED_SHEETS } from '../../xlsx/consolidated';
import { CHASE_LIST_SHEET } from '../../xlsx/chaseList';
import { startStack, type Stack } from '../api/harness';
import { aReturn, PRIMARY, SECONDARY, TRANSFER_YEAR } from '../factories/transition';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const OUT = path.join(__dirname, '..', '..', 'test-results', 'workbooks');
/** (design) Pixels per inch of the PNGs: enough to see a page's layout, cheap to draw. */
const PNG_DPI = 40;
/** The footer every printed page carries (shared/print.ts): "<sheet>, page <p> of <n>, printed <date>"; LibreOffice numbers the pages of the whole workbook. */
const FOOTER = /([^\n]+), page (\d+) of (\d+), printed/;

interface Page {
  sheet: string;
  /** 1-based, in the whole PDF. */
  index: number;
  /** 1-based within its sheet. */
  ofSheet: number;
  text: string;
}

const workbooks = ['template', 'template-ctf', 'consolidated-cli', 'consolidated-api', 'tracker', 'cohort'] as const;
type Name = (typeof workbooks)[number];
const pages = {} as Record<Name, Page[]>;

let dir: string;

const squash = (s: string): string => s.replace(/\s+/g, ' ').trim();

/** The PDF's pages, each with the sheet its footer names. */
function pagesOf(pdf: string): Page[] {
  const texts = execFileSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }).split('\f');
  if (texts[texts.length - 1]?.trim() === '') texts.pop();
  const seen = new Map<string, number>();
  return texts.map((text, i) => {
    const m = FOOTER.exec(text);
    if (!m || Number(m[2]) !== i + 1) throw new Error(`page ${i + 1} of ${pdf} has no footer naming its sheet and page`);
    const sheet = (m[1] as string).trim().split(/\s{2,}/).pop() as string;
    seen.set(sheet, (seen.get(sheet) ?? 0) + 1);
    return { sheet, index: i + 1, ofSheet: seen.get(sheet) as number, text };
  });
}

async function writeFromCli(): Promise<void> {
  const io = { out: () => undefined, err: () => undefined };
  const samples = await generateSamples(path.join(dir, 'samples'), { seed: 5, year: TRANSFER_YEAR });
  expect(await main(['template', '--out', path.join(dir, 'template.xlsx'), '--year', String(TRANSFER_YEAR)], io)).toBe(0);
  expect(await main(['template', '--from-ctf', samples.ctfs[0] as string, '--out', path.join(dir, 'template-ctf.xlsx'), '--year', String(TRANSFER_YEAR)], io)).toBe(0);
  expect(await main(['consolidate', path.dirname(samples.workbooks[0] as string), '--out', path.join(dir, 'consolidated-cli.xlsx')], io)).toBeLessThan(2);
}

async function writeFromApi(stack: Stack): Promise<void> {
  const primary = await stack.token({ role: 'school', school: PRIMARY });
  const put = await stack.fetch(`/returns/${PRIMARY}/${TRANSFER_YEAR}?status=submitted`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${primary}`, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
    // Enough pupils that the cohort's sheet runs onto a second page down.
    body: JSON.stringify(aReturn(60)),
  });
  expect(put.status).toBe(201);
  const la = await stack.token({ role: 'la' });
  const secondary = await stack.token({ role: 'school', school: SECONDARY });
  const get = async (route: string, token: string, file: string) => {
    const res = await stack.fetch(route, { headers: { authorization: `Bearer ${token}`, accept: XLSX } });
    expect(res.status).toBe(200);
    await fs.writeFile(path.join(dir, file), Buffer.from(await res.arrayBuffer()));
  };
  await get(`/exports/${TRANSFER_YEAR}/consolidated.xlsx`, la, 'consolidated-api.xlsx');
  await get(`/tracker/${TRANSFER_YEAR}`, la, 'tracker.xlsx');
  await get(`/cohorts/${SECONDARY}/${TRANSFER_YEAR}`, secondary, 'cohort.xlsx');
}

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'goodstart-render-'));
  const stack = await startStack();
  try {
    await Promise.all([writeFromCli(), writeFromApi(stack)]);
  } finally {
    await stack.stop();
  }
  await fs.rm(OUT, { recursive: true, force: true });
  await fs.mkdir(OUT, { recursive: true });
  // One LibreOffice process for every workbook (issue 30: a quicker suite), with its own profile so runs never share one.
  execFileSync(
    'soffice',
    [`-env:UserInstallation=file://${path.join(dir, 'lo-profile')}`, '--headless', '--convert-to', 'pdf', '--outdir', dir, ...workbooks.map((n) => path.join(dir, `${n}.xlsx`))],
    { stdio: 'ignore', timeout: 170_000 },
  );
  const counts: Record<string, number> = {};
  for (const name of workbooks) {
    const pdf = path.join(dir, `${name}.pdf`);
    pages[name] = pagesOf(pdf);
    counts[name] = pages[name].length;
    for (const page of pages[name].filter((p) => p.ofSheet === 1)) {
      const png = path.join(OUT, `${name}-${page.sheet.replace(/[^A-Za-z0-9]+/g, '-')}`);
      execFileSync('pdftoppm', ['-png', '-r', String(PNG_DPI), '-f', String(page.index), '-l', String(page.index), '-singlefile', pdf, png]);
    }
  }
  await fs.writeFile(path.join(OUT, 'pages.json'), `${JSON.stringify(counts, null, 2)}\n`);
}, 180_000);

afterAll(async () => {
  if (dir) await fs.rm(dir, { recursive: true, force: true });
});

const sheetPages = (name: Name, sheet: string): Page[] => pages[name].filter((p) => p.sheet === sheet);
/** A page's text without its header (first line) and footer (last line). */
const body = (p: Page): string => p.text.trim().split('\n').slice(1, -1).join('\n');

describe.each(workbooks)('the %s workbook, printed', (name) => {
  it('has something on every page besides its header and footer', () => {
    expect(pages[name].length).toBeGreaterThan(0);
    for (const p of pages[name]) expect({ page: p.index, body: body(p).trim().length > 0 }).toEqual({ page: p.index, body: true });
  });

  it('names the workbook and the school or the LA at the top of every page', () => {
    for (const p of pages[name]) {
      const header = p.text.trim().split('\n')[0] as string;
      expect(header).toMatch(new RegExp(`^Good Start .*(${LA_OWNER}|For .+ \\(\\d{7}\\))$`));
    }
  });
});

describe('pupil sheets', () => {
  it("name the receiving secondary on a cohort's pages", () => {
    for (const p of sheetPages('cohort', SHEET_LAYOUT.sheetName)) expect(p.text.trim().split('\n')[0]).toMatch(new RegExp(`For .+ \\(${SECONDARY}\\)$`));
  });

  const pupilSheets: Array<[Name, string]> = [
    ['template-ctf', SHEET_LAYOUT.sheetName],
    ['cohort', SHEET_LAYOUT.sheetName],
    ['consolidated-cli', CONSOLIDATED_SHEETS.pupils],
    ['consolidated-api', CONSOLIDATED_SHEETS.pupils],
  ];

  it.each(pupilSheets)('%s: %s has its headers and the name columns on every page, and says it holds personal data about children', (name, sheet) => {
    const printed = sheetPages(name, sheet);
    expect(printed.length).toBeGreaterThan(1);
    for (const p of printed) {
      // A header wider than its column wraps: "Legal forename" may print as "Legal" above "forename".
      expect({ page: p.ofSheet, text: squash(p.text) }).toEqual({ page: p.ofSheet, text: expect.stringMatching(/Legal surname.*forename/) });
      expect(squash(p.text)).toContain(PERSONAL_DATA_NOTE);
    }
  });

  it('print landscape: wider than tall', () => {
    const info = execFileSync('pdfinfo', ['-f', '1', '-l', '999', path.join(dir, 'consolidated-cli.pdf')], { encoding: 'utf8' });
    const sizes = new Map([...info.matchAll(/Page\s+(\d+) size:\s+([\d.]+) x ([\d.]+)/g)].map((m) => [Number(m[1]), { w: Number(m[2]), h: Number(m[3]) }]));
    for (const p of sheetPages('consolidated-cli', CONSOLIDATED_SHEETS.pupils)) expect((sizes.get(p.index)?.w ?? 0) > (sizes.get(p.index)?.h ?? 0)).toBe(true);
  });
});

describe('sheets that fit one page wide', () => {
  it('print every line of the Instructions whole', () => {
    const text = squash(sheetPages('template', SHEET_LAYOUT.instructionsSheet).map((p) => p.text).join('\n'));
    const { rows, tableHeaderRow } = instructionRows(TRANSFER_YEAR);
    const lines = rows.slice(0, tableHeaderRow - 1).filter((r) => r.length === 1);
    expect(lines.length).toBeGreaterThan(5);
    for (const [line] of lines) expect(text).toContain(squash(line as string));
  });

  it("print every line of the consolidated return's About whole", () => {
    for (const name of ['consolidated-cli', 'consolidated-api'] as const) {
      const text = squash(sheetPages(name, CONSOLIDATED_SHEETS.about).map((p) => p.text).join('\n'));
      expect(text).toContain("Pupil rows with errors are left out of the Pupils sheet and the tables until the school fixes them; an error in a sheet's receiving secondary (A7) leaves every pupil on that sheet out, and the Tracker sheet says so.");
      expect(text).toContain('store it only in approved locations, share it only with people who need it for transition planning, never email it unencrypted, and delete it when it is no longer needed.');
    }
  });

  it.each([
    ['consolidated-cli', CONSOLIDATED_SHEETS.tracker, "Also on another school's return (same UPN)"],
    ['consolidated-api', CONSOLIDATED_SHEETS.tracker, "Also on another school's return (same UPN)"],
    ['tracker', CHASE_LIST_SHEET, CHASE_LIST_HEADER[CHASE_LIST_HEADER.length - 1]],
  ] as Array<[Name, string, string]>)('%s: %s prints one page wide with its last column, %s', (name, sheet, lastHeader) => {
    const printed = sheetPages(name, sheet);
    expect(printed.length).toBe(1);
    expect(squash(printed[0]?.text ?? '')).toContain(lastHeader);
  });

  it('tracker: the chase list prints every header whole (none cut by its column)', () => {
    const text = squash(sheetPages('tracker', CHASE_LIST_SHEET)[0]?.text ?? '');
    expect(CHASE_LIST_HEADER.filter((h) => !text.includes(h))).toEqual([]);
  });

  it('print each city table on one page with its note whole', () => {
    const tables = pages['consolidated-cli'].filter((p) => !Object.values(CONSOLIDATED_SHEETS).includes(p.sheet as never));
    expect(tables.length).toBeGreaterThan(0);
    for (const p of tables) {
      expect(p.ofSheet).toBe(1);
      expect(squash(p.text)).toMatch(/Not disclosure-controlled: for LA use only; do not publish\.|Totals are computed from unrounded data\./);
    }
  });
});
