/**
 * The LA officer's Excel adapters against the in-memory Excel host: the chase list and the
 * aggregates sheets, what they write, that a refresh rewrites the same tables and charts, and
 * the sync() count for small and large inputs.
 */
import { sharedUpnLines } from '../../addin/taskpane/la/trackerModel';
import { FakeExcelHost, createFakeExcel } from '../excelHost/fakeExcel';
import {
  AGGREGATE_TABLE_IDS,
  SUPPRESSION_NOTE,
  aggregateChartName,
  aggregateTableName,
  chaseListTableName,
  openAsNewWorkbook,
  pullAggregates,
  toBase64,
  writeChaseList,
} from '../../addin/excel/laSheets';
import type { CountTable } from '../../shared/aggregate/table';
import type { TrackedSchool } from '../../shared/chaseList';

let host: FakeExcelHost;

beforeEach(() => {
  host = createFakeExcel();
  (globalThis as unknown as { Excel: unknown }).Excel = host.excel();
});

const TODAY = new Date('2027-06-05T09:00:00Z');
const school = (i: number, status: TrackedSchool['status']): TrackedSchool => ({
  school: String(3302000 + i),
  name: `School ${String(i).padStart(3, '0')}`,
  area: ['East', 'North', 'South', 'West'][i % 4] as string,
  status,
  email: `senco.${3302000 + i}@schools.example`,
});
const schools = (n: number): TrackedSchool[] => Array.from({ length: n }, (_, i) => school(i + 1, (['outstanding', 'draft', 'submitted'] as const)[i % 3] as TrackedSchool['status']));
const chaseInput = (list: TrackedSchool[]) => ({ year: 2027, academicYear: '2027-28', schools: list, today: TODAY });
const SHEET = 'Chase list 2027-28';

describe('writeChaseList', () => {
  it('writes the outstanding then the draft schools as a table, with the days to the 15 June deadline, in three syncs', async () => {
    const result = await writeChaseList(chaseInput([school(1, 'submitted'), school(2, 'draft'), school(3, 'outstanding')]));
    expect(result).toEqual({ sheet: SHEET, created: true, schools: 2 });
    expect(host.syncCount).toBe(3);
    expect(host.grid(SHEET, 'A4:F6')).toEqual([
      ['School', 'LAESTAB', 'Locality area', 'Status', 'Days to deadline', 'Contact e-mail'],
      ['School 003', '3302003', 'West', 'Outstanding', 10, 'senco.3302003@schools.example'],
      ['School 002', '3302002', 'South', 'Draft', 10, 'senco.3302002@schools.example'],
    ]);
    expect(host.tables).toMatchObject([{ name: chaseListTableName(2027), sheet: SHEET, rows: [4, 6], cols: [1, 6], showHeaders: true }]);
    expect(host.activeSheet).toBe(SHEET);
  });

  it('says above the table how many UPNs are on more than one school\'s return and which schools share them (issue 29)', async () => {
    const crossSchool = { line: '1 UPN is on more than one school\'s return.', groups: ['School 001 (3302001) and School 002 (3302002): 1 UPN'] };
    await writeChaseList({ ...chaseInput([school(1, 'submitted'), school(2, 'submitted')]), crossSchool });
    expect(host.grid(SHEET, 'A3:A3')).toEqual([["1 UPN is on more than one school's return. School 001 (3302001) and School 002 (3302002): 1 UPN"]]);
    // None: the row is emptied on a refresh.
    await writeChaseList(chaseInput([school(1, 'submitted'), school(2, 'submitted')]));
    expect(host.grid(SHEET, 'A3:A3')).toEqual([['']]);
  });

  it('refreshes the same table in place: a shorter list leaves no stale rows and no second table', async () => {
    await writeChaseList(chaseInput([school(1, 'outstanding'), school(2, 'draft'), school(3, 'outstanding')]));
    host.syncCount = 0;
    const result = await writeChaseList(chaseInput([school(1, 'submitted'), school(2, 'submitted'), school(3, 'outstanding')]));
    expect(result).toEqual({ sheet: SHEET, created: false, schools: 1 });
    expect(host.syncCount).toBe(3);
    expect(host.tables).toHaveLength(1);
    expect(host.tables[0]).toMatchObject({ rows: [4, 5], cols: [1, 6] });
    expect(host.grid(SHEET, 'A5:B7')).toEqual([
      ['School 003', '3302003'],
      ['', ''],
      ['', ''],
    ]);
  });

  it.each([10, 500])('costs three syncs for %i schools', async (n) => {
    await writeChaseList(chaseInput(schools(n)));
    expect(host.syncCount).toBe(3);
    host.syncCount = 0;
    await writeChaseList(chaseInput(schools(n)));
    expect(host.syncCount).toBe(3);
    expect(host.tables).toHaveLength(1);
  });

  it('writes a header-only table when nobody needs chasing', async () => {
    const result = await writeChaseList(chaseInput([school(1, 'submitted')]));
    expect(result.schools).toBe(0);
    expect(host.value(SHEET, 'A4')).toBe('School');
    expect(host.value(SHEET, 'A5')).toBeUndefined();
  });
});

