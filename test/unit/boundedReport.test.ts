/**
 * A validation report lists at most REPORT_ISSUE_LIMIT issues, and counts every one: the summary
 * (what may be stored or submitted), the counts by rule and a plain line for the rest. The
 * API's answers, the pane and the CLI's --json all carry this one report.
 */
import fc from 'fast-check';
import { REPORT_ISSUE_LIMIT, type QueryExplanation, type RowValues, type TransitionReturn, type ValidationIssue, validationReportSchema } from '../../shared/transition/schema';
import { validateReturn } from '../../shared/transition/validate';
import { aReturn, row, sheet, TRANSFER_YEAR } from '../factories/transition';

/** What a row may hold: nothing wrong, an error, a query (attendance in Z, destination in G), or both. */
const ROW_KINDS: ReadonlyArray<Partial<RowValues>> = [{}, { sex: 'X' }, { attendance: 80 }, { attendance: 80, sex: 'X' }, { destinationConfirmed: 'N' }, { attendance: 80, destinationConfirmed: 'N' }];

const explanationAt = (rowNumber: number): QueryExplanation => ({ rule: 'GS2010Q', sheet: 'Transition', cell: `Z${rowNumber}`, text: 'Long hospital stay in the spring term.' });

/** `part` in order within `whole`, each item equal to its match. */
function isInOrderWithin(part: ValidationIssue[], whole: ValidationIssue[]): boolean {
  let at = 0;
  for (const issue of part) {
    while (at < whole.length && JSON.stringify(whole[at]) !== JSON.stringify(issue)) at++;
    if (at === whole.length) return false;
    at++;
  }
  return true;
}

describe('a bounded validation report', () => {
  it('lists the first errors of a return with 1,000 bad codes, counts all of them, and says how many more exist', () => {
    const ret = aReturn(1000);
    for (const r of ret.sheets[0]!.rows) r.values.sex = 'X';
    const { report, pupils } = validateReturn(ret);
    expect(REPORT_ISSUE_LIMIT).toBe(200);
    expect(report.errors).toHaveLength(200);
    expect(report.errors[0]).toMatchObject({ rule: 'GS1002', cell: 'D10' });
    expect(report.errors[199]).toMatchObject({ rule: 'GS1002', cell: 'D209' });
    expect(report.summary).toEqual({ sheets: 1, rows: 1000, errors: 1000, queries: 0, unexplainedQueries: 0, canSubmit: false });
    expect(report.byRule).toEqual({ GS1002: 1000 });
    expect(report.notListed).toBe(800);
    expect(report.more).toBe('800 more issues are not shown; fix these and check again.');
    expect(pupils).toEqual([]);
    expect(validationReportSchema.parse(report)).toEqual(report);
  });

  it('has no line when every issue is listed', () => {
    const ret = aReturn(2);
    ret.sheets[0]!.rows[0]!.values.sex = 'X';
    const { report } = validateReturn(ret);
    expect(report).toMatchObject({ notListed: 0, byRule: { GS1002: 1 } });
    expect(report.more).toBeUndefined();
  });

  it('lists a query still to explain before explained ones, and counts an explanation it does not list', () => {
    const ret: TransitionReturn = { year: TRANSFER_YEAR, sheets: [sheet([1, 2, 3, 4, 5].map((n) => row(n, { attendance: 80 })))], explanations: [10, 11, 12, 13].map(explanationAt) };
    const { report } = validateReturn(ret, { issueLimit: 2 });
    expect(report.queries.map((q) => [q.cell, q.explanation])).toEqual([
      ['Z10', 'Long hospital stay in the spring term.'],
      ['Z14', undefined],
    ]);
    expect(report.summary).toMatchObject({ queries: 5, unexplainedQueries: 1, canSubmit: false });
    expect(report.more).toBe('3 more issues are not shown; fix these and check again.');

    // The last one explained too: every query is explained, listed or not, so the return may be submitted.
    const explained = validateReturn({ ...ret, explanations: [10, 11, 12, 13, 14].map(explanationAt) }, { issueLimit: 2 }).report;
    expect(explained.summary).toMatchObject({ queries: 5, unexplainedQueries: 0, canSubmit: true });
    expect(explained.queries.map((q) => q.cell)).toEqual(['Z10', 'Z11']);
  });

  it('says "1 more issue" when one is left out', () => {
    const ret = aReturn(2);
    ret.sheets[0]!.rows[0]!.values.sex = 'X';
    ret.sheets[0]!.rows[1]!.values.sex = 'X';
    expect(validateReturn(ret, { issueLimit: 1 }).report.more).toBe('1 more issue is not shown; fix these and check again.');
  });

  it('is the full report cut to the limit: errors first, then queries to explain, then explained ones, every count exact', () => {
    const aReturnOf = fc
      .array(fc.record({ kind: fc.constantFrom(...ROW_KINDS), explained: fc.boolean() }), { minLength: 0, maxLength: 30 })
      .map(
        (rows): TransitionReturn => ({
          year: TRANSFER_YEAR,
          sheets: [sheet(rows.map(({ kind }, i) => row(i + 1, kind)))],
          explanations: rows.flatMap(({ kind, explained }, i) => (explained && kind.attendance !== undefined ? [explanationAt(10 + i)] : [])),
        }),
      );
    fc.assert(
      fc.property(aReturnOf, fc.integer({ min: 0, max: 20 }), (ret, limit) => {
        const full = validateReturn(ret, { issueLimit: Infinity }).report;
        const { report, pupils } = validateReturn(ret, { issueLimit: limit });
        const all = [...full.errors, ...full.queries];
        const listed = report.errors.length + report.queries.length;

        expect(full.notListed).toBe(0);
        expect(report.summary).toEqual(full.summary);
        expect(pupils).toEqual(validateReturn(ret, { issueLimit: Infinity }).pupils);
        const byRule: Record<string, number> = {};
        for (const issue of all) byRule[issue.rule] = (byRule[issue.rule] ?? 0) + 1;
        expect(report.byRule).toEqual(byRule);

        expect(listed).toBe(Math.min(limit, all.length));
        expect(report.notListed).toBe(all.length - listed);
        expect(report.more !== undefined).toBe(report.notListed > 0);
        if (report.more) expect(report.more).toContain(report.notListed.toLocaleString('en-GB'));

        expect(report.errors).toEqual(full.errors.slice(0, limit));
        expect(isInOrderWithin(report.queries, full.queries)).toBe(true);
        const room = limit - report.errors.length;
        const unexplained = report.queries.filter((q) => q.explanation === undefined).length;
        expect(unexplained).toBe(Math.min(room, full.summary.unexplainedQueries));
        expect(report.queries.length - unexplained).toBe(Math.min(room - unexplained, full.summary.queries - full.summary.unexplainedQueries));
      }),
      { numRuns: 150 },
    );
  });
});
