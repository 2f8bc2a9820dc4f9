/**
 * GET /api/exports/{year}/consolidated.xlsx: the LA's consolidated workbook from stored returns.
 * A real .xlsx (exceljs reads it), nothing hidden, no formulas, formula-like text escaped; the
 * latest submitted version of each school (drafts only on request); outstanding schools listed;
 * one audit record in the city partition naming the versions exported, with no pupil values.
 */
import ExcelJS from 'exceljs';
import { SchoolDirectory } from '../../shared/schools';
import type { TransitionReturn } from '../../shared/transition/schema';
import { validateReturn } from '../../shared/transition/validate';
import { CONSOLIDATED_SHEETS } from '../../xlsx/consolidated';
import type { ReturnStatus } from '../../shared/status';
import { headDoc, versionDoc } from '../factories/documents';
import { aReturn, row, sheet, TRANSFER_YEAR, upnFor } from '../factories/transition';
import { startStack, type Stack, subjectFor, TEST_SCHOOLS } from './harness';

const YEAR = TRANSFER_YEAR;
const directory = new SchoolDirectory(TEST_SCHOOLS);
const ACORN = '3302001';
const BRAMBLE = '3302002';

/** Acorn Lane's 3 pupils, one with text a spreadsheet would take for a formula. */
const acornReturn: TransitionReturn = aReturn(3);
const acornRow = acornReturn.sheets[0]?.rows[0];
if (acornRow) acornRow.values.keyProvision = '=HYPERLINK("http://example.invalid","click")';
const acornRow2 = acornReturn.sheets[0]?.rows[1];
if (acornRow2) acornRow2.values.strengths = '@SUM(A1:A2) and +44 football';

/** Bramble Hill: 2 pupils submitted in v1, then a 5-pupil draft saved as v2. */
const brambleReturn = (count: number): TransitionReturn => ({
  year: YEAR,
  sheets: [sheet(Array.from({ length: count }, (_, i) => row(i + 1, { feederPrimary: BRAMBLE, upn: upnFor(i + 1, BRAMBLE), surname: `Brambletest${i + 1}` })))],
  explanations: [],
});

async function storeVersion(school: string, version: number, status: ReturnStatus, ret: TransitionReturn) {
  await (await stack.store.container('returns')).items.upsert(versionDoc(school, YEAR, version, status, ret, validateReturn(ret, { directory })));
}

async function storeHead(school: string, version: number, status: ReturnStatus, submittedVersion?: number) {
  await (await stack.store.container('returns')).items.upsert(headDoc(school, YEAR, version, status, submittedVersion));
}

let stack: Stack;
let la: string;

beforeAll(async () => {
  stack = await startStack();
  la = await stack.token({ role: 'la' });
  await storeVersion(ACORN, 1, 'submitted', acornReturn);
  await storeHead(ACORN, 1, 'submitted', 1);
  await storeVersion(BRAMBLE, 1, 'submitted', brambleReturn(2));
  await storeVersion(BRAMBLE, 2, 'draft', brambleReturn(5));
  await storeHead(BRAMBLE, 2, 'draft', 1);
  // Copperbeech (3302003) has sent nothing.
});
afterAll(async () => {
  await stack.stop();
});

const download = (query = '', token = la) =>
  stack.fetch(`/exports/${YEAR}/consolidated.xlsx${query}`, { headers: { authorization: `Bearer ${token}` } });

async function workbookOf(res: Response): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(Buffer.from(await res.arrayBuffer()) as unknown as ArrayBuffer);
  return wb;
}

/** Every cell's value as text, sheet by sheet. */
function cellTexts(ws: ExcelJS.Worksheet): string[] {
  const out: string[] = [];
  ws.eachRow((r) => r.eachCell((c) => out.push(typeof c.value === 'string' ? c.value : JSON.stringify(c.value))));
  return out;
}

/** The Tracker sheet's State column, by school. */
function trackerStates(wb: ExcelJS.Workbook): Record<string, unknown> {
  const ws = wb.getWorksheet(CONSOLIDATED_SHEETS.tracker) as ExcelJS.Worksheet;
  const header = (ws.getRow(1).values as unknown[]).map(String);
  const school = header.indexOf('School (LAESTAB)');
  const state = header.indexOf('State');
  const out: Record<string, unknown> = {};
  ws.eachRow((r, n) => {
    if (n > 1) out[String(r.getCell(school).value)] = r.getCell(state).value;
  });
  return out;
}