const table = (id: string, labels: string[], cell: (r: number, c: number) => number | 'c' = (r, c) => r + c + 5): CountTable => {
  const rows = labels.map((label, r) => {
    const cells = [0, 1, 2].map((c) => cell(r, c));
    return { label, cells, total: cells.every((v) => typeof v === 'number') ? (cells as number[]).reduce((a, b) => a + b, 0) : ('c' as const) };
  });
  return {
    id,
    title: `Title of ${id}`,
    rowHeader: `Rows of ${id}`,
    columns: ['EHC plan (E)', 'SEN support (K)', 'No SEN (N)'],
    rows,
    columnTotals: [100, 200, 300],
    grandTotal: 600,
    disclosureControlled: false,
  };
};
const AREAS = ['Cognition and Learning', 'Communication and Interaction', 'Social, Emotional and Mental Health', 'Sensory and/or Physical', 'No broad area (OTH or NSA)', 'No need recorded'];
/** The area-by-locality cross-tab: four localities by six broad areas of need, cell (r, c) = 10r + c. */
const crosstab = (cell: (r: number, c: number) => number | 'c' = (r, c) => 10 * r + c): CountTable => {
  const rows = ['East', 'North', 'South', 'West'].map((label, r) => {
    const cells = AREAS.map((_, c) => cell(r, c));
    return { label, cells, total: cells.every((v) => typeof v === 'number') ? (cells as number[]).reduce((a, b) => a + b, 0) : ('c' as const) };
  });
  return {
    id: 'area-by-locality',
    title: "Pupils by broad area of need and the receiving secondary's locality area",
    rowHeader: 'Locality area',
    columns: AREAS,
    rows,
    columnTotals: [60, 64, 68, 72, 76, 80],
    grandTotal: 420,
    disclosureControlled: false,
  };
};
const allTables = (secondaries: number): CountTable[] =>
  AGGREGATE_TABLE_IDS.map((id) =>
    id === 'area-by-locality' ? crosstab() : table(id, Array.from({ length: id === 'secondary-by-provision' ? secondaries : 4 }, (_, i) => `${id} row ${i + 1}`)),
  );
const aggInput = (tables: CountTable[], disclosureControlled = false) => ({
  year: 2027,
  academicYear: '2027-28',
  tables,
  schools: { expected: 40, included: 31 },
  disclosureControlled,
  pulledAt: new Date('2027-07-01T10:00:00Z'),
});

