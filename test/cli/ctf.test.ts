/**
 * `goodstart template --from-ctf`: the prefilled workbook, the summary line, the validator's
 * words on what the CTF brought in, nothing of the contacts anywhere, and exit 2 for hostile
 * or broken files.
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { unzipSync, strFromU8 } from 'fflate';
import { main } from '../../cli/main';
import { capture } from '../factories/cliIo';
import { generateSamples, type GeneratedSamples } from '../../samples/generate';
import { CTF_SAMPLE_CONTACT_FORENAMES, CTF_SAMPLE_CONTACT_SURNAMES, CTF_SAMPLE_EMAIL_DOMAIN, CTF_SAMPLE_PHONE_PREFIX, CTF_SAMPLE_STREET } from '../../samples/ctf';
import { readTransitionWorkbook } from '../../shared/workbook/reader';
import { CTF_PREFILLED_COLUMNS } from '../../shared/ctf/prefill';
import { readCtf } from '../../shared/ctf/reader';
import { TRANSITION_COLUMNS } from '../../shared/transition/layout';
import { ctfDocument, ctfHeader, pupilXml } from '../factories/ctf';


const YEAR = 2027;
let dir: string;
let samples: GeneratedSamples;

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'goodstart-ctf-'));
  samples = await generateSamples(path.join(dir, 'samples'), { seed: 5, primaries: 2, secondaries: 2, year: YEAR });
});

afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

/** Every piece of text inside an .xlsx (all its XML parts), to search for what must not be there. */
async function xlsxText(file: string): Promise<string> {
  const parts = unzipSync(new Uint8Array(await fs.readFile(file)));
  return Object.values(parts).map((p) => strFromU8(p)).join('\n');
}

describe('the sample CTFs', () => {
  it('are one per sample primary and cover Sex and Gender, closed SEN records, ended needs, other years, unicode names and an ampersand', async () => {
    expect(samples.ctfs).toHaveLength(samples.workbooks.length);
    const texts = await Promise.all(samples.ctfs.map((f) => fs.readFile(f, 'utf8')));
    const all = texts.join('\n');
    expect(texts.some((t) => t.includes('<Gender>')) && texts.some((t) => t.includes('<Sex>'))).toBe(true);
    expect(all).toContain('&amp;');
    expect(all).toMatch(/<NeedEndDate>\d{4}-\d{2}-\d{2}<\/NeedEndDate>/);
    const files = texts.map((t) => readCtf(t));
    const pupils = files.flatMap((f) => f.pupils);
    expect(pupils.some((p) => p.sen.length > 1)).toBe(true); // an earlier record the current one replaced
    expect(pupils.some((p) => p.needs.some((n) => n.endDate !== null && n.endDate < '2027-05-20'))).toBe(true); // a need that has ended
    expect(pupils.some((p) => p.needs.some((n) => n.endDate !== null && n.endDate > '2027-05-20'))).toBe(true); // one that ends later
    expect(new Set(pupils.map((p) => p.ncYearActual))).toEqual(new Set(['1', '2', '3', '4', '5', '6']));
    expect(pupils.some((p) => /[^\u0000-\u007f]/.test(`${p.surname}${p.forename}`))).toBe(true);
    expect(files[0]?.header.source.name).toContain('&');
  });
});

