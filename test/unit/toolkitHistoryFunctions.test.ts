/**
 * TOOLKIT.PROGRESS (both forms), TOOLKIT.TREND and TOOLKIT.GROUPPROGRESS: the same answer as
 * Excel's wrappers give (addin/functions/functions.ts) and through `goodstart fn`.
 */
import * as excel from '../../addin/functions/functions';
import { ExcelError } from '../../addin/functions/excelError';
import { fnCommand, invokeCustomFunction } from '../../cli/commands/fn';
import { DomainInputError } from '../../shared/errors';
import { makeUpn } from '../../shared/upn';
import { capture } from '../factories/cliIo';
import { schoolHistory } from '../factories/toolkitHistory';

const A = makeUpn('330', '9990', '25', '001');
const B = makeUpn('330', '9990', '25', '002');
const HEADER = ['UPN', 'Toolkit', 'Thread', 'Assessment date', 'Band reached'];
const pupilA = [
  HEADER,
  [A, 'Literacy', 'RD1', '2025-09-15', 'Y3.1'],
  [A, 'Literacy', 'RD1', '2026-09-15', 'Y4.2'],
  [A, 'Literacy', 'RD2', '2025-09-15', 'Y3.1'],
  [A, 'Literacy', 'RD2', '2026-09-15', 'Y4.1'],
  [A, 'Literacy', 'SL1', '2026-07-15', 'Y4.1'],
];

/** `goodstart fn` as the shell runs it: printed lines, and the exit code. */
async function fn(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = capture();
  const code = await fnCommand(args, io);
  return { code, out: io.stdout(), err: io.stderr() };
}

/** What an Excel wrapper throws, as Excel shows it. */
function cellError(call: () => unknown): { code: string; message: string } | undefined {
  try {
    call();
  } catch (e) {
    if (e instanceof ExcelError) return { code: e.code, message: e.message };
    throw e;
  }
  return undefined;
}

const tsv = (rows: unknown[][]): string => `${rows.map((r) => r.map((v) => (v === null ? '' : String(v))).join('\t')).join('\n')}\n`;

describe('TOOLKIT.PROGRESS', () => {
  it('says too soon to tell for two bands in two months, in Excel and through goodstart fn', async () => {
    expect(excel.toolkitProgress([['Y3.1']], [['Y4.1']], [[2]])).toEqual([['Too soon to tell']]);
    expect(await fn('TOOLKIT.PROGRESS', 'Y3.1', 'Y4.1', '2')).toEqual({ code: 0, out: 'Too soon to tell\n', err: '' });
    expect(await fn('TOOLKIT.PROGRESS', 'Y3.1', 'Y4.1', '12')).toEqual({ code: 0, out: 'Holding\n', err: '' });
  });

  it('spills a pupil\'s threads, strands and median from their history rows alone', async () => {
    const table = excel.toolkitProgress(pupilA);
    expect(table).toEqual([
      ['Toolkit', 'Strand', 'Thread', 'From', 'To', 'From band', 'To band', 'Months', 'Bands a year', 'Progress', 'Weakest thread'],
      ['Literacy', 'Speaking & listening', 'SL1', '2026-07-15', '2026-07-15', 'Y4.1', 'Y4.1', 0, '', 'Too soon to tell', ''],
      ['Literacy', 'Reading', 'RD1', '2025-09-15', '2026-09-15', 'Y3.1', 'Y4.2', 12, 3, 'Accelerated', ''],
      ['Literacy', 'Reading', 'RD2', '2025-09-15', '2026-09-15', 'Y3.1', 'Y4.1', 12, 2, 'Holding', ''],
      ['Literacy', 'Speaking & listening', 'All threads (median)', '', '', '', '', '', '', 'Too soon to tell', ''],
      ['Literacy', 'Reading', 'All threads (median)', '', '', '', '', '', 2.5, 'Holding', 'RD2'],
      ['All', '', 'All threads (median)', '', '', '', '', '', 2.5, 'Holding', ''],
    ]);
    // A table's body without its header row reads the same, in the layout's column order.
    expect(excel.toolkitProgress(pupilA.slice(1))).toEqual(table);
    expect(await fn('TOOLKIT.PROGRESS', JSON.stringify(pupilA))).toEqual({ code: 0, out: tsv(table), err: '' });
  });

  it('refuses a history of two pupils, and a bad row, with the reason as a #VALUE! error', async () => {
    expect(cellError(() => excel.toolkitProgress([...pupilA, [B, 'Literacy', 'RD1', '2025-09-15', 'Y3.1']]))).toEqual({ code: '#VALUE!', message: "the history holds 2 pupils: give one pupil's rows, e.g. FILTER(history, history[UPN]=A2)" });
    const bad = [...pupilA, [A, 'Literacy', 'RD3', '2025-09-15', 'Y9.1']];
    const message = 'the history, row 6 (Band reached): "Y9.1" is not a band on the toolkit continuum (Pre-N.1, N.1 … Y6.2).';
    expect(cellError(() => excel.toolkitProgress(bad))).toEqual({ code: '#VALUE!', message });
    expect(await fn('TOOLKIT.PROGRESS', JSON.stringify(bad))).toEqual({ code: 1, out: '#VALUE!\n', err: `TOOLKIT.PROGRESS: ${message}\n` });
  });
});

