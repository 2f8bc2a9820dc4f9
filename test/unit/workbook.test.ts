/**
 * The transition template, the reader and the consolidated export, read back with exceljs
 * as Excel would see them.
 */
import ExcelJS from 'exceljs';
import fc from 'fast-check';
import { writeTransitionWorkbook } from '../../xlsx/template';
import { readTransitionWorkbook } from '../../shared/workbook/reader';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeConsolidatedWorkbook, writeConsolidatedWorkbookFile } from '../../xlsx/consolidated';
import { inspectXlsx, WorkbookZip } from '../../shared/workbook/zip';
import type { TrackerEntry } from '../../shared/consolidation';
import { escapeCell, unescapeCell } from '../../shared/workbook/escape';
import { SHEET_LAYOUT, TRANSITION_COLUMNS, allowedCodes, FILLED_BY } from '../../shared/transition/layout';
import type { PupilRow, QueryExplanation } from '../../shared/transition/schema';
import type { CountTable } from '../../shared/aggregate/table';
import { aReturn, row, sheet, SECONDARY, PRIMARY, TRANSFER_YEAR, upnFor } from '../factories/transition';

interface Validation {
  type: string;
  formulae?: string[];
  errorStyle?: string;
  showInputMessage?: boolean;
  prompt?: string;
}

async function load(bytes: Uint8Array): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(Buffer.from(bytes) as unknown as ArrayBuffer);
  return wb;
}

const validations = (ws: ExcelJS.Worksheet): Record<string, Validation | undefined> =>
  (ws as unknown as { dataValidations: { model: Record<string, Validation | undefined> } }).dataValidations.model;

/** Every cell of every sheet, with its value, for sweeping checks. */
function allCells(wb: ExcelJS.Workbook): Array<{ sheet: string; cell: ExcelJS.Cell }> {
  const out: Array<{ sheet: string; cell: ExcelJS.Cell }> = [];
  for (const ws of wb.worksheets) ws.eachRow((r) => r.eachCell((cell) => out.push({ sheet: ws.name, cell })));
  return out;
}

function expectNothingHidden(wb: ExcelJS.Workbook): void {
  for (const ws of wb.worksheets) {
    expect(ws.state).toBe('visible');
    ws.eachRow({ includeEmpty: true }, (r) => expect(r.hidden).toBe(false));
    for (let c = 1; c <= Math.max(ws.columnCount, 40); c++) expect(ws.getColumn(c).hidden).toBe(false);
  }
}

