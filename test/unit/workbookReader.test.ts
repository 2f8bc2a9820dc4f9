/**
 * The streaming reader beyond exceljs's own files: workbooks in other writers' conventions
 * read exactly as the template's, and zip bombs whose headers lie refused as zip-bomb after
 * inflating no more than the headers declared plus one inflate step.
 */
import { readTransitionWorkbook, type ReadOptions, serialDate } from '../../shared/workbook/reader';
import fc from 'fast-check';
import { asciiLength, inspectXlsx, latin1Pieces, MAX_STEP_OUTPUT, WorkbookZip } from '../../shared/workbook/zip';
import { WorkbookError } from '../../shared/workbook/errors';
import { writeTransitionWorkbook } from '../../xlsx/template';
import { SHEET_LAYOUT, TRANSITION_COLUMNS } from '../../shared/transition/layout';
import type { TransitionReturn } from '../../shared/transition/schema';
import { aReturn, row, sheet, TRANSFER_YEAR } from '../factories/transition';
import { otherWriterWorkbook, type Conventions } from '../factories/otherWriters';
import { deflatedPadding, handZip, xml, type HandEntry } from '../factories/zip';
import { deflateRawSync } from 'node:zlib';
import { DecodeUTF8 } from 'fflate';
import { latin1Text, NODE_READER, zlibInflate } from '../../xlsx/inflate';
import * as v8 from 'node:v8';

async function rejection(bytes: Uint8Array, opts: ReadOptions = {}): Promise<WorkbookError> {
  try {
    await readTransitionWorkbook(bytes, opts);
  } catch (e) {
    if (e instanceof WorkbookError) return e;
    throw e;
  }
  throw new Error('the workbook was accepted');
}

/** A return using every kind of value a cell holds: text, numbers, dates, codes, explanations. */
function mixedReturn(): TransitionReturn {
  const ret = aReturn(3);
  ret.sheets[0]!.rows[1] = row(2, { attendance: 84.5, semhNotes: 'quiet at lunch & needs a <buddy>', dob: '2015-09-01', resourceBase: 'Y: Oak ASD Base' });
  ret.sheets[0]!.rows.push(row(12, { dob: '2016-08-31', eal: 'Y-B', readingScore: null }));
  ret.sheets.push({ ...sheet([row(7, { dob: '2016-02-29' })], 'Second Academy (3304002)'), name: 'Second' });
  ret.explanations = [{ rule: 'GS2010Q', sheet: SHEET_LAYOUT.sheetName, cell: 'Z11', text: 'Long hospital stay in the autumn term.' }];
  return ret;
}

describe('workbooks from other writers', () => {
  const conventions: Array<[string, Conventions]> = [
    ['inline strings and no shared-strings part (openpyxl, LibreOffice)', { strings: 'inline' }],
    ['shared strings and dates under the built-in format 14', { strings: 'shared' }],
    ['the 1904 date system', { strings: 'inline', date1904: true }],
    ['a namespace prefix on every element (x:row, x:c)', { strings: 'shared', prefix: 'x' }],
    ['rows and cells without r references', { strings: 'inline', noReferences: true }],
  ];

  it.each(conventions)('reads %s exactly as the template is read', async (_, c) => {
    const ret = mixedReturn();
    const fromTemplate = await readTransitionWorkbook(await writeTransitionWorkbook({ year: TRANSFER_YEAR, sheets: ret.sheets, explanations: ret.explanations }));
    const fromOther = await readTransitionWorkbook(otherWriterWorkbook(ret, c));
    expect(fromTemplate).toEqual(ret);
    expect(fromOther).toEqual(ret);
  });

  it('reads a date serial in the 1904 system as the same day as in the 1900 system', async () => {
    const ret = aReturn(1);
    const a = await readTransitionWorkbook(otherWriterWorkbook(ret, { strings: 'inline', date1904: true }));
    const b = await readTransitionWorkbook(otherWriterWorkbook(ret, { strings: 'inline' }));
    expect(a.sheets[0]!.rows[0]!.values.dob).toBe('2016-01-15');
    expect(b.sheets[0]!.rows[0]!.values.dob).toBe('2016-01-15');
  });

  it('never opens the styles part: a workbook whose styles.xml cannot even be unpacked reads in full', async () => {
    const ret = aReturn(2);
    const good = otherWriterWorkbook(ret, { strings: 'shared' });
    const parts = inspectXlsx(good).entries.map((e) => e.name);
    expect(parts).toContain('xl/styles.xml');
    const zip = new WorkbookZip(good);
    const entries: HandEntry[] = parts.map((name) => {
      const text: string[] = [];
      zip.readText(zip.entry(name)!, (t) => text.push(t));
      return name === 'xl/styles.xml'
        ? { name, data: new Uint8Array(4096), deflated: new Uint8Array([0xff, 0xff, 0xff, 0xff]), declaredSize: 4096 }
        : { name, data: xml(text.join('')), deflate: true };
    });
    expect(await readTransitionWorkbook(handZip(entries))).toEqual(ret);
  });
});

