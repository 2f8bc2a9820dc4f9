/**
 * goodstart validate on a return with more issues than a report lists: --json carries the
 * report the API and the pane show (REPORT_ISSUE_LIMIT issues, every one counted, the line
 * saying more exist), and the text output ends with that line before its summary.
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../cli/main';
import { REPORT_ISSUE_LIMIT, validationReportSchema } from '../../shared/transition/schema';
import { writeTransitionWorkbook } from '../../xlsx/template';
import { capture } from '../factories/cliIo';
import { aReturn, TRANSFER_YEAR } from '../factories/transition';

let dir: string;
let file: string;

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'goodstart-bounded-'));
  file = path.join(dir, 'bad-codes.xlsx');
  const ret = aReturn(600);
  for (const r of ret.sheets[0]!.rows) r.values.sex = 'X';
  await fs.writeFile(file, await writeTransitionWorkbook({ year: TRANSFER_YEAR, sheets: ret.sheets, explanations: [] }));
}, 60_000);

afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe('goodstart validate on a return with 600 bad codes', () => {
  it('--json lists the first 200 errors, counts all 600 by rule and says 400 more exist', async () => {
    const io = capture();
    expect(await main(['validate', file, '--json'], io)).toBe(1);
    // Beside the report, whether the schools were checked against the LA's list (here, with no --schools, not).
    const { schools, ...printed } = JSON.parse(io.stdout()) as { schools: { checked: boolean } };
    expect(schools.checked).toBe(false);
    const report = validationReportSchema.parse(printed);
    expect(report.errors).toHaveLength(REPORT_ISSUE_LIMIT);
    expect(report.summary).toMatchObject({ rows: 600, errors: 600 });
    expect(report.byRule).toEqual({ GS1002: 600 });
    expect(report.notListed).toBe(400);
    expect(report.more).toBe('400 more issues are not shown; fix these and check again.');
  });

  it('prints 200 issue lines, then the line saying more exist, then the summary', async () => {
    const io = capture();
    expect(await main(['validate', file], io)).toBe(1);
    const lines = io.stdout().trimEnd().split('\n');
    // The line before the summary says the schools were not checked against the LA's list (no --schools).
    expect(lines).toHaveLength(REPORT_ISSUE_LIMIT + 3);
    expect(lines[REPORT_ISSUE_LIMIT]).toBe('400 more issues are not shown; fix these and check again.');
    expect(lines[REPORT_ISSUE_LIMIT + 1]).toMatch(/^Schools were not checked against the LA's list/);
    expect(lines[REPORT_ISSUE_LIMIT + 2]).toMatch(/^.*bad-codes\.xlsx: 600 pupils on 1 sheet, 600 errors, 0 queries \(0 unexplained\): cannot be submitted until the errors are fixed\.$/);
  });
});
