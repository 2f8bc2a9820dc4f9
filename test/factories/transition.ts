/**
 * Shared factory for synthetic transition data in tests. Every name, date and number here
 * is invented; nothing describes a real pupil.
 */
import type { PupilRow, RowInput, RowValues, SheetInput, TransitionReturn } from '../../shared/transition/schema';
import { validateReturn } from '../../shared/transition/validate';
import { SHEET_LAYOUT } from '../../shared/transition/layout';
import { makeUpn } from '../../shared/upn';

export const TRANSFER_YEAR = 2027;
export const PRIMARY = '3302001';
export const SECONDARY = '3304001';

/** A valid UPN for serial n (n < 1000) at the given primary. */
export function upnFor(n: number, school = PRIMARY): string {
  return makeUpn(school.slice(0, 3), school.slice(3), '15', String(n % 1000).padStart(3, '0'));
}

/** A pupil row that passes every error and query rule: SEN support, targeted, good attendance. */
export function validValues(n = 1, overrides: Partial<RowValues> = {}): RowValues {
  return {
    surname: `Testsurname${n}`,
    forename: `Testforename${n}`,
    dob: '2016-01-15',
    sex: n % 2 === 0 ? 'F' : 'M',
    feederPrimary: PRIMARY,
    upn: upnFor(n),
    destinationConfirmed: 'Y',
    ks2Reading: 98,
    ks2Maths: 101,
    ks2Gps: 95,
    writingTa: 'WTS',
    scienceTa: 'EXS',
    readingScore: 88,
    toolkitLiteracy: 'Y5.1',
    toolkitMaths: 'Y5.2',
    senProvision: 'K',
    primaryNeed: 'SLCN',
    secondaryNeed: null,
    planHeld: 'SEN support plan',
    supportLevel: 'Targeted',
    keyProvision: 'Small-group language sessions twice a week; visual timetable.',
    resourceBase: 'N',
    externalAgencies: 'SaLT',
    healthCarePlan: 'N',
    attendance: 96.5,
    suspensions: 0,
    safeguarding: 'N',
    lookedAfter: 'N',
    youngCarer: 'N',
    eal: 'N',
    fsmPp: 'N',
    serviceChild: 'N',
    semhNotes: null,
    friendships: 'Works well with a small group of friends.',
    strengths: 'Art and football.',
    pupilVoice: 'Looking forward to science labs.',
    parentViews: 'Y: parents would like an early visit.',
    transitionPackage: 'Targeted: Primary SENCo via the school office',
    ...overrides,
  };
}

export function row(n = 1, overrides: Partial<RowValues> = {}): RowInput {
  return { row: SHEET_LAYOUT.firstDataRow + n - 1, values: validValues(n, overrides) };
}

export function sheet(rows: RowInput[], receivingSecondary: string | null = `Testbrook Academy (${SECONDARY})`): SheetInput {
  return { name: SHEET_LAYOUT.sheetName, receivingSecondary, rows };
}

/** A return of `count` valid pupils for one receiving secondary. */
export function aReturn(count = 3, overrides: Partial<TransitionReturn> = {}): TransitionReturn {
  const rows = Array.from({ length: count }, (_, i) => row(i + 1));
  return { year: TRANSFER_YEAR, sheets: [sheet(rows)], explanations: [], ...overrides };
}

/** The factory's valid row as a validated PupilRow, with typed overrides on top. */
export function pupilRow(n = 1, overrides: Partial<PupilRow> = {}): PupilRow {
  const [pupil] = validateReturn({ year: TRANSFER_YEAR, sheets: [sheet([row(n)])], explanations: [] }).pupils;
  if (!pupil) throw new Error(`the factory's row ${n} is not valid`);
  return { ...pupil, ...overrides };
}
