/**
 * The toolkit progress rule (shared/toolkit/progress.ts) at its edges, and the Pupils and Toolkit
 * history tables checked at the cell (shared/toolkit/history.ts).
 */
import { DomainInputError } from '../../shared/errors';
import { validateHistory, validatePupils } from '../../shared/toolkit/history';
import { HISTORY_TABLE, PUPILS_TABLE, pupilRecordSchema, historyRecordSchema } from '../../shared/toolkit/historyLayout';
import {
  type Assessment,
  bandProgress,
  disclosedCount,
  expectedIndexOn,
  gapsOverTime,
  groupProgress,
  monthsBetween,
  pupilProgress,
  rateCategory,
  ratePer12Months,
  TOO_SOON,
} from '../../shared/toolkit/progress';
import { bandAt } from '../../shared/toolkit/continuum';
import { SAMPLE_TOOLKITS } from '../../shared/toolkit/threads';
import { upnCheckLetter } from '../../shared/upn';

const upn = (body12: string): string => `${upnCheckLetter(body12) ?? '?'}${body12}`;
const UPN_A = upn('820200101001');
const B = upn('820200101002');
const C = upn('820200101003');

const at = (thread: string, date: string, band: string, who = UPN_A): Assessment => ({ upn: who, toolkit: 'Literacy', thread, date, band });

describe('months between assessments: whole calendar months', () => {
  it('counts a month when the later date reaches the earlier day of the month, or is its month\'s last day', () => {
    expect(monthsBetween('2025-09-15', '2025-12-15')).toBe(3);
    expect(monthsBetween('2025-09-15', '2025-12-14')).toBe(2);
    expect(monthsBetween('2025-08-31', '2025-11-30')).toBe(3);
    expect(monthsBetween('2024-01-31', '2024-02-29')).toBe(1);
    expect(monthsBetween('2025-09-15', '2026-09-15')).toBe(12);
    expect(monthsBetween('2025-09-15', '2025-09-15')).toBe(0);
  });
});

