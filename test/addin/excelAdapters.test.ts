/**
 * The task pane's Excel adapters against the in-memory Excel host: what they write and read,
 * and how many `context.sync()` round trips each action costs for 10 and for 500 pupils.
 */
import { FakeExcelHost, createFakeExcel } from '../excelHost/fakeExcel';
import { checkWorkbook, createTransitionSheet, inspectWorkbook, recheckRows, saveExplanation, selectCell, watchTransitionSheets, HIGHLIGHT } from '../../addin/excel/transitionSheet';
import { SHEET_LAYOUT, TRANSITION_COLUMNS, allowedCodes, columnNumber } from '../../shared/transition/layout';
import { codedColumns } from '../../shared/transition/sheetPlan';
import { validateReturn } from '../../shared/transition/validate';
import type { RowValues, TransitionReturn } from '../../shared/transition/schema';
import { TRANSFER_YEAR, SECONDARY, pupilRow, validValues } from '../factories/transition';
import { pullCohortSheet } from '../../addin/excel/cohortSheet';
import type { CohortPupil } from '../../shared/transition/cohortPlan';
import { chunkRows, isOwnChange } from '../../addin/excel/run';
import { pupilGrid, pupilRange } from '../excelHost/pupilGrid';

let host: FakeExcelHost;

beforeEach(() => {
  host = createFakeExcel();
  (globalThis as unknown as { Excel: unknown }).Excel = host.excel();
});

const A7 = `Testbrook Academy (${SECONDARY})`;
const validate = (ret: TransitionReturn) => validateReturn(ret, { year: TRANSFER_YEAR }).report;

/** Types pupils into the sheet as a SENCo would, one row per pupil from row 10. */
function typePupils(count: number, override: (n: number) => Partial<RowValues> = () => ({}), sheet: string = SHEET_LAYOUT.sheetName): void {
  host.edit(sheet, pupilRange(count), pupilGrid(count, override));
}

async function created(): Promise<void> {
  await createTransitionSheet({ year: TRANSFER_YEAR, receivingSecondary: A7, whenExists: 'refresh' });
  host.syncCount = 0;
}

