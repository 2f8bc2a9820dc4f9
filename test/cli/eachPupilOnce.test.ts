/**
 * `goodstart consolidate` counts each pupil once (issue 29): a second copy of a school's return
 * is listed as a duplicate and left out; files that split a school's pupils are all kept; a UPN
 * on two schools' returns is flagged with both schools. And `validate` and `consolidate` judge
 * schools by one directory rule: the LA's list given with --schools, or none (codes checked for
 * form only, and said so).
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import ExcelJS from 'exceljs';
import { main } from '../../cli/main';
import { capture } from '../factories/cliIo';
import { PRIMARY, row, SECONDARY, sheet, TRANSFER_YEAR, upnFor } from '../factories/transition';
import { writeTransitionWorkbook } from '../../xlsx/template';
import { SHEET_LAYOUT } from '../../shared/transition/layout';
import type { TransitionReturn } from '../../shared/transition/schema';
import type { School } from '../../shared/schools';

const OTHER_PRIMARY = '3302002';
const OUTSIDE_SECONDARY = '3304999';

let dir: string;
let schools: string;

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'goodstart-once-'));
  const directory: School[] = [
    { laestab: PRIMARY, urn: '100001', name: 'Testfield Primary', phase: 'primary', area: 'East', trust: null },
    { laestab: OTHER_PRIMARY, urn: '100002', name: 'Otherton Primary', phase: 'primary', area: 'West', trust: null },
    { laestab: SECONDARY, urn: '100003', name: 'Testbrook Academy', phase: 'secondary', area: 'East', trust: null },
  ];
  schools = path.join(dir, 'schools.json');
  await fs.writeFile(schools, JSON.stringify(directory));
});

afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

/** A return from `school` of pupils with the given serials (their UPNs are the school's own), to one receiving secondary. */
function schoolReturn(school: string, serials: number[], receiving = `Testbrook Academy (${SECONDARY})`): TransitionReturn {
  const rows = serials.map((n, i) => ({ ...row(i + 1, { feederPrimary: school, upn: upnFor(n, school) }) }));
  return { year: TRANSFER_YEAR, sheets: [sheet(rows, receiving)], explanations: [] };
}

/** Writes a return as a workbook; `modified` sets the workbook's own last-saved time (docProps/core.xml), as Excel does on save. */
async function writeReturn(file: string, ret: TransitionReturn, modified?: string): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const bytes = await writeTransitionWorkbook({ year: ret.year, sheets: ret.sheets });
  if (modified === undefined) return fs.writeFile(file, bytes);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(bytes as unknown as ArrayBuffer);
  wb.modified = new Date(modified);
  await wb.xlsx.writeFile(file);
}

interface Summary {
  pupils: number;
  duplicates: number;
  withErrors: number;
  everyPupilLeftOut: number;
  schoolsChecked: boolean;
  directory: string;
  crossSchool: { upns: number; schools: string[][] };
  tracker: Array<{ file: string; school: string; status: string; reason?: string; duplicateOf?: string; keptBy?: string; alsoOn?: Array<{ school: string; pupils: number }> }>;
}

async function consolidate(folder: string, ...extra: string[]): Promise<{ code: number; summary: Summary; stderr: string; out: string }> {
  const out = path.join(dir, `${path.basename(folder)}-${extra.length}.xlsx`);
  const io = capture();
  const code = await main(['consolidate', folder, '--out', out, '--json', '--force', ...extra], io);
  return { code, summary: JSON.parse(io.stdout()) as Summary, stderr: io.stderr(), out };
}

/** A sheet's rows below its header, as cell values by header. */
async function sheetRows(file: string, name: string): Promise<Array<Record<string, unknown>>> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(file);
  const ws = wb.getWorksheet(name) as ExcelJS.Worksheet;
  const headers = (ws.getRow(1).values as unknown[]).slice(1).map(String);
  const rows: Array<Record<string, unknown>> = [];
  ws.eachRow((r, n) => {
    if (n === 1) return;
    rows.push(Object.fromEntries(headers.map((h, i) => [h, r.getCell(i + 1).value])));
  });
  return rows;
}