describe('the rate per 12 months and its category', () => {
  it('is Holding at exactly 2.0 bands a year and Accelerated at exactly 3.0, and the band below just under each', () => {
    expect(rateCategory(2)).toBe('Holding');
    expect(rateCategory(1.99)).toBe('Widening');
    expect(rateCategory(3)).toBe('Accelerated');
    expect(rateCategory(2.99)).toBe('Holding');
    // 1 band in 6 months and 7 bands in 28 months are exactly 2.0 and 3.0 a year once divided.
    expect(ratePer12Months(1, 6)).toBe(2);
    expect(rateCategory(ratePer12Months(7, 28) as number)).toBe('Accelerated');
  });

  it('takes two assessments 12 calendar months apart: 2 bands Holding, 3 Accelerated, 1 Widening', () => {
    const over12 = (to: string) => pupilProgress(UPN_A, [at('RD1', '2025-09-15', 'Y3.1'), at('RD1', '2026-09-15', to)]).threads[0];
    expect(over12('Y4.1')).toMatchObject({ bandsGained: 2, months: 12, rate: 2, category: 'Holding' });
    expect(over12('Y4.2')).toMatchObject({ bandsGained: 3, months: 12, rate: 3, category: 'Accelerated' });
    expect(over12('Y3.2')).toMatchObject({ bandsGained: 1, rate: 1, category: 'Widening' });
  });

  it('gives no rate under 3 months: too soon to tell, however many bands', () => {
    const span = (to: string) => pupilProgress(UPN_A, [at('RD1', '2025-09-15', 'Y3.1'), at('RD1', to, 'Y5.1')]).threads[0];
    expect(span('2025-12-14')).toMatchObject({ months: 2, rate: null, category: TOO_SOON });
    expect(span('2025-12-15')).toMatchObject({ months: 3, rate: 16, category: 'Accelerated' });
    expect(pupilProgress(UPN_A, [at('RD1', '2025-09-15', 'Y3.1')]).category).toBe(TOO_SOON);
  });

  it('counts a band lost against the pupil: Y4.1 to Y3.2 in a year is −1 a year, Widening', () => {
    const t = pupilProgress(UPN_A, [at('RD1', '2025-09-15', 'Y4.1'), at('RD1', '2026-09-15', 'Y3.2')]).threads[0];
    expect(t).toMatchObject({ bandsGained: -1, rate: -1, category: 'Widening' });
    expect(bandProgress('Y4.1', 'Y3.2', 12)).toBe('Widening');
  });

  it('holds the two-band TOOLKIT.PROGRESS to the same rule: two bands in two months is too soon to tell, not Accelerated', () => {
    expect(bandProgress('Y3.1', 'Y4.1', 2)).toBe(TOO_SOON);
    expect(bandProgress('Y3.1', 'Y4.1', 2.99)).toBe(TOO_SOON);
    expect(bandProgress('Y3.1', 'Y4.1', 3)).toBe('Accelerated');
    expect(bandProgress('Y3.1', 'Y4.1', 12)).toBe('Holding');
  });

  it('gives a strand the median of its threads with the weakest named, and the pupil the median of all threads', () => {
    const rows = [
      at('RD1', '2025-09-15', 'Y3.1'), at('RD1', '2026-09-15', 'Y4.2'), // 3 a year
      at('RD2', '2025-09-15', 'Y3.1'), at('RD2', '2026-09-15', 'Y4.1'), // 2
      at('RD3', '2025-09-15', 'Y3.1'), at('RD3', '2026-09-15', 'Y3.2'), // 1
      at('SL1', '2025-09-15', 'Y3.1'), at('SL1', '2026-09-15', 'Y5.1'), // 4
      at('SL2', '2026-08-01', 'Y3.1'), at('SL2', '2026-09-15', 'Y5.1'), // too soon: left out of medians
    ];
    const p = pupilProgress(UPN_A, rows);
    expect(p.strands).toEqual([
      { toolkit: 'Literacy', strand: 'Speaking & listening', rate: 4, category: 'Accelerated', weakestThread: 'SL1' },
      { toolkit: 'Literacy', strand: 'Reading', rate: 2, category: 'Holding', weakestThread: 'RD3' },
    ]);
    expect(p.rate).toBe(2.5); // median of 1, 2, 3, 4
    expect(p.category).toBe('Holding');
    expect(p.threads.map((t) => t.thread)).toEqual(['SL1', 'SL2', 'RD1', 'RD2', 'RD3']);
  });

  it('measures between two dates from each thread\'s first assessment in them to its last', () => {
    const rows = [at('RD1', '2024-09-15', 'Y2.1'), at('RD1', '2025-09-15', 'Y3.1'), at('RD1', '2026-09-15', 'Y4.2')];
    expect(pupilProgress(UPN_A, rows, { from: '2025-09-01' }).threads[0]).toMatchObject({ from: { date: '2025-09-15', band: 'Y3.1' }, rate: 3 });
    expect(pupilProgress(UPN_A, rows, { to: '2025-12-31' }).threads[0]).toMatchObject({ to: { date: '2025-09-15' }, rate: 2 });
  });
});

describe('the gap to the expected band over time', () => {
  // A pupil in Year 5 on 1 March 2026.
  const known = { yearGroup: 5, on: '2026-03-01' };
  const expected = (date: string) => bandAt(expectedIndexOn(date, known));

  it('uses TOOLKIT.GAP\'s term by month, and moves the pupil up a year group each 1 September', () => {
    expect(expected('2025-08-31')).toBe('Y4.2'); // Year 4, summer
    expect(expected('2025-09-01')).toBe('Y4.2'); // Year 5, autumn
    expect(expected('2025-12-31')).toBe('Y4.2');
    expect(expected('2026-01-01')).toBe('Y5.1'); // spring
    expect(expected('2026-03-31')).toBe('Y5.1');
    expect(expected('2026-04-01')).toBe('Y5.2'); // summer
    expect(expected('2026-09-01')).toBe('Y5.2'); // Year 6, autumn
    expect(expected('2027-04-01')).toBe('Y6.2');
    expect(expected('2027-09-01')).toBe('Y6.2'); // Year 7: the continuum ends at Y6.2
  });

  it('says whether each thread\'s gap is narrowing', () => {
    const gaps = gapsOverTime([at('RD1', '2025-09-15', 'Y3.1'), at('RD1', '2026-04-15', 'Y4.2'), at('RD2', '2025-09-15', 'Y3.1'), at('RD2', '2026-04-15', 'Y3.1')], known);
    expect(gaps).toEqual([
      { toolkit: 'Literacy', thread: 'RD1', points: [{ date: '2025-09-15', expectedBand: 'Y4.2', gap: 3 }, { date: '2026-04-15', expectedBand: 'Y5.2', gap: 2 }], trend: 'Narrowing' },
      { toolkit: 'Literacy', thread: 'RD2', points: [{ date: '2025-09-15', expectedBand: 'Y4.2', gap: 3 }, { date: '2026-04-15', expectedBand: 'Y5.2', gap: 5 }], trend: 'Widening' },
    ]);
  });
});