describe('pullAggregates', () => {
  it("writes the issue's four views, one sheet each, each table an Excel table with a titled chart beside it, in three syncs", async () => {
    const result = await pullAggregates(aggInput(allTables(3)));
    expect(host.syncCount).toBe(3);
    expect(result).toEqual({
      sheets: [
        { sheet: 'Need and provision', tables: ['need-by-provision'], created: true },
        { sheet: 'Area of need by locality', tables: ['area-by-locality'], created: true },
        { sheet: 'Receiving secondaries', tables: ['secondary-by-provision'], created: true },
        { sheet: 'Support level', tables: ['support-by-provision'], created: true },
      ],
      tables: 4,
      charts: 4,
      suppressedCells: 0,
    });
    expect(host.tables.map((t) => [t.name, t.sheet, t.rows, t.cols])).toEqual([
      [aggregateTableName('need-by-provision'), 'Need and provision', [5, 10], [1, 5]],
      [aggregateTableName('area-by-locality'), 'Area of need by locality', [5, 10], [1, 8]],
      [aggregateTableName('secondary-by-provision'), 'Receiving secondaries', [5, 9], [1, 5]],
      [aggregateTableName('support-by-provision'), 'Support level', [5, 10], [1, 5]],
    ]);
    expect(host.grid('Need and provision', 'A4:E6')).toEqual([
      ['Title of need-by-provision', '', '', '', ''],
      ['Rows of need-by-provision', 'EHC plan (E)', 'SEN support (K)', 'No SEN (N)', 'Total'],
      ['need-by-provision row 1', 5, 6, 7, 18],
    ]);
    expect(host.grid('Need and provision', 'A10:E10')).toEqual([['Total', 100, 200, 300, 600]]);
    const [need] = host.sheet('Need and provision').charts;
    expect(need).toMatchObject({
      name: aggregateChartName('need-by-provision'),
      type: 'BarClustered',
      source: "'Need and provision'!A5:D9",
      seriesBy: 'Columns',
      title: 'Title of need-by-provision',
      categoryAxisTitle: 'Rows of need-by-provision',
      valueAxisTitle: 'Pupils',
      top: 4 * 15,
      left: 6 * 48,
    });
    expect(host.value('Need and provision', 'A3')).toBeUndefined();
  });

  it('writes the cross-tab with a column per broad area of need and its totals, charted as stacked columns by locality', async () => {
    await pullAggregates(aggInput(allTables(3)));
    expect(host.grid('Area of need by locality', 'A4:H10')).toEqual([
      ["Pupils by broad area of need and the receiving secondary's locality area", '', '', '', '', '', '', ''],
      ['Locality area', ...AREAS, 'Total'],
      ['East', 0, 1, 2, 3, 4, 5, 15],
      ['North', 10, 11, 12, 13, 14, 15, 75],
      ['South', 20, 21, 22, 23, 24, 25, 135],
      ['West', 30, 31, 32, 33, 34, 35, 195],
      ['Total', 60, 64, 68, 72, 76, 80, 420],
    ]);
    expect(host.sheet('Area of need by locality').charts).toMatchObject([
      {
        name: aggregateChartName('area-by-locality'),
        type: 'ColumnStacked',
        // Categories are the localities, one series per area of need; neither totals row nor column.
        source: "'Area of need by locality'!A5:G9",
        seriesBy: 'Columns',
        title: "Pupils by broad area of need and the receiving secondary's locality area",
        categoryAxisTitle: 'Locality area',
        valueAxisTitle: 'Pupils',
        top: 4 * 15,
        left: 9 * 48,
      },
    ]);
  });

  it('refreshes in place: the same tables and charts, resized to the new rows, no duplicates', async () => {
    await pullAggregates(aggInput(allTables(6)));
    host.syncCount = 0;
    const result = await pullAggregates(aggInput(allTables(2)));
    expect(host.syncCount).toBe(3);
    expect(result.sheets.every((s) => !s.created)).toBe(true);
    expect(host.tables).toHaveLength(4);
    expect(host.sheets.flatMap((s) => s.charts)).toHaveLength(4);
    expect(host.sheets.map((s) => s.name)).toEqual(['Sheet1', 'Need and provision', 'Area of need by locality', 'Receiving secondaries', 'Support level']);
    const secondaries = host.tables.find((t) => t.name === aggregateTableName('secondary-by-provision'));
    expect(secondaries).toMatchObject({ rows: [5, 8] });
    expect(host.sheet('Receiving secondaries').charts[0]?.source).toBe("'Receiving secondaries'!A5:D7");
    expect(host.grid('Receiving secondaries', 'A8:A12').flat()).toEqual(['Total', '', '', '', '']);
  });

  it('shows suppressed counts as c, with the note saying why', async () => {
    const tables = allTables(3).map((t) => (t.id === 'support-by-provision' ? table(t.id, ['Universal', 'Targeted'], (r, c) => (r === 0 && c < 2 ? 'c' : 10)) : t));
    const result = await pullAggregates(aggInput(tables, true));
    expect(result.suppressedCells).toBe(3);
    expect(host.grid('Support level', 'A6:E6')).toEqual([['Universal', 'c', 'c', 10, 'c']]);
    expect(host.value('Support level', 'A3')).toBe(SUPPRESSION_NOTE);
    expect(host.value('Need and provision', 'A3')).toBe(SUPPRESSION_NOTE);
  });

  it("shows a trust's suppressed cross-tab cells as c, and a refresh without the Unknown locality leaves no stale row", async () => {
    const withUnknown = crosstab();
    withUnknown.rows.push({ label: 'Unknown', cells: [0, 0, 0, 0, 0, 0], total: 0 });
    await pullAggregates(aggInput(allTables(3).map((t) => (t.id === 'area-by-locality' ? withUnknown : t))));
    expect(host.tables.find((t) => t.name === aggregateTableName('area-by-locality'))).toMatchObject({ rows: [5, 11] });
    host.syncCount = 0;
    const controlled = { ...crosstab((r, c) => (r === 0 && c < 2 ? 'c' : 10 * r + c + 5)), disclosureControlled: true };
    const result = await pullAggregates(aggInput(allTables(3).map((t) => (t.id === 'area-by-locality' ? controlled : t)), true));
    expect(host.syncCount).toBe(3);
    expect(result.suppressedCells).toBe(3);
    expect(host.grid('Area of need by locality', 'A6:H6')).toEqual([['East', 'c', 'c', 7, 8, 9, 10, 'c']]);
    expect(host.grid('Area of need by locality', 'A10:A11').flat()).toEqual(['Total', '']);
    expect(host.value('Area of need by locality', 'A3')).toBe(SUPPRESSION_NOTE);
    expect(host.tables.find((t) => t.name === aggregateTableName('area-by-locality'))).toMatchObject({ rows: [5, 10], cols: [1, 8] });
    expect(host.sheet('Area of need by locality').charts).toHaveLength(1);
    expect(host.sheet('Area of need by locality').charts[0]?.source).toBe("'Area of need by locality'!A5:G9");
  });

  it.each([10, 500])('costs three syncs with %i receiving secondaries, new or refreshed', async (n) => {
    await pullAggregates(aggInput(allTables(n)));
    expect(host.syncCount).toBe(3);
    host.syncCount = 0;
    await pullAggregates(aggInput(allTables(n)));
    expect(host.syncCount).toBe(3);
    expect(host.tables).toHaveLength(4);
  });
});