async function aboutText(file: string): Promise<string> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(file);
  const lines: string[] = [];
  wb.getWorksheet('About')?.eachRow((r) => lines.push(String(r.getCell(1).value)));
  return lines.join('\n');
}

describe('goodstart consolidate counts each pupil once', () => {
  it("lists a school's return saved twice (a.xlsx and a (1).xlsx) as a duplicate, leaves it out, writes each pupil once and exits 1", async () => {
    const folder = path.join(dir, 'saved-twice');
    await writeReturn(path.join(folder, 'a.xlsx'), schoolReturn(PRIMARY, [1, 2, 3, 4]));
    await fs.copyFile(path.join(folder, 'a.xlsx'), path.join(folder, 'a (1).xlsx'));

    const { code, summary, stderr, out } = await consolidate(folder);
    expect(code).toBe(1);
    expect(summary.pupils).toBe(4);
    expect(summary.duplicates).toBe(1);
    // A byte copy has the same saved time, so the later name is kept ('a.xlsx' sorts after 'a (1).xlsx').
    const copy = summary.tracker.find((t) => t.file === 'a (1).xlsx');
    expect(copy).toMatchObject({ status: 'Duplicate: left out', duplicateOf: 'a.xlsx', keptBy: 'file name' });
    expect(copy?.reason).toBe('a copy of a.xlsx for the same school (4 pupils on both, by UPN), so its pupils are left out; a.xlsx is kept as its name sorts later (both workbooks give the same save time).');
    expect(stderr).toContain(`consolidate: left out a (1).xlsx: ${copy?.reason}\n`);

    const pupils = await sheetRows(out, 'Pupils');
    expect(pupils.map((p) => p.UPN).sort()).toEqual([1, 2, 3, 4].map((n) => upnFor(n)).sort());
    expect(new Set(pupils.map((p) => p['Source file']))).toEqual(new Set(['a.xlsx']));
    const tracker = await sheetRows(out, 'Tracker');
    expect(tracker.find((t) => t.File === 'a (1).xlsx')).toMatchObject({ Status: 'Duplicate: left out', Reason: copy?.reason });
    expect(await aboutText(out)).toContain('4 pupils from 1 return received; 1 file left out as a copy of another file of the same school.');
  });

  it("keeps the copy whose workbook was saved later, by the workbook's own properties, even where it comes first or its name sorts first", async () => {
    // The later save comes second (b.xlsx): a.xlsx has been written by then, so the run starts again without it.
    const later = path.join(dir, 'later-comes-second');
    await writeReturn(path.join(later, 'a.xlsx'), schoolReturn(PRIMARY, [1, 2, 3]), '2027-05-01T09:00:00Z');
    await writeReturn(path.join(later, 'b.xlsx'), schoolReturn(PRIMARY, [1, 2, 3, 5]), '2027-05-02T10:30:00Z');
    const second = await consolidate(later);
    expect(second.code).toBe(1);
    expect(second.summary.tracker.find((t) => t.file === 'a.xlsx')).toMatchObject({ status: 'Duplicate: left out', duplicateOf: 'b.xlsx', keptBy: 'modified' });
    expect(second.summary.tracker.find((t) => t.file === 'a.xlsx')?.reason).toContain('b.xlsx is kept as its workbook was saved later (2027-05-02T10:30:00.000Z against 2027-05-01T09:00:00.000Z');
    expect(second.stderr).toContain('consolidate: b.xlsx replaces a.xlsx');
    const pupils = await sheetRows(second.out, 'Pupils');
    expect(pupils.map((p) => p.UPN).sort()).toEqual([1, 2, 3, 5].map((n) => upnFor(n)).sort());
    expect(new Set(pupils.map((p) => p['Source file']))).toEqual(new Set(['b.xlsx']));
    expect(second.summary.pupils).toBe(4);

    // The later save first (its name sorts first): the later name loses.
    const first = path.join(dir, 'later-comes-first');
    await writeReturn(path.join(first, 'a.xlsx'), schoolReturn(PRIMARY, [1, 2, 3, 5]), '2027-05-02T10:30:00Z');
    await writeReturn(path.join(first, 'b.xlsx'), schoolReturn(PRIMARY, [1, 2, 3]), '2027-05-01T09:00:00Z');
    const kept = await consolidate(first);
    expect(kept.code).toBe(1);
    expect(kept.summary.tracker.find((t) => t.file === 'b.xlsx')).toMatchObject({ status: 'Duplicate: left out', duplicateOf: 'a.xlsx', keptBy: 'modified' });
    expect(kept.stderr).not.toContain('reading the returns again');
    expect(kept.summary.pupils).toBe(4);
  });

  it("keeps both files that split one school's pupils between them (no UPN on both), exit 0", async () => {
    const folder = path.join(dir, 'split');
    await writeReturn(path.join(folder, 'class-6a.xlsx'), schoolReturn(PRIMARY, [1, 2, 3]));
    await writeReturn(path.join(folder, 'class-6b.xlsx'), schoolReturn(PRIMARY, [4, 5]));
    const { code, summary, out } = await consolidate(folder, '--schools', schools);
    expect(code).toBe(0);
    expect(summary.duplicates).toBe(0);
    expect(summary.pupils).toBe(5);
    expect(summary.tracker.map((t) => t.status)).toEqual(['Ready to submit', 'Ready to submit']);
    expect((await sheetRows(out, 'Pupils')).map((p) => p.UPN).sort()).toEqual([1, 2, 3, 4, 5].map((n) => upnFor(n)).sort());
  });

  it("flags a UPN on two schools' returns to the LA with both schools, and counts the pupil under each", async () => {
    const folder = path.join(dir, 'moved');
    const moved = upnFor(2, PRIMARY);
    await writeReturn(path.join(folder, 'testfield.xlsx'), schoolReturn(PRIMARY, [1, 2, 3]));
    const otherton = schoolReturn(OTHER_PRIMARY, [7, 8]);
    const first = otherton.sheets[0]?.rows[0];
    if (first) first.values.upn = moved;
    await writeReturn(path.join(folder, 'otherton.xlsx'), otherton);

    const { code, summary, stderr, out } = await consolidate(folder, '--schools', schools);
    expect(code).toBe(0);
    // Counted under each school that returned them: the tables are not deduplicated.
    expect(summary.pupils).toBe(5);
    expect(summary.crossSchool).toMatchObject({ upns: 1, schools: [[OTHER_PRIMARY, PRIMARY]] });
    expect(summary.tracker.find((t) => t.school === PRIMARY)?.alsoOn).toEqual([{ school: OTHER_PRIMARY, schoolName: 'Otherton Primary', pupils: 1 }]);
    expect(summary.tracker.find((t) => t.school === OTHER_PRIMARY)?.alsoOn).toEqual([{ school: PRIMARY, schoolName: 'Testfield Primary', pupils: 1 }]);
    // stderr names the schools; the UPN itself is only in the workbook.
    expect(stderr).toContain(`consolidate: 1 UPN is on more than one school's return: each such pupil is counted under every school that returned them (the tables are not deduplicated) until the LA resolves which school is right; the Tracker sheet names the schools. Schools: ${OTHER_PRIMARY} and ${PRIMARY}.\n`);
    expect(stderr).not.toContain(moved);
    expect(JSON.stringify(summary)).not.toContain(moved);

    const tracker = await sheetRows(out, 'Tracker');
    const column = "Also on another school's return (same UPN)";
    expect(tracker.find((t) => t['School (LAESTAB)'] === PRIMARY)?.[column]).toBe(`${OTHER_PRIMARY} Otherton Primary: ${moved}`);
    expect(tracker.find((t) => t['School (LAESTAB)'] === OTHER_PRIMARY)?.[column]).toBe(`${PRIMARY} Testfield Primary: ${moved}`);
    expect(await aboutText(out)).toContain('1 UPN is on more than one school\'s return: each such pupil is counted under every school that returned them');
    expect((await sheetRows(out, 'Pupils')).filter((p) => p.UPN === moved).map((p) => p['Source school']).sort()).toEqual([PRIMARY, OTHER_PRIMARY]);
  });
});