describe('group progress', () => {
  const pupils = [
    { upn: UPN_A, fsm: 'Y' },
    { upn: B, fsm: 'Y' },
    { upn: C, fsm: '' },
  ];
  const history = [
    at('RD1', '2025-09-15', 'Y3.1'), at('RD1', '2026-09-15', 'Y4.1'), // A Holding
    at('RD1', '2025-09-15', 'Y3.1', B), // B one assessment: too soon
    at('RD1', '2025-09-15', 'Y3.1', 'Z820200101009'), at('RD1', '2026-09-15', 'Y3.1', 'Z820200101009'), // not on the list
  ];

  it('counts each listed pupil once in their category, not assessed ones too, blank group last', () => {
    expect(groupProgress(history, pupils, (p) => p.fsm)).toEqual([
      { group: 'Y', pupils: 2, counts: { Widening: 0, Holding: 1, Accelerated: 0, [TOO_SOON]: 1, 'Not assessed': 0 } },
      { group: '', pupils: 1, counts: { Widening: 0, Holding: 0, Accelerated: 0, [TOO_SOON]: 0, 'Not assessed': 1 } },
    ]);
  });

  it('counts a pupil with no assessment between the dates as not assessed', () => {
    const [y] = groupProgress(history, pupils, (p) => p.fsm, { from: '2027-01-01' });
    expect(y?.counts['Not assessed']).toBe(2);
  });

  it('shows a group under 5 as "fewer than 5" only in reports leaving the SENCo\'s hands', () => {
    expect(disclosedCount(4, 3, true)).toBe('fewer than 5');
    expect(disclosedCount(4, 3, false)).toBe(3);
    expect(disclosedCount(5, 3, true)).toBe(3);
  });
});

