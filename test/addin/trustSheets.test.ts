/**
 * The trust lead's and the LA's sheets against the in-memory Excel host: the resource base
 * dataset (written as a table, read back, checked at its cells), the toolkit grid and the costing
 * sheet (formulas evaluated with the shared implementations behind the custom functions), and
 * how many `context.sync()` round trips each costs.
 */
import { FakeExcelHost, createFakeExcel } from '../excelHost/fakeExcel';
import { SheetEvaluator } from '../excelHost/evaluate';
import { BUNDLED_RESOURCE_BASES, type ResourceBaseDataset } from '../../shared/resourceBases/dataset';
import { checkResourceBaseSheet, recalculateWorkbook, writeResourceBaseSheet } from '../../addin/excel/resourceBaseSheet';
import { HIGHLIGHT } from '../../addin/excel/transitionSheet';
import { SUPPORT_CHART, TOOLKIT_SHEET, insertToolkitGrid } from '../../addin/excel/toolkitSheet';
import { PLACES_CHART, insertCostingSheet } from '../../addin/excel/costingSheet';
import { BANDS } from '../../shared/toolkit/continuum';
import { PLACEHOLDER_CRITERIA_PER_BAND } from '../../shared/toolkit/gridSheet';
import { resetResourceBaseSource } from '../../shared/functions/resourceBaseSource';

let host: FakeExcelHost;

beforeEach(() => {
  host = createFakeExcel();
  (globalThis as unknown as { Excel: unknown }).Excel = host.excel();
  resetResourceBaseSource();
});

const SHEET = 'Resource bases';
const { publishedAt: _p, ...BASE } = { ...BUNDLED_RESOURCE_BASES, publishedAt: undefined };
const base: ResourceBaseDataset = BASE;

describe('writeResourceBaseSheet', () => {
  it('writes the year, the source and one table row per resource base, in two syncs', async () => {
    const result = await writeResourceBaseSheet(base, { replace: false });
    expect(result).toEqual({ kind: 'written', sheet: SHEET, rows: 21 });
    expect(host.syncCount).toBe(2);
    expect(host.value(SHEET, 'B3')).toBe('2019-20');
    expect(host.grid(SHEET, 'A6:E7')).toEqual([
      ['Locality area', 'Designated need', 'Commissioned places', 'Approximate annual cost (£)', 'Phase (blank if not split)'],
      ['East', 'ASD', 55, 639881, ''],
    ]);
    expect(host.tables.map((t) => ({ name: t.name, sheet: t.sheet, rows: t.rows, cols: t.cols, showHeaders: t.showHeaders }))).toEqual([
      { name: 'GoodStartResourceBases', sheet: SHEET, rows: [6, 27], cols: [1, 5], showHeaders: true },
    ]);
    expect(host.activeSheet).toBe(SHEET);
  });

  it('asks before replacing a sheet that has content, and replaces it (one table, no leftovers) when told to', async () => {
    await writeResourceBaseSheet(base, { replace: false });
    host.edit(SHEET, 'A40', 'my note');
    host.syncCount = 0;
    expect(await writeResourceBaseSheet(base, { replace: false })).toEqual({ kind: 'occupied', sheet: SHEET });
    expect(host.syncCount).toBe(2);
    expect(host.value(SHEET, 'A40')).toBe('my note');

    host.syncCount = 0;
    const smaller = { ...base, rows: base.rows.slice(0, 2) };
    expect(await writeResourceBaseSheet(smaller, { replace: true })).toEqual({ kind: 'written', sheet: SHEET, rows: 2 });
    expect(host.syncCount).toBe(3);
    expect(host.value(SHEET, 'A40')).toBeUndefined();
    expect(host.value(SHEET, 'A9')).toBeUndefined();
    expect(host.tables.map((t) => t.rows)).toEqual([[6, 8]]);
  });
});