describe('one directory rule for validate and consolidate', () => {
  it('gives the same verdict in validate and consolidate on a return whose A7 secondary is outside the directory, and says every pupil on that sheet is left out', async () => {
    const folder = path.join(dir, 'outside');
    const file = path.join(folder, 'faraway.xlsx');
    await writeReturn(file, schoolReturn(PRIMARY, [1, 2, 3], `Faraway Academy (${OUTSIDE_SECONDARY})`));
    const leftOut = `All 3 pupils on sheet '${SHEET_LAYOUT.sheetName}' are left out: ${OUTSIDE_SECONDARY} is not a secondary school in the LA's directory. (GS1081, A7)`;

    const checked = capture();
    expect(await main(['validate', file, '--schools', schools], checked)).toBe(1);
    expect(checked.stdout()).toMatch(/^GS1081 · error · A7 · /m);
    expect(checked.stdout()).toContain(leftOut);
    const consolidated = await consolidate(folder, '--schools', schools);
    expect(consolidated.code).toBe(1);
    expect(consolidated.summary).toMatchObject({ pupils: 0, withErrors: 1, everyPupilLeftOut: 1 });
    expect(consolidated.summary.tracker[0]?.status).toBe('Errors: every pupil left out');
    expect(consolidated.summary.tracker[0]?.reason).toContain(leftOut);
    expect(consolidated.stderr).toContain(leftOut);
    const text = capture();
    await main(['consolidate', folder, '--out', path.join(dir, 'outside-text.xlsx'), '--force', '--schools', schools], text);
    expect(text.stdout()).toContain('1 with errors (1 with every pupil left out)');
    expect(text.stdout()).not.toContain('rows with errors left out');

    // Without --schools neither checks the schools against a list: both take the return, and say so.
    const unchecked = capture();
    expect(await main(['validate', file], unchecked)).toBe(0);
    const loose = await consolidate(folder);
    expect(loose.code).toBe(0);
    expect(loose.summary.pupils).toBe(3);
  });

  it("says plainly, in text and --json, that schools were not checked against the LA's list when no --schools is given", async () => {
    const folder = path.join(dir, 'unchecked');
    const file = path.join(folder, 'testfield.xlsx');
    await writeReturn(file, schoolReturn(PRIMARY, [1, 2]));
    const line = "schools were not checked against the LA's list (no --schools given): school codes were checked for form only";

    const text = capture();
    expect(await main(['validate', file], text)).toBe(0);
    expect(text.stdout()).toContain(`Schools were not checked against the LA's list (no --schools given): school codes were checked for form only; pass --schools <file> to check them.\n`);
    const json = capture();
    expect(await main(['validate', file, '--json'], json)).toBe(0);
    expect((JSON.parse(json.stdout()) as { schools: unknown }).schools).toEqual({ checked: false, note: line });

    const { summary, stderr } = await consolidate(folder);
    expect(summary).toMatchObject({ schoolsChecked: false, directory: line });
    expect(stderr).toContain(`consolidate: ${line}; pass --schools <file> to check them against the LA's own\n`);

    const given = capture();
    expect(await main(['validate', file, '--json', '--schools', schools], given)).toBe(0);
    expect((JSON.parse(given.stdout()) as { schools: unknown }).schools).toEqual({ checked: true, directory: schools });
  });
});
