/**
 * Domain benchmarks (`npm run bench`): figures only, no assertions. Each figure is printed
 * beside a yardstick measured in the same run, with the ratio.
 *
 *   1. validation of a synthetic city cohort of about 15,000 rows, beside JSON.parse of the same
 *      returns;
 *   2. consolidating 450 generated school workbooks three ways, each in its own process so
 *      each peak memory is its own: the product (`goodstart consolidate`: the streaming reader,
 *      validation and the streaming SpreadsheetML writer), the old exceljs path (the
 *      pre-issue-10 `goodstart consolidate`, its start-up aside: each file read through
 *      exceljs's workbook model, validated and held, `consolidate` over them all, the workbook
 *      written whole in memory through exceljs's streaming writer, then to the file; the frozen
 *      copies bench/exceljsReader.ts and bench/exceljsWriter.ts), and the inflate floor (zlib
 *      over the same parts the reader inflates, and nothing else); then the product's parts
 *      one by one on the same files (read, of which the XML parser alone; validate; write), so
 *      a target missed names the part that misses it, with its own figure. The three paths
 *      run in turn, BENCH_ROUNDS times, and each is taken at its best: the shared cores here
 *      swing a single run by 15% or more, for the old path as much as the new;
 *   3. the same at 4,500 workbooks (the 450 files and nine copies of each as other schools'
 *      returns, their codes and UPNs rewritten), for peak memory: the product (the old path too
 *      with BENCH_OLD_AT_SCALE=1; it takes minutes), beside its peak at 450, and the heap it
 *      still holds after a full GC at the end; then what the UPN set that counts each pupil once
 *      holds at 4,500 schools;
 *   4. reading one 120-pupil workbook: p50 and p99, new reader (zlib, as the CLI; fflate, as
 *      the browser) beside exceljs and the floor;
 *   5. CLI start: `fn` and `validate` on one workbook, compiled (bin/goodstart.js) beside the
 *      old tsx start and a bare `node -e 0`;
 *   6. the understated-size zip bomb of issue 10 (a sheet declared as 100 KB that inflates to
 *      630 MB): refused by the reader, eight in a row, with the time and memory it costs, beside
 *      the old exceljs path on the same file (in its own process), and `goodstart validate` on it;
 *   7. toolkit progress over a whole school's history (600 pupils × 14 threads × 6 assessments a
 *      year × 3 years, about 150,000 rows, test/factories/toolkitHistory.ts): both tables checked,
 *      every pupil's progress and the whole-school group counts, then one TOOLKIT.GROUPPROGRESS
 *      call, each beside JSON.parse of the same rows.
 *
 * Options: BENCH_SCHOOLS (default 450; 0 skips the workbook runs), BENCH_ROWS (default 15000),
 * BENCH_PASSES (default 5), BENCH_SCALE (default 10, the multiple for 3; 0 skips it),
 * BENCH_OLD_AT_SCALE (1 to run the old path at scale too), BENCH_ROUNDS (default 3, the rounds
 * of 2, each path once a round), BENCH_PARTS (default all: a comma
 * list of validation, consolidate, read, start, bomb, progress). GOODSTART_READERS passes to the CLI
 * (0: read in the main thread).
 */
import { execFile, execFileSync } from 'node:child_process';
import { promises as fs, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { inflateRawSync } from 'node:zlib';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Tokenizer } from 'htmlparser2';
import { syntheticCity } from '../samples/synthetic';
import type { TransitionReturn } from '../shared/transition/schema';
import { validateReturn } from '../shared/transition/validate';
import { writeTransitionWorkbook } from '../xlsx/template';
import { readTransitionWorkbook, readTransitionWorkbookSync } from '../shared/workbook/reader';
import { inspectXlsx, type ZipEntry } from '../shared/workbook/zip';
import { consolidate, ConsolidationFold, type ConsolidatedPupil, PupilsOnce, type ReturnOutcome } from '../shared/consolidation';
import { asOtherSchool, otherSchool, otherSchoolCode } from '../samples/otherSchools';
import { writeConsolidatedWorkbookFile } from '../xlsx/consolidated';
import { NODE_READER } from '../xlsx/inflate';
import { SchoolDirectory } from '../shared/schools';
import { readWithExceljs } from './exceljsReader';
import { writeConsolidatedWithExceljs } from './exceljsWriter';
import { readerCount } from '../cli/commands/consolidate';
import { understatedSheetBomb } from '../test/factories/zip';
import { bestCpuOf, bestOf, cpuMs, mib, ms, peakRss, percentile, ratio, seconds } from './timing';
import { schoolHistory } from '../test/factories/toolkitHistory';
import { validateHistory, validatePupils } from '../shared/toolkit/history';
import { GROUP_COLUMNS } from '../shared/toolkit/historyLayout';
import { groupCounts, historyProgress } from '../shared/toolkit/progress';
import { toolkitGroupProgress } from '../shared/functions/toolkit';

