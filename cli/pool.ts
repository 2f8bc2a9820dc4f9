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

/** What a worker posts back, as JSON text, for each task it is sent ({ id, task }). */
export type WorkerReply<R> = { id: number; ok: true; result: R } | { id: number; ok: false; message: string };

/** (design) Tasks queued on each worker beyond the one it is working on, so it never waits for the main thread. */
const QUEUED_PER_WORKER = 2;

function startWorker(module: WorkerModule): Worker {
  if (module.file.endsWith('.js')) return new Worker(module.file, { workerData: module.data });
  const boot = `require('tsx/cjs/api').register(); require(${JSON.stringify(module.file)});`;
  return new Worker(boot, { eval: true, workerData: module.data });
}

interface Pending<R> {
  worker: number;
  settle: (reply: { ok: true; result: R } | { ok: false; error: Error }) => void;
  outcome?: { ok: true; result: R } | { ok: false; error: Error };
  ready: Promise<void>;
}

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
      w.on('message', (reply: string) => this.reply(JSON.parse(reply) as WorkerReply<R>));
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
    const names = new Map<number, string>();
    const limit = this.workers.length * (1 + QUEUED_PER_WORKER);
    let sent = 0;
    const send = (): void => {
      const task = tasks[sent] as T;
      const id = sent++;
      const worker = id % this.workers.length;
      names.set(id, this.describe(task));
      const entry = { worker } as Pending<R>;
      entry.ready = new Promise<void>((resolve) => {
        entry.settle = (o) => {
          entry.outcome = o;
          resolve();
        };
      });
      this.pending.set(id, entry);
      this.workers[worker]?.postMessage({ id, task });
    };
    this.taskName = (id) => names.get(id) ?? `task ${id}`;
    try {
      while (sent < tasks.length && sent < limit) send();
      for (let id = 0; id < tasks.length; id++) {
        if (this.failure) throw this.failure;
        const entry = this.pending.get(id);
        if (!entry) throw new Error(`${names.get(id) ?? id}: lost by the reader pool`);
        await entry.ready;
        this.pending.delete(id);
        names.delete(id);
        const o = entry.outcome;
        if (!o || !o.ok) throw this.failure ?? o?.error ?? new Error(`${this.taskName(id)}: no result`);
        if (sent < tasks.length) send();
        yield o.result;
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

  private taskName: (id: number) => string = (id) => `task ${id}`;

  private reply(reply: WorkerReply<R>): void {
    const entry = this.pending.get(reply.id);
    if (!entry) return;
    if (reply.ok) entry.settle({ ok: true, result: reply.result });
    else {
      const error = new Error(`${this.taskName(reply.id)}: ${reply.message}`);
      this.failure ??= error;
      entry.settle({ ok: false, error });
    }
  }

  /** A worker failed or died: every task it held fails, the earliest first, and so does the run. */
  private fail(worker: number, error: (task: string) => Error): void {
    const held = [...this.pending.entries()].filter(([, p]) => p.worker === worker && !p.outcome).sort((a, b) => a[0] - b[0]);
    const first = held[0];
    const e = error(first ? this.taskName(first[0]) : `reader ${worker + 1}`);
    this.failure ??= e;
    for (const [, p] of held) p.settle({ ok: false, error: e });
    // Tasks still to be taken from other workers must not wait on this one: the run ends at the failure.
    for (const [, p] of this.pending) if (!p.outcome) p.settle({ ok: false, error: this.failure });
  }
}
