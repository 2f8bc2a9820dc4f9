/**
 * "Can this be submitted?", decided once (shared/transition/submittability.ts) and asked by the
 * API, the CLI, the consolidation tracker and the report's canSubmit.
 */
import { trackerStatus } from '../../shared/consolidation';
import { submittability } from '../../shared/transition/submittability';
import { validateReturn } from '../../shared/transition/validate';
import { formatReport } from '../../cli/commands/validate';
import { aReturn, row, sheet, TRANSFER_YEAR } from '../factories/transition';

describe('submittability', () => {
  it('blocks a return with errors, whether it is submitted or saved as a draft', () => {
    expect(submittability({ errors: 2, unexplainedQueries: 1 })).toEqual({ verdict: 'has-errors', errors: 2 });
    expect(submittability({ errors: 2, unexplainedQueries: 0 }, 'draft')).toEqual({ verdict: 'has-errors', errors: 2 });
  });

  it('lets a draft keep unexplained queries, but not a submission', () => {
    expect(submittability({ errors: 0, unexplainedQueries: 3 }, 'draft')).toEqual({ verdict: 'ready' });
    expect(submittability({ errors: 0, unexplainedQueries: 3 }, 'submitted')).toEqual({ verdict: 'unexplained-queries', unexplainedQueries: 3 });
    expect(submittability({ errors: 0, unexplainedQueries: 3 })).toEqual({ verdict: 'unexplained-queries', unexplainedQueries: 3 });
  });

  it('is ready with no errors and every query explained or fixed', () => {
    expect(submittability({ errors: 0, unexplainedQueries: 0 })).toEqual({ verdict: 'ready' });
  });

  it('is the one answer behind canSubmit, the tracker status and the CLI verdict', () => {
    const withQuery = { year: TRANSFER_YEAR, sheets: [sheet([row(1, { attendance: 80 })])], explanations: [] };
    const withError = { year: TRANSFER_YEAR, sheets: [sheet([row(1, { sex: 'X' })])], explanations: [] };
    const cases = [
      [aReturn(1), true, 'Ready to submit', 'is ready to submit.'],
      [withQuery, false, 'Queries to explain', 'has no errors; each query needs a fix or an explanation before submission.'],
      [withError, false, 'Errors: rows with errors left out', 'cannot be submitted until the errors are fixed.'],
    ] as const;
    for (const [ret, canSubmit, tracker, verdict] of cases) {
      const { report } = validateReturn(ret);
      expect(report.summary.canSubmit).toBe(canSubmit);
      expect(trackerStatus(report)).toBe(tracker);
      expect(formatReport('x.xlsx', report, false).trimEnd().endsWith(verdict)).toBe(true);
    }
  });
});
