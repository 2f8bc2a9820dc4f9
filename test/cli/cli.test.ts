import { execFile, spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import ExcelJS from 'exceljs';
import { main } from '../../cli/main';
import { capture } from '../factories/cliIo';
import { generateSamples, type GeneratedSamples } from '../../samples/generate';
import { TRANSITION_COLUMNS, SHEET_LAYOUT } from '../../shared/transition/layout';
import { validationReportSchema } from '../../shared/transition/schema';
import { YEAR_RULE } from '../../shared/year';
import { understatedSheetBomb } from '../factories/zip';
import { makeUpn } from '../../shared/upn';
import { asOtherSchool } from '../../samples/otherSchools';
import { readTransitionWorkbookSync } from '../../shared/workbook/reader';

const run = promisify(execFile);
const BIN = path.resolve(__dirname, '../../bin/goodstart.js');


let dir: string;
let samples: GeneratedSamples;

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'goodstart-cli-'));
  samples = await generateSamples(path.join(dir, 'samples'), { seed: 7, primaries: 6, secondaries: 3, year: 2027 });
});

afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe('goodstart template', () => {
  it('writes the transition workbook with the layout headers in row 9 and the year in A4', async () => {
    const io = capture();
    const out = path.join(dir, 'template.xlsx');
    expect(await main(['template', '--out', out, '--year', '2027'], io)).toBe(0);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await fs.readFile(out)) as unknown as ArrayBuffer);
    const ws = wb.getWorksheet(SHEET_LAYOUT.sheetName);
    expect(ws).toBeDefined();
    expect(ws?.getCell(SHEET_LAYOUT.yearCell).value).toBe(2027);
    for (const c of TRANSITION_COLUMNS) expect(String(ws?.getCell(`${c.letter}${SHEET_LAYOUT.headerRow}`).value)).toBe(c.header);
    expect(wb.worksheets.every((w) => w.state === 'visible')).toBe(true);
  });

  it('reads --year by the one year rule: --year 2027-28 is --year 2027, transfer in September 2027', async () => {
    const io = capture();
    const out = path.join(dir, 'template-2027-28.xlsx');
    expect(await main(['template', '--out', out, '--year', '2027-28'], io)).toBe(0);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await fs.readFile(out)) as unknown as ArrayBuffer);
    expect(wb.getWorksheet(SHEET_LAYOUT.sheetName)?.getCell(SHEET_LAYOUT.yearCell).value).toBe(2027);
  });

  it('refuses a --year outside the bounds with exit code 2, in the words every surface uses', async () => {
    const io = capture();
    expect(await main(['template', '--out', path.join(dir, 'never.xlsx'), '--year', '1999'], io)).toBe(2);
    expect(io.stderr()).toContain(`--year: ${YEAR_RULE}; got "1999"`);
    await expect(fs.access(path.join(dir, 'never.xlsx'))).rejects.toThrow();
  });

  it('refuses to overwrite an existing file without --force, leaving it untouched', async () => {
    const out = path.join(dir, 'keep.xlsx');
    await fs.writeFile(out, 'precious');
    const io = capture();
    expect(await main(['template', '--out', out], io)).toBe(2);
    expect(io.stderr()).toMatch(/already exists/);
    expect(await fs.readFile(out, 'utf8')).toBe('precious');
  });

  it('explains a missing --out in one line', async () => {
    const io = capture();
    expect(await main(['template'], io)).toBe(2);
    expect(io.stderr().trim().split('\n')).toHaveLength(1);
    expect(io.stderr()).toMatch(/--out/);
  });
});

