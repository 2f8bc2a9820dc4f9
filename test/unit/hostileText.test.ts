/**
 * Every writer of cells, tried with the same hostile text (test/factories/hostileText.ts):
 * formulas a spreadsheet would run, characters XML 1.0 cannot hold, lone surrogates and more
 * than a cell holds. No formula results; every .xlsx is well-formed XML (a strict XML 1.0
 * parser) that exceljs opens; every cell fits in a cell. Issue 32, items 2 and 3.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { FakeExcelHost, createFakeExcel } from '../excelHost/fakeExcel';
import { HOSTILE_SHEET_NAMES, HOSTILE_TEXT, WEBSERVICE, formulaElements, malformedParts, unsafeText } from '../factories/hostileText';
import { SECONDARY, TRANSFER_YEAR, pupilRow, row, sheet } from '../factories/transition';
import { writeTransitionWorkbook } from '../../xlsx/template';
import { writeChaseListWorkbook } from '../../xlsx/chaseList';
import { writeConsolidatedWorkbook } from '../../xlsx/consolidated';
import type { CountTable } from '../../shared/aggregate/table';
import type { ConsolidatedPupil, TrackerEntry } from '../../shared/consolidation';
import { insertCostingSheet } from '../../addin/excel/costingSheet';
import { insertToolkitGrid } from '../../addin/excel/toolkitSheet';
import { writeResourceBaseSheet } from '../../addin/excel/resourceBaseSheet';
import { pullAggregates, writeChaseList } from '../../addin/excel/laSheets';
import { pullCohortSheet } from '../../addin/excel/cohortSheet';
import { createTransitionSheet, saveExplanation, writeCells } from '../../addin/excel/transitionSheet';
import { BUNDLED_RESOURCE_BASES } from '../../shared/resourceBases/dataset';
import { resetResourceBaseSource } from '../../shared/functions/resourceBaseSource';
import { escapeCell } from '../../shared/workbook/escape';
import { CELL_MAX_CHARS } from '../../shared/text';

const text = (i: number): string => HOSTILE_TEXT[i % HOSTILE_TEXT.length] as string;

/** Every string cell of every sheet, as exceljs reads it. */
async function exceljsCells(bytes: Uint8Array): Promise<Array<{ at: string; value: unknown }>> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(bytes as unknown as ArrayBuffer);
  const out: Array<{ at: string; value: unknown }> = [];
  wb.eachSheet((ws) =>
    ws.eachRow((r) =>
      r.eachCell((c) => {
        const formula = (c.value as { formula?: string } | null)?.formula;
        out.push({ at: `${ws.name}!${c.address}`, value: formula === undefined ? c.value : `formula ${formula}` });
      }),
    ),
  );
  return out;
}

/** The checks every .xlsx writer must pass. */
async function expectSafeWorkbook(bytes: Uint8Array): Promise<void> {
  expect(malformedParts(bytes)).toEqual([]);
  expect(formulaElements(bytes)).toEqual([]);
  const cells = await exceljsCells(bytes);
  expect(cells.length).toBeGreaterThan(0);
  expect(cells.flatMap((c) => (unsafeText(c.value) ? [`${c.at}: ${unsafeText(c.value)}`] : []))).toEqual([]);
}

describe('escapeCell, the one place text is made safe for a cell', () => {
  it.each(HOSTILE_TEXT.map((t) => [JSON.stringify(t.slice(0, 24)), t]))('makes %s safe to write', (_label, t) => {
    expect(unsafeText(escapeCell(t))).toBeUndefined();
  });

  it('escapes a formula hidden behind a character a writer drops, and keeps what it can', () => {
    expect(escapeCell('\u0000=1+1')).toBe("'=1+1");
    expect(escapeCell(WEBSERVICE)).toBe(`'${WEBSERVICE}`);
    expect(escapeCell('Ann\uFFFEBrown')).toBe('AnnBrown');
    expect(escapeCell('pair kept \uD83D\uDE00')).toBe('pair kept \uD83D\uDE00');
    expect(escapeCell('x'.repeat(40_000))).toHaveLength(CELL_MAX_CHARS);
    // Cut before a pair rather than through it.
    expect(escapeCell(`${'x'.repeat(CELL_MAX_CHARS - 1)}\uD83D\uDE00`)).toBe('x'.repeat(CELL_MAX_CHARS - 1));
    expect(escapeCell(12)).toBe(12);
  });
});