describe('the transition template', () => {
  let wb: ExcelJS.Workbook;
  beforeAll(async () => {
    wb = await load(await writeTransitionWorkbook({ year: TRANSFER_YEAR }));
  });

  it('has one empty transition sheet with title, year, receiving label and the layout headers in row 9', () => {
    const ws = wb.getWorksheet(SHEET_LAYOUT.sheetName)!;
    expect(ws.getCell(SHEET_LAYOUT.titleCell).value).toBe(SHEET_LAYOUT.title);
    expect(ws.getCell(SHEET_LAYOUT.subtitleCell).value).toBe(SHEET_LAYOUT.subtitle);
    expect(ws.getCell(SHEET_LAYOUT.yearCell).value).toBe(TRANSFER_YEAR);
    expect(String(ws.getCell(SHEET_LAYOUT.receivingLabelCell).value)).toMatch(/Receiving secondary/);
    expect(ws.getCell(SHEET_LAYOUT.receivingCell).value).toBeNull();
    for (const c of TRANSITION_COLUMNS) expect(ws.getCell(`${c.letter}${SHEET_LAYOUT.headerRow}`).value).toBe(c.header);
    expect(ws.getCell(`P${SHEET_LAYOUT.headerRow}`).value).toBeNull();
    expect(ws.getColumn('P').width).toBeLessThanOrEqual(3);
    expect(ws.actualRowCount).toBe(7); // title, subtitle, year label/value, receiving label, group row, header row
  });

  it('bands the columns by who fills them in a merged group row', () => {
    const ws = wb.getWorksheet(SHEET_LAYOUT.sheetName)!;
    const g = SHEET_LAYOUT.groupRow;
    expect(ws.getCell(`A${g}`).value).toBe(`${FILLED_BY.secondary.who}, ${FILLED_BY.secondary.when}`);
    expect(ws.getCell(`E${g}`).isMerged).toBe(true);
    expect(ws.getCell(`E${g}`).master.address).toBe(`A${g}`);
    expect(ws.getCell(`H${g}`).value).toBe(`${FILLED_BY['primary-july'].who}, ${FILLED_BY['primary-july'].when}`);
    expect(ws.getCell(`AM${g}`).master.address).toBe(`Q${g}`);
  });

  it('freezes panes below the header and right of column B, with the layout widths and a date format on C', () => {
    const ws = wb.getWorksheet(SHEET_LAYOUT.sheetName)!;
    expect(ws.views[0]).toMatchObject({ state: 'frozen', xSplit: 2, ySplit: SHEET_LAYOUT.headerRow });
    for (const c of TRANSITION_COLUMNS) expect(ws.getColumn(c.letter).width).toBe(c.width);
    expect(ws.getColumn('C').numFmt).toBe('dd/mm/yyyy');
  });

  it('puts a dropdown from the visible Lists sheet on every coded column, strict only for single codes', () => {
    const ws = wb.getWorksheet(SHEET_LAYOUT.sheetName)!;
    const lists = wb.getWorksheet(SHEET_LAYOUT.listsSheet)!;
    expect(lists.state).toBe('visible');
    const coded = TRANSITION_COLUMNS.filter((c) => allowedCodes(c));
    expect(coded.length).toBeGreaterThan(20);
    for (const c of coded) {
      for (const r of [SHEET_LAYOUT.firstDataRow, SHEET_LAYOUT.firstDataRow + 150]) {
        const v = validations(ws)[`${c.letter}${r}`];
        expect(v?.type).toBe('list');
        expect(v?.errorStyle).toBe(c.type.kind === 'code' ? 'stop' : 'information');
        const m = /^'Lists'!\$([A-Z]+)\$2:\$\1\$(\d+)$/.exec(v?.formulae?.[0] ?? '');
        expect(m).not.toBeNull();
        const letter = m![1]!;
        expect(lists.getCell(`${letter}1`).value).toBe(c.header);
        const listed = Array.from({ length: Number(m![2]) - 1 }, (_, i) => lists.getCell(`${letter}${i + 2}`).value);
        expect(listed).toEqual(allowedCodes(c)!.map((x) => x.code));
      }
    }
    for (const c of TRANSITION_COLUMNS.filter((x) => !allowedCodes(x))) expect(validations(ws)[`${c.letter}${SHEET_LAYOUT.firstDataRow}`]).toBeUndefined();
  });

  it('shows each column\'s help as the header cell\'s input prompt', () => {
    const ws = wb.getWorksheet(SHEET_LAYOUT.sheetName)!;
    for (const c of TRANSITION_COLUMNS) {
      const v = validations(ws)[`${c.letter}${SHEET_LAYOUT.headerRow}`];
      expect(v).toMatchObject({ showInputMessage: true, prompt: c.help });
    }
  });

  it('has Instructions covering every column and who fills it, and a Query explanations sheet', () => {
    const text = allCells(wb).filter((x) => x.sheet === SHEET_LAYOUT.instructionsSheet).map((x) => String(x.cell.value)).join('\n');
    for (const c of TRANSITION_COLUMNS) expect(text).toContain(c.help);
    for (const f of Object.values(FILLED_BY)) expect(text).toContain(f.when);
    expect(text).toMatch(/GS2010Q/);
    const ex = wb.getWorksheet(SHEET_LAYOUT.explanationsSheet)!;
    expect(ex.getRow(1).values).toEqual([undefined, 'Rule', 'Sheet', 'Cell', 'Explanation']);
  });

  it('hides nothing and holds no formula', () => {
    expectNothingHidden(wb);
    for (const { cell } of allCells(wb)) expect(cell.type).not.toBe(ExcelJS.ValueType.Formula);
  });
});

