/**
 * Domain benchmarks (`npm run bench`): figures only, no assertions.
 *
 *   1. validation rate over a synthetic city cohort of about 15,000 rows;
 *   2. writing, reading and consolidating 450 generated school workbooks, with peak memory.
 *
 * Options: BENCH_SCHOOLS (default 450), BENCH_ROWS (default 15000).
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { syntheticCity } from '../samples/synthetic';
import { validateReturn } from '../shared/transition/validate';
import { writeTransitionWorkbook } from '../xlsx/template';
import { readTransitionWorkbook } from '../xlsx/reader';
import { consolidate, type ReturnOutcome } from '../shared/consolidation';
import { writeConsolidatedWorkbook } from '../xlsx/consolidated';
import { SchoolDirectory } from '../shared/schools';

const YEAR = 2027;
const ms = (start: bigint): number => Number(process.hrtime.bigint() - start) / 1e6;
const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;

/** Peak resident memory so far (the OS's high-water mark, not a sample). */
const peakRss = (): number => process.resourceUsage().maxRSS * 1024;

async function validationRate(targetRows: number): Promise<void> {
  const primaries = Math.ceil(targetRows / 40);
  const city = syntheticCity({ seed: 1, primaries, secondaries: Math.max(4, Math.round(primaries / 5)), pupilsPerPrimary: [30, 50], year: YEAR });
  const directory = new SchoolDirectory(city.schools);
  const rows = city.returns.reduce((n, r) => n + r.ret.sheets.reduce((m, s) => m + s.rows.length, 0), 0);
  // One warm-up pass so the figure is steady-state, then the measured pass.
  for (const { ret } of city.returns.slice(0, 20)) validateReturn(ret, { directory });
  const start = process.hrtime.bigint();
  let issues = 0;
  for (const { ret } of city.returns) {
    const { report } = validateReturn(ret, { directory });
    issues += report.summary.errors + report.summary.queries;
  }
  const took = ms(start);
  console.log(`validation: ${rows.toLocaleString()} rows in ${city.returns.length} returns, ${took.toFixed(0)} ms → ${Math.round(rows / (took / 1000)).toLocaleString()} rows/s (${issues} issues)`);
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
  await consolidation(Number(process.env.BENCH_SCHOOLS ?? 450));
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