/** The three .xlsx writers, each given the hostile text wherever it takes text. */
const HOSTILE_WORKBOOKS: Record<string, () => Promise<Uint8Array>> = {
  // The template, and the cohort and return .xlsx answers of the API.
  transition: async () => {
    const rows = HOSTILE_TEXT.map((t, i) => row(i + 1, { surname: t, strengths: text(i + 3), upn: t, dob: t, attendance: t }));
    const sheets = [sheet(rows, WEBSERVICE), ...HOSTILE_SHEET_NAMES.map((name) => ({ ...sheet([row(1, { forename: WEBSERVICE })], text(1)), name }))];
    const explanations = HOSTILE_TEXT.map((t, i) => ({ rule: 'GS2010Q', sheet: text(i + 1).slice(0, 31), cell: `Z${10 + i}`, text: t }));
    return writeTransitionWorkbook({ year: TRANSFER_YEAR, sheets, explanations });
  },
  chaseList: async () => {
    const schools = HOSTILE_TEXT.map((t, i) => ({ school: String(3302000 + i), name: t, area: text(i + 1), status: 'outstanding' as const, email: text(i + 2) }));
    return writeChaseListWorkbook({ year: TRANSFER_YEAR, today: new Date('2027-06-01T00:00:00Z'), schools });
  },
  consolidated: async () => {
    const pupils: ConsolidatedPupil[] = HOSTILE_TEXT.map((t, i) => ({ ...pupilRow(i + 1, { surname: t, strengths: text(i + 1), parentViews: { consent: 'Y', views: text(i + 2) } }), sourceSchool: '3302001', sourceFile: t }));
    const tracker: TrackerEntry[] = HOSTILE_TEXT.map((t, i) => ({ school: '3302001', schoolName: t, file: text(i + 1), rows: 1, errors: 0, queries: 0, status: 'Unreadable', reason: text(i + 2) }));
    const table: CountTable = { id: 'provision-by-need', title: WEBSERVICE, rowHeader: text(1), columns: [text(2), text(7)], rows: [{ label: text(9), cells: [1, 'c'], total: 'c' }], columnTotals: [1, 'c'], grandTotal: 1, disclosureControlled: true };
    return writeConsolidatedWorkbook({ year: TRANSFER_YEAR, generatedAt: '2027-07-20T09:00:00.000Z', pupils, tracker, tables: [table] });
  },
};

describe('the .xlsx writers', () => {
  it.each(Object.keys(HOSTILE_WORKBOOKS))('%s: well-formed, no formula, every cell safe, and exceljs opens it', async (name) => {
    await expectSafeWorkbook(await (HOSTILE_WORKBOOKS[name] as () => Promise<Uint8Array>)());
  });

  it('all three open in LibreOffice (one headless process, installed by scripts/ensure-system-deps.sh), with no formula and the formula text kept as text', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'goodstart-hostile-'));
    try {
      const names = Object.keys(HOSTILE_WORKBOOKS);
      for (const name of names) await fs.writeFile(path.join(dir, `${name}.xlsx`), await (HOSTILE_WORKBOOKS[name] as () => Promise<Uint8Array>)());
      // Flat ODF: the spreadsheet as LibreOffice read it, in one XML file to search.
      execFileSync('soffice', [`-env:UserInstallation=file://${path.join(dir, 'lo-profile')}`, '--headless', '--convert-to', 'fods', '--outdir', dir, ...names.map((n) => path.join(dir, `${n}.xlsx`))], { stdio: 'ignore', timeout: 170_000 });
      for (const name of names) {
        const fods = await fs.readFile(path.join(dir, `${name}.fods`), 'utf8');
        expect([name, fods.includes('<table:table ')]).toEqual([name, true]);
        expect([name, fods.match(/table:formula="[^"]*"/g) ?? []]).toEqual([name, []]);
        // The escaped formula is a cell's text, apostrophe and all.
        expect([name, fods.includes("'=WEBSERVICE(") || fods.includes('&apos;=WEBSERVICE(')]).toEqual([name, true]);
      }
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  }, 180_000);
});

