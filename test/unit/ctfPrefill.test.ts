/**
 * From a CTF to transition rows: the current SEN record wins, only Year 6 is prefilled, and the
 * prefilled rows are checked by the validator like any typed row (flagged, never dropped).
 */
import fc from 'fast-check';
import { readCtf } from '../../shared/ctf/reader';
import { CTF_PREFILLED_COLUMNS, currentSen, prefillFromCtf, prefillSummary } from '../../shared/ctf/prefill';
import { validateReturn } from '../../shared/transition/validate';
import { SHEET_LAYOUT, columnByKey } from '../../shared/transition/layout';
import type { TransitionReturn } from '../../shared/transition/schema';
import { ctfSchoolName, sampleCtf } from '../../samples/ctf';
import { syntheticCity } from '../../samples/synthetic';
import { ctfDocument, ctfHeader, need, needs, pupilXml, sen, senPupil, CTF_DATE_TIME } from '../factories/ctf';
import { PRIMARY, TRANSFER_YEAR, upnFor } from '../factories/transition';

const rec = (startDate: string | null, provision: string | null) => ({ startDate, provision });
const nd = (rank: number | null, type: string, endDate: string | null = null, startDate: string | null = null) => ({ rank, type, startDate, endDate });

describe('the current SEN record', () => {
  it('takes the provision from the record with the latest start date', () => {
    expect(currentSen(senPupil([rec('2023-09-05', 'K'), rec('2025-03-14', 'E')], [nd(1, 'ASD')]), CTF_DATE_TIME).provision).toBe('E');
    expect(currentSen(senPupil([rec('2025-03-14', 'N'), rec('2023-09-05', 'K')], [nd(1, 'SPLD')]), CTF_DATE_TIME)).toEqual({ provision: 'N', primaryNeed: null, secondaryNeed: null });
  });

  it('reads a pupil with no SEN history as N, with no needs', () => {
    expect(currentSen(senPupil([]), CTF_DATE_TIME)).toEqual({ provision: 'N', primaryNeed: null, secondaryNeed: null });
  });

  it('takes needs still open on the file’s date, in rank order: no end date, or an end date after it', () => {
    const pupil = senPupil([rec('2024-09-05', 'K')], [
      nd(2, 'SEMH', '2027-07-20'), // ends after the file's date: still open
      nd(1, 'SPLD', '2026-07-18'), // ended: closed
      nd(1, 'SLCN'),
      nd(3, 'MLD', '2027-05-20'), // ends on the file's date: closed
    ]);
    expect(currentSen(pupil, CTF_DATE_TIME)).toEqual({ provision: 'K', primaryNeed: 'SLCN', secondaryNeed: 'SEMH' });
  });

  it('moves the next open need up when the rank-1 need has ended', () => {
    const pupil = senPupil([rec('2024-09-05', 'K')], [nd(1, 'SPLD', '2026-07-18'), nd(2, 'SLCN')]);
    expect(currentSen(pupil, CTF_DATE_TIME)).toEqual({ provision: 'K', primaryNeed: 'SLCN', secondaryNeed: null });
  });

  it('gives E over K over N for records that start on the same day, in either order', () => {
    expect(currentSen(senPupil([rec('2025-01-06', 'K'), rec('2025-01-06', 'E')], [nd(1, 'HI')]), CTF_DATE_TIME).provision).toBe('E');
    expect(currentSen(senPupil([rec('2025-01-06', 'E'), rec('2025-01-06', 'K')], [nd(1, 'HI')]), CTF_DATE_TIME).provision).toBe('E');
  });

  it('gives the same answer for records written newest-first, oldest-first or in any order', () => {
    const date = fc.integer({ min: 0, max: 3000 }).map((d) => new Date(Date.UTC(2019, 0, 1) + d * 86_400_000).toISOString().slice(0, 10));
    const record = fc.record({ startDate: fc.option(date, { nil: null }), provision: fc.constantFrom('E', 'K', 'N') });
    const needRecord = fc.record({
      rank: fc.option(fc.integer({ min: 1, max: 3 }), { nil: null }),
      type: fc.constantFrom('ASD', 'SLCN', 'SEMH', 'MLD', 'SPLD', 'HI'),
      startDate: fc.option(date, { nil: null }),
      endDate: fc.option(date, { nil: null }),
    });
    fc.assert(
      fc.property(fc.array(record, { maxLength: 5 }), fc.uniqueArray(needRecord, { maxLength: 5, selector: (n) => `${n.rank}|${n.type}|${n.startDate}` }), fc.context(), (records, needList, ctx) => {
        const forward = currentSen(senPupil(records, needList), CTF_DATE_TIME);
        const backward = currentSen(senPupil([...records].reverse(), [...needList].reverse()), CTF_DATE_TIME);
        ctx.log(JSON.stringify({ forward, backward }));
        return JSON.stringify(forward) === JSON.stringify(backward);
      }),
      { numRuns: 300 },
    );
  });
});

