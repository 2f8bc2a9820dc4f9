/**
 * A pool of worker threads that shares an ordered run of tasks with the thread that made it:
 * results come back in the tasks' order; each worker is sent tasks once it is loaded and keeps a
 * few queued; this thread works out a task itself whenever the next result is not back yet (so
 * it never sits idle while a worker boots or lags), and only a few results are ever held, so
 * memory stays flat however many tasks there are. A worker that fails or dies fails the task it
 * held (named by the caller) and the run, never a hang: every worker is then stopped.
 */
import { Worker } from 'node:worker_threads';

/** A worker's module: compiled JavaScript runs as it is; TypeScript (tests, tsx) through tsx's require hook. */
export interface WorkerModule {
  /** Path of the worker's .js or .ts module. */
  file: string;
  /** Handed to the worker as workerData. */
  data?: unknown;
}

/**
 * What a worker posts: READY once it is loaded (it is sent nothing before), then for each task
 * it is sent ({ id, task }) its reply. Keep a result flat (strings, numbers), as structured
 * clone copies every object in it.
 */
export type WorkerReply<R> = { id: number; ok: true; result: R } | { id: number; ok: false; message: string } | typeof READY;

/** The message a worker posts once its modules are loaded and it can take tasks. */
export const READY = { ready: true } as const;

/**
 * (design) Tasks a worker holds at once, the one it is working on included, so it never waits for
 * this thread. A worker is sent more only when this thread next lets its replies in, which may be
 * several of the worker's reads later: this thread reads a return itself now and then, and a
 * cold read or a collection takes longer than two warm reads there. Consolidating 450 returns
 * (one worker, timed inside it): with 3, the worker waited 170–280 ms in 44–58 stretches of up
 * to 9 ms, and read 300–325 of the returns; with 6, 80–100 ms, nearly all of it before its first
 * task, and read 325–350. 16 runs in turn: median 1.32 s against 1.36 s, best 1.19 against 1.27.
 */
const TASKS_PER_WORKER = 6;
/** (design) Results back from the workers and not yet taken, at most, per worker (the tasks a worker holds among them): a worker that is ahead waits. */
const UNTAKEN_PER_WORKER = 12;
/**
 * (design) Results this thread works out ahead of their turn while the next one is still with a
 * worker: enough to cover a worker's start-up and lag, few enough to hold (each is one return).
 */
const AHEAD_HERE = 4;

/** Lets the workers' messages in (READY, replies) after work here, so they are sent more while this thread works. */
const lettingRepliesIn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * (design) A worker's young generation, in MiB. A worker kept busy (never idle between tasks,
 * since it holds 6) let V8 grow it to its full 48 MiB: consolidating 4,500 returns, the reader's
 * heap reached 40 MB with 11 MB in use, and the process peaked at 198–215 MiB, where it had
 * peaked at 178–188 MiB with 3 tasks held (and at 161 MiB for 450 returns). Capped at 8 MiB, the
 * reader's heap stays at 17 MB and the process at 173–183 MiB; 450 returns are no slower (10 runs
 * in turn: best 1.20 s against 1.21 s).
 */
export const WORKER_YOUNG_GENERATION_MB = 8;

function startWorker(module: WorkerModule): Worker {
  const resourceLimits = { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB };
  // Compiled JavaScript needs none of the flags this process started with: a loader given to it
  // (`node --import tsx`, as the bench and the tests run) would load again in every thread, about
  // 100 ms each before the thread is ready.
  if (module.file.endsWith('.js')) return new Worker(module.file, { workerData: module.data, execArgv: [], resourceLimits });
  const boot = `require('tsx/cjs/api').register(); require(${JSON.stringify(module.file)});`;
  return new Worker(boot, { eval: true, workerData: module.data, resourceLimits });
}

type Outcome<R> = { ok: true; result: R } | { ok: false; error: Error };

/** A task sent to a worker and not yet taken: the worker, its name for errors, and its outcome once known. */
interface Pending<R> {
  worker: number;
  name: string;
  outcome?: Outcome<R>;
}

/**
 * Works a task out on this thread. `inTurn`: every task before it has been taken, so what it
 * depends on (the next row of the output, say) is known; otherwise it is worked out ahead.
 */
export type Here<T, R> = (task: T, inTurn: boolean) => R;

/** One run of tasks per pool: map() stops the workers when it ends, however it ends. */
export class OrderedPool<T, R> {
  private readonly workers: Worker[] = [];
  /** Tasks each worker holds; Infinity until it is READY, so it is sent none before. */
  private readonly held: number[] = [];
  private readonly pending = new Map<number, Pending<R>>();
  private failure: Error | undefined;
  private closed = false;
  /** Woken whenever a worker is ready, replies or fails. */
  private wake: () => void = () => undefined;
  /** Sends a worker its next tasks (set while map() runs). */
  private feed: (worker: number) => void = () => undefined;