describe('template → fill → read', () => {
  const explanations: QueryExplanation[] = [
    { rule: 'GS2010Q', sheet: SHEET_LAYOUT.sheetName, cell: 'Z11', text: 'Long hospital stay in the autumn term; now attending fully.' },
    { rule: 'GS2040Q', sheet: 'Second', cell: 'H10', text: '=Pupil was absent for the test week' },
  ];

  it('gives back the same values: dates, numbers, codes, text and explanations', async () => {
    const ret = aReturn(4);
    ret.sheets[0]!.rows[1] = row(2, { attendance: 84.5, semhNotes: '-quiet at lunch; +needs a buddy', ks2Reading: 'A', externalAgencies: 'SaLT, EPS', resourceBase: 'Y: Oak ASD Base' });
    ret.sheets.push({ ...sheet([row(7, { dob: '2015-09-01', eal: 'Y-B' })], 'Second Academy (3304002)'), name: 'Second' });
    ret.explanations = explanations;
    const bytes = await writeTransitionWorkbook({ year: TRANSFER_YEAR, sheets: ret.sheets, explanations });
    const back = await readTransitionWorkbook(bytes, { fileName: 'round-trip.xlsx' });
    expect(back).toEqual(ret);
  });

  it('writes dates as real Excel dates shown dd/mm/yyyy', async () => {
    const wb = await load(await writeTransitionWorkbook({ year: TRANSFER_YEAR, sheets: aReturn(1).sheets }));
    const cell = wb.getWorksheet(SHEET_LAYOUT.sheetName)!.getCell(`C${SHEET_LAYOUT.firstDataRow}`);
    expect(cell.value).toEqual(new Date(Date.UTC(2016, 0, 15)));
    expect(cell.numFmt).toBe('dd/mm/yyyy');
  });

  it('reads a date typed as text dd/mm/yyyy as ISO, keeps unparseable text, trims text and reads blanks as null', async () => {
    const wb = await load(await writeTransitionWorkbook({ year: TRANSFER_YEAR, sheets: aReturn(3).sheets }));
    const ws = wb.getWorksheet(SHEET_LAYOUT.sheetName)!;
    ws.getCell('C10').value = '15/01/2016';
    ws.getCell('C11').value = '31/02/2016';
    ws.getCell('A12').value = '  Testsurname3  ';
    ws.getCell('M12').value = null;
    ws.getCell('F12').value = { richText: [{ text: upnFor(3).slice(0, 5) }, { text: upnFor(3).slice(5) }] };
    ws.getCell('AA12').value = { error: '#N/A' } as ExcelJS.CellErrorValue;
    ws.getCell(SHEET_LAYOUT.yearCell).value = ' 2027 ';
    ws.getCell('A20').value = '   ';
    const back = await readTransitionWorkbook(new Uint8Array((await wb.xlsx.writeBuffer()) as ArrayBuffer), {});
    const rows = back.sheets[0]!.rows;
    expect(rows.map((r) => r.row)).toEqual([10, 11, 12]);
    expect(rows[0]!.values.dob).toBe('2016-01-15');
    expect(rows[1]!.values.dob).toBe('31/02/2016');
    expect(rows[2]!.values.surname).toBe('Testsurname3');
    expect(rows[2]!.values.readingScore).toBeNull();
    expect(rows[2]!.values.upn).toBe(upnFor(3));
    expect(rows[2]!.values.suspensions).toBe('#N/A');
    expect(back.year).toBe(2027);
  });

  it('reads a blank year and receiving secondary as null', async () => {
    const back = await readTransitionWorkbook(await writeTransitionWorkbook({ year: null }), {});
    expect(back).toEqual({ year: null, sheets: [{ name: SHEET_LAYOUT.sheetName, receivingSecondary: null, rows: [] }], explanations: [] });
  });
});