describe('prefilling from a CTF', () => {
  const file = readCtf(
    ctfDocument([
      pupilXml(1, { sen: `${sen('2023-09-05', 'K')}${sen('2025-03-14', 'E')}${needs(need(1, 'ASD', '2025-03-14'), need(2, 'SLCN', '2023-09-05', '2025-03-13'))}` }),
      pupilXml(2, { ncYear: 5 }),
      pupilXml(3, { gender: true, sex: 'm' }),
      pupilXml(4, { ncYear: 4 }),
    ]),
  );

  it('fills one row per Year 6 pupil (by NCyearActual) with identity, the feeder primary and the current SEN record', () => {
    const prefill = prefillFromCtf(file);
    expect(prefill.rows).toEqual([
      { surname: 'Testsurname1', forename: 'Testforename1', dob: '2016-01-15', sex: 'F', feederPrimary: PRIMARY, upn: upnFor(1), senProvision: 'E', primaryNeed: 'ASD', secondaryNeed: null },
      { surname: 'Testsurname3', forename: 'Testforename3', dob: '2016-01-15', sex: 'M', feederPrimary: PRIMARY, upn: upnFor(3), senProvision: 'N', primaryNeed: null, secondaryNeed: null },
    ]);
    expect(prefill.skipped).toBe(2);
  });

  it('says what it did in one line', () => {
    expect(prefillSummary(prefillFromCtf(file))).toBe(`Prefilled 2 Year 6 pupils from St Testing & All Saints Primary (${PRIMARY}); skipped 2 pupils in other year groups`);
    const one = readCtf(ctfDocument([pupilXml(1), pupilXml(2, { ncYear: 3 })], ctfHeader({ name: 'St Mary&apos;s' })));
    expect(prefillSummary(prefillFromCtf(one))).toBe(`Prefilled 1 Year 6 pupil from St Mary's (${PRIMARY}); skipped 1 pupil in another year group`);
  });

  it('fills only the columns a CTF holds, A–F and Q–S', () => {
    expect(CTF_PREFILLED_COLUMNS.map((k) => columnByKey(k)?.letter)).toEqual(['A', 'B', 'C', 'D', 'E', 'F', 'Q', 'R', 'S']);
  });
});

/** The prefilled rows as a return, for the validator. */
function asReturn(rows: ReturnType<typeof prefillFromCtf>['rows'], year = TRANSFER_YEAR): TransitionReturn {
  return {
    year,
    sheets: [{ name: SHEET_LAYOUT.sheetName, receivingSecondary: 'Testbrook Academy (3304001)', rows: rows.map((values, i) => ({ row: SHEET_LAYOUT.firstDataRow + i, values })) }],
    explanations: [],
  };
}

const PREFILLED: ReadonlySet<string> = new Set(CTF_PREFILLED_COLUMNS);
const prefilledIssues = (ret: TransitionReturn) => {
  const { report } = validateReturn(ret);
  return [...report.errors, ...report.queries].filter((i) => i.field !== undefined && PREFILLED.has(i.field)).map((i) => ({ rule: i.rule, cell: i.cell }));
};

describe('prefilled rows and the validator', () => {
  const city = syntheticCity({ seed: 11, primaries: 4, secondaries: 2, year: TRANSFER_YEAR });

  it.each([0, 1, 2, 3])('prefills sample primary %i’s CTF with no error in any prefilled column', (i) => {
    const { school, ret } = city.returns[i] as (typeof city.returns)[number];
    const xml = sampleCtf({ school, year: TRANSFER_YEAR, ret, seed: i, style: i % 2 === 0 ? 0 : 1, schoolName: ctfSchoolName(school, i) });
    const prefill = prefillFromCtf(readCtf(xml));
    const yearSix = ret.sheets.reduce((n, s) => n + s.rows.length, 0) + 1; // the return's pupils and one late joiner
    expect(prefill.rows).toHaveLength(yearSix);
    expect(prefill.skipped).toBe(12);
    const { report } = validateReturn(asReturn(prefill.rows));
    expect(report.errors.filter((e) => e.field !== undefined && PREFILLED.has(e.field))).toEqual([]);
    // The current SEN record is the one the return holds, for every pupil the return has.
    const returned = ret.sheets.flatMap((s) => s.rows.map((r) => r.values));
    for (const v of returned) {
      const row = prefill.rows.find((r) => r.upn === v.upn);
      expect([row?.senProvision, row?.primaryNeed, row?.secondaryNeed]).toEqual([v.senProvision, v.primaryNeed ?? null, v.secondaryNeed ?? null]);
    }
  });

  it('imports a pupil with no UPN or a wrong check letter, and the validator’s UPN rules flag them', () => {
    const good = upnFor(2);
    const wrongLetter = `${good.startsWith('A') ? 'B' : 'A'}${good.slice(1)}`;
    const prefill = prefillFromCtf(readCtf(ctfDocument([pupilXml(1, { upn: null }), pupilXml(2, { upn: wrongLetter })])));
    expect(prefill.rows.map((r) => r.upn)).toEqual([null, wrongLetter]);
    expect(prefilledIssues(asReturn(prefill.rows))).toEqual([
      { rule: 'GS1001', cell: 'F10' },
      { rule: 'GS1011', cell: 'F11' },
    ]);
  });

  it('keeps a Year 6 pupil born outside the cohort, and the validator raises its query', () => {
    const prefill = prefillFromCtf(readCtf(ctfDocument([pupilXml(1, { dob: '2015-06-30' }), pupilXml(2)])));
    expect(prefill.rows).toHaveLength(2);
    const { report } = validateReturn(asReturn(prefill.rows));
    expect(report.queries.filter((q) => q.field === 'dob').map((q) => [q.rule, q.cell, q.message])).toEqual([
      ['GS2020Q', 'C10', 'The date of birth is 63 days before the Year 6 cohort (01/09/2015 to 31/08/2016).'],
    ]);
  });
});