describe('createTransitionSheet', () => {
  it('writes the layout table: headers in row 9, A4 and A7, bands in row 8, frozen panes, in three syncs', async () => {
    const result = await createTransitionSheet({ year: TRANSFER_YEAR, receivingSecondary: A7, whenExists: 'refresh' });
    expect(result).toEqual({ sheet: 'Transition', refreshed: false, keptRows: 0 });
    expect(host.syncCount).toBe(3);
    for (const c of TRANSITION_COLUMNS) expect(host.value('Transition', `${c.letter}${SHEET_LAYOUT.headerRow}`)).toBe(c.header);
    expect(host.value('Transition', 'A4')).toBe(TRANSFER_YEAR);
    expect(host.value('Transition', 'A7')).toBe(A7);
    expect(host.value('Transition', 'A8')).toBe('Receiving secondary school, before May half-term');
    expect(host.value('Transition', 'P9')).toBeUndefined();
    const t = host.sheet('Transition');
    expect([t.frozenRows, t.frozenColumns]).toEqual([SHEET_LAYOUT.headerRow, 2]);
    expect(host.sheets.map((s) => s.name)).toEqual(['Sheet1', 'Instructions', 'Transition', 'Query explanations', 'Lists']);
    expect(host.activeSheet).toBe('Transition');
    expect(host.selection).toEqual({ sheet: 'Transition', address: 'C10' });
  });

  it('puts a dropdown on every coded column, backed by the visible Lists sheet, with an input prompt', async () => {
    await createTransitionSheet({ year: TRANSFER_YEAR, receivingSecondary: null, whenExists: 'refresh' });
    const t = host.sheet('Transition');
    const coded = TRANSITION_COLUMNS.filter((c) => (allowedCodes(c)?.length ?? 0) > 0);
    expect(coded.length).toBeGreaterThan(20);
    for (const c of coded) {
      const v = t.validations.find((x) => x.cols[0] === columnNumber(c.letter) && x.rows[0] === SHEET_LAYOUT.firstDataRow);
      expect(v?.list?.source).toMatch(/^='Lists'!\$[A-Z]+\$2:\$[A-Z]+\$\d+$/);
      expect(v?.rows[1]).toBe(SHEET_LAYOUT.firstDataRow + 499);
      expect(v?.prompt?.title).toBe(c.header.length <= 32 ? c.header : `${c.header.slice(0, 31)}…`);
      const list = codedColumns().find((l) => l.column.key === c.key);
      // The list's cells hold exactly the column's codes.
      const codes = allowedCodes(c)?.map((x) => x.code) ?? [];
      expect(host.grid('Lists', `${list?.listLetter}2:${list?.listLetter}${codes.length + 1}`).flat()).toEqual(codes);
    }
    expect(host.sheet('Lists').visibility).toBe('Visible');
    // Free-text columns get a prompt but no list.
    const v = t.validations.find((x) => x.cols[0] === columnNumber('V'));
    expect(v?.list).toBeUndefined();
    expect(v?.prompt?.message).toContain('500 characters');
  });

  it('asks nothing of pupil rows: a refresh keeps every pupil cell, A4 and A7, and reports the rows kept', async () => {
    await created();
    typePupils(12);
    host.edit('Transition', 'A4', 2026);
    const before = host.grid('Transition', `A10:AM21`);
    const result = await createTransitionSheet({ year: TRANSFER_YEAR, receivingSecondary: 'Another School (3304002)', whenExists: 'refresh' });
    expect(result).toEqual({ sheet: 'Transition', refreshed: true, keptRows: 12 });
    expect(host.grid('Transition', `A10:AM21`)).toEqual(before);
    expect(host.value('Transition', 'A4')).toBe(2026);
    expect(host.value('Transition', 'A7')).toBe(A7);
    expect(host.sheets.filter((s) => s.name.startsWith('Transition'))).toHaveLength(1);
  });

  it('adds "Transition 2" beside an existing sheet when asked for a new one', async () => {
    await created();
    typePupils(3);
    const result = await createTransitionSheet({ year: TRANSFER_YEAR, receivingSecondary: 'Another School (3304002)', whenExists: 'new' });
    expect(result.sheet).toBe('Transition 2');
    expect(host.value('Transition 2', 'A7')).toBe('Another School (3304002)');
    expect(host.grid('Transition', 'A10:B12').map((r) => r[0])).toEqual(['Testsurname1', 'Testsurname2', 'Testsurname3']);
  });

  it('never overwrites a user sheet that happens to be called Transition', async () => {
    host.addSheet('Transition');
    host.edit('Transition', 'A1', 'my own notes');
    const result = await createTransitionSheet({ year: TRANSFER_YEAR, receivingSecondary: null, whenExists: 'refresh' });
    expect(result.sheet).toBe('Transition 2');
    expect(host.value('Transition', 'A1')).toBe('my own notes');
  });
});

describe('inspectWorkbook', () => {
  it('finds transition sheets by their headers and counts pupil rows, in two syncs', async () => {
    await created();
    typePupils(7);
    const info = await inspectWorkbook();
    expect(host.syncCount).toBe(2);
    expect(info.transitionSheets).toEqual([{ name: 'Transition', year: TRANSFER_YEAR, receivingSecondary: A7, pupilRows: 7 }]);
  });
});

describe('checkWorkbook', () => {
  it.each([10, 500])('reads %i pupils and validates them in three syncs, with the shared validator’s answer', async (n) => {
    await created();
    typePupils(n, (i) => (i % 10 === 3 ? { upn: 'A123' } : i % 10 === 5 ? { attendance: 80 } : {}));
    const checked = await checkWorkbook(validate);
    expect(host.syncCount).toBe(3);
    expect(checked.ret.sheets[0]?.rows).toHaveLength(n);
    expect(checked.ret.sheets[0]?.rows[0]?.values.dob).toBe('2016-01-15');
    expect(checked.report).toEqual(validate(checked.ret));
    expect(checked.report.errors.filter((e) => e.rule === 'GS1010')).toHaveLength(n / 10);
    expect(checked.report.queries.filter((e) => e.rule === 'GS2010Q')).toHaveLength(n / 10);
  });

  it('highlights errors red and queries amber without touching the user’s own fill, and clears them once fixed', async () => {
    await created();
    typePupils(4, (i) => (i === 2 ? { upn: 'A123' } : i === 3 ? { attendance: 80 } : {}));
    host.userFill('Transition', 'F11', '#00FF00');
    await checkWorkbook(validate);
    expect(host.displayedFill('Transition', 'F11')).toBe(HIGHLIGHT.error);
    expect(host.displayedFill('Transition', 'Z12')).toBe(HIGHLIGHT.query);
    expect(host.displayedFill('Transition', 'F10')).toBeUndefined();
    expect(host.fill('Transition', 'F11')).toBe('#00FF00');

    host.edit('Transition', 'F11', validValues(2).upn as string);
    const again = await checkWorkbook(validate);
    expect(again.report.errors).toEqual([]);
    expect(host.displayedFill('Transition', 'F11')).toBe('#00FF00');
    expect(host.displayedFill('Transition', 'Z12')).toBe(HIGHLIGHT.query);
    // Only our formats were replaced: one per severity present.
    expect(host.sheet('Transition').conditionalFormats).toHaveLength(1);
  });

  it('says what to do when there is no transition sheet', async () => {
    await expect(checkWorkbook(validate)).rejects.toThrow('no transition sheet yet');
  });
});

