/**
 * The one year rule (shared/year.ts): a bare year is the academic year that starts in September
 * of that year, so 2027 is the transfer to Year 7 in September 2027, academic year 2027-28.
 */
import fc from 'fast-check';
import { schoolSummarySchema } from '../../shared/aggregate/summary';
import { DomainInputError } from '../../shared/errors';
import { transitionReturnSchema } from '../../shared/transition/schema';
import {
  academicYearOf,
  academicYearSchema,
  currentTransferYear,
  isAcademicYear,
  parseTransferYear,
  TRANSFER_YEAR_MAX,
  TRANSFER_YEAR_MIN,
  transferYearOfAcademic,
  transferYearSchema,
  YEAR_RULE,
} from '../../shared/year';

describe('a bare year', () => {
  it('is the academic year that starts in September of it', () => {
    expect(academicYearOf(2027)).toBe('2027-28');
    expect(academicYearOf(2019)).toBe('2019-20');
    expect(academicYearOf(2099)).toBe('2099-00');
  });

  it('is what an academic year is named by: the year it starts in', () => {
    expect(transferYearOfAcademic('2019-20')).toBe(2019);
    expect(transferYearOfAcademic('2027-28')).toBe(2027);
  });

  it('reads the same written as a number, as text or as its academic year', () => {
    for (const written of [2027, '2027', ' 2027 ', '2027-28', '2027/28', '2027-2028']) expect(parseTransferYear(written)).toBe(2027);
  });

  it('round-trips through its academic year for every year in bounds', () => {
    fc.assert(
      fc.property(fc.integer({ min: TRANSFER_YEAR_MIN, max: TRANSFER_YEAR_MAX }), (year) => {
        const academic = academicYearOf(year);
        return isAcademicYear(academic) && transferYearOfAcademic(academic) === year && parseTransferYear(academic) === year && parseTransferYear(String(year)) === year;
      }),
    );
  });
});

describe('the bounds', () => {
  it('are 2000 to 2100, stated once', () => {
    expect([TRANSFER_YEAR_MIN, TRANSFER_YEAR_MAX]).toEqual([2000, 2100]);
    expect(YEAR_RULE).toBe('a year must be from 2000 to 2100, the September the pupils start Year 7 (2027 or 2027-28 means September 2027)');
  });

  it('refuse a year outside them, or not a year, with the rule and what was given', () => {
    const refused: [string | number, string][] = [
      [1999, '1999'],
      [2101, '2101'],
      [2027.5, '2027.5'],
      ['207', '207'],
      ['next year', 'next year'],
      ['2027-29', '2027-29'],
      ['', ''],
    ];
    for (const [written, shown] of refused) {
      expect(() => parseTransferYear(written)).toThrow(new DomainInputError('invalidValue', `${YEAR_RULE}; got "${shown}"`));
    }
  });

  it('refuse every whole number outside them', () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer({ max: TRANSFER_YEAR_MIN - 1 }), fc.integer({ min: TRANSFER_YEAR_MAX + 1 })), (year) => {
        expect(() => parseTransferYear(year)).toThrow(`${YEAR_RULE}; got "${year}"`);
        expect(() => parseTransferYear(String(year))).toThrow(YEAR_RULE);
      }),
    );
  });

  it('are the ones a return and a school summary are checked against, in the same words', () => {
    const ret = transitionReturnSchema.safeParse({ year: 1999, sheets: [{ name: 'Transition', receivingSecondary: null, rows: [] }] });
    expect(ret.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([['year', YEAR_RULE]]);
    expect(schoolSummarySchema.shape.year).toBe(transferYearSchema);
  });

  it('are the zod schema\'s, with the same words', () => {
    expect(transferYearSchema.safeParse(2000).success).toBe(true);
    expect(transferYearSchema.safeParse(2100).success).toBe(true);
    expect(transferYearSchema.safeParse(1999).error?.issues.map((i) => i.message)).toEqual([YEAR_RULE]);
    expect(transferYearSchema.safeParse(2101).error?.issues.map((i) => i.message)).toEqual([YEAR_RULE]);
  });
});

describe('an academic year', () => {
  it('is YYYY-YY with the second year following the first, within the bounds', () => {
    expect(['2019-20', '2099-00', '2000-01'].map(isAcademicYear)).toEqual([true, true, true]);
    expect(['2019-21', '2019', '2019-2020', '1999-00', '2019/20'].map(isAcademicYear)).toEqual([false, false, false, false, false]);
  });

  it('is checked by its zod schema, which dataset ids use', () => {
    expect(academicYearSchema.safeParse('2019-20').success).toBe(true);
    expect(academicYearSchema.safeParse('2019-21').success).toBe(false);
    expect(() => transferYearOfAcademic('2019-21')).toThrow(DomainInputError);
  });
});

describe('the current transfer year', () => {
  it('is this year until August, and next year from September, when Year 6 starts again', () => {
    expect(currentTransferYear(new Date(Date.UTC(2027, 0, 15)))).toBe(2027);
    expect(currentTransferYear(new Date(Date.UTC(2027, 7, 31)))).toBe(2027);
    expect(currentTransferYear(new Date(Date.UTC(2027, 8, 1)))).toBe(2028);
  });
});