describe('TOOLKIT.TREND', () => {
  it('spills the pupil\'s dated series with the expected band and the median gap each day', async () => {
    const trend = excel.toolkitTrend(pupilA, [[6]], [['2026-10-01']]);
    expect(trend).toEqual([
      ['Date', 'Term', 'Expected band', 'Gap', 'SL1', 'RD1', 'RD2'],
      ['2025-09-15', 'autumn', 'Y4.2', 3, '', 'Y3.1', 'Y3.1'],
      ['2026-07-15', 'summer', 'Y5.2', 3, 'Y4.1', '', ''],
      ['2026-09-15', 'autumn', 'Y5.2', 2.5, '', 'Y4.2', 'Y4.1'],
    ]);
    expect(await fn('TOOLKIT.TREND', JSON.stringify(pupilA), '6', '2026-10-01')).toEqual({ code: 0, out: tsv(trend), err: '' });
    expect(excel.toolkitTrend(pupilA)[1]).toEqual(['2025-09-15', 'autumn', '', '', '', 'Y3.1', 'Y3.1']);
  });
});

describe('TOOLKIT.GROUPPROGRESS', () => {
  const school = schoolHistory({ seed: 5, pupils: 40, perYear: 3, years: 2 });

  it('spills, for each group, its pupils in each category, the same through goodstart fn', async () => {
    const counts = excel.toolkitGroupProgress(school.history, school.pupils, [['PP/FSM']]);
    expect(counts[0]).toEqual(['PP/FSM', 'Widening', 'Holding', 'Accelerated', 'Too soon to tell', 'Not assessed', 'Pupils']);
    expect(counts.slice(1).map((r) => r[0])).toEqual(['N', 'Y']);
    for (const r of counts.slice(1)) expect((r.slice(1, 6) as number[]).reduce((a, b) => a + b, 0)).toBe(r[6]);
    expect(counts.slice(1).reduce((n, r) => n + (r[6] as number), 0)).toBe(40);
    // The synthetic school has pupils in each rated category, so the counts are not all one kind.
    for (const c of [1, 2, 3]) expect(counts.slice(1).reduce((n, r) => n + (r[c] as number), 0)).toBeGreaterThan(0);
    expect(await fn('TOOLKIT.GROUPPROGRESS', JSON.stringify(school.history), JSON.stringify(school.pupils), 'PP/FSM')).toEqual({ code: 0, out: tsv(counts), err: '' });
  });

  it('counts between two dates, and a pupil with nothing between them as not assessed', async () => {
    const late = (await invokeCustomFunction('TOOLKIT.GROUPPROGRESS', [JSON.stringify(pupilA), JSON.stringify([['UPN', 'Class'], [A, '5B'], [B, '5B']]), 'Class', '2025-01-01', '2026-12-31'])) as unknown[][];
    expect(late).toEqual([
      ['Class', 'Widening', 'Holding', 'Accelerated', 'Too soon to tell', 'Not assessed', 'Pupils'],
      ['5B', 0, 1, 0, 0, 1, 2],
    ]);
    const none = excel.toolkitGroupProgress(pupilA, [['UPN', 'Class'], [A, '5B']], [['Class']], [['2027-01-01']]);
    expect(none[1]).toEqual(['5B', 0, 0, 0, 0, 1, 1]);
  });

  it('names the columns it can group by when the group column is not in the pupils range', async () => {
    const message = 'groupColumn "House" is not a column of the pupils range: use a header such as Class, Year group, SEN provision, PP/FSM, EAL, Sex, Broad area of need';
    expect(cellError(() => excel.toolkitGroupProgress(pupilA, [['UPN', 'Class'], [A, '5B']], [['House']]))).toEqual({ code: '#VALUE!', message });
    await expect(invokeCustomFunction('TOOLKIT.GROUPPROGRESS', [JSON.stringify(pupilA), JSON.stringify([['UPN', 'Class'], [A, '5B']]), 'House'])).rejects.toThrow(new DomainInputError('invalidValue', message));
  });
});
