import { RULES } from '../../shared/transition/rules';
import { cohortDates, validateReturn } from '../../shared/transition/validate';
import { pupilRowSchema, type RowValues, type TransitionReturn } from '../../shared/transition/schema';
import { SchoolDirectory } from '../../shared/schools';
import { upnCheckLetter } from '../../shared/upn';
import { aReturn, PRIMARY, row, SECONDARY, sheet, TRANSFER_YEAR, upnFor } from '../factories/transition';

const oneRow = (overrides: Partial<RowValues>): TransitionReturn => ({ year: TRANSFER_YEAR, sheets: [sheet([row(1, overrides)])], explanations: [] });
const rulesOf = (ret: TransitionReturn, opts = {}): string[] => {
  const { report: r } = validateReturn(ret, opts);
  return [...r.errors, ...r.queries].map((i) => `${i.rule}@${i.cell}`).sort();
};

const directory = new SchoolDirectory([
  { laestab: PRIMARY, urn: '180001', name: 'Testfield Primary', phase: 'primary', area: 'East', trust: null },
  { laestab: '3302002', urn: '180002', name: 'Otherfield Primary', phase: 'primary', area: 'West', trust: null },
  { laestab: SECONDARY, urn: '190001', name: 'Testbrook Academy', phase: 'secondary', area: 'East', trust: null },
]);

/** A temporary UPN ends in a letter; the check letter still covers it. */
const TEMPORARY_UPN = `${upnCheckLetter('33020011500A')}33020011500A`;

const r10 = (letter: string): string => `${letter}10`;

/** One case per rule: the smallest change to a valid row that breaks exactly that rule. */
const CASES: Array<[string, Partial<RowValues>, string[]]> = [
  ['GS1001', { surname: '  ' }, [r10('A')]],
  ['GS1002', { sex: 'X' }, [r10('D')]],
  ['GS1003', { keyProvision: 'x'.repeat(501) }, [r10('V')]],
  ['GS1004', { attendance: 101 }, [r10('Z')]],
  ['GS1005', { dob: '31/02/2016' }, [r10('C')]],
  ['GS1006', { strengths: 'Art and\uFFFE football.' }, [r10('AJ')]],
  ['GS1010', { upn: 'A12345' }, [r10('F')]],
  ['GS1011', { upn: `${upnFor(1).startsWith('A') ? 'B' : 'A'}${upnFor(1).slice(1)}` }, [r10('F')]],
  ['GS1020', { dob: `${TRANSFER_YEAR - 14}-01-01` }, [r10('C')]],
  ['GS1030', { primaryNeed: null }, [r10('R')]],
  ['GS1031', { senProvision: 'N', primaryNeed: 'SLCN', supportLevel: 'Universal', planHeld: 'None' }, [r10('R')]],
  ['GS1032', { secondaryNeed: 'SLCN' }, [r10('S')]],
  ['GS1033', { senProvision: 'E', primaryNeed: 'NSA', planHeld: 'EHCP', supportLevel: 'Specialist' }, [r10('R')]],
  ['GS1034', { primaryNeed: null, secondaryNeed: 'ASD' }, [r10('S')]],
  ['GS1040', { planHeld: null }, [r10('T')]],
  ['GS1041', { planHeld: 'EHCP' }, [r10('T')]],
  ['GS1050', { keyProvision: null }, [r10('V')]],
  ['GS1060', { safeguarding: 'Y - see the file' }, [r10('AB')]],
  ['GS1070', { feederPrimary: 'Testfield' }, [r10('E')]],
  ['GS1071', { feederPrimary: '3309999' }, [r10('E')]],
  ['GS1072', { feederPrimary: '3302002' }, [r10('E')]],
  ['GS2010Q', { attendance: 89.9 }, [r10('Z')]],
  ['GS2020Q', { dob: `${TRANSFER_YEAR - 11}-09-15` }, [r10('C')]],
  ['GS2030Q', { supportLevel: 'Universal' }, [r10('U')]],
  ['GS2031Q', { senProvision: 'E', planHeld: 'EHCP', supportLevel: 'Specialist', externalAgencies: null }, [r10('X')]],
  ['GS2032Q', { senProvision: 'E', planHeld: 'SEN support plan', supportLevel: 'Specialist' }, [r10('T')]],
  ['GS2033Q', { senProvision: 'N', primaryNeed: null, planHeld: 'None', keyProvision: null, supportLevel: 'Specialist' }, [r10('U')]],
  ['GS2040Q', { senProvision: 'N', primaryNeed: null, planHeld: 'None', supportLevel: 'Universal', toolkitLiteracy: 'Y3.2' }, [r10('N')]],
  ['GS2050Q', { destinationConfirmed: 'Other school' }, [r10('G')]],
  ['GS2060Q', { parentViews: 'N' }, [r10('AL')]],
  ['GS2070Q', { resourceBase: 'Y: Oak ASD Base' }, [r10('W')]],
  ['GS2080Q', { suspensions: 2, semhNotes: null }, [r10('AH')]],
  ['GS2090Q', { upn: TEMPORARY_UPN }, [r10('F')]],
];


