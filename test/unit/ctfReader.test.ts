/**
 * The CTF reader: fields found by path whatever the supplier's child order, only the
 * allow-listed fields ever read, and hostile or broken files refused with one plain line.
 */
import { CTF_LIMITS, CtfError, type CtfErrorCode, CtfReader, readCtf, readCtfStream } from '../../shared/ctf/reader';
import { CONTACT_MARKERS, ctfDocument, ctfHeader, need, needs, pupilXml, sen } from '../factories/ctf';
import { upnFor } from '../factories/transition';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

function refusal(run: () => unknown): CtfError {
  try {
    run();
  } catch (e) {
    if (e instanceof CtfError) return e;
    throw e;
  }
  throw new Error('the file was accepted');
}

function expectRefused(run: () => unknown, code: CtfErrorCode): CtfError {
  const e = refusal(run);
  expect(e.code).toBe(code);
  expect(e.message.split('\n')).toHaveLength(1);
  expect(e.message).toMatch(/;/); // what is wrong; what to do
  return e;
}

describe('reading a Common Transfer File', () => {
  it('reads the header and each pupil’s identity, year group and SEN history', () => {
    const file = readCtf(bytes(ctfDocument([pupilXml(1, { sen: `${sen('2024-09-05', 'K')}${needs(need(1, 'SLCN', '2024-09-05'), need(2, 'SEMH', '2024-09-05', '2026-07-18'))}` })])));
    expect(file.header).toEqual({
      version: '24.0',
      dateTime: '2027-05-20T10:15:00',
      source: { lea: '330', estab: '2001', urn: '180001', name: 'St Testing & All Saints Primary', academicYear: '2026/2027' },
      dest: { lea: 'XXX', estab: 'XXXX', urn: null, name: null, academicYear: null },
    });
    expect(file.pupils).toEqual([
      {
        upn: upnFor(1),
        surname: 'Testsurname1',
        forename: 'Testforename1',
        dob: '2016-01-15',
        sex: 'F',
        ncYearActual: '6',
        sen: [{ startDate: '2024-09-05', provision: 'K' }],
        needs: [
          { rank: 1, type: 'SLCN', startDate: '2024-09-05', endDate: null },
          { rank: 2, type: 'SEMH', startDate: '2024-09-05', endDate: '2026-07-18' },
        ],
      },
    ]);
  });

  it('never reads contacts, addresses, phones, e-mails or free text into its objects', () => {
    const file = readCtf(bytes(ctfDocument([pupilXml(1), pupilXml(2)])));
    expect(Object.keys(file.pupils[0] ?? {}).sort()).toEqual(['dob', 'forename', 'ncYearActual', 'needs', 'sen', 'sex', 'surname', 'upn']);
    const text = JSON.stringify(file);
    for (const marker of CONTACT_MARKERS) expect(text).not.toContain(marker);
    // The contact's own Surname and Forename elements are not the pupil's.
    expect(file.pupils.map((p) => [p.surname, p.forename])).toEqual([['Testsurname1', 'Testforename1'], ['Testsurname2', 'Testforename2']]);
  });

  it('finds each field whatever order the supplier writes the children in', () => {
    const inOrder = `<Pupil><UPN>${upnFor(3)}</UPN><Surname>Ordered</Surname><Forename>Olu</Forename><DOB>2016-02-02</DOB><Sex>M</Sex><BasicDetails><NCyearActual>6</NCyearActual></BasicDetails><SENhistory>${sen('2025-01-06', 'E')}${needs(need(1, 'ASD'))}</SENhistory></Pupil>`;
    const shuffled = `<Pupil><SENhistory>${needs(`<SENneed><SENtype>ASD</SENtype><SENtypeRank>1</SENtypeRank></SENneed>`)}<SEN><SENprovision>E</SENprovision><StartDate>2025-01-06</StartDate></SEN></SENhistory><BasicDetails><NCyearActual>6</NCyearActual></BasicDetails><Sex>M</Sex><DOB>2016-02-02</DOB><Forename>Olu</Forename><Surname>Ordered</Surname><UPN>${upnFor(3)}</UPN></Pupil>`;
    const a = readCtf(ctfDocument([inOrder])).pupils;
    const b = readCtf(ctfDocument([shuffled])).pupils;
    expect(b).toEqual(a);
    expect(a[0]?.needs).toEqual([{ rank: 1, type: 'ASD', startDate: null, endDate: null }]);
  });

  it('reads need dates written as NeedStartDate/NeedEndDate or as StartDate/EndDate alike', () => {
    const plain = `<SENneeds><SENneed><SENtypeRank>1</SENtypeRank><SENtype>HI</SENtype><StartDate>2024-01-08</StartDate><EndDate>2026-07-18</EndDate></SENneed></SENneeds>`;
    const a = readCtf(ctfDocument([pupilXml(1, { sen: plain })])).pupils[0]?.needs;
    const b = readCtf(ctfDocument([pupilXml(1, { sen: needs(need(1, 'HI', '2024-01-08', '2026-07-18')) })])).pupils[0]?.needs;
    expect(a).toEqual([{ rank: 1, type: 'HI', startDate: '2024-01-08', endDate: '2026-07-18' }]);
    expect(b).toEqual(a);
  });

  it('reads Gender, as CTF versions before 25 call it, as the pupil’s sex', () => {
    const file = readCtf(ctfDocument([pupilXml(1, { gender: true, sex: 'M' })], ctfHeader({ version: '16.0' })));
    expect(file.pupils[0]?.sex).toBe('M');
  });

  it('takes Sex over Gender where a file has both, in either order', () => {
    const both = (first: string, second: string) => `<Pupil><UPN>${upnFor(1)}</UPN>${first}${second}<BasicDetails><NCyearActual>6</NCyearActual></BasicDetails></Pupil>`;
    expect(readCtf(ctfDocument([both('<Sex>F</Sex>', '<Gender>M</Gender>')])).pupils[0]?.sex).toBe('F');
    expect(readCtf(ctfDocument([both('<Gender>M</Gender>', '<Sex>F</Sex>')])).pupils[0]?.sex).toBe('F');
  });

  it('keeps unicode names and an ampersand in the school name exactly', () => {
    const file = readCtf(bytes(ctfDocument([pupilXml(1, { surname: 'Nguyễn', forename: 'Zoë' })], ctfHeader({ name: 'St Mary &amp; St John’s C of E Primary' }))));
    expect(file.header.source.name).toBe('St Mary & St John’s C of E Primary');
    expect([file.pupils[0]?.surname, file.pupils[0]?.forename]).toEqual(['Nguyễn', 'Zoë']);
  });

  it('gives the same result streamed in chunks that split tags and multi-byte characters as read whole', async () => {
    const data = bytes(ctfDocument([pupilXml(1, { surname: 'Ó Súilleabháin', forename: 'Łucja' }), pupilXml(2, { sen: sen('2025-01-06', 'K') })]));
    async function* chunks(size: number): AsyncGenerator<Uint8Array> {
      for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
    }
    const whole = readCtf(data);
    expect(await readCtfStream(chunks(1), { size: data.length })).toEqual(whole);
    expect(await readCtfStream(chunks(7))).toEqual(whole);
  });

  it('reads a file with no pupils as an empty cohort', () => {
    expect(readCtf(ctfDocument([])).pupils).toEqual([]);
  });
});

