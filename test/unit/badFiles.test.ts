/**
 * Files a school might send that are not a readable return: each is refused with a
 * WorkbookError of the right code and one plain-English line, before exceljs parses it.
 */
import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';
import { readTransitionWorkbook } from '../../shared/workbook/reader';
import { inspectXlsx } from '../../shared/workbook/zip';
import { WorkbookError, type WorkbookErrorCode } from '../../shared/workbook/errors';
import { writeTransitionWorkbook } from '../../xlsx/template';
import { SHEET_LAYOUT, TRANSITION_COLUMNS, WORKBOOK_LIMITS } from '../../shared/transition/layout';
import { aReturn, TRANSFER_YEAR } from '../factories/transition';
import { handZip, xml } from '../factories/zip';

async function rejection(bytes: Uint8Array): Promise<WorkbookError> {
  try {
    await readTransitionWorkbook(bytes, { fileName: 'return.xlsx' });
  } catch (e) {
    if (e instanceof WorkbookError) return e;
    throw e;
  }
  throw new Error('the workbook was accepted');
}

async function expectRefused(bytes: Uint8Array, code: WorkbookErrorCode): Promise<WorkbookError> {
  const e = await rejection(bytes);
  expect(e.code).toBe(code);
  expect(e.message.split('\n')).toHaveLength(1);
  expect(e.message).not.toMatch(/\bat .*\.(ts|js):\d+/);
  expect(e.message).toMatch(/;/); // what is wrong; what to do
  return e;
}

/** Deterministic noise that starts with neither the ZIP nor the OLE signature. */
function noise(n: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = 12345;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  out[0] = 0x00;
  return out;
}