const YEAR = 2027;
const PASSES = Number(process.env.BENCH_PASSES ?? 5);
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));

/**
 * Validation of a synthetic city beside its yardstick, measured in the same run: `JSON.parse` of
 * the same returns as JSON text, the least any reader of them must spend.
 */
async function validationRate(targetRows: number): Promise<void> {
  const primaries = Math.ceil(targetRows / 40);
  const city = syntheticCity({ seed: 1, primaries, secondaries: Math.max(4, Math.round(primaries / 5)), pupilsPerPrimary: [30, 50], year: YEAR });
  const directory = new SchoolDirectory(city.schools);
  const rows = city.returns.reduce((n, r) => n + r.ret.sheets.reduce((m, s) => m + s.rows.length, 0), 0);
  const texts = city.returns.map(({ ret }) => JSON.stringify(ret));
  const bytes = texts.reduce((n, t) => n + t.length, 0);
  // One warm-up pass of each so the figures are steady-state, then the best of the measured passes.
  for (const t of texts) JSON.parse(t);
  for (const { ret } of city.returns) validateReturn(ret, { directory });
  const parse = bestOf(PASSES, () => texts.reduce((n, t) => n + (JSON.parse(t) as { sheets: unknown[] }).sheets.length, 0));
  const validate = bestOf(PASSES, () => {
    let issues = 0;
    let pupils = 0;
    for (const { ret } of city.returns) {
      const v = validateReturn(ret, { directory });
      issues += v.report.summary.errors + v.report.summary.queries;
      pupils += v.pupils.length;
    }
    return { issues, pupils };
  });
  console.log(`validation: ${rows.toLocaleString()} rows in ${city.returns.length} returns (${mib(bytes)} of JSON), best of ${PASSES}`);
  console.log(`  JSON.parse of the returns: ${parse.ms.toFixed(0)} ms → ${Math.round(rows / (parse.ms / 1000)).toLocaleString()} rows/s`);
  console.log(`  validateReturn (report + typed pupils): ${validate.ms.toFixed(0)} ms → ${Math.round(rows / (validate.ms / 1000)).toLocaleString()} rows/s (${validate.result.issues} issues, ${validate.result.pupils.toLocaleString()} pupils)`);
  console.log(`  ratio: validation costs ${(validate.ms / parse.ms).toFixed(2)}× JSON.parse of the same returns`);
}

const REPO = path.resolve(__dirname, '..');
const run = promisify(execFile);

// ---------------------------------------------------------------------------------------------
// The three consolidation paths, each run in a child process (`bench/run.ts child <path> <dir>`).

type PathName = 'new' | 'old' | 'floor' | 'bomb-old';
interface PathResult {
  ms: number;
  /** CPU time of the whole process over the same span (every thread: zlib's pool too). */
  cpuMs: number;
  peakRss: number;
  startRss: number;
  /** Heap still used after a full GC once the work is done: what the path holds on to. */
  retainedHeap: number;
  /** The most heap in use at any sample (every 20 ms): garbage not yet collected included. */
  peakHeap: number;
  pupils: number;
  /** Reader threads the new path used (it decides at its start, from the files and the load). */
  readers?: number;
}

/** The product: `goodstart consolidate`, run through the CLI's own main(). */
type Measured = Pick<PathResult, 'ms' | 'pupils' | 'readers'>;

async function consolidateNew(dir: string, files: string[]): Promise<Measured> {
  // The compiled CLI (dist/cli, as `goodstart` runs it), so its reader threads run compiled
  // JavaScript too. Its entry and the command's front are loaded before the clock starts (the
  // old path's start-up is left aside too); what the command loads once its reader threads are
  // started (validation, the directory, the writer: cli/consolidateReturns.ts) is timed, as it
  // is part of the run, beside the threads' own loading. The CLI's code cache is turned on as
  // bin/goodstart.js turns it on (the first round writes it).
  (require(path.join(REPO, 'dist/cli/cli/compileCache.js')) as typeof import('../cli/compileCache')).useCompileCache({ write: true });
  const cliMain = (require(path.join(REPO, 'dist/cli/cli/main.js')) as typeof import('../cli/main')).main;
  require(path.join(REPO, 'dist/cli/cli/commands/consolidate.js'));
  const out = path.join(os.tmpdir(), `goodstart-bench-${process.pid}.xlsx`);
  let stdout = '';
  let stderr = '';
  const start = process.hrtime.bigint();
  await cliMain(['consolidate', ...files, '--out', out, '--json', '--force', '--schools', path.join(dir, 'schools.json')], { out: (t: string) => void (stdout += t), err: (t: string) => void (stderr += t) });
  const total = ms(start);
  await fs.rm(out, { force: true });
  // The reader threads the CLI chose (it says so on stderr), from what it measured of the cores as it started.
  const readers = Number(/consolidate: (\d+) reader thread/.exec(stderr)?.[1] ?? 0);
  return { ms: total, pupils: (JSON.parse(stdout) as { pupils: number }).pupils, readers };
}

