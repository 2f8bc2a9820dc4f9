/**
 * A validation report lists at most REPORT_ISSUE_LIMIT issues, and counts every one: the summary
 * (what may be stored or submitted), the counts by rule and a plain line for the rest. The
 * API's answers, the pane and the CLI's --json all carry this one report.
 */
import fc from 'fast-check';
import { REPORT_ISSUE_LIMIT, type QueryExplanation, type RowValues, type TransitionReturn, type ValidationIssue, validationReportSchema } from '../../shared/transition/schema';
import { validateReturn } from '../../shared/transition/validate';
import { sheetsLeftOut } from '../../shared/consolidation';
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

  it("lists a later sheet's blank A7 behind 300 errors on the first sheet, so the line saying its pupils are left out is not lost", () => {
    const first = aReturn(300).sheets[0]!;
    for (const r of first.rows) r.values.sex = 'X';
    const second = { ...sheet([row(301), row(302)], null), name: 'Second' };
    const ret: TransitionReturn = { year: TRANSFER_YEAR, sheets: [first, second], explanations: [] };
    const { report } = validateReturn(ret);
    expect(report.errors).toHaveLength(200);
    // In sheet order: the first sheet's first 199 errors, then the second sheet's A7.
    expect(report.errors[198]).toMatchObject({ rule: 'GS1002', sheet: 'Transition', cell: 'D208' });
    expect(report.errors[199]).toMatchObject({ rule: 'GS1080', sheet: 'Second', cell: 'A7' });
    expect(report.summary.errors).toBe(301);
    expect(sheetsLeftOut(ret, report)).toEqual([expect.stringMatching(/^All 2 pupils on sheet 'Second' are left out: The receiving secondary is blank\./)]);
  });

  it('says "1 more issue" when one is left out', () => {
    const ret = aReturn(2);
    ret.sheets[0]!.rows[0]!.values.sex = 'X';
    ret.sheets[0]!.rows[1]!.values.sex = 'X';
    expect(validateReturn(ret, { issueLimit: 1 }).report.more).toBe('1 more issue is not shown; fix these and check again.');
  });

  it("is the full report cut to the limit: headers' errors, pupils' errors, queries to explain, then explained ones, every count exact", () => {
    const aSheetOf = fc.record({ rows: fc.array(fc.record({ kind: fc.constantFrom(...ROW_KINDS), explained: fc.boolean() }), { minLength: 0, maxLength: 15 }), blankA7: fc.boolean() });
    const aReturnOf = fc.array(aSheetOf, { minLength: 1, maxLength: 3 }).map((sheets): TransitionReturn => {
      let n = 0;
      const built = sheets.map(({ rows, blankA7 }, s) => {
        const numbered = rows.map((r) => ({ ...r, n: ++n }));
        return { ...sheetOf(numbered, blankA7), name: `Sheet ${s + 1}`, explanations: numbered.flatMap(({ kind, explained }, i) => (explained && kind.attendance !== undefined ? [{ ...explanationAt(10 + i), sheet: `Sheet ${s + 1}` }] : [])) };
      });
      return { year: TRANSFER_YEAR, sheets: built.map(({ explanations: _e, ...s }) => s), explanations: built.flatMap((s) => s.explanations) };
    });
    function sheetOf(numbered: Array<{ kind: Partial<RowValues>; n: number }>, blankA7: boolean) {
      return sheet(
        numbered.map(({ kind, n }, i) => ({ ...row(n, kind), row: 10 + i })),
        blankA7 ? null : undefined,
      );
    }
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

        let headerRoom = Math.min(limit, full.errors.filter((e) => e.field === undefined).length);
        let rowRoom = limit - headerRoom;
        expect(report.errors).toEqual(full.errors.filter((e) => (e.field === undefined ? headerRoom-- > 0 : rowRoom-- > 0)));
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