describe('goodstart validate', () => {
  it('exits 0 for a clean sample return and reports it ready to submit', async () => {
    const io = capture();
    expect(await main(['validate', samples.workbooks[0] as string], io)).toBe(0);
    expect(io.stdout()).toMatch(/0 errors/);
  });

  it('exits 1 and lists each error as rule · severity · cell · message · fix', async () => {
    const io = capture();
    expect(await main(['validate', samples.errorsWorkbook], io)).toBe(1);
    const lines = io.stdout().trim().split('\n');
    const issueLines = lines.filter((l) => /^GS\d{4}Q? · /.test(l));
    expect(issueLines.length).toBeGreaterThan(3);
    for (const l of issueLines) expect(l.split(' · ').length).toBeGreaterThanOrEqual(5);
    expect(issueLines.some((l) => /^GS1\d{3} · error · ('[^']+'!)?[A-Z]{1,2}\d+ · /.test(l))).toBe(true);
  });

  it('prints a machine-readable report with --json', async () => {
    const io = capture();
    expect(await main(['validate', samples.errorsWorkbook, '--json'], io)).toBe(1);
    const { schools, ...printed } = JSON.parse(io.stdout()) as { schools: unknown };
    expect(schools).toMatchObject({ checked: false });
    const report = validationReportSchema.parse(printed);
    expect(report.errors.length).toBeGreaterThan(0);
    for (const issue of [...report.errors, ...report.queries]) {
      expect(issue.cell).toBe(`${issue.column}${issue.row}`);
      expect(['error', 'query']).toContain(issue.severity);
    }
    expect(report.summary.errors).toBe(report.errors.length);
  });

  it.each([
    ['a text file', 'hello, this is not a workbook\n'],
    ['a truncated zip', 'PK\u0003\u0004\u0014\u0000\u0000\u0000'],
  ])('exits 2 with a one-line reason for %s', async (_, content) => {
    const file = path.join(dir, `bad-${content.length}.xlsx`);
    await fs.writeFile(file, content, 'latin1');
    const io = capture();
    expect(await main(['validate', file], io)).toBe(2);
    expect(io.stderr().trim().split('\n')).toHaveLength(1);
    expect(io.stderr()).not.toMatch(/\bat .*\.ts:\d+/);
  });

  it('exits 2 naming the hidden rows of a workbook, as for a hidden sheet', async () => {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(samples.errorsWorkbook);
    const nonPupil: string[] = [SHEET_LAYOUT.instructionsSheet, SHEET_LAYOUT.listsSheet, SHEET_LAYOUT.explanationsSheet];
    const pupils = wb.worksheets.find((ws) => !nonPupil.includes(ws.name))!;
    pupils.getRow(SHEET_LAYOUT.firstDataRow).hidden = true;
    const file = path.join(dir, 'hidden-row.xlsx');
    await wb.xlsx.writeFile(file);
    const io = capture();
    expect(await main(['validate', file], io)).toBe(2);
    expect(io.stderr()).toContain(`sheet '${pupils.name}' has hidden row ${SHEET_LAYOUT.firstDataRow}; unhide them`);
  });

  it('exits 2 for a file over the size cap without reading it', async () => {
    const file = path.join(dir, 'huge.xlsx');
    const handle = await fs.open(file, 'w');
    await handle.truncate(6 * 1024 * 1024);
    await handle.close();
    const io = capture();
    expect(await main(['validate', file], io)).toBe(2);
    expect(io.stderr()).toMatch(/limit/);
  });
});

let many: Promise<string[]> | undefined;

/** The samples' returns 60 times over as 360 schools' returns, each its own (a copy of one school's return would be left out as a duplicate, and not written). */
function manyReturns(): Promise<string[]> {
  many ??= (async () => {
    const folder = path.join(dir, 'many');
    await fs.mkdir(folder, { recursive: true });
    const files: string[] = [];
    for (const [i, f] of samples.workbooks.entries()) {
      const bytes = new Uint8Array(await fs.readFile(f));
      const ret = readTransitionWorkbookSync(bytes);
      const school = String(ret.sheets[0]?.rows[0]?.values.feederPrimary);
      for (let k = 0; k < 60; k++) {
        const file = path.join(folder, `${k}-${i}.xlsx`);
        await fs.writeFile(file, asOtherSchool(bytes, ret, school, k * samples.workbooks.length + i));
        files.push(file);
      }
    }
    return files;
  })();
  return many;
}

describe('goodstart consolidate', () => {
  it.each([['SIGTERM', 143], ['SIGINT', 130]] as const)('stopped by %s while it writes, leaves neither the workbook nor its temporary file, and exits %i', async (signal, code) => {
    // Enough returns that the run is still writing when it is stopped: the samples, many times over, each as another school's.
    const folder = path.join(dir, `stopped-${signal}`);
    await fs.mkdir(path.join(folder, 'out'), { recursive: true });
    for (const f of await manyReturns()) await fs.symlink(f, path.join(folder, path.basename(f)));
    const out = path.join(folder, 'out', 'city.xlsx');
    const child = spawn(process.execPath, [BIN, 'consolidate', folder, '--out', out, '--year', '2027'], { stdio: 'ignore' });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    // Stopped once its temporary file exists (the writing has begun).
    let started = false;
    for (let i = 0; i < 1000 && !started; i++) {
      started = (await fs.readdir(path.join(folder, 'out'))).some((n) => n.endsWith('.tmp'));
      if (!started) await new Promise((r) => setTimeout(r, 5));
    }
    expect(started).toBe(true);
    child.kill(signal);
    expect(await exited).toBe(code);
    expect(await fs.readdir(path.join(folder, 'out'))).toEqual([]);
  });

  it('finishes its workbook and exits as it would when the program reading its output stops early (| head)', async () => {
    const folder = path.join(dir, 'piped');
    await fs.mkdir(folder, { recursive: true });
    for (const f of samples.workbooks) await fs.copyFile(f, path.join(folder, path.basename(f)));
    const args = ['consolidate', folder, '--json', '--year', '2027'];
    const expected = await main([...args, '--out', path.join(dir, 'piped-read.xlsx')], capture());
    const out = path.join(dir, 'piped-unread.xlsx');
    const child = spawn(process.execPath, [BIN, ...args, '--out', out], { stdio: ['ignore', 'pipe', 'pipe'] });
    // The reader of its output goes before a line is written, as `| head` does once it has its lines.
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => void (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    expect(code).toBe(expected);
    expect(stderr).not.toMatch(/EPIPE|Unhandled|\n\s+at /);
    const written = new ExcelJS.Workbook();
    await written.xlsx.readFile(out);
    const reference = new ExcelJS.Workbook();
    await reference.xlsx.readFile(path.join(dir, 'piped-read.xlsx'));
    expect(written.getWorksheet('Pupils')?.rowCount).toBe(reference.getWorksheet('Pupils')?.rowCount);
    expect(written.getWorksheet('Pupils')?.rowCount).toBeGreaterThan(1);

    // The reader of its progress (stderr) goes: before, the run stopped there, with no workbook and its temporary file left.
    const quiet = path.join(dir, 'piped-quiet', 'city.xlsx');
    const unheard = spawn(process.execPath, [BIN, ...args, '--out', quiet], { stdio: ['ignore', 'pipe', 'pipe'] });
    unheard.stderr.destroy();
    unheard.stdout.resume();
    expect(await new Promise<number | null>((resolve) => unheard.on('close', (c) => resolve(c)))).toBe(expected);
    expect(await fs.readdir(path.dirname(quiet))).toEqual(['city.xlsx']);
  });

  it('keeps a return for another transfer year out with --year, and without it names it and exits 1', async () => {
    const folder = path.join(dir, 'years');
    await fs.mkdir(folder, { recursive: true });
    for (const f of samples.workbooks) await fs.copyFile(f, path.join(folder, path.basename(f)));
    // Last year's return for one school, left in the folder: its A4 says 2026.
    const first = samples.workbooks[0] as string;
    const stale = new ExcelJS.Workbook();
    await stale.xlsx.readFile(first);
    // Last year's pupils, not this year's: other UPNs (the same UPNs would make it a copy of this year's return, left out).
    const upnColumn = TRANSITION_COLUMNS.find((c) => c.key === 'upn')?.letter ?? 'F';
    let serial = 0;
    stale.eachSheet((ws) => {
      if (ws.getCell(SHEET_LAYOUT.yearCell).value !== 2027) return;
      ws.getCell(SHEET_LAYOUT.yearCell).value = 2026;
      for (let r = SHEET_LAYOUT.firstDataRow; r <= ws.rowCount; r++) {
        const cell = ws.getCell(`${upnColumn}${r}`);
        if (cell.value) cell.value = makeUpn('330', '2999', '14', String(++serial).padStart(3, '0'));
      }
    });
    await stale.xlsx.writeFile(path.join(folder, 'zz-last-year.xlsx'));
    type Summary = { pupils: number; withErrors: number; otherYears: Array<{ year: number; returns: number; pupilsIncluded: boolean }>; tracker: Array<{ file: string; rows: number; errors: number; status: string; reason?: string }> };

    const all = capture();
    expect(await main(['consolidate', folder, '--out', path.join(dir, 'years-all.xlsx'), '--json'], all)).toBe(1);
    const mixed = JSON.parse(all.stdout()) as Summary;
    expect(mixed.otherYears).toEqual([{ year: 2026, returns: 1, pupilsIncluded: true }]);
    expect(all.stderr()).toContain('1 return states transfer in 2026, not 2027; their pupils are in');
    expect(all.stderr()).toContain('--year 2027');

    const given = capture();
    expect(await main(['consolidate', folder, '--out', path.join(dir, 'years-2027.xlsx'), '--json', '--year', '2027'], given)).toBe(1);
    const kept = JSON.parse(given.stdout()) as Summary;
    const lastYear = kept.tracker.find((t) => t.file === 'zz-last-year.xlsx');
    expect(lastYear?.errors).toBeGreaterThan(0);
    expect(lastYear?.rows).toBeGreaterThan(0);
    expect(kept.pupils).toBe(mixed.pupils - (lastYear?.rows ?? 0));
    expect(lastYear?.status).toBe('Errors: every pupil left out');
    expect(lastYear?.reason).toBe(`All ${lastYear?.rows} pupils are left out: the workbook is for transfer in 2026, not 2027 (GS1090, A4).`);
    expect(kept.otherYears).toEqual([{ year: 2026, returns: 1, pupilsIncluded: false }]);
    expect(given.stderr()).toContain('none of their pupils are in');
  });

  it('writes Pupils, Tracker and summary sheets and skips a bad file without stopping', async () => {
    const folder = path.join(dir, 'returns');
    await fs.mkdir(folder, { recursive: true });
    for (const f of samples.workbooks) await fs.copyFile(f, path.join(folder, path.basename(f)));
    await fs.writeFile(path.join(folder, 'zz-broken.xlsx'), 'not a workbook');
    const out = path.join(dir, 'city.xlsx');
    const io = capture();
    const code = await main(['consolidate', folder, '--out', out, '--json'], io);
    expect(code).toBe(1);
    const summary = JSON.parse(io.stdout()) as { files: number; unreadable: number; pupils: number };
    expect(summary.files).toBe(samples.workbooks.length + 1);
    expect(summary.unreadable).toBe(1);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await fs.readFile(out)) as unknown as ArrayBuffer);
    const names = wb.worksheets.map((w) => w.name);
    expect(names).toEqual(expect.arrayContaining(['Pupils', 'Tracker']));
    expect(names.length).toBeGreaterThanOrEqual(6);
    expect(wb.getWorksheet('Pupils')?.actualRowCount).toBe(summary.pupils + 1);
    expect(wb.worksheets.every((w) => w.state === 'visible')).toBe(true);
    // The workbook is written to a temporary file beside the output and renamed; nothing of that is left behind.
    expect((await fs.readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it("checks school codes for form only without --schools, and says so; with the LA's list, names every school on the Tracker and counts those outstanding", async () => {
    const folder = path.join(dir, 'named');
    await fs.mkdir(folder, { recursive: true });
    for (const f of samples.workbooks) await fs.copyFile(f, path.join(folder, path.basename(f)));
    const io = capture();
    expect(await main(['consolidate', folder, '--out', path.join(dir, 'unnamed.xlsx'), '--json'], io)).toBe(0);
    expect(io.stderr()).toContain("consolidate: schools were not checked against the LA's list (no --schools given): school codes were checked for form only; pass --schools <file> to check them against the LA's own\n");
    expect(io.stderr()).not.toContain('samples/schools.json');
    const unnamed = JSON.parse(io.stdout()) as { schoolsChecked: boolean; outstanding: number; tracker: Array<{ schoolName?: string }> };
    expect(unnamed.schoolsChecked).toBe(false);
    expect(unnamed.outstanding).toBe(0);
    expect(unnamed.tracker.every((t) => t.schoolName === undefined)).toBe(true);

    const out = path.join(dir, 'named.xlsx');
    // The LA's list: the samples' schools and one primary that has sent nothing.
    const schools = path.join(dir, 'la-schools.json');
    const listed = JSON.parse(await fs.readFile(path.join(dir, 'samples', 'schools.json'), 'utf8')) as unknown[];
    await fs.writeFile(schools, JSON.stringify([...listed, { laestab: '3302999', urn: '199999', name: 'Silent Lane Primary', phase: 'primary', area: 'North', trust: null }]));
    const given = capture();
    expect(await main(['consolidate', folder, '--out', out, '--schools', schools, '--json'], given)).toBe(0);
    expect(given.stderr()).toContain(`consolidate: school directory: ${schools}\n`);
    const summary = JSON.parse(given.stdout()) as { directory: string; schoolsChecked: boolean; files: number; outstanding: number };
    expect(summary).toMatchObject({ directory: schools, schoolsChecked: true });
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await fs.readFile(out)) as unknown as ArrayBuffer);
    const tracker = wb.getWorksheet('Tracker') as ExcelJS.Worksheet;
    const names: unknown[] = [];
    tracker.eachRow((r, n) => {
      if (n > 1) names.push(r.getCell(2).value);
    });
    expect(names).toHaveLength(samples.workbooks.length);
    expect(names.every((n) => typeof n === 'string' && n.length > 0)).toBe(true);
    const about = wb.getWorksheet('About') as ExcelJS.Worksheet;
    expect(summary.outstanding).toBe(1);
    expect(String(about.getCell('A4').value)).toMatch(new RegExp(`^\\d+ pupils from ${samples.workbooks.length} returns received; 1 school outstanding \\(nothing received\\)\\.`));
  });
});

describe('goodstart fn', () => {
  it('evaluates TOOLKIT.SUPPORT for a pupil at Y4.1 in Year 6', async () => {
    const io = capture();
    expect(await main(['fn', 'TOOLKIT.SUPPORT', 'Y4.1', '6'], io)).toBe(0);
    expect(io.stdout().trim()).toBe('Targeted');
  });

  it("takes the new term argument after a blank: TOOLKIT.SUPPORT Y4.1 6 '' summer is Specialist", async () => {
    const io = capture();
    expect(await main(['fn', 'TOOLKIT.SUPPORT', 'Y4.1', '6', '', 'summer'], io)).toBe(0);
    expect(io.stdout().trim()).toBe('Specialist');
  });

  it('prints the Excel error and its message, exit 1, for bad input', async () => {
    const io = capture();
    expect(await main(['fn', 'TOOLKIT.GAP', 'Y9.9', '6'], io)).toBe(1);
    expect(io.stdout().trim()).toBe('#VALUE!');
    expect(io.stderr()).toMatch(/band/i);
  });

  it('rejects an unknown function name and lists the real ones', async () => {
    const io = capture();
    expect(await main(['fn', 'NOPE.NOTHING'], io)).toBe(2);
    expect(io.stderr()).toMatch(/TOOLKIT\.BAND/);
  });
});

describe('the installed goodstart binary', () => {
  it('runs through npx-style invocation with the documented exit codes', async () => {
    const ok = await run(process.execPath, [BIN, 'fn', 'SEND.NEEDAREA', 'ASD']);
    expect(ok.stdout.trim()).toBe('Communication and Interaction');
    await expect(run(process.execPath, [BIN, 'validate', samples.errorsWorkbook])).rejects.toMatchObject({ code: 1 });
    await expect(run(process.execPath, [BIN, 'validate', path.join(dir, 'missing.xlsx')])).rejects.toMatchObject({ code: 2 });
  });
});

describe('the compiled goodstart binary', () => {
  it('runs the JavaScript built into dist/cli, not TypeScript transpiled at start', async () => {
    const bin = await fs.readFile(BIN, 'utf8');
    expect(bin).toContain("require('../dist/cli/cli/main.js')");
    expect(bin).not.toMatch(/tsx/);
    await expect(fs.access(path.resolve(__dirname, '../../dist/cli/cli/main.js'))).resolves.toBeUndefined();
    const { stdout } = await run(process.execPath, [BIN, 'fn', 'SEND.UPNLETTER', '801200005001']);
    expect(stdout.trim()).toBe('B');
  });

  it('gives every command the same answer through the installed CLI (bin/goodstart.js, its code cache cold then warm) as in process', async () => {
    // What only bin/goodstart.js sets up (the code cache, the output's handling) is met here; a
    // command that fails there alone (as template once did) fails this test.
    const cache = path.join(dir, 'bin-cache');
    const schools = path.join(dir, 'samples', 'schools.json');
    const workbook = samples.workbooks[0] as string;
    const commands: Array<(out: string) => string[]> = [
      () => ['help'],
      (out) => ['template', '--out', `${out}.xlsx`, '--year', '2027'],
      (out) => ['template', '--from-ctf', samples.ctfs[0] as string, '--out', `${out}.xlsx`, '--year', '2027'],
      () => ['validate', workbook, '--schools', schools],
      () => ['validate', samples.errorsWorkbook, '--json', '--schools', schools],
      (out) => ['consolidate', ...samples.workbooks, '--out', `${out}.xlsx`, '--year', '2027', '--json', '--schools', schools],
      () => ['fn', 'TOOLKIT.SUPPORT', 'Y4.1', '6'],
      () => ['fn', 'NO.SUCH'],
    ];
    for (const [i, command] of commands.entries()) {
      const here = path.join(dir, `same-${i}-here`);
      const io = capture();
      const code = await main(command(here), io);
      for (const round of ['cold', 'warm']) {
        const there = path.join(dir, `same-${i}-${round}`);
        const ran = await run(process.execPath, [BIN, ...command(there)], { env: { ...process.env, GOODSTART_COMPILE_CACHE_DIR: cache } })
          .then((r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }))
          .catch((e: { code: number; stdout: string; stderr: string }) => e);
        expect({ command: command('OUT'), round, code: ran.code, stdout: ran.stdout.split(there).join('OUT') }).toEqual({ command: command('OUT'), round, code, stdout: io.stdout().split(here).join('OUT') });
        expect(ran.stderr).not.toMatch(/unexpected failure|\n\s+at /);
      }
    }
  });

  it('refuses a workbook whose headers understate a 300 MB sheet as a zip bomb, exit 2, in one line', async () => {
    const bomb = understatedSheetBomb(300);
    const file = path.join(dir, 'bomb.xlsx');
    await fs.writeFile(file, bomb);
    const refused = await run(process.execPath, [BIN, 'validate', file]).catch((e: { code: number; stderr: string }) => e);
    expect(refused).toMatchObject({ code: 2 });
    const stderr = (refused as { stderr: string }).stderr;
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toContain('part xl/worksheets/sheet1.xml unpacks to more than its header declares');
  });
});
