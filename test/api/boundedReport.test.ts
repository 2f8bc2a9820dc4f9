/**
 * The API's validation report is bounded: a return with a million issues is answered with the
 * report the CLI and the pane show (REPORT_ISSUE_LIMIT issues listed, every one counted, a line
 * saying more exist), not with every issue. The 422 and the receipt both carry it.
 */
import { randomUUID } from 'node:crypto';
import { REPORT_ISSUE_LIMIT } from '../../shared/transition/schema';
import { transitionReturnSchema, validationReportSchema } from '../../shared/transition/schema';
import { validateReturn } from '../../shared/transition/validate';
import { worstCaseReturn } from '../factories/worstCase';
import { aReturn, PRIMARY, TRANSFER_YEAR } from '../factories/transition';
import { startStack, type Stack } from './harness';

const P = 'https://goodstart.birmingham.example/problems/';

let stack: Stack;
let token: string;
beforeAll(async () => {
  stack = await startStack();
  token = await stack.token({ role: 'school', school: PRIMARY });
}, 60_000);
afterAll(async () => {
  await stack.stop();
});

const put = (body: string, query = '') =>
  stack.fetch(`/returns/${PRIMARY}/${TRANSFER_YEAR}${query}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
    body,
  });

describe('the validation report in the API', () => {
  it('refuses, before parsing its rows, a return of more pupils than one school has (issue 32\'s 59,400 rows)', async () => {
    const sheets = Array.from({ length: 33 }, (_, s) => ({
      name: `Sheet ${s + 1}`,
      receivingSecondary: 'Testbrook Academy (3304001)',
      rows: Array.from({ length: 1800 }, (_, i) => ({ row: 10 + i, values: { sex: 'X' } })),
    }));
    const res = await put(JSON.stringify({ year: TRANSFER_YEAR, sheets, explanations: [] }));
    expect(res.status).toBe(422);
    const text = await res.text();
    expect(text.length).toBeLessThan(2_000);
    expect(JSON.parse(text)).toMatchObject({
      type: `${P}validation-failed`,
      issues: [{ path: 'sheets', code: 'custom', message: "a return holds at most 2,000 pupil rows in all (a school's Year 6 cohort); this one holds 59,400" }],
    });
  });

  it('is under 1 MB in the 422 for the worst return the caps let through: 2 MB, 2,000 rows, each with 15 errors', async () => {
    const body = worstCaseReturn();
    expect(body.length).toBeGreaterThan(2_000_000);
    expect(body.length).toBeLessThan(2 * 1024 * 1024);
    // What the core makes of it, uncapped counts and all: the API must answer the same.
    const expected = validateReturn(transitionReturnSchema.parse(JSON.parse(body)), { year: TRANSFER_YEAR, school: PRIMARY }).report;
    expect(expected.summary.errors).toBe(2_000 * 15);

    const res = await put(body);
    expect(res.status).toBe(422);
    const text = await res.text();
    expect(text.length).toBeLessThan(1_000_000);
    const problem = JSON.parse(text) as { type: string; detail: string; report: unknown };
    expect(problem.type).toBe(`${P}return-has-errors`);
    const report = validationReportSchema.parse(problem.report);
    expect(report.errors).toHaveLength(REPORT_ISSUE_LIMIT);
    expect(report.summary).toMatchObject({ sheets: 4, rows: 2_000, errors: 30_000, queries: 0 });
    expect(report.byRule).toEqual(expected.byRule);
    expect(Object.values(report.byRule ?? {}).reduce((a, b) => a + b, 0)).toBe(30_000);
    expect(report.more).toBe('29,800 more issues are not shown; fix these and check again.');
    expect(problem.detail).toBe('30000 error(s) must be fixed before the return can be stored.');
  }, 60_000);

  it('lists the first 200 of 300 queries in the 422 for a submission and in the receipt for the draft, each saying 100 more exist', async () => {
    const ret = aReturn(300);
    for (const r of ret.sheets[0]!.rows) r.values.attendance = 80;
    const refused = await put(JSON.stringify(ret));
    expect(refused.status).toBe(422);
    const problem = (await refused.json()) as { type: string; report: unknown };
    expect(problem.type).toBe(`${P}unexplained-queries`);
    const listed = validationReportSchema.parse(problem.report);
    expect(listed.queries).toHaveLength(200);
    expect(listed.summary).toMatchObject({ queries: 300, unexplainedQueries: 300 });
    expect(listed.more).toBe('100 more issues are not shown; fix these and check again.');

    const draft = await put(JSON.stringify(ret), '?status=draft');
    expect(draft.status).toBe(201);
    const receipt = (await draft.json()) as { report: unknown };
    expect(validationReportSchema.parse(receipt.report)).toEqual(listed);
  });
});