describe('the Toolkit history table, checked at the cell', () => {
  const header = HISTORY_TABLE.columns.map((c) => c.header);
  // The table's header row sits at B4, so its columns are B–H and its first row is 5.
  const check = (rows: unknown[][], pupils: string[] = [UPN_A, B]) =>
    validateHistory({ sheet: 'Toolkit history', values: [header, ...rows], origin: { row: 4, column: 2 } }, { pupils: new Set(pupils), today: '2026-07-20' });

  it('reports a band not on the continuum at its cell, in plain words', () => {
    const { issues, rows } = check([[UPN_A, 'Literacy', 'RD1', '2025-09-15', 'Y7.1'], [UPN_A, 'Literacy', 'RD1', '2026-03-15', 'Y3.2']]);
    expect(issues.filter((i) => i.severity === 'error')).toEqual([
      { rule: 'GS3020', severity: 'error', sheet: 'Toolkit history', row: 5, column: 'F', cell: 'F5', field: 'band', message: '"Y7.1" is not a band on the toolkit continuum (Pre-N.1, N.1 … Y6.2).', fix: 'Use a band from Pre-N.1, N.1 … Y6.2, e.g. Y3.1.' },
    ]);
    expect(rows.map((r) => r.row)).toEqual([6]);
  });

  it('reports a thread not in the toolkit, a future date, a row twice and a UPN not on the pupil list', () => {
    const { issues } = check([
      [UPN_A, 'Literacy', 'RD9', '2025-09-15', 'Y3.1'],
      [UPN_A, 'Literacy', 'rd1', '2026-07-21', 'Y3.1'],
      [UPN_A, 'Literacy', 'RD1', '2025-09-15', 'Y3.1'],
      [UPN_A, 'Literacy', 'RD1', '15/09/2025', 'Y3.2'],
      [C, 'Maths', 'NU1', '2025-09-15', 'Y3.1'],
    ]);
    expect(issues.map((i) => [i.rule, i.cell, i.message])).toEqual([
      ['GS3021', 'D5', '"RD9" is not a thread of the Literacy toolkit.'],
      ['GS3022', 'E6', '21/07/2026 is after today (20/07/2026).'],
      ['GS3023', 'E8', 'Literacy RD1 on 15/09/2025 for this pupil is also on row 7.'],
      ['GS3024', 'B9', `UPN ${C} is not on the Pupils table.`],
      ['GS3050N', 'E7', "This pupil's only Literacy assessment is on 15/09/2025: no rate until the next, at least 3 months later."],
    ]);
    expect(issues.find((i) => i.rule === 'GS3050N')?.severity).toBe('notice');
  });

  it('reports a missing column and a blank required cell, and keeps thread ids in the toolkit\'s spelling', () => {
    const { issues } = validateHistory({ sheet: 'Toolkit history', values: [header.slice(0, 4), [UPN_A, 'Literacy', '', '2025-09-15']] });
    expect(issues.map((i) => [i.rule, i.cell])).toEqual([['GS3005', 'E1'], ['GS3001', 'C2']]);
    const ok = check([[UPN_A, 'Literacy', 'rd1', '2025-09-15', 'y3.1'], [UPN_A, 'Literacy', 'RD1', '2026-03-15', 'Y3.2']]);
    expect(ok.issues).toEqual([]);
    expect(ok.rows[0]).toEqual({ row: 5, upn: UPN_A, toolkit: 'Literacy', thread: 'RD1', date: '2025-09-15', band: 'Y3.1', assessor: null, note: null });
    expect(ok.rows.every((r) => historyRecordSchema.safeParse(r).success)).toBe(true);
  });

  it('names the sample toolkits\' 14 literacy threads across speaking & listening, reading and writing', () => {
    const literacy = SAMPLE_TOOLKITS.find((t) => t.id === 'Literacy');
    expect(literacy?.strands.map((s) => s.name)).toEqual(['Speaking & listening', 'Reading', 'Writing']);
    expect(literacy?.strands.flatMap((s) => s.threads).length).toBe(14);
  });
});

describe('the Pupils table, checked at the cell', () => {
  const header = [...PUPILS_TABLE.columns.map((c) => c.header), 'Reading group'];
  const row = (u: string, extra: unknown[] = []) => [u, 'Surname', 'Forename', '5B', 5, 'K', 'Cognition and Learning', 'Y', 'N', 'F', ...extra];

  it('keeps the columns a school adds, and types each row', () => {
    const { issues, pupils } = validatePupils({ sheet: 'Pupils', values: [header, row(UPN_A, ['Owls'])] });
    expect(issues).toEqual([]);
    expect(pupils).toEqual([{ row: 2, upn: UPN_A, surname: 'Surname', forename: 'Forename', class: '5B', yearGroup: '5', senProvision: 'K', areaOfNeed: 'Cognition and Learning', fsmPp: 'Y', eal: 'N', sex: 'F', extra: { 'Reading group': 'Owls' } }]);
    expect(pupilRecordSchema.safeParse(pupils[0]).success).toBe(true);
  });

  it('reports a code not on the list, a bad UPN and a UPN twice at their cells', () => {
    const bad = row(UPN_A);
    bad[5] = 'X';
    const { issues, pupils } = validatePupils({ sheet: 'Pupils', values: [header, bad, row('U820200101002'), row(UPN_A)] });
    expect(issues.map((i) => [i.rule, i.cell])).toEqual([['GS3002', 'F2'], ['GS3010', 'A3'], ['GS3011', 'A4']]);
    expect(issues[1]?.message).toMatch(/check letter should be/);
    expect(pupils).toEqual([]);
  });
});

describe('errors stay typed', () => {
  it('refuses a band off the continuum in the two-band form', () => {
    expect(() => bandProgress('Y3.1', 'Z', 12)).toThrow(DomainInputError);
  });
});