describe('damaged parts', () => {
  it('refuses a sheet that is not well-formed XML as corrupt, with the reader\'s own words', async () => {
    const ret = aReturn(1);
    const good = otherWriterWorkbook(ret, { strings: 'inline' });
    const zip = new WorkbookZip(good);
    const entries: HandEntry[] = inspectXlsx(good).entries.map((e) => {
      const text: string[] = [];
      zip.readText(e, (t) => text.push(t));
      const body = text.join('');
      return { name: e.name, data: xml(e.name === 'xl/worksheets/sheet1.xml' ? body.replace('<sheetData>', '<sheetData><row r="1"><c r="A1"><v>1</c></row>') : body), deflate: true };
    });
    const e = await rejection(handZip(entries));
    expect(e.code).toBe('corrupt');
    expect(e.message).toBe('Excel data inside the file could not be read (the workbook may be damaged); open it in Excel, save it again as .xlsx and retry');
  });

  it('refuses a part whose deflate stream is cut short as corrupt, naming the part', async () => {
    const bytes = workbookWith({ name: 'xl/worksheets/sheet1.xml', data: new Uint8Array(0), deflated: deflatedPadding(1, '<worksheet>').subarray(0, 200), declaredSize: 100 * 1024 });
    const e = await rejection(bytes);
    expect(e.code).toBe('corrupt');
    expect(e.message).toMatch(/^the workbook is damaged or incomplete \(part xl\/worksheets\/sheet1\.xml /);
  });
});

/** The parts of a minimal transition workbook, with `bomb` standing in for one of them. */
function workbookWith(bomb: HandEntry, extra: HandEntry[] = []): Uint8Array {
  const wb = '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Transition" sheetId="1" r:id="rId1"/></sheets></workbook>';
  const rels =
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>' +
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>';
  const header = TRANSITION_COLUMNS.map((c) => `<c r="${c.letter}9" t="inlineStr"><is><t>${c.header}</t></is></c>`).join('');
  const parts: HandEntry[] = [
    { name: '[Content_Types].xml', data: xml('<Types/>') },
    { name: 'xl/workbook.xml', data: xml(wb), deflate: true },
    { name: 'xl/_rels/workbook.xml.rels', data: xml(rels), deflate: true },
    { name: 'xl/sharedStrings.xml', data: xml('<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>'), deflate: true },
    { name: 'xl/worksheets/sheet1.xml', data: xml(`<worksheet><sheetData><row r="9">${header}</row></sheetData></worksheet>`), deflate: true },
    ...extra,
  ];
  return handZip(parts.map((p) => (p.name === bomb.name ? bomb : p)));
}

/** Refused as zip-bomb, and the guard let in no more than the headers declared plus one inflate step. */
async function expectBombRefused(bytes: Uint8Array, declared: number): Promise<WorkbookError> {
  const e = await rejection(bytes);
  expect(e.code).toBe('zip-bomb');
  expect(e.message).toMatch(/; copy the sheet into a fresh workbook/);
  const zip = new WorkbookZip(bytes);
  let thrown: unknown;
  try {
    for (const name of ['xl/_rels/workbook.xml.rels', 'xl/workbook.xml', 'xl/sharedStrings.xml', 'xl/worksheets/sheet1.xml']) {
      const entry = zip.entry(name);
      if (entry) zip.readText(entry, () => undefined);
    }
  } catch (err) {
    thrown = err;
  }
  expect(thrown).toMatchObject({ code: 'zip-bomb' });
  expect(zip.inflatedBytes).toBeLessThanOrEqual(declared + MAX_STEP_OUTPUT);
  return e;
}

describe('zip bombs whose headers lie', () => {
  const SHEET = 'xl/worksheets/sheet1.xml';
  const head = '<worksheet><sheetData><row r="9">';
  const tail = '</row></sheetData></worksheet>';

  it('refuses a sheet that understates its size in the local header and the central directory (a 400 MB part in a file of about 400 KB)', async () => {
    const deflated = deflatedPadding(400, head, tail);
    const bytes = workbookWith({ name: SHEET, data: new Uint8Array(0), deflated, declaredSize: 120 * 1024 });
    expect(bytes.length).toBeLessThan(500 * 1024);
    const e = await expectBombRefused(bytes, 120 * 1024);
    expect(e.message).toBe(`part ${SHEET} unpacks to more than its header declares, which only a doctored file does; copy the sheet into a fresh workbook and save again`);
  });

  it('refuses any part that lies, not only worksheets: an understated shared-strings part', async () => {
    const deflated = deflatedPadding(200, '<sst><si><t>', '</t></si></sst>');
    await expectBombRefused(workbookWith({ name: 'xl/sharedStrings.xml', data: new Uint8Array(0), deflated, declaredSize: 2048 }), 2048);
  });

  it('counts a part read twice against the budget again: two sheets naming one 40 MB part', async () => {
    const big = deflatedPadding(40, head, tail, { letterEvery: 50 });
    const wb = '<workbook xmlns:r="r"><sheets><sheet name="Transition" sheetId="1" r:id="rId1"/><sheet name="Again" sheetId="2" r:id="rId1"/></sheets></workbook>';
    const bytes = workbookWith({ name: 'xl/workbook.xml', data: xml(wb), deflate: true }, []);
    const twice = handZip(
      inspectXlsx(bytes).entries.map((e) => {
        const zip = new WorkbookZip(bytes);
        const text: string[] = [];
        zip.readText(e, (t) => text.push(t));
        return e.name === SHEET ? { name: SHEET, data: new Uint8Array(0), deflated: big, declaredSize: 40 * 1024 * 1024 + head.length + tail.length } : { name: e.name, data: xml(text.join('')), deflate: true };
      }),
    );
    const e = await rejection(twice);
    expect(e.code).toBe('zip-bomb');
    expect(e.message).toMatch(/unpacks to more than 60\.0 MB/);
  });

  it('refuses a ZIP64 part (sizes as markers, the real ones in an extra field) without inflating it', async () => {
    const deflated = deflatedPadding(64, head, tail);
    const bytes = workbookWith({ name: SHEET, data: new Uint8Array(0), deflated, declaredSize: 64 * 1024, zip64: true });
    expect(() => inspectXlsx(bytes)).toThrow(expect.objectContaining({ code: 'zip-bomb' }));
    expect((await rejection(bytes)).code).toBe('zip-bomb');
  });

  it('refuses a ZIP64 archive (its end record in ZIP64 form) without inflating anything', async () => {
    const bytes = handZip(
      [
        { name: '[Content_Types].xml', data: xml('<Types/>') },
        { name: 'xl/workbook.xml', data: xml('<workbook/>') },
      ],
      { zip64End: true },
    );
    expect(() => inspectXlsx(bytes)).toThrow(expect.objectContaining({ code: 'zip-bomb' }));
  });

  it('refuses thousands of small parts that each understate their size, having inflated only the parts it reads', async () => {
    const small = deflatedPadding(1, '<x>', '</x>');
    const noise: HandEntry[] = Array.from({ length: 4000 }, (_, i) => ({ name: `xl/media/image${i}.bin`, data: new Uint8Array(0), deflated: small, declaredSize: 100 }));
    const sheetBomb: HandEntry = { name: SHEET, data: new Uint8Array(0), deflated: small, declaredSize: 100 };
    const bytes = workbookWith(sheetBomb, noise);
    expect(inspectXlsx(bytes).entries).toHaveLength(4005);
    await expectBombRefused(bytes, 100 + 4096);
  });
});

describe("Node's zlib as the inflater and Buffer's latin1 as the decoder (the CLI's and the API's)", () => {
  const SHEET = 'xl/worksheets/sheet1.xml';
  const head = '<worksheet><sheetData><row r="9">';
  const tail = '</row></sheetData></worksheet>';
  const zlib: ReadOptions = NODE_READER;

  it.each([
    ['the template', { strings: 'shared' } as Conventions, true],
    ['inline strings and no shared-strings part', { strings: 'inline' } as Conventions, false],
    ['the 1904 date system and prefixed elements', { strings: 'shared', date1904: true, prefix: 'x' } as Conventions, false],
  ])('reads %s exactly as fflate does', async (_, c, template) => {
    const ret = mixedReturn();
    const bytes = template ? await writeTransitionWorkbook({ year: TRANSFER_YEAR, sheets: ret.sheets, explanations: ret.explanations }) : otherWriterWorkbook(ret, c);
    expect(await readTransitionWorkbook(bytes, zlib)).toEqual(ret);
    expect(await readTransitionWorkbook(bytes, zlib)).toEqual(await readTransitionWorkbook(bytes));
  });

  it('cuts a part\'s text around characters above U+00FF into pieces that join to the text decoded whole, whatever the bytes (not UTF-8 too)', () => {
    // As the reader decoded a whole part before (fflate's streaming decoder, in one push): the text, or its refusal.
    const decoded = (b: Uint8Array): string => {
      let text = '';
      try {
        new DecodeUTF8((t) => void (text += t)).push(b, true);
      } catch {
        return 'refused';
      }
      return text;
    };
    const pieces = (b: Uint8Array, asciiText?: (b: Uint8Array) => string): string => {
      try {
        return [...latin1Pieces(b, asciiText)].join('');
      } catch {
        return 'refused';
      }
    };
    const pieceOf = fc.oneof(
      fc.constantFrom('<c r="A1"><v>', 'plain ASCII ', 'é', 'Zoë', '–', '“q”', '😀', '日本', '\uFEFF', 'x'),
      fc.string({ unit: 'binary', maxLength: 6 }),
    );
    const asBytes = fc.oneof(
      fc.array(pieceOf, { maxLength: 30 }).map((p) => new TextEncoder().encode(p.join(''))),
      fc.uint8Array({ maxLength: 60 }),
      fc.tuple(fc.array(pieceOf, { maxLength: 10 }), fc.uint8Array({ maxLength: 8 }), fc.array(pieceOf, { maxLength: 10 })).map(([a, bad, b]) => {
        const enc = new TextEncoder();
        return Uint8Array.from([...enc.encode(a.join('')), ...bad, ...enc.encode(b.join(''))]);
      }),
    );
    // With the default decoder of the ASCII start (TextDecoder) and with Node's (a latin1 slice).
    fc.assert(fc.property(asBytes, (bytes) => pieces(bytes) === decoded(bytes) && pieces(bytes, latin1Text) === decoded(bytes)), { numRuns: 2000 });
    // A piece holds characters above U+00FF only where the text has them.
    const cut = [...latin1Pieces(new TextEncoder().encode('abc – déf “g” hij 😀 klm'))];
    expect(cut.join('')).toBe('abc – déf “g” hij 😀 klm');
    expect(cut.filter((p) => /[^\u0000-\u00ff]/.test(p))).toEqual(['–', '“', '”', '😀']);
  });

  it('decodes a part\'s text only as far as its reader takes it: the ASCII start comes before anything after it is decoded', () => {
    // A sheet's reader stops at </sheetData>; the dropdown prompts after it (where a sheet's first
    // character above ASCII usually is) are then never decoded. Here what follows is a cut-off
    // character, which decoding refuses: taking the first piece does not reach it.
    const bytes = Uint8Array.from([...new TextEncoder().encode('<sheetData/>'), 0xe2, 0x80]);
    const pieces = latin1Pieces(bytes);
    expect(pieces.next()).toEqual({ value: '<sheetData/', done: false }); // the last ASCII byte starts the rest
    expect(() => pieces.next()).toThrow();
    expect(() => [...latin1Pieces(bytes)]).toThrow();
  });

  it("decodes ASCII bytes wherever they sit in their buffer as TextDecoder does (Node's decoder)", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 0x7f }), { maxLength: 60 }), fc.integer({ min: 0, max: 9 }), fc.integer({ min: 0, max: 9 }), (values, before, after) => {
        // Bytes beyond ASCII either side, in the same buffer: a slice that strays shows them.
        const buffer = new Uint8Array(before + values.length + after).fill(0xe9);
        buffer.set(values, before);
        const bytes = buffer.subarray(before, before + values.length);
        return latin1Text(bytes) === new TextDecoder().decode(bytes);
      }),
      { numRuns: 2000 },
    );
  });

  it('finds where the ASCII at the start of a part ends, at any alignment of its bytes in their buffer', () => {
    const byteOf = fc.oneof(fc.integer({ min: 0, max: 0x7f }), fc.integer({ min: 0x80, max: 0xff }));
    fc.assert(
      fc.property(fc.array(fc.oneof({ weight: 9, arbitrary: fc.integer({ min: 0, max: 0x7f }) }, { weight: 1, arbitrary: byteOf }), { maxLength: 40 }), fc.integer({ min: 0, max: 7 }), (values, offset) => {
        const buffer = new Uint8Array(offset + values.length);
        buffer.set(values, offset);
        const bytes = buffer.subarray(offset);
        const first = values.findIndex((b) => b >= 0x80);
        return asciiLength(bytes) === (first < 0 ? values.length : first);
      }),
      { numRuns: 3000 },
    );
  });

  it('reads text beyond Latin-1 exactly, and keeps text that has none of it one byte a character though its part has some', async () => {
    // Text above U+00FF in a part (an en dash in the instructions, say) would make V8 store every
    // string cut from that part two bytes a character; the reader cuts the part around it.
    const texts = {
      surname: 'O’Neil–Zoë',
      forename: 'Zoë',
      semhNotes: 'Worried about “big school” – and the bus 🚌; 日本語 at home',
      strengths: 'Drawing, football and Lego (no wider text here)',
      pupilVoice: 'Ünïcödé but Latin-1 only: café, naïve, façade',
    };
    const ret = aReturn(2);
    ret.sheets[0]!.rows[0] = row(1, texts);
    ret.explanations = [{ rule: 'GS2010Q', sheet: SHEET_LAYOUT.sheetName, cell: 'Z11', text: 'Explained – with a dash, as Excel’s autocorrect writes' }];
    const oneByte = (v: unknown): boolean => typeof v === 'string' && v8.serialize(v).length === v8.serialize('x'.repeat(v.length)).length;
    for (const c of [{ strings: 'shared' }, { strings: 'inline' }] as Conventions[]) {
      const got = await readTransitionWorkbook(otherWriterWorkbook(ret, c), zlib);
      expect(got).toEqual(ret);
      const values = got.sheets[0]!.rows[0]!.values;
      expect(Object.fromEntries(Object.keys(texts).map((k) => [k, values[k as keyof typeof texts]]))).toEqual(texts);
      expect([values.strengths, values.pupilVoice, values.upn].map(oneByte)).toEqual([true, true, true]);
      expect(oneByte(values.surname)).toBe(false);
    }
  });

  it('refuses a sheet that understates its size as a zip bomb, having inflated no more than the header declared', async () => {
    const bytes = workbookWith({ name: SHEET, data: new Uint8Array(0), deflated: deflatedPadding(400, head, tail), declaredSize: 120 * 1024 });
    const e = await rejection(bytes, zlib);
    expect(e.code).toBe('zip-bomb');
    expect(e.message).toBe(`part ${SHEET} unpacks to more than its header declares, which only a doctored file does; copy the sheet into a fresh workbook and save again`);
    const zip = new WorkbookZip(bytes, zlibInflate);
    expect(() => zip.readText(zip.entry(SHEET)!, () => undefined)).toThrow(expect.objectContaining({ code: 'zip-bomb' }));
    expect(zip.inflatedBytes).toBe(120 * 1024 + 1);
  });

  it('refuses an understated shared-strings part the same way', async () => {
    const bytes = workbookWith({ name: 'xl/sharedStrings.xml', data: new Uint8Array(0), deflated: deflatedPadding(200, '<sst><si><t>', '</t></si></sst>'), declaredSize: 2048 });
    expect(await rejection(bytes, zlib)).toMatchObject({ code: 'zip-bomb', message: expect.stringMatching(/^part xl\/sharedStrings\.xml unpacks to more than its header declares/) });
  });

  it('refuses a part whose deflate stream is cut short as corrupt, naming the part', async () => {
    const body = `${head}${Array.from({ length: 2000 }, (_, i) => `<c r="A${i + 10}"><v>${(i * 7919) % 10007}</v></c>`).join('')}${tail}`;
    const deflated = deflateRawSync(Buffer.from(body));
    const bytes = workbookWith({ name: SHEET, data: new Uint8Array(0), deflated: deflated.subarray(0, deflated.length / 2), declaredSize: body.length });
    const e = await rejection(bytes, zlib);
    expect(e.code).toBe('corrupt');
    expect(e.message).toMatch(/^the workbook is damaged or incomplete \(part xl\/worksheets\/sheet1\.xml /);
  });
});

