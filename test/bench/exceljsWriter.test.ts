/**
 * The bench's old-path writer (bench/exceljsWriter.ts, a frozen copy of the exceljs writer from
 * before issue 10) stays a faithful yardstick: the same workbook, cell for cell, as the product's
 * writer for the same consolidation.
 */
import ExcelJS from 'exceljs';
import { syntheticCity } from '../../samples/synthetic';
import { SchoolDirectory } from '../../shared/schools';
import { consolidate, type ReturnOutcome } from '../../shared/consolidation';
import { validateReturn } from '../../shared/transition/validate';
import { writeConsolidatedWorkbook } from '../../xlsx/consolidated';
import { writeConsolidatedWithExceljs } from '../../bench/exceljsWriter';
import { TRANSFER_YEAR } from '../factories/transition';

async function cells(bytes: Uint8Array): Promise<{ sheets: string[]; cells: Array<[string, string, ExcelJS.CellValue]> }> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(Buffer.from(bytes) as unknown as ArrayBuffer);
  const out: Array<[string, string, ExcelJS.CellValue]> = [];
  for (const ws of wb.worksheets) ws.eachRow((r) => r.eachCell((c) => void out.push([ws.name, c.address, c.value])));
  return { sheets: wb.worksheets.map((w) => w.name), cells: out };
}

describe('the bench\'s old-path exceljs writer', () => {
  const city = syntheticCity({ seed: 21, primaries: 4, secondaries: 2, pupilsPerPrimary: [8, 12], year: TRANSFER_YEAR });
  const directory = new SchoolDirectory(city.schools);
  const outcomes: ReturnOutcome[] = [
    ...city.returns.map(({ school, ret }): ReturnOutcome => ({ kind: 'read', file: `${school.laestab}.xlsx`, ret, ...validateReturn(ret, { directory }) })),
    { kind: 'unreadable', file: '-broken.xlsx', reason: 'the file is not an Excel workbook; save it as .xlsx' },
  ];
  const result = consolidate(outcomes, { year: TRANSFER_YEAR, directory });
  const opts = {
    year: TRANSFER_YEAR,
    generatedAt: '2027-07-20T09:00:00.000Z',
    pupils: result.pupils,
    tracker: result.tracker,
    received: { returns: 4, outstanding: 0, unreadable: 1 },
    tables: result.tables,
  };

  it('writes the same sheets and the same cells as the product\'s writer, pupils included', async () => {
    const [old, now] = await Promise.all([cells(await writeConsolidatedWithExceljs(opts)), cells(await writeConsolidatedWorkbook(opts))]);
    expect(old.sheets).toEqual(now.sheets);
    expect(old.sheets).toContain('By area of need and locality');
    // A header and one row per pupil, each with its source school in column A.
    expect(old.cells.filter(([s, a]) => s === 'Pupils' && /^A\d+$/.test(a))).toHaveLength(result.pupils.length + 1);
    expect(old.cells).toEqual(now.cells);
  });
});