/**
 * The path before issue 10, as `goodstart consolidate` ran it then (835e2de^): each file read
 * whole through exceljs's workbook model (bench/exceljsReader.ts) and validated, every outcome
 * held, `consolidate` over them all, then the workbook written through exceljs's streaming
 * writer into memory (bench/exceljsWriter.ts) and the bytes to the file.
 */
async function consolidateOld(dir: string, files: string[]): Promise<Measured> {
  const directory = new SchoolDirectory(JSON.parse(await fs.readFile(path.join(dir, 'schools.json'), 'utf8')));
  const start = process.hrtime.bigint();
  const outcomes: ReturnOutcome[] = [];
  for (const file of files) {
    const ret = await readWithExceljs(new Uint8Array(await fs.readFile(file)), { fileName: path.basename(file) });
    outcomes.push({ kind: 'read', file: path.basename(file), ret, ...validateReturn(ret, { directory }) });
  }
  const result = consolidate(outcomes, { year: YEAR, directory });
  const received = new Set(result.tracker.map((t) => t.school));
  const outstanding = directory.primaries().filter((s) => !received.has(s.laestab)).length;
  const bytes = await writeConsolidatedWithExceljs({
    year: YEAR,
    generatedAt: new Date().toISOString(),
    pupils: result.pupils,
    tracker: result.tracker,
    received: { returns: result.tracker.length, outstanding, unreadable: 0 },
    tables: result.tables,
  });
  const out = path.join(os.tmpdir(), `goodstart-bench-${process.pid}.xlsx`);
  await fs.writeFile(out, bytes);
  const total = ms(start);
  await fs.rm(out, { force: true });
  return { ms: total, pupils: result.pupils.length };
}

/** The parts the streaming reader inflates: the workbook, its relationships, the shared strings and every sheet but Instructions and Lists. */
function partsTheReaderReads(bytes: Uint8Array, entries: ZipEntry[]): ZipEntry[] {
  const byName = new Map(entries.map((e) => [e.name, e]));
  const text = (name: string): string => {
    const e = byName.get(name);
    return e ? inflateRawSync(bytes.subarray(dataStart(bytes, e), dataStart(bytes, e) + e.compressedSize)).toString('utf8') : '';
  };
  const targets = new Map([...text('xl/_rels/workbook.xml.rels').matchAll(/Id="([^"]+)"[^>]*?Target="([^"]+)"|Target="([^"]+)"[^>]*?Id="([^"]+)"/g)].map((m) => [m[1] ?? m[4] ?? '', m[2] ?? m[3] ?? '']));
  const sheets = [...text('xl/workbook.xml').matchAll(/<sheet [^>]*name="([^"]+)"[^>]*r:id="([^"]+)"/g)]
    .filter((m) => !['Instructions', 'Lists'].includes(m[1] ?? ''))
    .map((m) => `xl/${(targets.get(m[2] ?? '') ?? '').replace(/^\/?xl\//, '')}`);
  return ['xl/workbook.xml', 'xl/_rels/workbook.xml.rels', 'xl/sharedStrings.xml', ...sheets].flatMap((n) => byName.get(n) ?? []);
}

function dataStart(bytes: Uint8Array, e: ZipEntry): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return e.localHeaderOffset + 30 + view.getUint16(e.localHeaderOffset + 26, true) + view.getUint16(e.localHeaderOffset + 28, true);
}

/** The physical floor: read each file and zlib-inflate the parts the reader inflates, nothing more. */
async function consolidateFloor(_dir: string, files: string[]): Promise<Measured> {
  const plans = new Map<string, ZipEntry[]>();
  for (const file of files.slice(0, 450)) {
    const bytes = new Uint8Array(await fs.readFile(file));
    plans.set(file, partsTheReaderReads(bytes, inspectXlsx(bytes).entries));
  }
  const start = process.hrtime.bigint();
  let inflated = 0;
  for (const file of files) {
    const bytes = new Uint8Array(await fs.readFile(file));
    for (const e of plans.get(file) ?? partsTheReaderReads(bytes, inspectXlsx(bytes).entries)) {
      inflated += inflateRawSync(bytes.subarray(dataStart(bytes, e), dataStart(bytes, e) + e.compressedSize)).length;
    }
  }
  return { ms: ms(start), pupils: inflated };
}

/** The old reader on the bomb: exceljs (JSZip) inflates the whole part before anything stops it. */
async function bombOld(_dir: string, files: string[]): Promise<Measured> {
  const bytes = new Uint8Array(await fs.readFile(files[0] ?? ''));
  const start = process.hrtime.bigint();
  let refused = 0;
  await readWithExceljs(bytes).catch(() => void refused++);
  return { ms: ms(start), pupils: refused };
}

