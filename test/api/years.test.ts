/**
 * URL years follow the one year rule (shared/year.ts): `/returns/x/2027`, `/aggregates/2027`,
 * `/tracker/2027` and `/exports/2027/…` are the transfer in September 2027, academic year 2027-28,
 * and a year outside the bounds is 400 invalid-parameter with the same words as the CLI and cells.
 */
import { HttpRequest } from '@azure/functions';
import { returnTarget, transferYearParam } from '../../functions/src/http/params';
import { SpecificProblem } from '../../functions/src/http/problems';
import { academicYearOf, YEAR_RULE } from '../../shared/year';

const withYear = (year: string) => new HttpRequest({ method: 'GET', url: `http://localhost/api/aggregates/${year}`, params: { year, laestab: '3302001' } });

describe('a year in the URL', () => {
  it('is the transfer year: 2027 is September 2027, academic year 2027-28', () => {
    const year = transferYearParam(withYear('2027'));
    expect(year).toBe(2027);
    expect(academicYearOf(year)).toBe('2027-28');
    expect(returnTarget(withYear('2027'))).toEqual({ laestab: '3302001', year: 2027 });
  });

  it('outside 2000-2100 is 400 invalid-parameter naming year, in the words every surface uses', () => {
    for (const year of ['1999', '2101']) {
      let thrown: unknown;
      try {
        transferYearParam(withYear(year));
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBeInstanceOf(SpecificProblem);
      expect(thrown).toMatchObject({ specific: 'invalid-parameter', status: 400, message: `${YEAR_RULE}; got "${year}"` });
      expect((thrown as SpecificProblem).options.extensions).toEqual({ parameter: 'year' });
    }
  });
});
