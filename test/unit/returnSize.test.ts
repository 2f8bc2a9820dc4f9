/**
 * One return holds at most WORKBOOK_LIMITS.maxRowsPerReturn pupils, all sheets together: a
 * school's Year 6 cohort with headroom. The schema, the cheap check on raw JSON and the workbook
 * reader say the same, so no request can ask the validator for tens of thousands of rows.
 */
import { WORKBOOK_LIMITS } from '../../shared/transition/layout';
import { returnTooLarge, transitionReturnSchema } from '../../shared/transition/schema';
import { WorkbookError } from '../../shared/workbook/errors';
import { readTransitionWorkbook } from '../../shared/workbook/reader';
import { writeTransitionWorkbook } from '../../xlsx/template';
import { row, sheet, TRANSFER_YEAR } from '../factories/transition';

const MAX = WORKBOOK_LIMITS.maxRowsPerReturn;
const sheets = (perSheet: number[]) => perSheet.map((n, s) => ({ ...sheet(Array.from({ length: n }, (_, i) => row(i + 1))), name: `Sheet ${s + 1}` }));

describe('the pupils one return may hold', () => {
  it('is 2,000 in all: two sheets within their own limit but over it together are refused by the schema, at sheets', () => {
    expect(MAX).toBe(2000);
    const over = transitionReturnSchema.safeParse({ year: TRANSFER_YEAR, sheets: sheets([1001, 1000]), explanations: [] });
    expect(over.success).toBe(false);
    expect(over.error?.issues).toEqual([expect.objectContaining({ path: ['sheets'], message: "a return holds at most 2,000 pupil rows in all (a school's Year 6 cohort); this one holds 2,001" })]);
    expect(transitionReturnSchema.safeParse({ year: TRANSFER_YEAR, sheets: sheets([1000, 1000]), explanations: [] }).success).toBe(true);
  });

  it('is told from raw JSON by counting rows alone, whatever the rows hold', () => {
    expect(returnTooLarge({ sheets: [{ rows: new Array(1500) }, { rows: new Array(501) }] })).toMatch(/this one holds 2,001$/);
    expect(returnTooLarge({ sheets: [{ rows: new Array(2000) }] })).toBeUndefined();
    expect(returnTooLarge({ sheets: 'not a list' })).toBeUndefined();
    expect(returnTooLarge(null)).toBeUndefined();
  });

  it('is refused from a workbook whose sheets together hold more, naming the figures', async () => {
    const bytes = await writeTransitionWorkbook({ year: TRANSFER_YEAR, sheets: sheets([1200, 801]), explanations: [] });
    const read = readTransitionWorkbook(bytes);
    await expect(read).rejects.toBeInstanceOf(WorkbookError);
    await expect(read).rejects.toMatchObject({ code: 'too-many-rows', message: expect.stringContaining('2001 pupil rows in all, over the limit of 2000') });
  }, 60_000);
});