describe('openAsNewWorkbook', () => {
  const bytes = new Uint8Array([80, 75, 3, 4, 255, 0, 1]);

  it('opens the bytes as a new workbook through Excel.createWorkbook, base64-encoded', async () => {
    expect(await openAsNewWorkbook(bytes)).toEqual({ opened: 'workbook' });
    expect(host.created).toEqual([{ base64: Buffer.from(bytes).toString('base64') }]);
    expect(toBase64(bytes)).toBe('UEsDBP8AAQ==');
  });

  it('says so where the host has no createWorkbook, so the pane offers a download', async () => {
    host.supportsCreateWorkbook = false;
    (globalThis as unknown as { Excel: unknown }).Excel = host.excel();
    expect(await openAsNewWorkbook(bytes)).toEqual({ opened: 'unsupported' });
    expect(host.created).toEqual([]);
  });
});

describe('shared UPNs on the tracker (issue 29)', () => {
  it('names each set of schools sharing UPNs, with the count, for the LA to resolve', () => {
    const schools = [
      { school: '3302001', name: 'Acorn Lane Primary (test)' },
      { school: '3302002', name: 'Bramble Hill Primary (test)' },
      { school: '3302003', name: 'Copperbeech Primary (test)' },
    ];
    const lines = sharedUpnLines(
      {
        upns: 3,
        line: '3 UPNs are on more than one school\'s return',
        groups: [
          { schools: ['3302001', '3302002'], count: 2 },
          { schools: ['3302001', '3302002', '3309999'], count: 1 },
        ],
      },
      schools,
    );
    expect(lines).toEqual([
      'Acorn Lane Primary (test) (3302001) and Bramble Hill Primary (test) (3302002): 2 UPNs',
      'Acorn Lane Primary (test) (3302001), Bramble Hill Primary (test) (3302002) and School (3309999): 1 UPN',
    ]);
    expect(sharedUpnLines(undefined, schools)).toEqual([]);
  });
});
