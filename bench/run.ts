/**
 * Domain benchmarks (`npm run bench`): figures only, no assertions.
 *
 *   1. validation of a synthetic city cohort of about 15,000 rows, beside JSON.parse of the same
 *      returns (the yardstick), with the ratio;
 *   2. writing, reading and consolidating 450 generated school workbooks, with peak memory.
 *
 * Options: BENCH_SCHOOLS (default 450; 0 skips the workbook run), BENCH_ROWS (default 15000),
 * BENCH_PASSES (default 5).
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { syntheticCity } from '../samples/synthetic';
import { validateReturn } from '../shared/transition/validate';
import { writeTransitionWorkbook } from '../xlsx/template';
import { readTransitionWorkbook } from '../shared/workbook/reader';
import { consolidate, type ReturnOutcome } from '../shared/consolidation';
import { writeConsolidatedWorkbook } from '../xlsx/consolidated';
import { SchoolDirectory } from '../shared/schools';

const YEAR = 2027;
const PASSES = Number(process.env.BENCH_PASSES ?? 5);
const ms = (start: bigint): number => Number(process.hrtime.bigint() - start) / 1e6;
const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;

/** Peak resident memory so far (the OS's high-water mark, not a sample). */
const peakRss = (): number => process.resourceUsage().maxRSS * 1024;

/** The best of a few passes, so a neighbour's burst on the shared cores does not decide the figure. */
function bestOf<T>(passes: number, run: () => T): { ms: number; result: T } {
  let best = Infinity;
  let result: T | undefined;
  for (let i = 0; i < passes; i++) {
    const start = process.hrtime.bigint();
    result = run();
    best = Math.min(best, ms(start));
  }
  return { ms: best, result: result as T };
}

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

async function consolidation(schools: number): Promise<void> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'goodstart-bench-'));
  try {
    const city = syntheticCity({ seed: 2, primaries: schools, secondaries: Math.max(4, Math.round(schools / 5)), pupilsPerPrimary: [20, 60], year: YEAR });
    const directory = new SchoolDirectory(city.schools);
    let start = process.hrtime.bigint();
    let bytes = 0;
    const files: string[] = [];
    for (const { school, ret } of city.returns) {
      const data = await writeTransitionWorkbook({ year: YEAR, sheets: ret.sheets });
      const file = path.join(dir, `${school.laestab}.xlsx`);
      await fs.writeFile(file, data);
      bytes += data.length;
      files.push(file);
    }
    console.log(`template: wrote ${files.length} filled workbooks (${mib(bytes)}) in ${(ms(start) / 1000).toFixed(1)} s`);

    const before = peakRss();
    start = process.hrtime.bigint();
    const outcomes: ReturnOutcome[] = [];
    let readMs = 0;
    for (const file of files) {
      const t = process.hrtime.bigint();
      const ret = await readTransitionWorkbook(new Uint8Array(await fs.readFile(file)), { fileName: path.basename(file) });
      readMs += ms(t);
      outcomes.push({ kind: 'read', file: path.basename(file), ret, ...validateReturn(ret, { directory }) });
    }
    const result = consolidate(outcomes, { year: YEAR, directory });
    const out = await writeConsolidatedWorkbook({ year: YEAR, generatedAt: new Date().toISOString(), pupils: result.pupils, tracker: result.tracker, tables: result.tables });
    const total = ms(start);
    console.log(`consolidate: ${files.length} workbooks, ${result.pupils.length.toLocaleString()} pupils; read ${(readMs / files.length).toFixed(1)} ms/workbook; ` +
      `read+validate+consolidate+write ${(total / 1000).toFixed(1)} s; output ${mib(out.length)}`);
    console.log(`memory: peak RSS ${mib(peakRss())} (before consolidation ${mib(before)}); ${os.cpus().length} cores, Node ${process.version}`);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  await validationRate(Number(process.env.BENCH_ROWS ?? 15000));
  const schools = Number(process.env.BENCH_SCHOOLS ?? 450);
  if (schools > 0) await consolidation(schools);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