describe('goodstart template --from-ctf', () => {
  it('writes one prefilled row per Year 6 pupil, prints the summary, and leaves every other column blank', async () => {
    const ctf = samples.ctfs[0] as string;
    const file = readCtf(await fs.readFile(ctf, 'utf8'));
    const yearSix = file.pupils.filter((p) => p.ncYearActual === '6');
    const out = path.join(dir, 'prefilled.xlsx');
    const io = capture();
    expect(await main(['template', '--from-ctf', ctf, '--out', out, '--year', String(YEAR)], io)).toBe(0);
    const name = file.header.source.name as string;
    const id = `${file.header.source.lea}${file.header.source.estab}`;
    expect(io.stdout().split('\n')[0]).toBe(`Prefilled ${yearSix.length} Year 6 pupils from ${name} (${id}); skipped ${file.pupils.length - yearSix.length} pupils in other year groups`);
    expect(io.stdout().trim().split('\n').at(-1)).toBe(`Wrote ${out}: the Y6/7 transition workbook for transfer in September ${YEAR}.`);
    expect(io.stderr()).toBe('');

    const ret = await readTransitionWorkbook(new Uint8Array(await fs.readFile(out)));
    expect(ret.year).toBe(YEAR);
    const rows = ret.sheets[0]?.rows ?? [];
    expect(rows.map((r) => r.values.upn)).toEqual(yearSix.map((p) => p.upn));
    expect(rows.map((r) => r.values.surname)).toEqual(yearSix.map((p) => p.surname));
    const prefilled = new Set<string>(CTF_PREFILLED_COLUMNS);
    for (const r of rows) {
      for (const c of TRANSITION_COLUMNS) {
        if (!prefilled.has(c.key)) expect([c.key, r.values[c.key as keyof typeof r.values] ?? null]).toEqual([c.key, null]);
      }
      expect(r.values.feederPrimary).toBe(id);
    }
  });

  it('lets no contact name, phone number, e-mail or address reach the workbook, the output or the logs', async () => {
    const spies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((m) => jest.spyOn(console, m).mockImplementation(() => undefined));
    try {
      for (const [i, ctf] of samples.ctfs.entries()) {
        const out = path.join(dir, `private-${i}.xlsx`);
        const io = capture();
        expect(await main(['template', '--from-ctf', ctf, '--out', out, '--year', String(YEAR)], io)).toBe(0);
        const source = await fs.readFile(ctf, 'utf8');
        const everything = [await xlsxText(out), io.stdout(), io.stderr(), ...spies.flatMap((s) => s.mock.calls.map((c) => c.join(' ')))].join('\n');
        for (const marker of [...CTF_SAMPLE_CONTACT_SURNAMES, ...CTF_SAMPLE_CONTACT_FORENAMES, CTF_SAMPLE_PHONE_PREFIX, CTF_SAMPLE_EMAIL_DOMAIN, CTF_SAMPLE_STREET, 'B99 9ZZ']) {
          expect(source).toContain(marker.slice(0, 12)); // the fixture has it …
          expect(everything).not.toContain(marker); // … and nothing the CLI wrote does
        }
      }
      for (const s of spies) expect(s).not.toHaveBeenCalled();
    } finally {
      for (const s of spies) s.mockRestore();
    }
  });

  it('prints the validator’s words for a Year 6 pupil born outside the cohort and a wrong UPN, and keeps both rows', async () => {
    const ctf = path.join(dir, 'queries.ctf.xml');
    await fs.writeFile(ctf, ctfDocument([pupilXml(1, { dob: '2015-06-30' }), pupilXml(2, { upn: 'A330200115002' })]));
    const out = path.join(dir, 'queries.xlsx');
    const io = capture();
    expect(await main(['template', '--from-ctf', ctf, '--out', out, '--year', String(YEAR)], io)).toBe(0);
    expect(io.stdout()).toContain('GS2020Q · query · C10 · The date of birth is 63 days before the Year 6 cohort (01/09/2015 to 31/08/2016). · ');
    expect(io.stdout()).toMatch(/^GS1011 · error · F11 · The check letter should be [A-Z] for the rest of this UPN\. · /m);
    expect(io.stdout()).toContain('with 2 issues in the prefilled columns to check.');
    const ret = await readTransitionWorkbook(new Uint8Array(await fs.readFile(out)));
    expect(ret.sheets[0]?.rows).toHaveLength(2);
  });

  it('says when most dates of birth are outside the cohort, as a --year for the wrong cycle would make them', async () => {
    const io = capture();
    expect(await main(['template', '--from-ctf', samples.ctfs[1] as string, '--out', path.join(dir, 'next-year.xlsx'), '--year', String(YEAR + 1)], io)).toBe(0);
    expect(io.stdout()).toContain(`Most dates of birth are outside the Year 6 cohort for transfer in September ${YEAR + 1}: if that is the wrong year, run again with --year.\n`);
    const right = capture();
    expect(await main(['template', '--from-ctf', samples.ctfs[1] as string, '--out', path.join(dir, 'this-year.xlsx'), '--year', String(YEAR)], right)).toBe(0);
    expect(right.stdout()).not.toContain('Most dates of birth');
  });

  const hostile: Array<[string, string, RegExp]> = [
    ['a billion-laughs DOCTYPE', '<?xml version="1.0"?>\n<!DOCTYPE CTfile [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]>\n<CTfile>&b;</CTfile>', /declares a DOCTYPE/],
    ['an external entity', '<?xml version="1.0"?>\n<!DOCTYPE CTfile [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<CTfile>&x;</CTfile>', /declares a DOCTYPE/],
    ['a truncated file', '<CTfile>\n<Header>\n<CTFversion>24', /not well-formed XML at line 3, column 15/],
    ['a census file', '<?xml version="1.0"?>\n<Message><Header/></Message>', /this is not a Common Transfer File/],
    ['an Excel workbook renamed .xml', 'PK\u0003\u0004\u0014\u0000', /this is not a Common Transfer File: it is a ZIP archive or an Excel workbook/],
  ];

  it.each(hostile)('exits 2 with one line and no stack for %s, writing nothing', async (label, content, reason) => {
    const ctf = path.join(dir, `${label.replace(/\W+/g, '-')}.xml`);
    await fs.writeFile(ctf, content, 'latin1');
    const out = path.join(dir, `${label.replace(/\W+/g, '-')}.xlsx`);
    const io = capture();
    expect(await main(['template', '--from-ctf', ctf, '--out', out], io)).toBe(2);
    expect(io.stderr().trim().split('\n')).toHaveLength(1);
    expect(io.stderr()).toMatch(reason);
    expect(io.stderr()).not.toMatch(/\bat .*\.(ts|js):\d+/);
    expect(io.stdout()).toBe('');
    await expect(fs.access(out)).rejects.toThrow();
  });

  it('exits 2 for a file over 20 MB without reading it', async () => {
    const ctf = path.join(dir, 'huge.ctf.xml');
    const handle = await fs.open(ctf, 'w');
    await handle.truncate(21 * 1024 * 1024);
    await handle.close();
    const io = capture();
    expect(await main(['template', '--from-ctf', ctf, '--out', path.join(dir, 'huge.xlsx')], io)).toBe(2);
    expect(io.stderr()).toBe(`goodstart template: ${ctf}: the file is 21.0 MB, over the 20.0 MB limit for a Common Transfer File; export the CTF for your Year 6 pupils only and try again\n`);
  });

  /** Runs template --from-ctf over `content`: its exit code, output and whether a workbook was written. */
  async function fromCtf(label: string, content: string): Promise<{ code: number; stdout: string; stderr: string; written: boolean; out: string }> {
    const ctf = path.join(dir, `${label}.ctf.xml`);
    await fs.writeFile(ctf, content, 'utf8');
    const out = path.join(dir, `${label}.xlsx`);
    const io = capture();
    const code = await main(['template', '--from-ctf', ctf, '--out', out, '--year', String(YEAR)], io);
    const written = await fs.access(out).then(() => true, () => false);
    return { code, stdout: io.stdout(), stderr: io.stderr(), written, out };
  }

  it('refuses a CTF with more pupils than a return can hold, naming both figures, before writing anything, and stops reading there', async () => {
    const pupils = Array.from({ length: 2001 }, (_, i) => `<Pupil><UPN>${i}</UPN><BasicDetails><NCyearActual>6</NCyearActual></BasicDetails></Pupil>`);
    // What follows the cap is never read: were it, this broken tail would be the error.
    const run = await fromCtf('too-many', `${ctfDocument(pupils)}`.replace('</CTFpupilData>', '<Pupil><Broken></CTFpupilData>'));
    expect([run.code, run.stdout, run.written]).toEqual([2, '', false]);
    expect(run.stderr).toBe(`goodstart template: ${path.join(dir, 'too-many.ctf.xml')}: the file holds at least 2,001 pupils, more than the 2,000 rows a school's transition return can hold; export the CTF for your Year 6 pupils only and try again\n`);
    expect(readCtf(ctfDocument(pupils.slice(0, 2000))).pupils).toHaveLength(2000);
  });

  it('refuses a field longer than any CTF field at its pupil, and writes a long name into the workbook for the validator to flag at the cell', async () => {
    const huge = await fromCtf('huge-surname', ctfDocument([pupilXml(1), pupilXml(2, { surname: 'S'.repeat(2_000_000) })]));
    expect([huge.code, huge.written]).toEqual([2, false]);
    expect(huge.stderr).toMatch(/: pupil 2's Surname is longer than 1,000 characters, which no field of a Common Transfer File is; export the CTF from your MIS again\n$/);
    const long = await fromCtf('long-surname', ctfDocument([pupilXml(1, { surname: 'S'.repeat(900) })]));
    expect([long.code, long.written]).toEqual([0, true]);
    expect(long.stdout).toContain('GS1003 · error · A10 · Legal surname: 900 characters; the limit is 60. · ');
  });

  it('refuses a character an Excel file cannot store, in the file or as a reference, with where it is', async () => {
    for (const [label, name] of [['raw', 'St Ann\uFFFE Primary'], ['reference', 'St Ann&#xFFFE; Primary'], ['control', 'St Ann&#1; Primary']]) {
      const run = await fromCtf(`bad-char-${label}`, ctfDocument([pupilXml(1)], ctfHeader({ name })));
      expect([label, run.code, run.written]).toEqual([label, 2, false]);
      expect(run.stderr).toMatch(/: the file is not well-formed XML at line 2, column \d+ \((disallowed character|malformed character entity)\)/);
    }
    // Text handed to the reader as a string (the pane may) can carry a lone surrogate past the parser.
    expect(() => readCtf(ctfDocument([pupilXml(1, { forename: 'Ann\uD800' })]))).toThrow("pupil 1's Forename holds U+D800, a character an Excel file cannot store; export the CTF from your MIS again");
  });

  it('prints the school name with its controls and bidirectional characters made visible', async () => {
    const run = await fromCtf('bidi', ctfDocument([pupilXml(1)], ctfHeader({ name: 'St Ann\u202Eyramirp\u202C\u0085\u200F Primary' })));
    expect(run.code).toBe(0);
    expect(run.stdout.split('\n')[0]).toBe('Prefilled 1 Year 6 pupil from St Ann<U+202E>yramirp<U+202C><U+0085><U+200F> Primary (3302001); skipped 0 pupils in other year groups');
    expect(run.stdout).not.toMatch(/[\u0080-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/);
  });

  it('exits 2 for a CTF that is not there', async () => {
    const io = capture();
    expect(await main(['template', '--from-ctf', path.join(dir, 'missing.xml'), '--out', path.join(dir, 'm.xlsx')], io)).toBe(2);
    expect(io.stderr()).toMatch(/missing\.xml: no such file/);
  });
});
