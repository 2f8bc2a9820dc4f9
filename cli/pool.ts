/**
 * An ordered pool of worker threads for the CLI: tasks go out to the workers, results come
 * back in the tasks' order, and only a few tasks are ever in flight, so memory stays flat
 * however many there are. A worker that fails or dies fails the task it held (named by the
 * caller) and the run, never a hang: every worker is then stopped.
 */
import { Worker } from 'node:worker_threads';

/** A worker's module: compiled JavaScript runs as it is; TypeScript (tests, tsx) through tsx's require hook. */
export interface WorkerModule {
  /** Path of the worker's .js or .ts module. */
  file: string;
  /** Handed to the worker as workerData. */
  data?: unknown;
}

/** What a worker posts back for each task it is sent ({ id, task }): keep the result flat (strings, numbers), as structured clone copies every object in it. */
export type WorkerReply<R> = { id: number; ok: true; result: R } | { id: number; ok: false; message: string };

/** (design) Tasks queued on each worker beyond the one it is working on, so it never waits for the main thread. */
const QUEUED_PER_WORKER = 2;

function startWorker(module: WorkerModule): Worker {
  if (module.file.endsWith('.js')) return new Worker(module.file, { workerData: module.data });
  const boot = `require('tsx/cjs/api').register(); require(${JSON.stringify(module.file)});`;
  return new Worker(boot, { eval: true, workerData: module.data });
}

type Outcome<R> = { ok: true; result: R } | { ok: false; error: Error };

/** A task sent and not yet taken: the worker it went to, its name for errors, and its outcome once known. */
interface Pending<R> {
  worker: number;
  name: string;
  outcome?: Outcome<R>;
  settle: (outcome: Outcome<R>) => void;
  settled: Promise<void>;
}

/** One run of tasks per pool: map() stops the workers when it ends, however it ends. */
export class OrderedPool<T, R> {
  private readonly workers: Worker[] = [];
  private readonly pending = new Map<number, Pending<R>>();
  private failure: Error | undefined;
  private closed = false;

  /** Starts `size` workers of `module`; `describe` names a task in an error (the file it reads). */
  constructor(
    module: WorkerModule,
    size: number,
    private readonly describe: (task: T) => string,
  ) {
    for (let i = 0; i < size; i++) {
      const w = startWorker(module);
      w.on('message', (reply: WorkerReply<R>) => this.reply(reply));
      w.on('error', (e: Error) => this.fail(i, (task) => new Error(`${task}: the reader failed (${e.message})`)));
      w.on('exit', (code) => {
        if (!this.closed) this.fail(i, (task) => new Error(`${task}: the reader stopped unexpectedly (exit code ${code})`));
      });
      this.workers.push(w);
    }
  }

  /**
   * Each task's result, in the tasks' order. At most (workers × 3) tasks are out at once; the
   * next is sent as each result is taken. The first failure is thrown and stops the pool.
   */
  async *map(tasks: readonly T[]): AsyncGenerator<R> {
    const limit = this.workers.length * (1 + QUEUED_PER_WORKER);
    let sent = 0;
    const send = (): void => {
      const id = sent++;
      const task = tasks[id] as T;
      const entry = { worker: id % this.workers.length, name: this.describe(task) } as Pending<R>;
      entry.settled = new Promise<void>((resolve) => {
        entry.settle = (outcome) => {
          entry.outcome ??= outcome;
          resolve();
        };
      });
      this.pending.set(id, entry);
      this.workers[entry.worker]?.postMessage({ id, task });
    };
    try {
      while (sent < tasks.length && sent < limit) send();
      for (let id = 0; id < tasks.length; id++) {
        const entry = this.pending.get(id);
        if (this.failure || !entry) throw this.failure ?? new Error(`task ${id}: lost by the reader pool`);
        await entry.settled;
        this.pending.delete(id);
        const outcome = entry.outcome as Outcome<R>;
        if (!outcome.ok) throw this.failure ?? outcome.error;
        if (sent < tasks.length) send();
        yield outcome.result;
      }
    } finally {
      await this.close();
    }
  }

  /** Stops every worker; safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private reply(reply: WorkerReply<R>): void {
    const entry = this.pending.get(reply.id);
    if (!entry) return;
    if (reply.ok) {
      entry.settle({ ok: true, result: reply.result });
      return;
    }
    const error = new Error(`${entry.name}: ${reply.message}`);
    this.failure ??= error;
    entry.settle({ ok: false, error });
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
    for (const p of this.pending.values()) if (!p.outcome) p.settle({ ok: false, error: this.failure });
  }
}