describe('escapeCell', () => {
  it.each([
    ['=1+1', "'=1+1"],
    ['+44 121 000 0000', "'+44 121 000 0000"],
    ['-x', "'-x"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tx', "'\tx"],
    ['\rx', "'\rx"],
  ])('puts an apostrophe before %j', (input, escaped) => {
    expect(escapeCell(input)).toBe(escaped);
  });

  it.each([['Testsurname'], [''], ["'twas"], [42], [null], [true]])('leaves %j unchanged', (v) => {
    expect(escapeCell(v)).toBe(v);
  });

  it('is undone by the reader for any text that does not already start with an apostrophe', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        fc.pre(!s.startsWith("'"));
        expect(unescapeCell(String(escapeCell(s)))).toBe(s);
      }),
    );
  });
});

describe('the consolidated workbook', () => {
  const pupil = (n: number, overrides: Partial<PupilRow> = {}): PupilRow & { sourceSchool: string; sourceFile?: string } => ({
    sheet: SHEET_LAYOUT.sheetName,
    row: SHEET_LAYOUT.firstDataRow + n - 1,
    receivingSecondary: SECONDARY,
    surname: `Testsurname${n}`,
    forename: `Testforename${n}`,
    dob: '2016-01-15',
    sex: 'M',
    feederPrimary: PRIMARY,
    upn: upnFor(n),
    destinationConfirmed: 'Y',
    ks2Reading: 98,
    ks2Maths: 'A',
    ks2Gps: null,
    writingTa: 'WTS',
    scienceTa: 'EXS',
    readingScore: 88,
    toolkitLiteracy: 'Y5.1',
    toolkitMaths: null,
    senProvision: 'K',
    primaryNeed: 'SLCN',
    secondaryNeed: null,
    planHeld: 'SEN support plan',
    supportLevel: 'Targeted',
    keyProvision: '=HYPERLINK("http://example.invalid","click")',
    resourceBase: { placement: 'Y', base: 'Oak ASD Base' },
    externalAgencies: ['SaLT', 'EPS'],
    healthCarePlan: 'N',
    attendance: 96.5,
    suspensions: 0,
    safeguarding: 'N',
    lookedAfter: 'N',
    youngCarer: null,
    eal: 'N',
    fsmPp: 'N',
    serviceChild: null,
    semhNotes: '+worries about change',
    friendships: '@mentions two friends',
    strengths: '-',
    pupilVoice: 'Looking forward to science labs.',
    parentViews: { consent: 'Y', views: 'keen on the nurture group' },
    transitionPackage: { package: 'Targeted', contact: null },
    sourceSchool: PRIMARY,
    sourceFile: '=evil.xlsx',
    ...overrides,
  });
  const tracker: TrackerEntry[] = [
    { school: PRIMARY, schoolName: 'Testfield Primary', file: 'a.xlsx', rows: 2, errors: 0, queries: 1, status: 'Ready' },
    { school: '', file: '-broken.xlsx', rows: 0, errors: 0, queries: 0, status: 'Unreadable', reason: 'the file is not an Excel workbook; save it as .xlsx' },
  ];
  const table: CountTable = {
    id: 'provision-by-need',
    title: 'SEN provision by primary need: [city] / all areas, published',
    rowHeader: 'SEN provision',
    columns: ['SLCN', 'ASD'],
    rows: [
      { label: 'K', cells: [12, 'c'], total: 'c' },
      { label: 'E', cells: [5, 'c'], total: 'c' },
    ],
    columnTotals: [17, 3],
    grandTotal: 20,
    disclosureControlled: true,
  };

  let wb: ExcelJS.Workbook;
  beforeAll(async () => {
    wb = await load(
      await writeConsolidatedWorkbook({
        year: TRANSFER_YEAR,
        generatedAt: '2027-07-20T09:00:00.000Z',
        pupils: [pupil(1), pupil(2, { resourceBase: null, externalAgencies: [] })],
        tracker,
        tables: [table, { ...table, id: 'copy', disclosureControlled: false }],
      }),
    );
  });

  it('has About, Pupils, Tracker and one legally named sheet per table', () => {
    const names = wb.worksheets.map((w) => w.name);
    expect(names.slice(0, 3)).toEqual(['About', 'Pupils', 'Tracker']);
    expect(names).toHaveLength(5);
    expect(new Set(names.map((n) => n.toLowerCase())).size).toBe(5);
    for (const n of names.slice(3)) {
      expect(n.length).toBeLessThanOrEqual(31);
      expect(n).not.toMatch(/[[\]:*?/\\]/);
    }
  });

  it('says on About what it is, when it was made, that it is special-category data, and which tables are controlled', () => {
    const text = allCells(wb).filter((x) => x.sheet === 'About').map((x) => String(x.cell.value)).join('\n');
    expect(text).toContain('2027');
    expect(text).toContain('2027-07-20T09:00:00.000Z');
    expect(text).toMatch(/special-category/);
    expect(text).toContain(wb.worksheets[3]!.name);
  });

  it('writes one Pupils row per pupil in reading form, with a filter and frozen header', () => {
    const ws = wb.getWorksheet('Pupils')!;
    expect(ws.actualRowCount).toBe(3);
    const header = (ws.getRow(1).values as unknown[]).slice(1);
    expect(header.slice(0, 2)).toEqual(['Source school', 'Receiving secondary']);
    const at = (h: string, r: number): unknown => ws.getRow(r).getCell(header.indexOf(h) + 1).value;
    expect(at('Resource base / specialist placement', 2)).toBe('Y: Oak ASD Base');
    expect(at('Resource base / specialist placement', 3)).toBeNull();
    expect(at('External agencies involved', 2)).toBe('SaLT, EPS');
    expect(at('Parent/carer views + consent to share', 2)).toBe('Y: keen on the nurture group');
    expect(at('Transition package + primary SENCo contact', 2)).toBe('Targeted');
    expect(at('Date of birth', 2)).toEqual(new Date(Date.UTC(2016, 0, 15)));
    expect(at('KS2 maths (scaled score)', 2)).toBe('A');
    expect(ws.autoFilter).toBeTruthy();
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(wb.getWorksheet('Tracker')!.autoFilter).toBeTruthy();
  });

  it('escapes every text cell that could be taken for a formula', () => {
    const ws = wb.getWorksheet('Pupils')!;
    const header = (ws.getRow(1).values as unknown[]).slice(1);
    const at = (h: string): unknown => ws.getRow(2).getCell(header.indexOf(h) + 1).value;
    expect(at('Key provision and interventions')).toBe('\'=HYPERLINK("http://example.invalid","click")');
    expect(at('SEMH notes')).toBe("'+worries about change");
    expect(at('Friendships')).toBe("'@mentions two friends");
    expect(at('Strengths and interests')).toBe("'-");
    expect(at('Source file')).toBe("'=evil.xlsx");
    expect(wb.getWorksheet('Tracker')!.getCell('C3').value).toBe("'-broken.xlsx");
    for (const { cell } of allCells(wb)) {
      expect(cell.type).not.toBe(ExcelJS.ValueType.Formula);
      if (typeof cell.value === 'string') expect(cell.value).not.toMatch(/^[=+\-@\t\r]/);
    }
  });

  it('keeps suppressed cells as c, with row and column totals', () => {
    const ws = wb.worksheets[3]!;
    const values = (r: number): unknown[] => (ws.getRow(r).values as unknown[]).slice(1);
    expect(values(4)).toEqual(['SEN provision', 'SLCN', 'ASD', 'Total']);
    expect(values(5)).toEqual(['K', 12, 'c', 'c']);
    expect(values(6)).toEqual(['E', 5, 'c', 'c']);
    expect(values(7)).toEqual(['Total', 17, 3, 20]);
  });

  it('hides nothing', () => {
    expectNothingHidden(wb);
  });

  it('keeps text with XML specials, surrounding spaces and control characters as written, less the characters XML cannot hold', async () => {
    const odd = await load(
      await writeConsolidatedWorkbook({
        year: TRANSFER_YEAR,
        generatedAt: '2027-07-20T09:00:00.000Z',
        pupils: [pupil(1, { semhNotes: 'quiet at lunch & needs a <buddy> "always"', pupilVoice: '  likes art  ', strengths: 'maths\u0007 and\nmusic' })],
        tracker,
        tables: [],
      }),
    );
    const ws = odd.getWorksheet('Pupils')!;
    const header = (ws.getRow(1).values as unknown[]).slice(1);
    const at = (h: string): unknown => ws.getRow(2).getCell(header.indexOf(h) + 1).value;
    expect(at('SEMH notes')).toBe('quiet at lunch & needs a <buddy> "always"');
    expect(at('Pupil voice')).toBe('  likes art  ');
    expect(at('Strengths and interests')).toBe('maths and\nmusic');
  });

  it('sets the column widths, bold headers and the title of the export', () => {
    const pupils = wb.getWorksheet('Pupils')!;
    expect(pupils.getColumn(1).width).toBe(12);
    expect(pupils.getColumn(3).width).toBe(TRANSITION_COLUMNS[0]!.width);
    expect(pupils.getRow(1).getCell(1).font?.bold).toBe(true);
    expect(wb.getWorksheet('About')!.getColumn(1).width).toBe(120);
    expect(wb.getWorksheet('About')!.getCell('A1').font).toMatchObject({ bold: true, size: 14 });
    expect(wb.worksheets[3]!.getCell('A1').font).toMatchObject({ bold: true, size: 13 });
    expect(wb.getWorksheet('Tracker')!.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
  });

  it('opens in the repo\'s own reader: every part passes the zip guard, and it is refused only as not being a return', async () => {
    const bytes = await writeConsolidatedWorkbook({ year: TRANSFER_YEAR, generatedAt: '2027-07-20T09:00:00.000Z', pupils: [pupil(1)], tracker, tables: [table] });
    const zip = new WorkbookZip(bytes);
    const parts = inspectXlsx(bytes).entries.map((e) => e.name);
    expect(parts).toEqual(expect.arrayContaining(['[Content_Types].xml', 'xl/workbook.xml', 'xl/_rels/workbook.xml.rels', 'xl/styles.xml', 'xl/worksheets/sheet1.xml']));
    const pupilsXml: string[] = [];
    zip.readText(zip.entry('xl/worksheets/sheet1.xml')!, (t) => pupilsXml.push(t));
    expect(pupilsXml.join('')).toContain('<t>Testsurname1</t>');
    await expect(readTransitionWorkbook(bytes)).rejects.toMatchObject({ code: 'unknown-layout' });
  });

  it('is the same workbook streamed to a file as in memory', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'goodstart-consolidated-'));
    try {
      const file = path.join(dir, 'city.xlsx');
      const opts = { year: TRANSFER_YEAR, generatedAt: '2027-07-20T09:00:00.000Z', pupils: [pupil(1), pupil(2)], tracker, tables: [table] };
      await writeConsolidatedWorkbookFile(file, opts);
      const values = (book: ExcelJS.Workbook) => allCells(book).map((x) => [x.sheet, x.cell.address, x.cell.value]);
      expect(values(await load(new Uint8Array(await fs.readFile(file))))).toEqual(values(await load(await writeConsolidatedWorkbook(opts))));
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
