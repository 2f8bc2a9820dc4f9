import * as os from 'node:os';
import * as path from 'node:path';
import { parse, parseYear } from '../args';
import { CliError, expandInputs, progressReporter, refuseExisting, writeAtomically } from '../io';
import type { Io } from '../main';
import { directoryFor } from '../returns';
import { type ReadShare, shareOf } from '../outcomes';
import { type ReadFile, readFile } from '../read';
import { OrderedPool, type WorkerModule } from '../pool';
import { ConsolidationFold, type ConsolidationTotals, type ReceivedCounts } from '../../shared/consolidation';
import { ConsolidatedWorkbookWriter } from '../../xlsx/consolidated';
import { currentTransferYear } from '../../shared/year';

export async function consolidateCommand(args: string[], io: Io): Promise<number> {
  // How busy the cores are while this command starts decides whether reader threads pay.
  const cpusAtStart = os.cpus();
  const { values, positionals } = parse(args, {
    out: { type: 'string' },
    json: { type: 'boolean', default: false },
    schools: { type: 'string' },
    year: { type: 'string' },
    publish: { type: 'boolean', default: false },
    force: { type: 'boolean', default: false },
  });
  if (!values.out) throw new CliError('--out <city.xlsx> is required');
  if (!/\.xlsx$/i.test(values.out)) throw new CliError('--out must name an .xlsx file');
  if (positionals.length === 0) throw new CliError('give the returns to consolidate: files or folders of .xlsx workbooks');
  const files = await expandInputs(positionals);
  if (files.length === 0) throw new CliError('no .xlsx workbooks found in the folders given');
  const outPath = path.resolve(values.out);
  await refuseExisting(values.out, { force: values.force });
  const givenYear = values.year === undefined ? undefined : parseYear(values.year, currentTransferYear());
  const { directory, source } = await directoryFor(values.schools);
  io.err(`consolidate: school directory: ${source}${values.schools ? '' : '; pass --schools <file> to use the LA\'s own'}\n`);

  // Streaming: each return is read, validated, its valid pupils written to the workbook's
  // Pupils sheet, and dropped; what stays in memory is one tracker line per school and one
  // running city total. The sheets that count the pupils (About, Tracker, tables) come after.
  const fold = new ConsolidationFold({ directory, publish: values.publish });
  const years = new Map<number, number>();
  let year = 0;
  let totals: ConsolidationTotals | undefined;
  let counts: ReceivedCounts | undefined;
  await writeAtomically(values.out, async (tmp) => {
    const writer = await ConsolidatedWorkbookWriter.toFile(tmp);
    try {
      const inputs = files.filter((f) => path.resolve(f) !== outPath);
      const progress = progressReporter(inputs.length, 'consolidate: reading');
      // One return at a time, each dropped before the next is taken: nothing of it outlives its
      // turn, so it dies young instead of piling up for the old-generation collector.
      const take = async (share: ReadShare): Promise<void> => {
        if (share.year !== null) years.set(share.year, (years.get(share.year) ?? 0) + 1);
        fold.take(share.tracker, share.summary, share.pupils.length);
        await writer.addReturnPupils(share.pupils, share.source);
      };
      const readers = readerCount(inputs.length, process.env, idleCores(cpusAtStart));
      if (readers > 0) io.err(`consolidate: ${readers} reader thread${readers === 1 ? '' : 's'} beside this one\n`);
      // Reader threads (none for a few returns) unzip and parse returns, in input order; this
      // thread validates each, lays its pupils out and appends them. Validating and laying out run
      // here alone, so only this thread's JIT compiles them and the threads load the reader alone.
      // While the next return is still with a thread, this one reads a few itself (as the thread
      // starts, say), so neither core waits.
      const pool = new OrderedPool<string, ReadFile>(READER_MODULE, readers, (file) => file);
      let taken = 0;
      for await (const read of pool.map(inputs, readFile)) {
        progress.tick(taken, path.basename(inputs[taken] ?? ''));
        taken++;
        await take(shareOf(read, directory, givenYear ?? 0));
      }
      progress.tick(inputs.length, 'done');
      progress.end();
      year = givenYear ?? mostCommon(years) ?? currentTransferYear();
      const done = fold.finish(year);
      const unreadableFiles = done.tracker.filter((t) => t.status === 'Unreadable').length;
      const received = new Set(done.tracker.map((t) => t.school));
      counts = { returns: done.tracker.length - unreadableFiles, outstanding: directory.primaries().filter((s) => !received.has(s.laestab)).length, unreadable: unreadableFiles };
      await writer.finish({ year, generatedAt: new Date().toISOString(), tracker: done.tracker, received: counts, tables: done.tables });
      totals = done;
    } catch (e) {
      writer.abort();
      throw e;
    }
  }, { force: values.force });
  if (!totals || !counts) throw new Error('consolidate finished without totals');
  const result = totals;

  const { unreadable, outstanding } = counts;
  const withErrors = result.tracker.filter((t) => t.errors > 0).length;
  if (values.json) {
    io.out(`${JSON.stringify({ out: values.out, year, directory: source, files: result.tracker.length, pupils: result.pupilCount, unreadable, outstanding, withErrors, tracker: result.tracker }, null, 2)}\n`);
  } else {
    for (const t of result.tracker) {
      if (t.status === 'Unreadable') io.err(`skipped ${t.file}: ${t.reason}\n`);
    }
    io.out(`Wrote ${values.out}: ${result.pupilCount} pupils from ${result.tracker.length - unreadable} of ${result.tracker.length} files` +
      `${withErrors ? `; ${withErrors} with errors (their rows with errors are left out)` : ''}` +
      `${unreadable ? `; ${unreadable} unreadable, listed on the Tracker sheet` : ''}.\n`);
  }
  return unreadable > 0 || withErrors > 0 ? 1 : 0;
}

