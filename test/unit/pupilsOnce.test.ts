/**
 * Each pupil once (issue 29), the pure parts: which of two copies of a school's return is kept,
 * the run that finds a later copy of a file already written, the same UPN in two schools'
 * returns, a sheet-level error's line, and the workbook's own saved time.
 */
import { keptCopy, PupilsOnce, sheetsLeftOut } from '../../shared/consolidation';
import { crossSchoolLine, UpnIndex, upnsOnMoreThanOneSchool } from '../../shared/crossSchool';
import { validateReturn } from '../../shared/transition/validate';
import { SchoolDirectory } from '../../shared/schools';
import { readWorkbookModifiedSync } from '../../shared/workbook/reader';
import { writeTransitionWorkbook } from '../../xlsx/template';
import { aReturn, PRIMARY, row, SECONDARY, sheet, upnFor } from '../factories/transition';
import { strToU8, unzipSync, zipSync } from 'fflate';

const OTHER = '3302002';
const upns = (school: string, ...serials: number[]): string[] => serials.map((n) => upnFor(n, school));

describe('keptCopy', () => {
  it('keeps the workbook saved later by its own properties, whichever name sorts later', () => {
    const early = { file: 'z.xlsx', modified: '2027-05-01T09:00:00.000Z' };
    const late = { file: 'a.xlsx', modified: '2027-05-02T09:00:00.000Z' };
    expect(keptCopy(early, late)).toEqual({ kept: late, left: early, by: 'modified' });
    expect(keptCopy(late, early)).toEqual({ kept: late, left: early, by: 'modified' });
  });

  it('keeps the later file name when the saved times tie or one is missing', () => {
    const a = { file: 'a.xlsx', modified: '2027-05-01T09:00:00.000Z' };
    const copy = { file: 'a (1).xlsx', modified: '2027-05-01T09:00:00.000Z' };
    expect(keptCopy(a, copy)).toMatchObject({ kept: a, by: 'file name' });
    expect(keptCopy(copy, { ...a, modified: null })).toMatchObject({ kept: { file: 'a.xlsx' }, by: 'file name' });
  });
});

describe('PupilsOnce', () => {
  const facts = (file: string, modified: string | null = null) => ({ file, modified });

  it('leaves out a later file of the same school that shares a UPN with a kept one, and keeps files that split a school', () => {
    const once = new PupilsOnce();
    expect(once.take(PRIMARY, facts('b.xlsx'), upns(PRIMARY, 1, 2))).toEqual({ overruled: [] });
    expect(once.take(PRIMARY, facts('c.xlsx'), upns(PRIMARY, 3, 4))).toEqual({ overruled: [] });
    // Shares one pupil with b.xlsx, and its name sorts first: b.xlsx is kept.
    expect(once.take(PRIMARY, facts('a.xlsx'), upns(PRIMARY, 2, 9))).toEqual({ duplicate: { of: 0, kept: facts('b.xlsx'), by: 'file name', overlap: 1 }, overruled: [] });
    expect([...once.duplicates.keys()]).toEqual([2]);
  });

  it('says when a later file replaces one already kept, and a second run with those decisions finds no more copies', () => {
    const files = [
      { school: PRIMARY, facts: facts('a.xlsx', '2027-05-01T09:00:00.000Z'), upns: upns(PRIMARY, 1, 2, 3) },
      { school: OTHER, facts: facts('other.xlsx'), upns: upns(OTHER, 1) },
      { school: PRIMARY, facts: facts('b.xlsx', '2027-05-02T09:00:00.000Z'), upns: upns(PRIMARY, 1, 2, 3, 4) },
    ];
    const first = new PupilsOnce();
    const decisions = files.map((f) => first.take(f.school, f.facts, f.upns));
    expect(decisions[2]).toEqual({ overruled: [0] });
    expect(first.duplicates.get(0)).toEqual({ of: 2, kept: files[2]?.facts, by: 'modified', overlap: 3 });

    const again = new PupilsOnce(first.duplicates);
    expect(files.map((f) => again.take(f.school, f.facts, f.upns))).toEqual([
      { duplicate: { of: 2, kept: files[2]?.facts, by: 'modified', overlap: 3 }, overruled: [] },
      { overruled: [] },
      { overruled: [] },
    ]);
    expect(again.upns).toBe(5);
  });

  it("lists a UPN on two schools' kept returns with both schools and both returns; a copy left out is not one of them", () => {
    const once = new PupilsOnce();
    const moved = upnFor(5, PRIMARY);
    once.take(PRIMARY, facts('p.xlsx'), [moved, ...upns(PRIMARY, 6)]);
    once.take(PRIMARY, facts('p (1).xlsx'), [moved, ...upns(PRIMARY, 6)]);
    once.take(OTHER, facts('o.xlsx'), [moved, ...upns(OTHER, 1)]);
    // 'p.xlsx' is kept (the later name); its copy holds the UPN too but is left out.
    expect(once.crossSchool()).toEqual([{ upn: moved, schools: [PRIMARY, OTHER], returns: [0, 2] }]);
  });
});

