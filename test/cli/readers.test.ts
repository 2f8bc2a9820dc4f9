/**
 * `goodstart consolidate` on reader threads: the same workbook, tracker and summary as reading
 * in the main thread, in input order; and a reader that fails or dies ends the run with an error
 * naming the file, never a hang.
 */
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { promisify } from 'node:util';
import * as os from 'node:os';
import * as path from 'node:path';
import ExcelJS from 'exceljs';
import { main } from '../../cli/main';
import { capture } from '../factories/cliIo';
import { coreSample, idleBeside, idleCores, readerCount } from '../../cli/commands/consolidate';
import { OrderedPool, WORKER_YOUNG_GENERATION_MB } from '../../cli/pool';
import { generateSamples, type GeneratedSamples } from '../../samples/generate';
import { asOtherSchool } from '../../samples/otherSchools';
import { readTransitionWorkbookSync } from '../../shared/workbook/reader';


let dir: string;
let samples: GeneratedSamples;

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'goodstart-readers-'));
  samples = await generateSamples(path.join(dir, 'samples'), { seed: 11, primaries: 7, secondaries: 3, year: 2027 });
});

afterAll(async () => {
  delete process.env.GOODSTART_READERS;
  await fs.rm(dir, { recursive: true, force: true });
});

/**
 * A worker module for the pool: `onTask` is the body of its message handler ({ id, task } in
 * scope, parentPort to reply on); `ready` is how it announces itself (the pool's READY).
 */
async function workerFile(name: string, onTask: string, ready = 'parentPort.postMessage({ ready: true });'): Promise<string> {
  const file = path.join(dir, name);
  await fs.writeFile(file, `const { parentPort } = require('node:worker_threads');\nparentPort.on('message', ({ id, task }) => {\n${onTask}\n});\n${ready}\n`);
  return file;
}

async function sheetValues(file: string): Promise<Record<string, unknown[][]>> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load((await fs.readFile(file)) as unknown as ArrayBuffer);
  const out: Record<string, unknown[][]> = {};
  for (const ws of wb.worksheets) {
    const rows: unknown[][] = [];
    ws.eachRow({ includeEmpty: true }, (r) => rows.push((r.values as unknown[]).slice(1)));
    out[ws.name] = rows;
  }
  return out;
}