describe('checkResourceBaseSheet', () => {
  beforeEach(async () => {
    await writeResourceBaseSheet(base, { replace: false });
    host.syncCount = 0;
  });

  it('reads an untouched sheet back as the same dataset, in three syncs whatever the row count', async () => {
    expect(await checkResourceBaseSheet(base)).toEqual({ dataset: base, problems: [] });
    expect(host.syncCount).toBe(3);
  });

  it('reads edits and added rows; blank rows are skipped', async () => {
    host.edit(SHEET, 'C7', 110);
    host.edit(SHEET, 'A29:D29', [['West', 'HI', '12', '£150,000']]);
    const checked = await checkResourceBaseSheet(base);
    expect(checked.problems).toEqual([]);
    expect(checked.dataset?.rows[0]).toEqual({ area: 'East', need: 'ASD', places: 110, cost: 639881 });
    expect(checked.dataset?.rows.at(-1)).toEqual({ area: 'West', need: 'HI', places: 12, cost: 150000 });
    expect(checked.dataset?.rows).toHaveLength(22);
  });

  it('places each schema problem at its cell, fills it, and clears the fill once fixed', async () => {
    host.edit(SHEET, 'C8', 'lots');
    host.edit(SHEET, 'B9', 'XYZ');
    host.edit(SHEET, 'A10', 'Central');
    host.edit(SHEET, 'B3', '2019');
    const checked = await checkResourceBaseSheet(base);
    expect(checked.dataset).toBeUndefined();
    expect(checked.problems.map((p) => p.cell).sort()).toEqual(['A10', 'B3', 'B9', 'C8']);
    expect(checked.problems.find((p) => p.cell === 'C8')).toEqual({ cell: 'C8', column: 'Commissioned places', row: 8, message: 'Commissioned places: type a whole number of places, from 0 to 10,000.' });
    expect(checked.problems.find((p) => p.cell === 'B9')?.message).toBe("Designated need: use one of the dataset's need codes: ASD, ASD;SLCN, C&L, C&L;ASD;PD, SLCN, FAM, HI, VI.");
    expect(['A10', 'B3', 'B9', 'C8'].map((c) => host.fill(SHEET, c))).toEqual([HIGHLIGHT.error, HIGHLIGHT.error, HIGHLIGHT.error, HIGHLIGHT.error]);
    expect(host.fill(SHEET, 'C7')).toBeUndefined();
    expect(host.syncCount).toBe(3);

    host.edit(SHEET, 'C8', 20);
    host.edit(SHEET, 'B9', 'ASD');
    host.edit(SHEET, 'A10', 'South');
    host.edit(SHEET, 'B3', '2019-20');
    expect((await checkResourceBaseSheet(base)).problems).toEqual([]);
    expect(['A10', 'B3', 'B9', 'C8'].map((c) => host.fill(SHEET, c))).toEqual([undefined, undefined, undefined, undefined]);
  });

  it('says what to do when there is no dataset sheet', async () => {
    host = createFakeExcel();
    (globalThis as unknown as { Excel: unknown }).Excel = host.excel();
    await expect(checkResourceBaseSheet(base)).rejects.toThrow("There is no 'Resource bases' sheet. Choose Edit resource bases first.");
  });
});

describe('recalculateWorkbook', () => {
  it('asks Excel for a full recalculation in one sync', async () => {
    await recalculateWorkbook();
    expect([host.recalculations, host.syncCount]).toEqual([1, 1]);
  });
});