describe('the same UPN in two schools', () => {
  it('finds each UPN on more than one school once, whatever the order of the pairs, and nothing for one school twice', () => {
    const moved = upnFor(1, PRIMARY);
    const found = upnsOnMoreThanOneSchool([[PRIMARY, moved], [PRIMARY, upnFor(2, PRIMARY)], [OTHER, upnFor(9, OTHER)], [OTHER, moved], [PRIMARY, moved], ['3302003', moved]]);
    expect(found).toEqual([{ upn: moved, schools: [PRIMARY, OTHER, '3302003'], returns: [0, 1, 2] }]);
    expect(upnsOnMoreThanOneSchool([[PRIMARY, moved], [PRIMARY, moved]])).toEqual([]);
  });

  it('holds one entry per UPN, an array only for the UPNs on more than one return', () => {
    const index = new UpnIndex();
    const a = index.addReturn(PRIMARY);
    const b = index.addReturn(OTHER);
    for (let n = 1; n <= 100; n++) index.add(a, upnFor(n, PRIMARY));
    index.add(b, upnFor(7, PRIMARY));
    index.add(b, upnFor(7, PRIMARY));
    expect(index.size).toBe(100);
    expect(index.holdersOf(upnFor(7, PRIMARY))).toEqual([a, b]);
    expect(index.holdersOf(upnFor(8, PRIMARY))).toEqual([a]);
  });

  it('says how such pupils are counted', () => {
    expect(crossSchoolLine(0)).toBe("No UPN is on more than one school's return.");
    expect(crossSchoolLine(2)).toBe("2 UPNs are on more than one school's return: each such pupil is counted under every school that returned them (the tables are not deduplicated) until the LA resolves which school is right; the Tracker sheet names the schools.");
  });
});

describe('sheetsLeftOut', () => {
  it("says that every pupil on a sheet whose A7 secondary is not in the directory is left out, and why; nothing for a sheet with row errors only", () => {
    const directory = new SchoolDirectory([
      { laestab: PRIMARY, urn: '100001', name: 'Testfield Primary', phase: 'primary', area: 'East', trust: null },
      { laestab: SECONDARY, urn: '100003', name: 'Testbrook Academy', phase: 'secondary', area: 'East', trust: null },
    ]);
    const ret = { ...aReturn(2), sheets: [sheet([row(1), row(2)], 'Faraway Academy (3304999)'), { ...sheet([row(3, { sex: 'Q' as never })]), name: 'Other' }] };
    const { report, pupils } = validateReturn(ret, { directory });
    expect(pupils).toEqual([]);
    expect(sheetsLeftOut(ret, report)).toEqual([
      "All 2 pupils on sheet 'Transition' are left out: 3304999 is not a secondary school in the LA's directory. (GS1081, A7) Check the LAESTAB in A7 against the LA's school list.",
    ]);
  });
});

describe('readWorkbookModifiedSync', () => {
  it("reads the workbook's own last-saved time (docProps/core.xml dcterms:modified), and null where there is none", async () => {
    const bytes = await writeTransitionWorkbook({ year: 2027, sheets: aReturn(1).sheets });
    // The template writes the epoch, so that the same input writes the same bytes.
    expect(readWorkbookModifiedSync(bytes)).toBe('1970-01-01T00:00:00.000Z');
    const parts = unzipSync(bytes);
    parts['docProps/core.xml'] = strToU8('<?xml version="1.0"?><cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dcterms="http://purl.org/dc/terms/"><dcterms:modified>2027-05-02T10:30:00Z</dcterms:modified></cp:coreProperties>');
    expect(readWorkbookModifiedSync(zipSync(parts))).toBe('2027-05-02T10:30:00.000Z');
    delete parts['docProps/core.xml'];
    expect(readWorkbookModifiedSync(zipSync(parts))).toBeNull();
  });
});