describe('the Office.js adapters', () => {
  let host: FakeExcelHost;
  beforeEach(() => {
    host = createFakeExcel();
    (globalThis as unknown as { Excel: unknown }).Excel = host.excel();
    resetResourceBaseSource();
  });

  /** Our own formulas are the only formulas; every text value and chart title is safe. */
  function expectSafeHost(): void {
    const problems: string[] = [];
    for (const s of host.sheets) {
      for (const [at, f] of s.formulas) if (!/^=(RB|TOOLKIT)\.[A-Z]+\(|^=COUNTIF\(/.test(f) || f.includes('WEBSERVICE')) problems.push(`${s.name}!${at}: formula ${f.slice(0, 60)}`);
      for (const [at, v] of s.values) if (unsafeText(v)) problems.push(`${s.name}!${at}: ${unsafeText(v)}`);
      for (const c of s.charts) for (const t of [c.title, c.categoryAxisTitle, c.valueAxisTitle]) if (unsafeText(t)) problems.push(`${s.name} chart ${c.name}: ${unsafeText(t)}`);
    }
    expect(problems).toEqual([]);
  }

  it('the costing sheet writes the dataset’s group names as text, never as formulas', async () => {
    await insertCostingSheet({ groups: HOSTILE_TEXT.slice(0, 8), year: TRANSFER_YEAR, replace: false });
    expect(host.value('Costing', 'B6')).toBe(`'${WEBSERVICE}`);
    expect(host.formula('Costing', 'B6')).toBeUndefined();
    expect(host.formula('Costing', 'C6')).toBe('=RB.PLACES($A6,$B6)');
    expectSafeHost();
  });

  it('the toolkit grid, with criteria from the selection', async () => {
    host.edit('Sheet1', 'A1:B3', [['Y1.1', WEBSERVICE], ['Y1.2', text(6)], ['Y1.3', text(40)]]);
    host.selection = { sheet: 'Sheet1', address: 'A1:B3' };
    expect(await insertToolkitGrid({ pupils: 3, yearGroup: '6', term: 'summer', fromSelection: true, replace: false })).toMatchObject({ kind: 'written', source: 'selection' });
    expect(host.value('Toolkit grid', 'E5')).toBe(`'${WEBSERVICE}`);
    // The selection itself is the user's, typed as they typed it.
    host.sheet('Sheet1').values.clear();
    expectSafeHost();
  });

  it('the resource base dataset sheet', async () => {
    await writeResourceBaseSheet({ ...BUNDLED_RESOURCE_BASES, publishedAt: undefined, source: WEBSERVICE }, { replace: false });
    expectSafeHost();
  });

  it('the chase list and the aggregate sheets, with their charts', async () => {
    const schools = HOSTILE_TEXT.map((t, i) => ({ school: String(3302000 + i), name: t, area: text(i + 1), status: 'outstanding' as const, email: text(i + 2) }));
    await writeChaseList({ year: TRANSFER_YEAR, academicYear: '2027-28', schools, today: new Date('2027-06-01T00:00:00Z') });
    const table: CountTable = { id: 'need-by-provision', title: WEBSERVICE, rowHeader: text(1), columns: [text(2), text(7)], rows: [{ label: text(9), cells: [1, 'c'], total: 'c' }], columnTotals: [1, 'c'], grandTotal: 1, disclosureControlled: true };
    await pullAggregates({ year: TRANSFER_YEAR, academicYear: '2027-28', tables: [table], schools: { expected: 1, included: 1 }, disclosureControlled: true, pulledAt: new Date('2027-07-01T00:00:00Z') });
    expectSafeHost();
  });

  it('the cohort sheet', async () => {
    const pupils = HOSTILE_TEXT.map((t, i) => ({ ...pupilRow(i + 1, { surname: t, strengths: text(i + 1) }), sourceSchool: '3302001' }));
    await pullCohortSheet({ year: TRANSFER_YEAR, academicYear: '2027-28', school: { laestab: SECONDARY, name: WEBSERVICE }, pupils, primaryNames: new Map([['3302001', text(1)]]), pulledAt: new Date('2027-07-01T00:00:00Z') });
    expectSafeHost();
  });

  it('the transition sheet: A7, prefilled cells and explanations', async () => {
    await createTransitionSheet({ year: TRANSFER_YEAR, receivingSecondary: WEBSERVICE, whenExists: 'refresh' });
    await writeCells('Transition', HOSTILE_TEXT.map((t, i) => ({ row: 10 + i, key: i % 2 === 0 ? 'surname' : 'dob', value: t })));
    for (const [i, t] of HOSTILE_TEXT.slice(0, 5).entries()) await saveExplanation({ rule: 'GS2010Q', sheet: 'Transition', cell: `Z${10 + i}`, text: t });
    expectSafeHost();
  });
});