describe('the rule table', () => {
  it('has unique ids: GS1xxx for errors and GS2xxxQ for queries', () => {
    expect(new Set(RULES.map((r) => r.id)).size).toBe(RULES.length);
    for (const r of RULES) expect(r.id).toMatch(r.severity === 'error' ? /^GS1\d{3}$/ : /^GS2\d{3}Q$/);
  });

  it('is covered by one specification case per rule (header rules below)', () => {
    const header = ['GS1012', 'GS1080', 'GS1081', 'GS1090'];
    expect([...CASES.map((c) => c[0]), ...header].sort()).toEqual(RULES.map((r) => r.id).sort());
  });
});

describe('validation of a pupil row', () => {
  it('passes the shared factory row with no errors and no queries', () => {
    const { report } = validateReturn(aReturn(5), { directory, school: PRIMARY, year: TRANSFER_YEAR });
    expect(report.errors).toEqual([]);
    expect(report.queries).toEqual([]);
    expect(report.summary).toEqual({ sheets: 1, rows: 5, errors: 0, queries: 0, unexplainedQueries: 0, canSubmit: true });
  });

  it.each(CASES)('%s: raised at the cell that breaks it, and nothing else', (rule, overrides, cells) => {
    const needsDirectory = rule === 'GS1071' || rule === 'GS1072';
    const got = rulesOf(oneRow(overrides), needsDirectory ? { directory, school: PRIMARY } : {});
    expect(got).toEqual(cells.map((c) => `${rule}@${c}`));
  });

  it('gives every issue its rule, severity, sheet, row, column letter, cell, message and fix', () => {
    const { report } = validateReturn(oneRow({ attendance: 'ninety' }));
    expect(report.errors).toEqual([
      expect.objectContaining({ rule: 'GS1004', severity: 'error', sheet: 'Transition', row: 10, column: 'Z', cell: 'Z10', field: 'attendance', message: 'Attendance % this year: not a number.', fix: expect.stringMatching(/number/) }),
    ]);
  });

  it('reports a blank required cell once, not as a code error too', () => {
    expect(rulesOf(oneRow({ senProvision: null }))).toEqual(['GS1001@Q10']);
  });

  it('does not cascade from a cell already in error', () => {
    expect(rulesOf(oneRow({ senProvision: 'Z' }))).toEqual(['GS1002@Q10']);
  });

  it('accepts codes in any case, UK dates, Excel serial dates, and numbers typed as text', () => {
    const { report } = validateReturn(oneRow({ sex: 'f', dob: '15/01/2016', attendance: '96.5%', externalAgencies: 'salt; eps', eal: 'y-c' }));
    expect(report.errors).toEqual([]);
    expect(validateReturn(oneRow({ dob: 42384 })).report.errors).toEqual([]); // 15/01/2016 as a serial
  });

  it('reads "code: text" cells with or without text', () => {
    expect(validateReturn(oneRow({ parentViews: 'Y', transitionPackage: 'Enhanced - SENCo', resourceBase: 'n' })).report.errors).toEqual([]);
    expect(rulesOf(oneRow({ transitionPackage: 'Maybe: not sure' }))).toEqual(['GS1002@AM10']);
  });

  it('skips rows with every cell blank', () => {
    const ret = aReturn(2);
    ret.sheets[0]?.rows.push({ row: 30, values: {} });
    expect(validateReturn(ret).report.summary.rows).toBe(2);
  });

  it('flags a duplicate UPN at its second row, naming the first', () => {
    const ret = aReturn(3);
    const rows = ret.sheets[0]!.rows;
    rows[2]!.values.upn = rows[0]!.values.upn as string;
    const { report } = validateReturn(ret);
    expect(report.errors.map((e) => [e.rule, e.cell, e.message])).toEqual([['GS1012', 'F12', 'The same UPN is on row 10.']]);
  });

  it('finds duplicate UPNs across the sheets of one return', () => {
    const a = sheet([row(1)]);
    const b = { ...sheet([row(1)]), name: 'To Other' };
    expect(rulesOf({ year: TRANSFER_YEAR, sheets: [a, b], explanations: [] })).toEqual(['GS1012@F10']);
  });
});