describe('explanations', () => {
  it('are written to the Query explanations sheet, replaced in place, and make the query explained', async () => {
    await created();
    typePupils(2, (i) => (i === 1 ? { attendance: 80 } : {}));
    const first = await checkWorkbook(validate);
    const q = first.report.queries[0];
    expect(q?.cell).toBe('Z10');
    host.syncCount = 0;
    await saveExplanation({ rule: 'GS2010Q', sheet: 'Transition', cell: 'Z10', text: 'Long hospital stay in the spring term.' });
    expect(host.syncCount).toBe(2);
    await saveExplanation({ rule: 'GS2010Q', sheet: 'Transition', cell: 'Z10', text: 'Hospital stay, spring term; now back full time.' });
    expect(host.grid('Query explanations', 'A1:D3')).toEqual([
      ['Rule', 'Sheet', 'Cell', 'Explanation'],
      ['GS2010Q', 'Transition', 'Z10', 'Hospital stay, spring term; now back full time.'],
      ['', '', '', ''],
    ]);
    const after = await checkWorkbook(validate);
    expect(after.report.summary).toMatchObject({ queries: 1, unexplainedQueries: 0, canSubmit: true });
    expect(host.displayedFill('Transition', 'Z10')).toBeUndefined();
  });

  it('are removed when the text is emptied', async () => {
    await created();
    await saveExplanation({ rule: 'GS2010Q', sheet: 'Transition', cell: 'Z10', text: 'Long hospital stay in the spring term.' });
    await saveExplanation({ rule: 'GS2010Q', sheet: 'Transition', cell: 'Z10', text: '' });
    expect(host.grid('Query explanations', 'A2:D2')).toEqual([['', '', '', '']]);
  });
});

describe('selectCell and recheckRows', () => {
  it('activates the sheet, then selects the cell, in one sync', async () => {
    await created();
    host.activeSheet = 'Lists';
    await selectCell('Transition', 'R14');
    expect(host.syncCount).toBe(1);
    expect(host.activeSheet).toBe('Transition');
    expect(host.selection).toEqual({ sheet: 'Transition', address: 'R14' });
  });

  it.each([10, 500])('re-reads only the changed rows of %i and re-highlights, in two syncs', async (n) => {
    await created();
    typePupils(n);
    const checked = await checkWorkbook(validate);
    host.syncCount = 0;
    host.edit('Transition', 'Z12', 70);
    let seen: { from: number; to: number; rows: number } | undefined;
    const report = await recheckRows('Transition', 12, 12, ['Transition'], (read) => {
      seen = { from: read.from, to: read.to, rows: read.rows.length };
      const sheets = checked.ret.sheets.map((s) => (s.name === read.sheet ? { ...s, rows: s.rows.map((r) => read.rows.find((x) => x.row === r.row) ?? r) } : s));
      return validate({ ...checked.ret, sheets });
    });
    expect(seen).toEqual({ from: 12, to: 12, rows: 1 });
    expect(host.syncCount).toBe(2);
    expect(report.queries.map((q) => q.cell)).toEqual(['Z12']);
    expect(host.displayedFill('Transition', 'Z12')).toBe(HIGHLIGHT.query);
  });
});

describe('chunkRows', () => {
  it('cuts rows into chunks under the request budget, keeping order', () => {
    const rows = Array.from({ length: 100 }, (_, i) => ['x'.repeat(1000), i]);
    const chunks = chunkRows(rows, 10_500);
    expect(chunks.every((c) => JSON.stringify(c).length <= 10_600)).toBe(true);
    expect(chunks.flat()).toEqual(rows);
    expect(chunks.length).toBe(10);
  });
});