async function child(which: PathName, dir: string, listFile: string): Promise<void> {
  const files = (await fs.readFile(listFile, 'utf8')).split('\n').filter((f) => f !== '');
  const startRss = process.memoryUsage().rss;
  let peakHeap = 0;
  const sampler = setInterval(() => void (peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed)), 20);
  const cpu = process.cpuUsage();
  const body = await { new: consolidateNew, old: consolidateOld, floor: consolidateFloor, 'bomb-old': bombOld }[which](dir, files);
  const cpuSpent = cpuMs(cpu);
  const peak = peakRss();
  clearInterval(sampler);
  (globalThis as { gc?: () => void }).gc?.();
  const result: PathResult = { ...body, cpuMs: cpuSpent, peakRss: peak, startRss, retainedHeap: process.memoryUsage().heapUsed, peakHeap };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

async function inChild(which: PathName, dir: string, files: string[], env: NodeJS.ProcessEnv = {}): Promise<PathResult> {
  const listFile = path.join(dir, `files-${which}-${files.length}.txt`);
  await fs.writeFile(listFile, files.join('\n'));
  const { stdout } = await run(process.execPath, ['--expose-gc', '--import', 'tsx', __filename, 'child', which, dir, listFile], { cwd: REPO, maxBuffer: 1 << 20, env: { ...process.env, ...env } });
  return JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as PathResult;
}

function printPaths(label: string, results: Partial<Record<PathName, PathResult>>): void {
  console.log(label);
  const line = (name: string, r: PathResult | undefined): void => {
    if (r) console.log(`  ${name.padEnd(44)} ${seconds(r.ms).padStart(8)} (CPU ${seconds(r.cpuMs)})   peak RSS ${mib(r.peakRss).padStart(8)} (${mib(r.peakRss - r.startRss)} above its start); heap: peak ${mib(r.peakHeap)}, held at the end ${mib(r.retainedHeap)}`);
  };
  line(`new: goodstart consolidate (${results.new?.readers ?? 0} reader thread${results.new?.readers === 1 ? '' : 's'})`, results.new);
  line('old: exceljs workbook model, all in memory', results.old);
  line('floor: zlib over the parts the reader reads', results.floor);
  const { new: n, old: o, floor: f } = results;
  if (n && f) console.log(`  ratio new÷floor: ${ratio(n.ms, f.ms)} (target: within 10×: ${n.ms <= 10 * f.ms ? 'met' : 'not met'})`);
  if (n && o) console.log(`  ratio old÷new: ${ratio(o.ms, n.ms)} (target: at least 10×: ${o.ms >= 10 * n.ms ? 'met' : 'not met'}); peak memory old÷new ${ratio(o.peakRss, n.peakRss)}`);
}

// ---------------------------------------------------------------------------------------------

/** The XML the reader parses in a part: up to the end of sheetData, where it stops. */
function parsedXml(bytes: Uint8Array, e: ZipEntry): string {
  const text = inflateRawSync(bytes.subarray(dataStart(bytes, e), dataStart(bytes, e) + e.compressedSize)).toString('utf8');
  const end = text.indexOf('</sheetData>');
  return end < 0 ? text : text.slice(0, end + '</sheetData>'.length);
}

/**
 * The new path's parts one by one, in this process, on the same files, in CPU time (robust to
 * neighbours on the shared cores, which wall time is not): reading (and the XML parser alone over
 * the same text, the least a reader on its tokenizer must spend), validating, and writing the workbook
 * from pupils in memory. Then, for each target the whole path misses, the part that costs most.
 */
