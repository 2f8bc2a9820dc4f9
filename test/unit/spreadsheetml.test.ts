/**
 * The values-only SpreadsheetML writer behind the consolidated export (xlsx/spreadsheetml.ts):
 * what it writes opens in exceljs and in the repo's own zip guard, and a failing output is an
 * error, never a hang or a crash.
 */
import { Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import { type CellOut, STYLE, XlsxWriter, columnName, xmlText } from '../../xlsx/spreadsheetml';
import { unzipSync, strFromU8 } from 'fflate';
import { inspectXlsx, WorkbookZip } from '../../shared/workbook/zip';

async function written(rows: number): Promise<Uint8Array> {
  const writer = XlsxWriter.inMemory();
  const later = writer.sheet({ name: 'Rows', widths: [10, 20], frozen: { columns: 1, rows: 1 }, filterColumns: 3 });
  later.row(['Name', 'Count', 'Day'], STYLE.bold);
  for (let i = 1; i <= rows; i++) later.row([`pupil ${i}`, i, new Date(Date.UTC(2016, 0, i))]);
  await later.end();
  const first = writer.sheet({ name: 'Head & "totals"', widths: [40] });
  first.row([`${rows} rows`], STYLE.title);
  first.blank();
  first.row(['after a blank row']);
  await first.end();
  await writer.finish(['Head & "totals"', 'Rows'], { creator: 'Good Start', created: new Date('2027-07-01T00:00:00Z') });
  return writer.bytes();
}

describe('the SpreadsheetML writer', () => {
  it('writes sheets in the order asked, whatever order they were written in, with values, dates, widths, panes and a filter', async () => {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(await written(3)) as unknown as ArrayBuffer);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['Head & "totals"', 'Rows']);
    const rows = wb.getWorksheet('Rows')!;
    expect((rows.getRow(1).values as unknown[]).slice(1)).toEqual(['Name', 'Count', 'Day']);
    expect((rows.getRow(4).values as unknown[]).slice(1)).toEqual(['pupil 3', 3, new Date(Date.UTC(2016, 0, 3))]);
    expect(rows.getCell('C2').numFmt).toBe('dd/mm/yyyy');
    expect(rows.getCell('C1').font?.bold).toBe(true);
    expect(rows.getColumn(2).width).toBe(20);
    expect(rows.views[0]).toMatchObject({ state: 'frozen', xSplit: 1, ySplit: 1 });
    expect(rows.autoFilter).toBe('A1:C1');
    const head = wb.getWorksheet('Head & "totals"')!;
    expect(head.getCell('A1').value).toBe('3 rows');
    expect(head.getCell('A1').font).toMatchObject({ bold: true, size: 14 });
    expect(head.getCell('A2').value).toBeNull();
    expect(head.getCell('A3').value).toBe('after a blank row');
    expect(wb.creator).toBe('Good Start');
    expect(wb.worksheets.every((w) => w.state === 'visible')).toBe(true);
  });

  it("passes the repo's own zip guard, every part declared at its real size", async () => {
    const bytes = await written(2000);
    const zip = new WorkbookZip(bytes);
    for (const e of inspectXlsx(bytes).entries) {
      let chars = 0;
      zip.readText(e, (t) => void (chars += t.length));
      expect(chars).toBeGreaterThan(0);
    }
    expect(zip.inflatedBytes).toBe(inspectXlsx(bytes).entries.reduce((n, e) => n + e.uncompressedSize, 0));
  });

  it('fails, rather than hangs, when its output fails', async () => {
    const broken = new Writable({ write: (_chunk, _encoding, done) => done(new Error('disk full')) });
    const writer = XlsxWriter.toStream(broken);
    const sheet = writer.sheet({ name: 'S', widths: [10] });
    const run = async (): Promise<void> => {
      for (let i = 0; i < 20_000; i++) {
        sheet.row([`row ${i}`, i]);
        if (i % 256 === 0) await sheet.settle();
      }
      await sheet.end();
      await writer.finish(['S'], { creator: 'test', created: new Date() });
    };
    await expect(run()).rejects.toThrow('disk full');
  });

  it('numbers rows as they are written: an empty row keeps its number, and control characters are dropped', async () => {
    const batches: CellOut[][][] = [
      [['a & b', 1, new Date(Date.UTC(2016, 0, 2))], [null, '', null], ['  spaced  ', null, 3]],
      [],
      [['\u0000ctrl\u0001', -2.5, 'x']],
    ];
    const sheetXml = async (write: (s: ReturnType<XlsxWriter['sheet']>) => void): Promise<string> => {
      const writer = XlsxWriter.inMemory();
      const sheet = writer.sheet({ name: 'S', widths: [10] });
      sheet.row(['Header'], STYLE.bold);
      write(sheet);
      sheet.row(['after']);
      await sheet.end();
      await writer.finish(['S'], { creator: 'test', created: new Date('2027-07-01T00:00:00Z') });
      return strFromU8(unzipSync(writer.bytes())['xl/worksheets/sheet1.xml']!);
    };
    const direct = await sheetXml((s) => batches.flat().forEach((cells) => s.row(cells)));
    // The empty row keeps its number: 'after' is row 6 (header, three, one, then it).
    expect(direct).toContain('<row r="6"><c r="A6" t="inlineStr"><is><t>after</t></is></c></row>');
    expect(direct).toContain('<row r="5"><c r="A5" t="inlineStr"><is><t>ctrl</t></is></c><c><v>-2.5</v></c><c t="inlineStr"><is><t>x</t></is></c></row>');
    expect(direct).not.toContain('<row r="3">');
    // Only a row's first cell and a cell after an empty one name their places: 3 is in C4, as B4 is empty.
    expect(direct).toContain('<row r="4"><c r="A4" t="inlineStr"><is><t xml:space="preserve">  spaced  </t></is></c><c r="C4"><v>3</v></c></row>');
  });

  it('puts every cell in its column, gaps and all, as exceljs reads it back', async () => {
    const rows: CellOut[][] = [
      ['a', 'b', 'c', 'd', 'e'],
      [null, 'B only'],
      [null, null, null, 'D', 'E'],
      ['A', null, 'C', null, 'E'],
      ['A', '', null, 4, new Date(Date.UTC(2016, 1, 29))],
      Array.from({ length: 30 }, (_, i) => (i % 7 === 3 ? null : i)),
    ];
    const writer = XlsxWriter.inMemory();
    const sheet = writer.sheet({ name: 'Gaps', widths: [10] });
    rows.forEach((cells) => sheet.row(cells));
    await sheet.end();
    await writer.finish(['Gaps'], { creator: 'test', created: new Date('2027-07-01T00:00:00Z') });
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(writer.bytes()) as unknown as ArrayBuffer);
    const read = wb.getWorksheet('Gaps')!;
    rows.forEach((cells, r) =>
      cells.forEach((v, c) => {
        const got = read.getCell(r + 1, c + 1).value;
        expect({ at: `${columnName(c)}${r + 1}`, got }).toEqual({ at: `${columnName(c)}${r + 1}`, got: v === '' ? null : v });
      }),
    );
    expect(read.getCell(6, 31).value).toBeNull();
  });

  it('escapes what XML needs and drops what it cannot hold; names columns as Excel does', () => {
    expect(xmlText('a & b < c > "d" \u0001e')).toBe('a &amp; b &lt; c &gt; &quot;d&quot; e');
    expect([0, 25, 26, 27, 701, 702].map(columnName)).toEqual(['A', 'Z', 'AA', 'AB', 'ZZ', 'AAA']);
  });
});