describe('insertToolkitGrid', () => {
  const options = { pupils: 3, yearGroup: '6', term: 'summer' as const, fromSelection: false, replace: false };
  // 16 bands × 3 placeholder criteria from row 5; formula rows from two rows below.
  const last = 4 + BANDS.length * PLACEHOLDER_CRITERIA_PER_BAND;
  const bandRow = last + 2;

  it('writes band labels down the side, pupils across the top and wired formula rows, in two syncs', async () => {
    const result = await insertToolkitGrid(options);
    expect(result).toEqual({ kind: 'written', sheet: TOOLKIT_SHEET, criteria: 48, source: 'placeholders', bandFormulaCell: `B${bandRow}` });
    expect(host.syncCount).toBe(2);
    expect(host.grid(TOOLKIT_SHEET, 'A2:D2')).toEqual([['Year group', 6, 'Term', 'summer']]);
    expect(host.grid(TOOLKIT_SHEET, 'A4:E5')).toEqual([
      ['Band', 'Pupil 01', 'Pupil 02', 'Pupil 03', 'Criterion'],
      ['N.1', '', '', '', 'Placeholder criterion 1 for N.1: load your licensed toolkit text'],
    ]);
    expect(host.value(TOOLKIT_SHEET, `A${last}`)).toBe('Y6.2');
    expect(host.grid(TOOLKIT_SHEET, `A${bandRow}:D${bandRow + 3}`)).toEqual([
      ['Band reached', `=TOOLKIT.BAND(A5:D${last})`, '', ''],
      ['Bands gained in 12 months (optional)', '', '', ''],
      ['Gap to expected band', `=TOOLKIT.GAP(B${bandRow},$B$2,$D$2)`, `=TOOLKIT.GAP(C${bandRow},$B$2,$D$2)`, `=TOOLKIT.GAP(D${bandRow},$B$2,$D$2)`],
      [
        'Support level',
        `=TOOLKIT.SUPPORT(B${bandRow},$B$2,B${bandRow + 1},$D$2)`,
        `=TOOLKIT.SUPPORT(C${bandRow},$B$2,C${bandRow + 1},$D$2)`,
        `=TOOLKIT.SUPPORT(D${bandRow},$B$2,D${bandRow + 1},$D$2)`,
      ],
    ]);
    expect(host.grid(TOOLKIT_SHEET, 'G4:H7')).toEqual([
      ['Support level', 'Pupils'],
      ['Universal', `=COUNTIF($B$${bandRow + 3}:$D$${bandRow + 3},"Universal")`],
      ['Targeted', `=COUNTIF($B$${bandRow + 3}:$D$${bandRow + 3},"Targeted")`],
      ['Specialist', `=COUNTIF($B$${bandRow + 3}:$D$${bandRow + 3},"Specialist")`],
    ]);
    const chart = host.sheet(TOOLKIT_SHEET).charts;
    expect(chart.map((c) => ({ name: c.name, type: c.type, source: c.source, title: c.title, x: c.categoryAxisTitle, y: c.valueAxisTitle }))).toEqual([
      { name: SUPPORT_CHART, type: 'ColumnClustered', source: "'Toolkit grid'!G4:H7", title: SUPPORT_CHART, x: 'Support level', y: 'Pupils' },
    ]);
  });

  it('bands, gaps and supports the class when its ticks are typed: the formulas evaluate with the shared functions', async () => {
    await insertToolkitGrid(options);
    // Pupil 1 secures everything to Y6.2; pupil 2 to Y5.1; pupil 3 nothing.
    const rowsTo = (band: string): number => 5 + (BANDS.indexOf(band) + 1) * PLACEHOLDER_CRITERIA_PER_BAND - 1;
    for (let r = 5; r <= last; r++) host.editSilently(TOOLKIT_SHEET, `B${r}`, 1);
    for (let r = 5; r <= rowsTo('Y5.1'); r++) host.editSilently(TOOLKIT_SHEET, `C${r}`, 'S');
    const sheet = new SheetEvaluator(host, TOOLKIT_SHEET);
    await sheet.spillAll();
    const read = (cells: string[]) => Promise.all(cells.map((c) => sheet.value(c)));
    expect(await read([`B${bandRow}`, `C${bandRow}`, `D${bandRow}`])).toEqual(['Y6.2', 'Y5.1', 'Pre-N.1']);
    expect(await read([`B${bandRow + 2}`, `C${bandRow + 2}`, `D${bandRow + 2}`])).toEqual([0, 3, 16]);
    expect(await read([`B${bandRow + 3}`, `C${bandRow + 3}`, `D${bandRow + 3}`])).toEqual(['Universal', 'Targeted', 'Specialist']);
    expect(await read(['H5', 'H6', 'H7'])).toEqual([1, 1, 1]);
  });

  it('uses the band-labelled criteria in the selection, in three syncs', async () => {
    host.edit('Sheet1', 'A1:B3', [
      ['Band', 'Criterion'],
      ['Y3.1', 'Reads aloud with expression'],
      ['Y3.2', '=not a formula'],
    ]);
    host.selection = { sheet: 'Sheet1', address: 'A1:B3' };
    host.syncCount = 0;
    const result = await insertToolkitGrid({ ...options, fromSelection: true });
    expect(result).toEqual({ kind: 'written', sheet: TOOLKIT_SHEET, criteria: 2, source: 'selection', selection: 'Sheet1!A1:B3', bandFormulaCell: 'B8' });
    expect(host.syncCount).toBe(3);
    expect(host.grid(TOOLKIT_SHEET, 'A5:E6')).toEqual([
      ['Y3.1', '', '', '', 'Reads aloud with expression'],
      ['Y3.2', '', '', '', "'=not a formula"],
    ]);
    expect(host.formula(TOOLKIT_SHEET, 'B8')).toBe('=TOOLKIT.BAND(A5:D6)');
  });

  it('falls back to placeholders when the selection has no band labels', async () => {
    host.edit('Sheet1', 'A1', 'hello');
    const result = await insertToolkitGrid({ ...options, fromSelection: true });
    expect(result).toMatchObject({ kind: 'written', criteria: 48, source: 'placeholders' });
  });

  it('never overwrites a grid with content without asking; replacing leaves one chart', async () => {
    await insertToolkitGrid(options);
    host.edit(TOOLKIT_SHEET, 'B5', 1);
    expect(await insertToolkitGrid(options)).toEqual({ kind: 'occupied', sheet: TOOLKIT_SHEET });
    expect(host.value(TOOLKIT_SHEET, 'B5')).toBe(1);
    await insertToolkitGrid({ ...options, replace: true });
    expect(host.value(TOOLKIT_SHEET, 'B5')).toBeUndefined();
    expect(host.sheet(TOOLKIT_SHEET).charts).toHaveLength(1);
  });
});

