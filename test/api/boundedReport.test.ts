/**
 * The API's validation report is bounded: a return with a million issues is answered with the
 * report the CLI and the pane show (REPORT_ISSUE_LIMIT issues listed, every one counted, a line
 * saying more exist), not with every issue. The 422 and the receipt both carry it.
 */
import { randomUUID } from 'node:crypto';
import { REPORT_ISSUE_LIMIT } from '../../shared/transition/schema';
import { validationReportSchema } from '../../shared/transition/schema';
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
  it('is under 1 MB in the 422 for a 2 MB return of 59,400 rows, each with a bad code and 13 required cells blank', async () => {
    // The shape of issue 32's request: 33 sheets of minimal rows, 14 errors a row (831,600 in all), under the 2 MiB body cap.
    const sheets = Array.from({ length: 33 }, (_, s) => ({
      name: `Sheet ${s + 1}`,
      receivingSecondary: 'Testbrook Academy (3304001)',
      rows: Array.from({ length: 1800 }, (_, i) => ({ row: 10 + i, values: { sex: 'X' } })),
    }));
    const body = JSON.stringify({ year: TRANSFER_YEAR, sheets, explanations: [] });
    expect(body.length).toBeGreaterThan(1_900_000);
    expect(body.length).toBeLessThan(2 * 1024 * 1024);

    const res = await put(body);
    expect(res.status).toBe(422);
    const text = await res.text();
    expect(text.length).toBeLessThan(1_000_000);
    const problem = JSON.parse(text) as { type: string; detail: string; report: unknown };
    expect(problem.type).toBe(`${P}return-has-errors`);
    const report = validationReportSchema.parse(problem.report);
    expect(report.errors).toHaveLength(REPORT_ISSUE_LIMIT);
    expect(report.summary).toMatchObject({ sheets: 33, rows: 59_400, errors: 59_400 * 14, queries: 0 });
    expect(report.byRule?.['GS1002']).toBe(59_400);
    expect(Object.values(report.byRule ?? {}).reduce((a, b) => a + b, 0)).toBe(59_400 * 14);
    expect(report.more).toBe('831,400 more issues are not shown; fix these and check again.');
    expect(problem.detail).toBe('831600 error(s) must be fixed before the return can be stored.');
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