async function breakdown(files: string[], city: ReturnType<typeof syntheticCity>, whole: PathResult, floor: PathResult, old: PathResult | undefined): Promise<void> {
  const directory = new SchoolDirectory(city.schools);
  const books = files.map((f) => new Uint8Array(readFileSync(f)));
  const xml = books.flatMap((b) => partsTheReaderReads(b, inspectXlsx(b).entries).map((e) => parsedXml(b, e)));
  // The reader's tokenizer with nothing listening: what any reader on it must spend.
  const nothing = (): void => undefined;
  const silent = { onattribdata: nothing, onattribentity: nothing, onattribend: nothing, onattribname: nothing, oncdata: nothing, onclosetag: nothing, oncomment: nothing, ondeclaration: nothing, onend: nothing, onopentagend: nothing, onopentagname: nothing, onprocessinginstruction: nothing, onselfclosingtag: nothing, ontext: nothing, ontextentity: nothing };
  const parse = await bestCpuOf(3, () => {
    for (const text of xml) {
      const tokenizer = new Tokenizer({ xmlMode: true, decodeEntities: true }, silent);
      tokenizer.write(text);
      tokenizer.end();
    }
    return xml.reduce((n, t) => n + t.length, 0);
  });
  const read = await bestCpuOf(3, () => books.map((b) => readTransitionWorkbookSync(b, NODE_READER)));
  const validate = await bestCpuOf(3, () => read.result.map((ret, i) => ({ kind: 'read' as const, file: path.basename(files[i] ?? ''), ret, ...validateReturn(ret, { directory }) })));
  const fold = new ConsolidationFold({ directory });
  const pupils: ConsolidatedPupil[] = validate.result.flatMap((o) => fold.add(o, YEAR));
  const done = fold.finish(YEAR);
  const out = path.join(os.tmpdir(), `goodstart-bench-write-${process.pid}.xlsx`);
  const write = await bestCpuOf(3, () => writeConsolidatedWorkbookFile(out, { year: YEAR, generatedAt: new Date().toISOString(), pupils, tracker: done.tracker, tables: done.tables }));
  await fs.rm(out, { force: true });
  const rest = whole.cpuMs - read.cpuMs - validate.cpuMs - write.cpuMs;
  const line = (name: string, cpu: number, note = ''): void => console.log(`    ${name.padEnd(9)} CPU ${seconds(cpu).padStart(8)}  ${ratio(cpu, floor.cpuMs).padStart(6)} the floor's CPU${note}`);
  console.log(`  the new path's parts, one by one in this process on the same files (least CPU of 3; the floor took CPU ${seconds(floor.cpuMs)}):`);
  line('read', read.cpuMs, `   (of which the XML tokenizer alone over the same ${(parse.result / 1024 / 1024).toFixed(0)} MB of XML: CPU ${seconds(parse.cpuMs)}, ${ratio(parse.cpuMs, floor.cpuMs)})`);
  line('validate', validate.cpuMs);
  line('write', write.cpuMs, `   (zlib's deflate on its own threads included; wall ${seconds(write.ms)})`);
  line('the rest', rest, '   (the whole path\'s CPU less its parts: start, file reads, the fold, the first pass\'s JIT warm-up, GC)');
  const parts = [['read', read.cpuMs], ['validate', validate.cpuMs], ['write', write.cpuMs]] as const;
  const [worst, worstMs] = [...parts].sort((a, b) => b[1] - a[1])[0] ?? ['read', NaN];
  const bottleneck = `the bottleneck is ${worst}, CPU ${seconds(worstMs)} on its own (${ratio(worstMs, floor.cpuMs)} the floor's CPU)${worst === 'read' ? `, of which the XML parser alone is ${seconds(parse.cpuMs)}` : ''}`;
  if (whole.ms > 10 * floor.ms) console.log(`  not within 10× the floor (needs ${seconds(10 * floor.ms)} or less): ${bottleneck}`);
  if (old && old.ms < 10 * whole.ms) console.log(`  not 10× faster than the old path (needs ${seconds(old.ms / 10)} or less): ${bottleneck}`);
  if (worst === 'write') console.log('  writing is now the bottleneck');
}

/**
 * The new path the other way too (reader threads if it read in the main thread, none if it used
 * them), as the choice follows the machine's load: both figures, their ratio, and each beside the old path.
 */
async function readersBothWays(dir: string, files: string[], results: Partial<Record<PathName, PathResult>>): Promise<void> {
  const { new: chosen, old } = results;
  if (!chosen) return;
  // The other way: none, or as many as the CLI takes on an idle machine.
  const other = chosen.readers ? 0 : readerCount(files.length, {}, os.availableParallelism());
  const flipped = await inChild('new', dir, files, { GOODSTART_READERS: String(other) });
  const [none, threads] = other === 0 ? [flipped, chosen] : [chosen, flipped];
  const oldRatio = (r: PathResult): string => (old ? `, old÷new ${ratio(old.ms, r.ms)}` : '');
  console.log(`  new path, no reader threads: ${seconds(none.ms)} (CPU ${seconds(none.cpuMs)}, peak RSS ${mib(none.peakRss)}${oldRatio(none)}); ${threads.readers} reader thread${threads.readers === 1 ? '' : 's'}: ${seconds(threads.ms)} (CPU ${seconds(threads.cpuMs)}, peak RSS ${mib(threads.peakRss)}${oldRatio(threads)}); threads÷none ${ratio(threads.ms, none.ms)} (load average ${os.loadavg()[0]?.toFixed(2)})`);
}

async function writeCity(dir: string, schools: number): Promise<{ files: string[]; bytes: number; city: ReturnType<typeof syntheticCity> }> {
  const city = syntheticCity({ seed: 2, primaries: schools, secondaries: Math.max(4, Math.round(schools / 5)), pupilsPerPrimary: [20, 60], year: YEAR });
  await fs.writeFile(path.join(dir, 'schools.json'), JSON.stringify(city.schools));
  let bytes = 0;
  const files: string[] = [];
  for (const { school, ret } of city.returns) {
    const data = await writeTransitionWorkbook({ year: YEAR, sheets: ret.sheets });
    const file = path.join(dir, `${school.laestab}.xlsx`);
    await fs.writeFile(file, data);
    bytes += data.length;
    files.push(file);
  }
  return { files, bytes, city };
}