describe('files that are not a workbook', () => {
  it('refuses random bytes as not an xlsx', async () => {
    await expectRefused(noise(4096), 'not-xlsx');
  });

  it('refuses a text file as not an xlsx', async () => {
    await expectRefused(xml('Surname,Forename\nTestsurname,Testforename\n'), 'not-xlsx');
  });

  it('refuses an empty file as not an xlsx', async () => {
    await expectRefused(new Uint8Array(0), 'not-xlsx');
  });

  it('refuses a ZIP that is not a workbook (no workbook part) as not an xlsx', async () => {
    await expectRefused(handZip([{ name: '[Content_Types].xml', data: xml('<Types/>') }, { name: 'word/document.xml', data: xml('<w:document/>') }]), 'not-xlsx');
  });

  it('names password protection or a legacy .xls for an OLE compound file', async () => {
    const ole = new Uint8Array(2048);
    ole.set([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);
    const e = await expectRefused(ole, 'encrypted');
    expect(e.message).toBe('the file is password-protected or a legacy .xls; save as an unprotected .xlsx');
  });

  it('refuses a file over the size cap as too large, naming the limit', async () => {
    const big = new Uint8Array(WORKBOOK_LIMITS.maxFileBytes + 1);
    big.set([0x50, 0x4b, 0x03, 0x04]);
    const e = await expectRefused(big, 'too-large');
    expect(e.message).toMatch(/limit/);
  });
});

describe('damaged and hostile ZIPs', () => {
  it('refuses the first half of a valid workbook as corrupt', async () => {
    const good = await writeTransitionWorkbook({ year: TRANSFER_YEAR, sheets: aReturn(5).sheets });
    await expectRefused(good.subarray(0, Math.floor(good.length / 2)), 'corrupt');
  });

  it('refuses a ZIP whose directory points past its end as corrupt', async () => {
    const zip = handZip([{ name: '[Content_Types].xml', data: xml('<Types/>') }, { name: 'xl/workbook.xml', data: xml('<workbook/>') }]);
    const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
    view.setUint32(zip.length - 22 + 16, zip.length, true);
    await expectRefused(zip, 'corrupt');
  });

  it('refuses a highly compressible huge part as a zip bomb without inflating it', async () => {
    const huge = new Uint8Array(40 * 1024 * 1024); // 40 MB of zeros deflates to about 40 KB
    const bomb = handZip([
      { name: '[Content_Types].xml', data: xml('<Types/>') },
      { name: 'xl/workbook.xml', data: xml('<workbook/>') },
      { name: 'xl/worksheets/sheet1.xml', data: huge, deflate: true },
    ]);
    expect(bomb.length).toBeLessThan(WORKBOOK_LIMITS.maxFileBytes);
    await expectRefused(bomb, 'zip-bomb');
  });

  it('refuses parts that together unpack past the limit as a zip bomb', () => {
    const parts = Array.from({ length: 4 }, (_, i) => ({ name: `xl/media/image${i}.bin`, data: noise(110 * 1024) }));
    const zip = handZip([{ name: '[Content_Types].xml', data: xml('<Types/>') }, { name: 'xl/workbook.xml', data: xml('<workbook/>') }, ...parts]);
    // Declare each 110 KB part as unpacking to 20 MB: each ratio under the cap, the total over it.
    const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
    const cdOffset = view.getUint32(zip.length - 22 + 16, true);
    let p = cdOffset;
    for (let i = 0; i < 6; i++) {
      const nameLen = view.getUint16(p + 28, true);
      if (i >= 2) view.setUint32(p + 24, 20 * 1024 * 1024, true);
      p += 46 + nameLen;
    }
    expect(() => inspectXlsx(zip)).toThrow(expect.objectContaining({ code: 'zip-bomb', message: expect.stringMatching(/unpacks to more than 60\.0 MB/) }));
  });

  it('refuses a workbook with more sheets than the limit', () => {
    const sheets = Array.from({ length: WORKBOOK_LIMITS.maxSheets + 4 }, (_, i) => ({ name: `xl/worksheets/sheet${i + 1}.xml`, data: xml('<worksheet/>') }));
    const zip = handZip([{ name: '[Content_Types].xml', data: xml('<Types/>') }, { name: 'xl/workbook.xml', data: xml('<workbook/>') }, ...sheets]);
    expect(() => inspectXlsx(zip)).toThrow(expect.objectContaining({ code: 'too-many-sheets' }));
  });

  it('lists the parts of a good workbook with their sizes', async () => {
    const good = await writeTransitionWorkbook({ year: TRANSFER_YEAR });
    const { entries } = inspectXlsx(good);
    expect(entries.map((e) => e.name)).toEqual(expect.arrayContaining(['[Content_Types].xml', 'xl/workbook.xml']));
    for (const e of entries) expect(e.uncompressedSize).toBeGreaterThanOrEqual(0);
  });
});

describe('workbooks too big to be a return', () => {
  it('refuses a 100,000-row sheet quickly, before exceljs builds it', async () => {
    const sink = new PassThrough();
    const chunks: Buffer[] = [];
    sink.on('data', (c: Buffer) => chunks.push(c));
    const writer = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: sink, useSharedStrings: false, useStyles: false });
    const ws = writer.addWorksheet(SHEET_LAYOUT.sheetName);
    const header = ws.getRow(SHEET_LAYOUT.headerRow);
    for (const c of TRANSITION_COLUMNS) header.getCell(c.letter).value = c.header;
    header.commit();
    for (let i = 0; i < 100_000; i++) ws.addRow([`S${i}`, `F${i}`, 'M']).commit();
    ws.commit();
    await writer.commit();
    const bytes = new Uint8Array(Buffer.concat(chunks));

    const started = Date.now();
    const e = await rejection(bytes);
    expect(['too-many-rows', 'too-large']).toContain(e.code);
    expect(e.message).toMatch(/limit/);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

describe('workbooks that are not values-only or not the layout', () => {
  async function edited(edit: (wb: ExcelJS.Workbook) => void): Promise<Uint8Array> {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(await writeTransitionWorkbook({ year: TRANSFER_YEAR, sheets: aReturn(3).sheets })) as unknown as ArrayBuffer);
    edit(wb);
    return new Uint8Array((await wb.xlsx.writeBuffer()) as ArrayBuffer);
  }

  it('refuses a formula in a transition sheet, naming the cell and the fix', async () => {
    const bytes = await edited((wb) => {
      wb.getWorksheet(SHEET_LAYOUT.sheetName)!.getCell('H11').value = { formula: 'SUM(I11:J11)', result: 196 };
    });
    const e = await expectRefused(bytes, 'formula');
    expect(e.message).toBe("cell H11 on 'Transition' holds a formula; paste values only (Paste Special > Values) and save again");
  });

  it('refuses a hidden sheet', async () => {
    const bytes = await edited((wb) => {
      wb.addWorksheet('Old data', { state: 'hidden' }).getCell('A1').value = 'Testsurname';
    });
    const e = await expectRefused(bytes, 'hidden');
    expect(e.message).toMatch(/'Old data'/);
  });

  it('refuses hidden rows on a transition sheet, naming them', async () => {
    const bytes = await edited((wb) => {
      const ws = wb.getWorksheet(SHEET_LAYOUT.sheetName)!;
      ws.getRow(SHEET_LAYOUT.firstDataRow + 1).hidden = true;
      ws.getRow(SHEET_LAYOUT.firstDataRow + 2).hidden = true;
    });
    const e = await expectRefused(bytes, 'hidden');
    expect(e.message).toMatch(new RegExp(`^sheet '${SHEET_LAYOUT.sheetName}' has hidden rows ${SHEET_LAYOUT.firstDataRow + 1}-${SHEET_LAYOUT.firstDataRow + 2}; unhide them`));
  });

  it('refuses a hidden column, naming it by its letter', async () => {
    const bytes = await edited((wb) => {
      wb.getWorksheet(SHEET_LAYOUT.sheetName)!.getColumn('E').hidden = true;
    });
    const e = await expectRefused(bytes, 'hidden');
    expect(e.message).toMatch(new RegExp(`^sheet '${SHEET_LAYOUT.sheetName}' has hidden column E; unhide them`));
  });

  it('refuses a very hidden sheet', async () => {
    const bytes = await edited((wb) => {
      wb.getWorksheet(SHEET_LAYOUT.listsSheet)!.state = 'veryHidden';
    });
    await expectRefused(bytes, 'hidden');
  });

  it('refuses a workbook with no transition sheet, saying what was expected', async () => {
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('Sheet1').addRow(['Name', 'DOB']);
    const e = await expectRefused(new Uint8Array((await wb.xlsx.writeBuffer()) as ArrayBuffer), 'unknown-layout');
    expect(e.message).toMatch(/Legal surname/);
  });

  it('refuses a transition sheet with a renamed column, naming the header cell', async () => {
    const bytes = await edited((wb) => {
      wb.getWorksheet(SHEET_LAYOUT.sheetName)!.getCell(`F${SHEET_LAYOUT.headerRow}`).value = 'Pupil number';
    });
    const e = await expectRefused(bytes, 'unknown-layout');
    expect(e.message).toMatch(/F9/);
  });

  it('refuses more pupil rows than the per-sheet limit', async () => {
    const bytes = await edited((wb) => {
      const ws = wb.getWorksheet(SHEET_LAYOUT.sheetName)!;
      for (let r = 0; r <= WORKBOOK_LIMITS.maxRowsPerSheet; r++) ws.getCell(`A${SHEET_LAYOUT.firstDataRow + r}`).value = `Testsurname${r}`;
    });
    await expectRefused(bytes, 'too-many-rows');
  });
});