describe('pullCohortSheet (secondary)', () => {
  const primaries = new Map([
    ['3302001', 'Acorn Lane Primary'],
    ['3302002', 'Bramble Hill Primary'],
  ]);
  const pupil = (n: number, over: Partial<CohortPupil> = {}): CohortPupil => ({ ...pupilRow(n), sourceSchool: n % 2 === 0 ? '3302002' : '3302001', ...over });
  const input = (pupils: CohortPupil[]) => ({ year: 2027, academicYear: '2027-28', school: { laestab: SECONDARY, name: 'Testbrook Academy' }, pupils, primaryNames: primaries, pulledAt: new Date('2027-06-20T10:00:00Z') });
  const upnAt = (row: number) => host.value('Year 7 2027-28', `F${row}`);

  it('writes the cohort sorted by support level then surname, with the source primary and a summary, in two syncs on a new sheet', async () => {
    const pupils = [pupil(1, { supportLevel: 'Universal', surname: 'Adams' }), pupil(2, { supportLevel: 'Specialist', surname: 'Young' }), pupil(3, { supportLevel: 'Specialist', surname: 'Baker' })];
    const result = await pullCohortSheet(input(pupils));
    expect(host.syncCount).toBe(2);
    expect(result).toMatchObject({ sheet: 'Year 7 2027-28', created: true, added: 0, left: [] });
    expect(host.grid('Year 7 2027-28', 'A10:A12').flat()).toEqual(['Baker', 'Young', 'Adams']);
    expect(host.grid('Year 7 2027-28', 'P10:P12').flat()).toEqual(['Acorn Lane Primary', 'Bramble Hill Primary', 'Acorn Lane Primary']);
    expect(host.value('Year 7 2027-28', 'P9')).toBe('Source primary');
    expect(host.grid('Year 7 2027-28', 'A3:G3')).toEqual([['Support level', 'Specialist', 2, 'Targeted', 0, 'Universal', 1]]);
    expect(host.value('Year 7 2027-28', 'A7')).toBe(`Testbrook Academy (${SECONDARY})`);
    // Dates are real dates: a serial with the UK format.
    expect(typeof host.value('Year 7 2027-28', 'C10')).toBe('number');
  });

  it('keeps the secondary’s own columns with their pupil on refresh, and lists pupils who left', async () => {
    await pullCohortSheet(input([pupil(1), pupil(2), pupil(3)]));
    host.edit('Year 7 2027-28', 'AN9', 'Tutor group');
    const rowOf = (upn: string) => [10, 11, 12].find((r) => upnAt(r) === upn) as number;
    host.edit('Year 7 2027-28', `AN${rowOf(pupil(2).upn)}`, '7B');
    host.edit('Year 7 2027-28', `AN${rowOf(pupil(3).upn)}`, '7C');
    host.syncCount = 0;
    const result = await pullCohortSheet(input([pupil(2), pupil(3, { surname: 'Aaronson' }), pupil(4)]));
    expect(host.syncCount).toBe(3);
    expect(result.added).toBe(1);
    expect(result.left.map((l) => l.upn)).toEqual([pupil(1).upn]);
    const now = (upn: string) => [10, 11, 12].find((r) => upnAt(r) === upn) as number;
    expect(host.value('Year 7 2027-28', `AN${now(pupil(2).upn)}`)).toBe('7B');
    expect(host.value('Year 7 2027-28', `AN${now(pupil(3).upn)}`)).toBe('7C');
    expect(host.value('Year 7 2027-28', `AN${now(pupil(4).upn)}`)).toBeUndefined();
    expect(host.value('Year 7 2027-28', 'AN9')).toBe('Tutor group');
    expect(host.value('Year 7 2027-28', 'A14')).toContain('No longer in the incoming cohort');
    expect(upnAt(15)).toBe(pupil(1).upn);
    expect(host.value('Year 7 2027-28', 'F16')).toBeUndefined();
  });
});

describe('change events', () => {
  it('reports the user’s edits to the watcher and marks the add-in’s own writes, which the pane ignores', async () => {
    await created();
    const seen: Array<{ from: number; to: number; own: boolean }> = [];
    const stop = await watchTransitionSheets(['Transition'], (_sheet, from, to, event) => seen.push({ from, to, own: isOwnChange(event) }));
    host.edit('Transition', 'Z12:Z14', [[80], [81], [82]]);
    await createTransitionSheet({ year: TRANSFER_YEAR, receivingSecondary: A7, whenExists: 'refresh' });
    await new Promise((r) => setTimeout(r, 20));
    expect(seen.filter((e) => !e.own)).toEqual([{ from: 12, to: 14, own: false }]);
    expect(seen.some((e) => e.own)).toBe(true);
    await stop();
    host.edit('Transition', 'Z15', 70);
    await new Promise((r) => setTimeout(r, 20));
    expect(seen.filter((e) => !e.own)).toHaveLength(1);
  });
});