describe('insertCostingSheet', () => {
  const groups = Object.keys(BUNDLED_RESOURCE_BASES.groups);

  it('writes area × need group rows with RB.* formulas, a table and a chart, in two syncs', async () => {
    const result = await insertCostingSheet({ groups, year: 2027, replace: false });
    expect(result).toEqual({ kind: 'written', sheet: 'Costing', rows: 8 });
    expect(host.syncCount).toBe(2);
    expect(host.value('Costing', 'B3')).toBe(2027);
    expect(host.grid('Costing', 'A5:E6')).toEqual([
      ['Locality area', 'Need group', 'Commissioned places', 'Cost per place (£)', 'Sufficiency (places − pupils)'],
      ['East', 'ASD/C&L/SLCN', '=RB.PLACES($A6,$B6)', '=RB.COSTPERPLACE($A6,$B6)', '=RB.SUFFICIENCY($A6,$B6,$B$3)'],
    ]);
    expect(host.grid('Costing', 'A13:B13')).toEqual([['West', 'Sensory/Physical']]);
    expect(host.tables.map((t) => ({ name: t.name, rows: t.rows, cols: t.cols }))).toEqual([{ name: 'GoodStartCosting', rows: [5, 13], cols: [1, 5] }]);
    expect(host.sheet('Costing').charts.map((c) => ({ name: c.name, type: c.type, source: c.source, y: c.valueAxisTitle }))).toEqual([
      { name: PLACES_CHART, type: 'ColumnClustered', source: 'Costing!A5:C13', y: 'Commissioned places' },
    ]);
  });

  it('its formulas evaluate to the dataset figures; sufficiency without the API is #N/A that says why', async () => {
    await insertCostingSheet({ groups, year: 2027, replace: false });
    const sheet = new SheetEvaluator(host, 'Costing');
    expect(await sheet.value('C6')).toBe(218);
    expect(await sheet.value('C13')).toBe(5);
    expect(await sheet.value('D13')).toBeCloseTo(123118 / 5, 6);
    expect(String(await sheet.value('E6'))).toMatch(/^#notAvailable: /);
  });

  it('asks before replacing a costing sheet with content', async () => {
    await insertCostingSheet({ groups, year: 2027, replace: false });
    expect(await insertCostingSheet({ groups, year: 2028, replace: false })).toEqual({ kind: 'occupied', sheet: 'Costing' });
    expect(await insertCostingSheet({ groups, year: 2028, replace: true })).toEqual({ kind: 'written', sheet: 'Costing', rows: 8 });
    expect(host.value('Costing', 'B3')).toBe(2028);
    expect(host.tables).toHaveLength(1);
    expect(host.sheet('Costing').charts).toHaveLength(1);
  });
});
