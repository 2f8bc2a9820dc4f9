/**
 * Adding and taking away school summaries (shared/aggregate/merge.ts): a running total is the
 * plain sum of its summaries whatever the order, zero entries are dropped, and adding in place
 * changes only the total.
 */
import fc from 'fast-check';
import { addInto, addSummary, CITY_TOTAL, sumSummaries } from '../../shared/aggregate/merge';
import { emptySummary, schoolSummary, type SchoolSummary } from '../../shared/aggregate/summary';
import type { PupilRow } from '../../shared/transition/schema';
import { pupilRow } from '../factories/transition';

const YEAR = 2027;
const BASE = pupilRow(1);
const SECONDARIES = ['3304001', '3304002', '3304003'];

const pupilArb: fc.Arbitrary<PupilRow> = fc
  .record({
    secondary: fc.constantFrom(...SECONDARIES),
    provision: fc.constantFrom('E', 'K', 'N'),
    need: fc.constantFrom('ASD', 'SLCN', 'SEMH', 'HI'),
    support: fc.constantFrom('Universal', 'Targeted', 'Specialist'),
    base: fc.boolean(),
  })
  .map(({ secondary, provision, need, support, base }) => ({
    ...BASE,
    receivingSecondary: secondary,
    senProvision: provision as PupilRow['senProvision'],
    primaryNeed: provision === 'N' ? null : need,
    supportLevel: support as PupilRow['supportLevel'],
    resourceBase: base ? { placement: 'Y' as const, base: null } : null,
  }));

const schoolsArb = fc.array(fc.array(pupilArb, { maxLength: 6 }), { minLength: 1, maxLength: 6 });
const summariesOf = (schools: PupilRow[][]): SchoolSummary[] => schools.map((pupils, i) => schoolSummary(String(3302001 + i), YEAR, pupils));
/** The city's pupils summarised as one school: what any sum of the schools' summaries must equal. */
const wholeCity = (schools: PupilRow[][]): SchoolSummary => schoolSummary(CITY_TOTAL, YEAR, schools.flat());

describe('sumSummaries', () => {
  it('equals the summary of every pupil at once, every field including the secondary-by-need counts', () => {
    fc.assert(
      fc.property(schoolsArb, (schools) => {
        expect(sumSummaries(summariesOf(schools), YEAR)).toEqual(wholeCity(schools));
      }),
      { numRuns: 200 },
    );
  });

  it('does not depend on the order of the summaries', () => {
    fc.assert(
      fc.property(schoolsArb, fc.integer({ min: 0, max: 100 }), (schools, seed) => {
        const summaries = summariesOf(schools);
        const shuffled = [...summaries].sort((a, b) => ((Number(a.school) * 7919 + seed) % 13) - ((Number(b.school) * 7919 + seed) % 13));
        expect(sumSummaries(shuffled, YEAR)).toEqual(sumSummaries(summaries, YEAR));
      }),
      { numRuns: 100 },
    );
  });

  it('is the empty city total for no summaries', () => {
    expect(sumSummaries([], YEAR)).toEqual(emptySummary(CITY_TOTAL, YEAR));
  });
});

describe('addSummary and addInto', () => {
  it('takes a summary away to the sum without it, dropping zero entries (no empty secondary is left)', () => {
    fc.assert(
      fc.property(schoolsArb, (schools) => {
        const summaries = summariesOf(schools);
        const [last] = summaries.slice(-1) as [SchoolSummary];
        const without = sumSummaries(summaries.slice(0, -1), YEAR);
        expect(addSummary(sumSummaries(summaries, YEAR), last, -1)).toEqual(without);
      }),
      { numRuns: 200 },
    );
  });

  it('gives back the empty total after adding and taking away the same summaries in any order', () => {
    const a = schoolSummary('3302001', YEAR, [{ ...BASE, receivingSecondary: '3304001', primaryNeed: 'ASD', senProvision: 'E', resourceBase: { placement: 'Y', base: null } }]);
    const b = schoolSummary('3302002', YEAR, [{ ...BASE, receivingSecondary: '3304002', primaryNeed: 'HI' }]);
    const total = emptySummary(CITY_TOTAL, YEAR);
    addInto(total, a);
    addInto(total, b);
    expect(total.bySecondaryNeed).toEqual({ '3304001': { ASD: 1 }, '3304002': { HI: 1 } });
    expect(total.resourceBaseDemand).toEqual([{ secondary: '3304001', need: 'ASD', pupils: 1 }]);
    addInto(total, a, -1);
    addInto(total, b, -1);
    expect(total).toEqual(emptySummary(CITY_TOTAL, YEAR));
  });

  it('addInto changes the total only; addSummary changes neither argument', () => {
    const a = schoolSummary('3302001', YEAR, [{ ...BASE, receivingSecondary: '3304001', resourceBase: { placement: 'Y', base: null } }]);
    const b = schoolSummary('3302002', YEAR, [{ ...BASE, receivingSecondary: '3304001', resourceBase: { placement: 'Y', base: null } }]);
    const [aBefore, bBefore] = [structuredClone(a), structuredClone(b)];
    const sum = addSummary(a, b);
    expect([a, b]).toEqual([aBefore, bBefore]);
    expect(sum.school).toBe('3302001');
    expect(sum.bySecondaryNeed).toEqual({ '3304001': { SLCN: 2 } });
    expect(sum.resourceBaseDemand).toEqual([{ secondary: '3304001', need: 'SLCN', pupils: 2 }]);
    addInto(a, b);
    expect(a).toEqual(sum);
    expect(b).toEqual(bBefore);
  });

  it('keeps resource-base demand sorted by secondary then need as entries come and go', () => {
    const demandAt = (secondary: string, need: NonNullable<PupilRow['primaryNeed']>): SchoolSummary =>
      schoolSummary('3302001', YEAR, [{ ...BASE, receivingSecondary: secondary, primaryNeed: need, resourceBase: { placement: 'Y', base: null } }]);
    const total = emptySummary(CITY_TOTAL, YEAR);
    for (const [s, n] of [['3304003', 'ASD'], ['3304001', 'SEMH'], ['3304001', 'ASD'], ['3304002', 'HI']] as const) addInto(total, demandAt(s, n));
    addInto(total, demandAt('3304001', 'SEMH'), -1);
    expect(total.resourceBaseDemand.map((d) => `${d.secondary}|${d.need}`)).toEqual(['3304001|ASD', '3304002|HI', '3304003|ASD']);
  });
});