describe('date serials', () => {
  const viaDate = (serial: number, date1904: boolean): string | null => {
    const d = new Date(Math.round((serial - 25569 + (date1904 ? 1462 : 0)) * 86_400_000));
    return Number.isNaN(d.getTime()) ? null : d.toISOString().slice(0, 10);
  };

  it('reads a serial as the same ISO date as through a Date, in both date systems, fractions and far years included', () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer({ min: -800_000, max: 3_000_000 }), fc.double({ min: -800_000, max: 3_000_000, noNaN: true })), fc.boolean(), (serial, date1904) => {
        expect(serialDate(serial, date1904)).toBe(viaDate(serial, date1904));
      }),
      { numRuns: 2000 },
    );
    expect(serialDate(45_000, false)).toBe('2023-03-15');
    expect(serialDate(60, false)).toBe('1900-02-28');
    expect(serialDate(0, true)).toBe('1904-01-01');
    expect(serialDate(2_958_465.999, false)).toBe('9999-12-31');
    // Past year 9999 it reads as it always has (the ISO string cut at ten characters); no pupil is born then.
    expect(serialDate(2_958_466, false)).toBe('+010000-01');
    expect(serialDate(Number.POSITIVE_INFINITY, false)).toBeNull();
    expect(serialDate(Number.NaN, false)).toBeNull();
  });
});