describe('reader threads for goodstart consolidate', () => {
  it('reads in this thread for a few returns or when no core is idle, and with one thread per other core (at most 3, never more than the files) for many', () => {
    const cores = os.availableParallelism();
    const threads = cores < 2 ? 0 : Math.min(cores - 1, 3);
    // The third argument: idle cores.
    expect(readerCount(1, {}, cores)).toBe(0);
    expect(readerCount(199, {}, cores)).toBe(0);
    expect(readerCount(200, {}, cores)).toBe(threads);
    expect(readerCount(450, {}, cores)).toBe(threads);
    expect(readerCount(450, {}, 0.5)).toBe(threads);
    expect(readerCount(450, {}, 0.4)).toBe(0);
    expect(readerCount(450, {}, -2)).toBe(0);
    expect(readerCount(450, { GOODSTART_READERS: '0' }, cores)).toBe(0);
    expect(readerCount(450, { GOODSTART_READERS: '3' }, 0)).toBe(3);
    expect(readerCount(2, { GOODSTART_READERS: '3' }, cores)).toBe(2);
  });

  it('measures idle cores over a window long enough to tell, else estimates them from the load average', () => {
    const cores = os.cpus().length;
    const since = coreSample();
    // This thread busy for 100 ms: at most the other cores were idle meanwhile.
    const until = Date.now() + 100;
    while (Date.now() < until);
    const measured = idleCores(since);
    expect(measured).toBeGreaterThanOrEqual(0);
    expect(measured).toBeLessThanOrEqual(cores - 1);
    // No window (or none long enough): the load average's estimate.
    const load = os.loadavg()[0] ?? 0;
    expect(Math.abs(idleCores() - (cores - load))).toBeLessThan(0.5);
    expect(Math.abs(idleCores(coreSample()) - (cores - (os.loadavg()[0] ?? 0)))).toBeLessThan(0.5);
  });

  it('counts as idle what this process\'s own threads used (readers started early), and as busy only what other processes used', () => {
    const at = (...busyIdle: Array<[number, number]>): os.CpuInfo[] =>
      busyIdle.map(([user, idle]) => ({ model: 'test', speed: 0, times: { user, nice: 0, sys: 0, idle, irq: 0 } }));
    const before = at([1000, 5000], [2000, 4000]);
    // 200 ms on 2 cores: this thread busy on one; a reader of ours busy 150 ms on the other.
    expect(idleBeside(before, at([1200, 5000], [2150, 4050]), 350)).toBeCloseTo(1);
    // The same, but the other core busy with another process: no core is idle beside this thread.
    expect(idleBeside(before, at([1200, 5000], [2200, 4000]), 200)).toBeCloseTo(0);
    // Half of it busy with another process.
    expect(idleBeside(before, at([1200, 5000], [2100, 4100]), 200)).toBeCloseTo(0.5);
    // Four cores, this thread on one, others on one: two idle.
    const four = at([0, 0], [0, 0], [0, 0], [0, 0]);
    expect(idleBeside(four, at([100, 0], [100, 0], [0, 100], [0, 100]), 100)).toBeCloseTo(2);
    // Too short a window to tell (the kernel counts in 10 ms ticks), or cores that changed.
    expect(idleBeside(before, at([1010, 5000], [2000, 4010]), 10)).toBeUndefined();
    expect(idleBeside(before, at([1200, 5000]), 200)).toBeUndefined();
  });

  it('starts its reader threads before it loads validation and the writer, and sends them the returns once it has', async () => {
    const folder = path.join(dir, 'early');
    await fs.mkdir(folder, { recursive: true });
    for (const f of samples.workbooks) await fs.copyFile(f, path.join(folder, path.basename(f)));
    // Under the compiled CLI, each thread as it is made says whether zod (which the schemas,
    // and so validation, the directory and the year rule, load) is loaded yet in this thread.
    const probe = path.join(dir, 'probe.js');
    await fs.writeFile(probe, `const wt = require('node:worker_threads');
const Worker = wt.Worker;
wt.Worker = class extends Worker { constructor(...a) { process.stderr.write('thread made; zod loaded: ' + Object.keys(require.cache).some((k) => k.includes('/zod/')) + '\\n'); super(...a); } };`);
    const bin = path.resolve(__dirname, '../../bin/goodstart.js');
    const out = path.join(dir, 'city-early.xlsx');
    const run = await promisify(execFile)(process.execPath, ['-r', probe, bin, 'consolidate', folder, '--out', out, '--json', '--year', '2027'], { env: { ...process.env, GOODSTART_READERS: '1' } });
    expect(run.stderr).toContain('consolidate: 1 reader thread beside this one');
    expect(run.stderr.match(/thread made; zod loaded: \w+/g)).toEqual(['thread made; zod loaded: false']);
    expect((JSON.parse(run.stdout) as { files: number }).files).toBe(samples.workbooks.length);
  });

  it('stops the threads it started at once, unsent, when no core turns out to be idle, and reads every return here', async () => {
    const folder = path.join(dir, 'busy');
    await fs.mkdir(folder, { recursive: true });
    // 200 returns, the fewest that start threads: one sample workbook as 200 schools' returns (copies of one school's would be left out as duplicates).
    const one = new Uint8Array(await fs.readFile(samples.workbooks[0] as string));
    const ret = readTransitionWorkbookSync(one);
    const school = String(ret.sheets[0]?.rows[0]?.values.feederPrimary);
    for (let i = 0; i < 200; i++) await fs.writeFile(path.join(folder, `r${String(i).padStart(3, '0')}.xlsx`), asOtherSchool(one, ret, school, i));
    // The modules themselves (not this file's namespace copies), as the command reads them.
    const realOs = require('node:os') as typeof os;
    const threads = require('node:worker_threads') as typeof import('node:worker_threads');
    // Four cores, every one kept busy by other processes while the command loads.
    let tick = 0;
    const busy = jest.spyOn(realOs, 'cpus').mockImplementation(() => {
      tick += 10_000;
      return Array.from({ length: 4 }, () => ({ model: 'test', speed: 0, times: { user: tick, nice: 0, sys: 0, idle: 0, irq: 0 } }));
    });
    const cores = jest.spyOn(realOs, 'availableParallelism').mockReturnValue(4);
    const RealWorker = threads.Worker;
    type Made = InstanceType<typeof RealWorker>;
    const workers: Made[] = [];
    const exits: Array<Promise<unknown>> = [];
    const made = jest
      .spyOn(threads as unknown as { Worker: (...args: ConstructorParameters<typeof RealWorker>) => Made }, 'Worker')
      .mockImplementation((...args) => {
        const w = new RealWorker(...args);
        workers.push(w);
        exits.push(new Promise((resolve) => w.once('exit', resolve)));
        return w;
      });
    const io = capture();
    let code: number;
    let stopped: boolean;
    try {
      delete process.env.GOODSTART_READERS;
      code = await main(['consolidate', folder, '--out', path.join(dir, 'city-busy.xlsx'), '--json', '--year', '2027'], io);
      // Each thread stopped by the command (a thread left running would never exit by itself).
      let timer: NodeJS.Timeout | undefined;
      stopped = await Promise.race([Promise.all(exits).then(() => true), new Promise<boolean>((r) => (timer = setTimeout(() => r(false), 5000)))]);
      clearTimeout(timer);
    } finally {
      busy.mockRestore();
      cores.mockRestore();
      made.mockRestore();
      await Promise.all(workers.map((w) => w.terminate()));
    }
    // Three threads started at once (one per core beside this one, at most 3), each stopped.
    expect(workers).toHaveLength(3);
    expect(stopped).toBe(true);
    expect(io.stderr()).not.toContain('reader thread');
    expect(code).toBe(0);
    const json = JSON.parse(io.stdout()) as { files: number; pupils: number; unreadable: number };
    expect(json.files).toBe(200);
    expect(json.unreadable).toBe(0);
    expect(json.pupils % 200).toBe(0);
    expect((json as { duplicates?: number }).duplicates).toBe(0);
    expect(json.pupils).toBeGreaterThan(0);
  });

  it('writes the same workbook, tracker and summary on reader threads as in this thread, in input order, an unreadable file included', async () => {
    const folder = path.join(dir, 'returns');
    await fs.mkdir(folder, { recursive: true });
    for (const f of samples.workbooks) await fs.copyFile(f, path.join(folder, path.basename(f)));
    await fs.copyFile(samples.errorsWorkbook, path.join(folder, 'm-errors.xlsx'));
    await fs.writeFile(path.join(folder, 'b-broken.xlsx'), 'not a workbook');
    const runWith = async (readers: string): Promise<{ code: number; json: Record<string, unknown>; sheets: Record<string, unknown[][]> }> => {
      process.env.GOODSTART_READERS = readers;
      const out = path.join(dir, `city-${readers}.xlsx`);
      const io = capture();
      const code = await main(['consolidate', folder, '--out', out, '--json', '--year', '2027'], io);
      const json = JSON.parse(io.stdout()) as Record<string, unknown>;
      const sheets = await sheetValues(out);
      // The About sheet says when it was generated; everything else must match.
      delete sheets.About;
      return { code, json: { ...json, out: undefined }, sheets };
    };
    const here = await runWith('0');
    expect(here.code).toBe(1);
    // One thread beside this one (as on 2 cores: this thread reads one return in three), and two.
    for (const readers of ['1', '2']) {
      const threads = await runWith(readers);
      expect(threads.code).toBe(here.code);
      expect(threads.json).toEqual(here.json);
      expect(threads.sheets).toEqual(here.sheets);
    }
    expect((here.json.tracker as Array<{ file: string }>).map((t) => t.file)).toEqual([...(await fs.readdir(folder))].sort());
    expect((here.sheets.Pupils ?? []).length).toBe((here.json.pupils as number) + 1);

    // The compiled CLI (dist/cli, built by npm ci and npm test) starts its compiled reader threads.
    const out = path.join(dir, 'city-compiled.xlsx');
    const bin = path.resolve(__dirname, '../../bin/goodstart.js');
    const compiled = await promisify(execFile)(process.execPath, [bin, 'consolidate', folder, '--out', out, '--json', '--year', '2027'], { env: { ...process.env, GOODSTART_READERS: '2' } }).catch((e: { code: number; stdout: string }) => e);
    expect((compiled as { code?: number }).code).toBe(1);
    expect({ ...(JSON.parse(compiled.stdout) as Record<string, unknown>), out: undefined }).toEqual(here.json);
    const sheets = await sheetValues(out);
    delete sheets.About;
    expect(sheets).toEqual(here.sheets);
  });

  it('ends the run with an error naming the file when a reader thread dies, without waiting on it', async () => {
    const worker = await workerFile('dies.js', `
      if (task === 'c.xlsx') process.exit(7);
      parentPort.postMessage({ id, ok: true, result: task.toUpperCase() });`);
    const pool = new OrderedPool<string, string>({ file: worker }, 2, (t) => `returns/${t}`);
    const seen: string[] = [];
    const run = (async () => {
      for await (const r of pool.map(['a.xlsx', 'b.xlsx', 'c.xlsx', 'd.xlsx', 'e.xlsx'])) seen.push(r);
    })();
    await expect(run).rejects.toThrow('returns/c.xlsx: the reader stopped unexpectedly (exit code 7)');
    // What came before the failure came in order (b may be cut off by it); nothing after it came.
    expect(seen).toEqual(['A.XLSX', 'B.XLSX'].slice(0, seen.length));
    expect(seen.length).toBeGreaterThanOrEqual(1);
  });

  it('gives out, in turn, the results back before a reader died', async () => {
    // The reply and the death come together (Node delivers a thread's last messages before its exit).
    const worker = await workerFile('replyThenDie.js', `
      parentPort.postMessage({ id, ok: true, result: task.toUpperCase() });
      if (task === 'a') process.exit(7);`);
    const pool = new OrderedPool<string, string>({ file: worker }, 1, (t) => `returns/${t}`);
    const seen: string[] = [];
    await expect((async () => {
      for await (const r of pool.map(['a', 'b', 'c'])) seen.push(r);
    })()).rejects.toThrow('returns/b: the reader stopped unexpectedly (exit code 7)');
    expect(seen).toEqual(['A']);
  });

  it('starts a compiled reader without the flags this process was started with (a loader such as tsx would load again in every thread)', async () => {
    const worker = await workerFile('flags.js', 'parentPort.postMessage({ id, ok: true, result: process.execArgv });');
    const pool = path.resolve(__dirname, '../../dist/cli/cli/pool.js');
    const parent = path.join(dir, 'flags-parent.js');
    await fs.writeFile(parent, `(async () => { for await (const r of new (require(${JSON.stringify(pool)}).OrderedPool)({ file: ${JSON.stringify(worker)} }, 1, String).map([1])) console.log(JSON.stringify({ parent: process.execArgv, reader: r })); })();`);
    const { stdout } = await promisify(execFile)(process.execPath, ['--expose-gc', parent]);
    expect(JSON.parse(stdout)).toEqual({ parent: ['--expose-gc'], reader: [] });
  });

  it('starts a reader with its young generation capped, so a reader kept busy does not grow its heap with the run', async () => {
    const worker = await workerFile('limits.js', "parentPort.postMessage({ id, ok: true, result: require('node:worker_threads').resourceLimits });");
    const got: Array<{ maxYoungGenerationSizeMb: number }> = [];
    for await (const r of new OrderedPool<number, { maxYoungGenerationSizeMb: number }>({ file: worker }, 1, String).map([1])) got.push(r);
    expect(got[0]?.maxYoungGenerationSizeMb).toBe(WORKER_YOUNG_GENERATION_MB);
    expect(WORKER_YOUNG_GENERATION_MB).toBeLessThan(16);
  });

  it('gives results in the tasks\' order whichever reader finishes first, and fails on a reader\'s error naming the file', async () => {
    const worker = await workerFile('slow.js', `
      const reply = task === 'bad' ? { id, ok: false, message: 'boom' } : { id, ok: true, result: task * 10 };
      setTimeout(() => parentPort.postMessage(reply), task === 1 ? 30 : 0);`);
    const order: number[] = [];
    for await (const r of new OrderedPool<number, number>({ file: worker }, 3, (t) => `file ${t}`).map([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])) order.push(r);
    expect(order).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);

    const failing = new OrderedPool<number | string, number>({ file: worker }, 2, (t) => `file ${t}`);
    const got: number[] = [];
    await expect((async () => {
      for await (const r of failing.map([2, 'bad', 3])) got.push(r);
    })()).rejects.toThrow('file bad: boom');
    expect(got).toEqual([20]);
  });

  it('shares the tasks with this thread: each done once, here or on a thread, results in order, and done here in turn only when every result before it is taken', async () => {
    const worker = await workerFile(
      'lagging.js',
      `setTimeout(() => parentPort.postMessage({ id, ok: true, result: 'thread ' + task }), 5);`,
      'setTimeout(() => parentPort.postMessage({ ready: true }), 50);',
    );
    const tasks = Array.from({ length: 60 }, (_, i) => i);
    const taken: string[] = [];
    const inTurnWrong: number[] = [];
    const here = (task: number, inTurn: boolean): string => {
      if (inTurn && taken.length !== task) inTurnWrong.push(task);
      return `${inTurn ? 'turn' : 'ahead'} ${task}`;
    };
    for await (const r of new OrderedPool<number, string>({ file: worker }, 1, (t) => `file ${t}`).map(tasks, (t, inTurn) => {
      // Slow enough here that the thread, once ready, takes its share.
      const until = Date.now() + 2;
      while (Date.now() < until);
      return here(t, inTurn);
    })) taken.push(r);
    expect(taken.map((r) => Number(r.split(' ')[1]))).toEqual(tasks);
    expect(inTurnWrong).toEqual([]);
    // Before the thread was ready, this thread did the first tasks in turn; then both did some.
    expect(taken[0]).toBe('turn 0');
    expect(taken.filter((r) => r.startsWith('thread')).length).toBeGreaterThan(0);
    expect(taken.filter((r) => !r.startsWith('thread')).length).toBeGreaterThan(0);
  });

  it('sends tasks to threads that were ready before the run began (started early, while their maker loaded)', async () => {
    const marker = path.join(dir, 'ready-marker');
    const worker = await workerFile('early.js', 'parentPort.postMessage({ id, ok: true, result: task * 2 });', `parentPort.postMessage({ ready: true }); require('node:fs').writeFileSync(${JSON.stringify(marker)}, '');`);
    const pool = new OrderedPool<number, number>({ file: worker }, 1, (t) => `file ${t}`);
    while (!(await fs.stat(marker).catch(() => undefined))) await new Promise((r) => setTimeout(r, 10));
    // Its READY is in: the run that follows has only the thread to work the tasks out.
    await new Promise((r) => setTimeout(r, 50));
    const got: number[] = [];
    const run = (async () => {
      for await (const r of pool.map([1, 2, 3])) got.push(r);
      return 'done';
    })();
    // A thread never sent its tasks would leave the run waiting for good: it fails here instead.
    let timer: NodeJS.Timeout | undefined;
    const ended = await Promise.race([run, new Promise<string>((r) => (timer = setTimeout(() => r('waiting'), 5000)))]);
    clearTimeout(timer);
    await pool.close();
    expect(ended).toBe('done');
    expect(got).toEqual([2, 4, 6]);
  });

  it('does every task here, in turn, while no thread is ready; and a thread that dies before it is ready fails the run', async () => {
    const never = await workerFile('never.js', '', '');
    const got: string[] = [];
    for await (const r of new OrderedPool<number, string>({ file: never }, 2, (t) => `file ${t}`).map([1, 2, 3, 4, 5], (t, inTurn) => `${inTurn ? 'turn' : 'ahead'} ${t}`)) got.push(r);
    expect(got).toEqual(['turn 1', 'turn 2', 'turn 3', 'turn 4', 'turn 5']);

    const dies = path.join(dir, 'dies-at-start.js');
    await fs.writeFile(dies, `process.exit(3);`);
    await expect((async () => {
      for await (const _ of new OrderedPool<number, number>({ file: dies }, 1, (t) => `file ${t}`).map([1, 2, 3])) void _;
    })()).rejects.toThrow('reader 1: the reader stopped unexpectedly (exit code 3)');
  });
});