  /** Starts `size` workers of `module`; `describe` names a task in an error (the file it reads). */
  constructor(
    module: WorkerModule,
    size: number,
    private readonly describe: (task: T) => string,
  ) {
    for (let i = 0; i < size; i++) {
      const w = startWorker(module);
      w.on('message', (reply: WorkerReply<R>) => this.reply(i, reply));
      w.on('error', (e: Error) => this.fail(i, (task) => new Error(`${task}: the reader failed (${e.message})`)));
      w.on('exit', (code) => {
        if (!this.closed) this.fail(i, (task) => new Error(`${task}: the reader stopped unexpectedly (exit code ${code})`));
      });
      this.workers.push(w);
      this.held.push(Infinity);
    }
  }

  /**
   * Each task's result, in the tasks' order. Workers take the next tasks not yet given out;
   * with `here`, this thread works out the next result itself when it is not given out yet, or,
   * while it is still with a worker, a few of those after it (a pool of no workers works every
   * task out here, in turn). The first failure is thrown and stops the pool, once the results
   * already back before it have come out.
   */
  async *map(tasks: readonly T[], here?: Here<T, R>): AsyncGenerator<R> {
    if (this.workers.length === 0 && !here) throw new Error('a pool without workers needs this thread to work the tasks out (here)');
    /** The next task not yet given out. */
    let next = 0;
    /** Results worked out here ahead of their turn. */
    const ahead = new Map<number, R>();
    this.feed = (worker) => {
      const most = this.workers.length * UNTAKEN_PER_WORKER;
      while (next < tasks.length && (this.held[worker] as number) < TASKS_PER_WORKER && this.pending.size < most) {
        const id = next++;
        const task = tasks[id] as T;
        this.pending.set(id, { worker, name: this.describe(task) });
        (this.held[worker] as number)++;
        this.workers[worker]?.postMessage({ id, task });
      }
    };
    // Workers made ready before this run (started early, while their maker loaded) are sent tasks now.
    for (let w = 0; w < this.workers.length; w++) this.feed(w);
    try {
      for (let id = 0; id < tasks.length; id++) {
        let result: R;
        for (;;) {
          if (ahead.has(id)) {
            result = ahead.get(id) as R;
            ahead.delete(id);
            break;
          }
          // A result already back comes out in its turn even when a later task has failed
          // meanwhile: what comes before a failure does not depend on when this thread looked.
          const entry = this.pending.get(id);
          if (entry?.outcome?.ok) {
            this.pending.delete(id);
            result = entry.outcome.result;
            if (!this.failure) for (let w = 0; w < this.workers.length; w++) this.feed(w);
            break;
          }
          // A failed task sets the run's failure (reply, fail), and nothing after it is given out.
          if (this.failure) throw this.failure;
          if (id === next && here) {
            next++;
            result = here(tasks[id] as T, true);
            await lettingRepliesIn();
            break;
          }
          if (here && next < tasks.length && ahead.size < AHEAD_HERE) {
            const later = next++;
            ahead.set(later, here(tasks[later] as T, false));
            await lettingRepliesIn();
            continue;
          }
          await new Promise<void>((resolve) => {
            this.wake = resolve;
          });
        }
        yield result;
      }
    } finally {
      await this.close();
    }
  }

  /** Stops every worker; safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.wake();
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private reply(worker: number, reply: WorkerReply<R>): void {
    if ('ready' in reply) {
      this.held[worker] = 0;
    } else {
      const entry = this.pending.get(reply.id);
      if (!entry || entry.outcome) return;
      (this.held[worker] as number)--;
      if (reply.ok) {
        entry.outcome = { ok: true, result: reply.result };
      } else {
        const error = new Error(`${entry.name}: ${reply.message}`);
        this.failure ??= error;
        entry.outcome = { ok: false, error };
      }
    }
    if (!this.failure) this.feed(worker);
    this.wake();
  }

  /** A worker failed or died: the earliest task it held names the failure, and every task still out fails with it. */
  private fail(worker: number, error: (task: string) => Error): void {
    let first: Pending<R> | undefined;
    for (const p of this.pending.values()) {
      if (p.worker === worker && !p.outcome) {
        first = p;
        break;
      }
    }
    this.failure ??= error(first?.name ?? `reader ${worker + 1}`);
    for (const p of this.pending.values()) if (!p.outcome) p.outcome = { ok: false, error: this.failure };
    this.wake();
  }
}