/** (design) Below this many returns, reader threads cost about what they save (2 cores, load 1.5: 100 returns 0.9 s either way, 200 1.2 s against 1.3 s). */
const PARALLEL_MIN_FILES = 200;
/** (design) Idle cores below which reader threads cost more than they save. */
const MIN_IDLE_CORES = 0.5;
/** (design) More reader threads than this only contend for the writer's turn. */
const MAX_READERS = 3;
/** (design) CPU time (all cores, ms) a measuring window needs before its idle share is trusted; the kernel counts in 10 ms ticks. */
const MIN_WINDOW_MS = 40;

/**
 * Idle cores, measured over the time since `since` (os.cpus() then) when that was long enough
 * to tell, else estimated from the last minute's load average. The load average lags and counts
 * what ran a minute ago (a run just before this one, say), so a measured window is preferred.
 */
export function idleCores(since?: readonly os.CpuInfo[]): number {
  const now = os.cpus();
  if (since && since.length === now.length) {
    let idle = 0;
    let total = 0;
    now.forEach((c, i) => {
      const b = (since[i] as os.CpuInfo).times;
      const t = c.times;
      idle += t.idle - b.idle;
      total += t.user + t.nice + t.sys + t.idle + t.irq - (b.user + b.nice + b.sys + b.idle + b.irq);
    });
    if (total >= MIN_WINDOW_MS) return (idle / total) * now.length;
  }
  return now.length - (os.loadavg()[0] ?? 0);
}

/**
 * Reader threads for `files` returns: none (read here) for a few, or when fewer than
 * MIN_IDLE_CORES cores are idle (`idle`; threads then only add their start-up, warm-up and
 * hand-over to the same CPU); else one per core beside this thread's (which validates and writes
 * every return, and reads whatever is not back from them in time), at most MAX_READERS and never
 * more than the files. GOODSTART_READERS sets the number (0: read here).
 * Measured on 2 cores (shared, and noisy: best of 8 runs in turn): 450 returns, one thread
 * beside this one 1.41 s against 1.71 s read here alone.
 */
export function readerCount(files: number, env: NodeJS.ProcessEnv = process.env, idle: number = idleCores()): number {
  const given = env.GOODSTART_READERS;
  if (given !== undefined && /^\d+$/.test(given)) return Math.min(Number(given), files);
  const cores = os.availableParallelism();
  if (files < PARALLEL_MIN_FILES || cores < 2 || idle < MIN_IDLE_CORES) return 0;
  return Math.min(cores - 1, MAX_READERS, files);
}

/** The reader thread's module beside this one: compiled JavaScript from dist/cli, or the TypeScript source under tsx or jest. */
const READER_MODULE: WorkerModule = { file: path.join(__dirname, '..', `readWorker${path.extname(__filename)}`) };

function mostCommon(counts: ReadonlyMap<number, number>): number | undefined {
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
}