describe('the consolidated workbook', () => {
  let res: Response;
  let wb: ExcelJS.Workbook;
  beforeAll(async () => {
    res = await download();
    wb = await workbookOf(res.clone());
  });

  it('is an .xlsx attachment that is never cached', () => {
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="goodstart-consolidated-${YEAR}.xlsx"`);
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('has the same sheets as goodstart consolidate, none of them hidden, and no formulas', () => {
    const names = wb.worksheets.map((ws) => ws.name);
    expect(names.slice(0, 3)).toEqual([CONSOLIDATED_SHEETS.about, CONSOLIDATED_SHEETS.pupils, CONSOLIDATED_SHEETS.tracker]);
    expect(names.length).toBeGreaterThan(3);
    for (const ws of wb.worksheets) {
      expect(ws.state).toBe('visible');
      ws.eachRow((r) => r.eachCell((c) => expect(c.type).not.toBe(ExcelJS.ValueType.Formula)));
    }
  });

  it('counts on its About sheet the returns received and the schools outstanding, not tracker lines', () => {
    const about = wb.getWorksheet(CONSOLIDATED_SHEETS.about) as ExcelJS.Worksheet;
    expect(cellTexts(about)).toContain('5 pupils from 2 returns received; 1 school outstanding (nothing received). The Tracker sheet lists each school or file: its state, errors and queries.');
  });

  it('names the summary sheets short and whole, with the full title in each sheet', () => {
    expect(wb.worksheets.map((ws) => ws.name).slice(3)).toEqual(['By need', 'By area of need', 'By receiving secondary', 'By support level', 'By area of need and locality']);
    expect(wb.worksheets.slice(3).map((ws) => ws.getCell('A1').value)).toEqual([
      'Pupils by primary need and SEN provision',
      'Pupils by broad area of need and SEN provision',
      'Pupils by receiving secondary and SEN provision',
      'Pupils by level of support and SEN provision',
      "Pupils by broad area of need and the receiving secondary's locality area",
    ]);
  });

  it("holds each school's latest submitted version: Acorn's 3 pupils and Bramble's 2, not Bramble's draft", () => {
    const pupils = wb.getWorksheet(CONSOLIDATED_SHEETS.pupils);
    if (!pupils) throw new Error('no Pupils sheet');
    expect(pupils.actualRowCount - 1).toBe(5);
    const texts = cellTexts(pupils);
    expect(texts.filter((t) => /^Brambletest\d$/.test(t)).sort()).toEqual(['Brambletest1', 'Brambletest2']);
  });

  it('escapes text that starts with = + - or @', () => {
    const texts = cellTexts(wb.getWorksheet(CONSOLIDATED_SHEETS.pupils) as ExcelJS.Worksheet);
    expect(texts).toContain(`'=HYPERLINK("http://example.invalid","click")`);
    expect(texts).toContain(`'@SUM(A1:A2) and +44 football`);
    for (const t of texts) expect(t).not.toMatch(/^[=+\-@]/);
  });

  it('lists every expected primary on the Tracker: submitted, draft-only and outstanding', () => {
    const texts = cellTexts(wb.getWorksheet(CONSOLIDATED_SHEETS.tracker) as ExcelJS.Worksheet);
    expect(texts).toEqual(expect.arrayContaining([ACORN, BRAMBLE, '3302003', 'Submitted (version 1)']));
    expect(texts.some((t) => t.startsWith('Outstanding'))).toBe(true);
  });

  it("gives each school's state in the vocabulary the API uses: Bramble stays submitted while it drafts", () => {
    expect(trackerStates(wb)).toEqual({ [ACORN]: 'submitted', [BRAMBLE]: 'submitted', '3302003': 'outstanding' });
  });

  it('is audited once in the city partition, naming the versions exported and no pupil values', async () => {
    const audit = (await stack.store.audit.forSchool('city')).filter((a) => a.action === 'export.consolidated');
    expect(audit).toEqual([
      expect.objectContaining({ who: subjectFor({ role: 'la' }), role: 'la', school: 'city', ids: [`${ACORN}:return:${YEAR}:v1`, `${BRAMBLE}:return:${YEAR}:v1`] }),
    ]);
    const text = JSON.stringify(audit);
    expect(text).not.toContain('Testsurname');
    expect(text).not.toContain(upnFor(1));
  });
});

it('includes the current drafts with include=drafts', async () => {
  const wb = await workbookOf(await download('?include=drafts'));
  const pupils = wb.getWorksheet(CONSOLIDATED_SHEETS.pupils) as ExcelJS.Worksheet;
  expect(pupils.actualRowCount - 1).toBe(3 + 5);
  const tracker = cellTexts(wb.getWorksheet(CONSOLIDATED_SHEETS.tracker) as ExcelJS.Worksheet);
  expect(tracker.some((t) => t.startsWith('Draft (version 2)'))).toBe(true);
  expect(trackerStates(wb)).toEqual({ [ACORN]: 'submitted', [BRAMBLE]: 'submitted', '3302003': 'outstanding' });
});

it('is for the LA only: 403 for a school or a trust, 401 without a token', async () => {
  expect((await download('', await stack.token({ role: 'school', school: ACORN }))).status).toBe(403);
  expect((await download('', await stack.token({ role: 'trust', trust: 'T1' }))).status).toBe(403);
  expect((await stack.fetch(`/exports/${YEAR}/consolidated.xlsx`)).status).toBe(401);
});

it('answers an unknown include value with a 400 problem', async () => {
  const res = await download('?include=all');
  expect(res.status).toBe(400);
  expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
});

it('writes a workbook with only the tracker for a year nobody has returned, and says no returns have been received', async () => {
  const wb = await workbookOf(await stack.fetch('/exports/2031/consolidated.xlsx', { headers: { authorization: `Bearer ${la}` } }));
  expect((wb.getWorksheet(CONSOLIDATED_SHEETS.pupils) as ExcelJS.Worksheet).actualRowCount).toBe(1);
  const tracker = cellTexts(wb.getWorksheet(CONSOLIDATED_SHEETS.tracker) as ExcelJS.Worksheet);
  expect(tracker.filter((t) => t.startsWith('Outstanding'))).toHaveLength(3);
  // The "nothing stored" rule for a view over many schools: the usual shape, saying so.
  expect(cellTexts(wb.getWorksheet(CONSOLIDATED_SHEETS.about) as ExcelJS.Worksheet)).toContain(
    'No returns received yet; 3 schools outstanding (nothing received). The Tracker sheet lists each school or file: its state, errors and queries.',
  );
});