describe('hostile and broken files', () => {
  const billionLaughs = [
    '<?xml version="1.0"?>',
    '<!DOCTYPE CTfile [',
    '  <!ENTITY lol "lol">',
    '  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">',
    '  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">',
    ']>',
  ].join('\n');

  it('refuses a DOCTYPE with entity declarations (billion laughs) as soon as the DOCTYPE ends, before the body is read', () => {
    const reader = new CtfReader();
    const e = expectRefused(() => reader.write(bytes(`${billionLaughs}\n`)), 'doctype');
    expect(e.message).toMatch(/DOCTYPE/);
    // The whole file is refused the same way.
    expectRefused(() => readCtf(`${billionLaughs}\n<CTfile><Header><CTFversion>&lol3;</CTFversion></Header></CTfile>`), 'doctype');
  });

  it('refuses an external entity (XXE) without resolving it', () => {
    const xxe = '<?xml version="1.0"?>\n<!DOCTYPE CTfile [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n<CTfile><Header><CTFversion>&xxe;</CTFversion></Header></CTfile>';
    const e = expectRefused(() => readCtf(xxe), 'doctype');
    expect(e.message).not.toContain('root:');
  });

  it('refuses any DOCTYPE at all, even one that declares nothing', () => {
    expectRefused(() => readCtf('<!DOCTYPE CTfile>\n<CTfile></CTfile>'), 'doctype');
  });

  it(`refuses a file over ${CTF_LIMITS.maxBytes / 1024 / 1024} MB by its size, before reading a chunk`, async () => {
    let pulled = 0;
    async function* never(): AsyncGenerator<Uint8Array> {
      pulled++;
      yield bytes('<CTfile>');
    }
    const e = await readCtfStream(never(), { size: CTF_LIMITS.maxBytes + 1 }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(CtfError);
    expect((e as CtfError).code).toBe('too-large');
    expect((e as CtfError).message).toBe('the file is 20.1 MB, over the 20.0 MB limit for a Common Transfer File; export the CTF for your Year 6 pupils only and try again');
    expect(pulled).toBe(0);
  });

  it('stops a stream whose size was not given as soon as it passes the cap', () => {
    const reader = new CtfReader({ maxBytes: 64 });
    reader.write(bytes('<CTfile><Header>'));
    expectRefused(() => reader.write(bytes(`<CTFversion>${'9'.repeat(64)}</CTFversion>`)), 'too-large');
  });

  it('refuses a truncated file with the line and column where it stops', () => {
    const truncated = '<?xml version="1.0" encoding="UTF-8"?>\n<CTfile>\n  <Header>\n    <CTFversion>24.0</CTFversion>\n  </Header>\n  <CTFpupilData>\n    <Pupil><UPN>A1';
    const e = expectRefused(() => readCtf(bytes(truncated)), 'not-well-formed');
    expect([e.line, e.column]).toEqual([7, 19]);
    expect(e.message).toBe('the file is not well-formed XML at line 7, column 19 (unclosed tag: UPN); it may be cut short or damaged: export the CTF from your MIS again');
  });

  it('refuses mismatched tags with the line and column', () => {
    const e = expectRefused(() => readCtf('<CTfile>\n<Header>\n<CTFversion>24</Version>\n</Header></CTfile>'), 'not-well-formed');
    expect([e.line, e.column]).toEqual([3, 25]);
    expect(e.message).toContain('line 3, column 25 (unexpected close tag)');
  });

  it('refuses an empty file and plain text as not well-formed', () => {
    expect(expectRefused(() => readCtf(''), 'not-well-formed').message).toContain('document must contain a root element');
    expectRefused(() => readCtf('UPN,Surname\nA123,Smith\n'), 'not-well-formed');
  });

  it('refuses well-formed XML with another root: "this is not a Common Transfer File"', () => {
    const census = '<?xml version="1.0"?>\n<Message><Header><CollectionDetails><Collection>SC</Collection></CollectionDetails></Header></Message>';
    const e = expectRefused(() => readCtf(census), 'not-ctf');
    expect(e.message).toBe('this is not a Common Transfer File: its root element is <Message>, not <CTfile>; export a CTF (not a census or other return) from your MIS');
  });

  it('refuses bytes that are not UTF-8', () => {
    expectRefused(() => readCtf(new Uint8Array([0x3c, 0x43, 0x54, 0xff, 0xfe, 0x3e])), 'encoding');
  });
});
