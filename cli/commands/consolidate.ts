import * as os from 'node:os';
import * as path from 'node:path';
import { parse } from '../args';
import { CliError, expandInputs, refuseExisting } from '../io';
import type { Io } from '../main';
import type { ReadFile } from '../read';
import { OrderedPool, type WorkerModule } from '../pool';

export async function consolidateCommand(args: string[], io: Io): Promise<number> {
  // How busy the cores are while this command starts decides whether reader threads pay.
  const start = coreSample();
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
  const inputs = files.filter((f) => path.resolve(f) !== outPath);

  // The reader threads start now, before this thread loads what validates, counts and writes the
  // returns (about 120 ms, zod's schemas the most of it), so they are loaded when it is: started
  // after it, they were ready about 400 ms into a run of about 1.3 s; now about 170 ms. Whether they pay is known only
  // once this thread has loaded (a window long enough to measure the cores over): if no core is
  // idle, they are stopped before they are sent anything, and this thread reads every return.
  // As many as there would be were every core idle; fewer only once measured.
  const planned = readerCount(inputs.length, process.env, os.availableParallelism());
  let pool = new OrderedPool<string, ReadFile>(READER_MODULE, planned, (file) => file);
  try {
    const { consolidateReturns } = require('../consolidateReturns') as typeof import('../consolidateReturns');
    let chosen: number | undefined;
    const readers = async (): Promise<OrderedPool<string, ReadFile>> => {
      // A run that starts again (a later copy of a return already written) reads with as many threads, new ones.
      if (chosen !== undefined) {
        await pool.close();
        pool = new OrderedPool<string, ReadFile>(READER_MODULE, chosen, (file) => file);
        return pool;
      }
      chosen = readerCount(inputs.length, process.env, idleCores(start));
      if (chosen < planned) {
        await pool.close();
        pool = new OrderedPool<string, ReadFile>(READER_MODULE, chosen, (file) => file);
      }
      if (chosen > 0) io.err(`consolidate: ${chosen} reader thread${chosen === 1 ? '' : 's'} beside this one\n`);
      return pool;
    };
    return await consolidateReturns({ inputs, out: values.out, values, readers, io });
  } finally {
    await pool.close();
  }
}

/** (design) Below this many returns, reader threads cost about what they save (2 cores, load 1.5: 100 returns 0.9 s either way, 200 1.2 s against 1.3 s). */
const PARALLEL_MIN_FILES = 200;
/** (design) Idle cores below which reader threads cost more than they save. */
const MIN_IDLE_CORES = 0.5;
/** (design) More reader threads than this only contend for the writer's turn. */
const MAX_READERS = 3;
/** (design) CPU time (all cores, ms) a measuring window needs before its idle share is trusted; the kernel counts in 10 ms ticks. */
const MIN_WINDOW_MS = 40;

/** The cores' times and this process's CPU time at one moment: where a window idleCores() measures starts. */
export interface CoreSample {
  cpus: readonly os.CpuInfo[];
  usage: NodeJS.CpuUsage;
}

export const coreSample = (): CoreSample => ({ cpus: os.cpus(), usage: process.cpuUsage() });

/**
 * Idle cores beside this thread, measured over the time since `since` when that was long enough
 * to tell, else estimated from the last minute's load average (which lags, and counts what ran a
 * minute ago, a run just before this one, say; so a measured window is preferred).
 */
export function idleCores(since?: CoreSample): number {
  if (since) {
    const usage = process.cpuUsage(since.usage);
    const measured = idleBeside(since.cpus, os.cpus(), (usage.user + usage.system) / 1000);
    if (measured !== undefined) return measured;
  }
  return os.cpus().length - (os.loadavg()[0] ?? 0);
}

/**
 * Idle cores beside this thread between two samples of the cores' times, given the CPU time this
 * process used meanwhile (`ownMs`, every thread of it): the cores, less this thread's own, less
 * what other processes kept busy. This process's other threads (readers loading at once beside
 * this thread) are its own to use, so they count as idle. Undefined for a window too short to tell.
 */
export function idleBeside(before: readonly os.CpuInfo[], after: readonly os.CpuInfo[], ownMs: number): number | undefined {
  if (before.length !== after.length || after.length === 0) return undefined;
  let busy = 0;
  let total = 0;
  after.forEach((c, i) => {
    const b = (before[i] as os.CpuInfo).times;
    const t = c.times;
    const used = t.user + t.nice + t.sys + t.irq - (b.user + b.nice + b.sys + b.irq);
    busy += used;
    total += used + t.idle - b.idle;
  });
  if (total < MIN_WINDOW_MS) return undefined;
  const others = (Math.max(0, busy - ownMs) / total) * after.length;
  return Math.max(0, after.length - 1 - others);
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