async function consolidation(schools: number, scale: number): Promise<void> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'goodstart-bench-'));
  try {
    let start = process.hrtime.bigint();
    const { files, bytes, city } = await writeCity(dir, schools);
    console.log(`\ntemplate: wrote ${files.length} filled workbooks (${mib(bytes)}) in ${seconds(ms(start))}`);

    // Each path at its best of ROUNDS runs, taken in turn so a slow spell of the machine falls on all three alike.
    const results: Partial<Record<PathName, PathResult>> = {};
    const times: Record<string, number[]> = {};
    for (let round = 0; round < ROUNDS; round++) {
      for (const which of ['floor', 'new', 'old'] as const) {
        const r = await inChild(which, dir, files);
        (times[which] ??= []).push(r.ms);
        const best = results[which];
        if (!best || r.ms < best.ms) results[which] = r;
      }
    }
    const every = ['new', 'old', 'floor'].map((w) => `${w} ${(times[w] ?? []).map((t) => (t / 1000).toFixed(2)).join(', ')} s`).join('; ');
    printPaths(`consolidate ${files.length} workbooks (${results.new?.pupils.toLocaleString()} pupils), each path in its own process, at its best of ${ROUNDS} run${ROUNDS === 1 ? '' : 's'} taken in turn (every run: ${every}); the new path with the reader threads it chose from the cores it found idle as it started:`, results);
    await readersBothWays(dir, files, results);

    if (results.new && results.floor) await breakdown(files, city, results.new, results.floor, results.old);

    if (scale > 1) {
      // The 450 returns, then each again as other schools' returns (its own school code and UPNs:
      // a copy of one school's return would be left out as a duplicate), with a directory listing them.
      const scaleDir = path.join(dir, 'scale');
      await fs.mkdir(scaleDir);
      const many: string[] = [...files];
      const schoolsAtScale = [...city.schools];
      // Each return's UPNs as one JSON text, parsed anew as the set takes them: the set then holds strings of its own, as it does in the CLI.
      const upnsOf = (ret: TransitionReturn): string => JSON.stringify(ret.sheets.flatMap((sh) => sh.rows.map((r) => String(r.values.upn))));
      const upnsAtScale: Array<{ school: string; upns: string }> = city.returns.map(({ school, ret }) => ({ school: school.laestab, upns: upnsOf(ret) }));
      start = process.hrtime.bigint();
      for (let k = 1; k < scale; k++) {
        for (const [i, file] of files.entries()) {
          const { school, ret } = city.returns[i] as (typeof city.returns)[number];
          const n = (k - 1) * files.length + i;
          const copy = path.join(scaleDir, `x${k}-${path.basename(file)}`);
          const bytes = asOtherSchool(new Uint8Array(await fs.readFile(file)), ret, school.laestab, n);
          await fs.writeFile(copy, bytes);
          many.push(copy);
          schoolsAtScale.push(otherSchool(n, school));
          upnsAtScale.push({ school: otherSchoolCode(n), upns: upnsOf(readTransitionWorkbookSync(bytes)) });
        }
      }
      await fs.writeFile(path.join(scaleDir, 'schools.json'), JSON.stringify(schoolsAtScale));
      console.log(`\ntemplate: made ${many.length - files.length} more returns as other schools' (their codes and UPNs rewritten) in ${seconds(ms(start))}`);
      const big: Partial<Record<PathName, PathResult>> = { new: await inChild('new', scaleDir, many, { GOODSTART_READERS: String(results.new?.readers ?? 0) }) };
      if (process.env.BENCH_OLD_AT_SCALE === '1') big.old = await inChild('old', scaleDir, many);
      printPaths(`consolidate ${many.length} workbooks (${big.new?.pupils.toLocaleString()} pupils: the ${files.length} and ${scale - 1} copies of each as other schools'), for peak memory:`, big);
      if (results.new && big.new) {
        console.log(`  new path peak RSS at ${many.length} ÷ at ${files.length}: ${ratio(big.new.peakRss, results.new.peakRss)} (${mib(big.new.peakRss)} ÷ ${mib(results.new.peakRss)}; flat is 1.0×); peak heap ${ratio(big.new.peakHeap, results.new.peakHeap)}, heap held at the end ${mib(big.new.retainedHeap)} ÷ ${mib(results.new.retainedHeap)}`);
      }
      upnSetCost(upnsAtScale, big.new);
    }
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

/**
 * What counting each pupil once costs in memory (shared/consolidation.ts PupilsOnce, over
 * shared/crossSchool.ts's UPN index): the heap it holds once every return's UPNs are in it,
 * after a full collection either side, beside the run's peak RSS.
 */
function upnSetCost(returns: ReadonlyArray<{ school: string; upns: string }>, run: PathResult | undefined): void {
  const gc = collector();
  gc();
  const before = process.memoryUsage().heapUsed;
  const once = new PupilsOnce();
  for (const [i, r] of returns.entries()) once.take(r.school, { file: `${i}.xlsx`, modified: null }, JSON.parse(r.upns) as string[]);
  gc();
  const held = process.memoryUsage().heapUsed - before;
  console.log(`  the UPN set (each pupil once, and the same UPN in two schools) at ${returns.length.toLocaleString()} schools: ${once.upns.toLocaleString()} UPNs in ${mib(held)}, ${(held / Math.max(1, once.upns)).toFixed(0)} bytes a UPN` +
    `${run ? ` (${((100 * held) / run.peakRss).toFixed(0)}% of the run's peak RSS, ${mib(run.peakRss)})` : ''}`);
}

/** A full garbage collection, in a process started without --expose-gc. */
function collector(): () => void {
  v8.setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

/** Reading one 120-pupil workbook many times: p50 and p99 of the new reader (with each inflater), exceljs and the floor. */
async function oneWorkbook(): Promise<void> {
  const city = syntheticCity({ seed: 3, primaries: 1, secondaries: 4, pupilsPerPrimary: [120, 120], year: YEAR });
  const ret = city.returns[0]!.ret;
  const bytes = await writeTransitionWorkbook({ year: YEAR, sheets: ret.sheets });
  const parts = partsTheReaderReads(bytes, inspectXlsx(bytes).entries);
  const sample = async (n: number, f: () => unknown): Promise<number[]> => {
    for (let i = 0; i < Math.min(5, n); i++) await f();
    const times: number[] = [];
    for (let i = 0; i < n; i++) {
      const t = process.hrtime.bigint();
      await f();
      times.push(ms(t));
    }
    return times.sort((a, b) => a - b);
  };
  const floor = await sample(300, () => parts.reduce((n, e) => n + inflateRawSync(bytes.subarray(dataStart(bytes, e), dataStart(bytes, e) + e.compressedSize)).length, 0));
  const fresh = await sample(300, () => readTransitionWorkbook(bytes, NODE_READER));
  const browser = await sample(300, () => readTransitionWorkbook(bytes));
  const old = await sample(40, () => readWithExceljs(bytes));
  const rows = ret.sheets.reduce((n, s) => n + s.rows.length, 0);
  console.log(`\nread one workbook (${rows} pupils, ${(bytes.length / 1024).toFixed(0)} KiB):`);
  for (const [name, t] of [['new reader (zlib, latin1: the CLI)', fresh], ['new reader (fflate, TextDecoder: web)', browser], ['old exceljs reader', old], ['floor: zlib over the same parts', floor]] as const) {
    console.log(`  ${name.padEnd(36)} p50 ${percentile(t, 50).toFixed(2).padStart(7)} ms   p99 ${percentile(t, 99).toFixed(2).padStart(7)} ms   (${t.length} reads)`);
  }
  console.log(`  ratio p50: new/floor ${ratio(percentile(fresh, 50), percentile(floor, 50))}, old/new ${ratio(percentile(old, 50), percentile(fresh, 50))}`);
}

/** CLI start: wall time of whole processes, median of several, compiled beside the old tsx start and bare node. */
async function cliStart(): Promise<void> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'goodstart-bench-cli-'));
  try {
    execFileSync('npm', ['run', '--silent', 'build:cli'], { cwd: REPO, stdio: 'ignore' });
    const ret = syntheticCity({ seed: 4, primaries: 1, secondaries: 4, pupilsPerPrimary: [40, 40], year: YEAR }).returns[0]!.ret;
    const file = path.join(dir, 'one.xlsx');
    await fs.writeFile(file, await writeTransitionWorkbook({ year: YEAR, sheets: ret.sheets }));
    const bin = path.join(REPO, 'bin/goodstart.js');
    const viaTsx = (args: string[]): string[] => ['-e', `require('tsx/cjs'); require(${JSON.stringify(path.join(REPO, 'cli/main.ts'))}).main(${JSON.stringify(args)}).then((c) => { process.exitCode = c; })`];
    const median = (args: string[]): number => {
      const times: number[] = [];
      for (let i = 0; i < 7; i++) {
        const t = process.hrtime.bigint();
        try {
          execFileSync(process.execPath, args, { cwd: REPO, stdio: 'ignore' });
        } catch {
          // validate exits 1 for a return with issues; the time is what counts here
        }
        times.push(ms(t));
      }
      return times.sort((a, b) => a - b)[3] ?? NaN;
    };
    const bare = median(['-e', '0']);
    console.log(`\nCLI start (median of 7 processes; bare \`node -e 0\` takes ${bare.toFixed(0)} ms):`);
    for (const [name, args] of [['fn SEND.UPNLETTER 801200005001', ['fn', 'SEND.UPNLETTER', '801200005001']], ['validate one workbook', ['validate', file]]] as const) {
      const compiled = median([bin, ...args]);
      const old = median(viaTsx([...args]));
      console.log(`  ${name.padEnd(32)} compiled ${compiled.toFixed(0).padStart(5)} ms   old (tsx) ${old.toFixed(0).padStart(5)} ms   ratio old/compiled ${ratio(old, compiled)}   compiled/bare node ${ratio(compiled, bare)}`);
    }
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

/** The bomb: refused by the new reader eight times over, beside the old path and the CLI on the same file. */
async function zipBomb(): Promise<void> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'goodstart-bench-bomb-'));
  try {
    const bomb = understatedSheetBomb(630);
    const file = path.join(dir, 'bomb.xlsx');
    await fs.writeFile(file, bomb);
    const rssBefore = process.memoryUsage().rss;
    const peakBefore = peakRss();
    const times: number[] = [];
    let code = '';
    for (let i = 0; i < 8; i++) {
      const t = process.hrtime.bigint();
      code = await readTransitionWorkbook(bomb).then(() => 'accepted', (e: { code?: string }) => e.code ?? 'error');
      times.push(ms(t));
    }
    times.sort((a, b) => a - b);
    const grew = Math.max(0, peakRss() - Math.max(peakBefore, rssBefore));
    console.log(`\nzip bomb: ${(bomb.length / 1024).toFixed(0)} KiB declaring a 100 KiB sheet that inflates to 630 MiB:`);
    console.log(`  new reader, 8 times: ${code}, median ${times[4]?.toFixed(1)} ms, slowest ${times[7]?.toFixed(1)} ms; peak RSS grew ${mib(grew)}`);
    const old = await inChild('bomb-old', dir, [file]);
    console.log(`  old exceljs path, once (own process): ${seconds(old.ms)}, peak RSS ${mib(old.peakRss)} (${mib(old.peakRss - old.startRss)} above its start); ratio old/new ${ratio(old.ms, times[4] ?? NaN)}`);
    const t = process.hrtime.bigint();
    const cli = await run(process.execPath, [path.join(REPO, 'bin/goodstart.js'), 'validate', file]).then(() => 0, (e: { code?: number }) => e.code ?? -1);
    console.log(`  goodstart validate (compiled, whole process): exit ${cli} in ${ms(t).toFixed(0)} ms`);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

/**
 * Toolkit progress over a whole school's history (issue 27's size), beside `JSON.parse` of the
 * same rows as JSON text: what any reader of them must spend at least.
 */
function toolkitProgressRate(): void {
  const school = schoolHistory({ seed: 27 });
  const rows = school.history.length - 1;
  const text = JSON.stringify({ pupils: school.pupils, history: school.history });
  const today = '2026-08-31';
  JSON.parse(text);
  const parse = bestOf(PASSES, () => (JSON.parse(text) as { history: unknown[] }).history.length);
  const whole = bestOf(PASSES, () => {
    const { pupils } = validatePupils({ sheet: 'Pupils', values: school.pupils });
    const { rows: history } = validateHistory({ sheet: 'Toolkit history', values: school.history }, { pupils: new Set(pupils.map((p) => p.upn)), today });
    const progress = historyProgress(history);
    const groups = GROUP_COLUMNS.map((key) => groupCounts(progress, pupils, (p) => String(p[key] ?? '')));
    return { pupils: progress.size, groups: groups.reduce((n, g) => n + g.length, 0) };
  });
  const fn = bestOf(PASSES, () => toolkitGroupProgress(school.history, school.pupils, [['PP/FSM']]).length - 1);
  console.log(`\ntoolkit progress: ${school.upns.length} pupils, ${rows.toLocaleString()} history rows (${mib(text.length)} of JSON), best of ${PASSES}`);
  console.log(`  JSON.parse of the two tables: ${parse.ms.toFixed(0)} ms`);
  console.log(`  both tables checked, every pupil's progress and the whole-school counts by ${GROUP_COLUMNS.length} groupings: ${whole.ms.toFixed(0)} ms (${whole.result.pupils} pupils, ${whole.result.groups} groups); ratio ${ratio(whole.ms, parse.ms)} JSON.parse`);
  console.log(`  TOOLKIT.GROUPPROGRESS(history, pupils, "PP/FSM"): ${fn.ms.toFixed(0)} ms (${fn.result} groups); ratio ${ratio(fn.ms, parse.ms)} JSON.parse`);
}

async function main(): Promise<void> {
  const parts = new Set((process.env.BENCH_PARTS ?? 'validation,consolidate,read,start,bomb,progress').split(',').map((p) => p.trim()));
  if (parts.has('validation')) await validationRate(Number(process.env.BENCH_ROWS ?? 15000));
  const schools = Number(process.env.BENCH_SCHOOLS ?? 450);
  if (schools > 0) {
    if (parts.has('consolidate')) {
      execFileSync('npm', ['run', '--silent', 'build:cli'], { cwd: REPO, stdio: 'ignore' });
      await consolidation(schools, Number(process.env.BENCH_SCALE ?? 10));
    }
    if (parts.has('read')) await oneWorkbook();
  }
  if (parts.has('start')) await cliStart();
  if (parts.has('bomb')) await zipBomb();
  if (parts.has('progress')) toolkitProgressRate();
  console.log(`\n${os.cpus().length} cores (${os.availableParallelism()} available to Node), Node ${process.version}; load average ${os.loadavg().map((l) => l.toFixed(2)).join(', ')}`);
}

const [mode, which, dir, list] = process.argv.slice(2);
(mode === 'child' ? child(which as PathName, dir ?? '', list ?? '') : main()).catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