describe('validation of the header cells', () => {
  it('GS1080: A7 blank or without a LAESTAB', () => {
    expect(rulesOf({ ...aReturn(1), sheets: [sheet([row(1)], null)] })).toEqual(['GS1080@A7']);
    expect(rulesOf({ ...aReturn(1), sheets: [sheet([row(1)], 'Testbrook Academy')] })).toEqual(['GS1080@A7']);
  });

  it('GS1081: A7 names a school that is not a secondary in the directory', () => {
    expect(rulesOf({ ...aReturn(1), sheets: [sheet([row(1)], `Testfield (${PRIMARY})`)] }, { directory })).toEqual(['GS1081@A7']);
  });

  it('GS1090: the transfer year is blank or not the return\'s year', () => {
    expect(rulesOf({ ...aReturn(1), year: null })).toEqual(['GS1090@A4']);
    expect(rulesOf(aReturn(1), { year: TRANSFER_YEAR + 1 })).toEqual(['GS1090@A4']);
  });
});

describe('the Year 6 cohort', () => {
  it('runs from 1 September to 31 August, eleven to twelve years before transfer', () => {
    expect(cohortDates(2027)).toEqual({ from: '2015-09-01', to: '2016-08-31' });
  });

  it('accepts both ends of the cohort and queries the day either side', () => {
    expect(rulesOf(oneRow({ dob: '2015-09-01' }))).toEqual([]);
    expect(rulesOf(oneRow({ dob: '2016-08-31' }))).toEqual([]);
    expect(rulesOf(oneRow({ dob: '2015-08-31' }))).toEqual(['GS2020Q@C10']);
    expect(rulesOf(oneRow({ dob: '2016-09-01' }))).toEqual(['GS2020Q@C10']);
  });
});

describe('queries and explanations', () => {
  it('counts a query as explained only when rule, sheet and cell all match', () => {
    const ret = oneRow({ attendance: 80 });
    expect(validateReturn(ret).report.summary).toMatchObject({ queries: 1, unexplainedQueries: 1, canSubmit: false });
    ret.explanations = [{ rule: 'GS2010Q', sheet: 'Transition', cell: 'Z11', text: 'Wrong cell for this pupil.' }];
    expect(validateReturn(ret).report.summary.unexplainedQueries).toBe(1);
    ret.explanations = [{ rule: 'GS2010Q', sheet: 'Transition', cell: 'Z10', text: 'Long hospital stay in spring; now attending fully.' }];
    const { report } = validateReturn(ret);
    expect(report.summary).toMatchObject({ errors: 0, queries: 1, unexplainedQueries: 0, canSubmit: true });
    expect(report.queries[0]?.explanation).toBe('Long hospital stay in spring; now attending fully.');
  });

  it('never lets errors be explained away', () => {
    const ret = oneRow({ sex: 'X' });
    ret.explanations = [{ rule: 'GS2010Q', sheet: 'Transition', cell: 'D10', text: 'We think it is fine.' }];
    expect(validateReturn(ret).report.summary.canSubmit).toBe(false);
  });
});

describe('valid pupils', () => {
  it('come with the report: the rows without errors, typed as PupilRows with their receiving secondary', () => {
    const ret = aReturn(3);
    ret.sheets[0]!.rows[1]!.values.sex = 'X';
    const { pupils } = validateReturn(ret);
    expect(pupils.map((p) => p.row)).toEqual([10, 12]);
    for (const p of pupils) expect(pupilRowSchema.parse(p)).toEqual(p);
    expect(pupils[0]).toMatchObject({ receivingSecondary: SECONDARY, parentViews: { consent: 'Y', views: 'parents would like an early visit.' }, externalAgencies: ['SaLT'] });
  });

  it('leave out a whole sheet whose receiving secondary is in error', () => {
    const ret = { ...aReturn(2), sheets: [sheet([row(1), row(2)], null)] };
    expect(validateReturn(ret).pupils).toEqual([]);
  });
});
