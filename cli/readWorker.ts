/** A reader thread for `goodstart consolidate` (pool.ts): each file it is sent, read, validated and sent back compact. */
import { parentPort, workerData } from 'node:worker_threads';
import { SchoolDirectory, type School } from '../shared/schools';
import { compactOutcome, readOutcome } from './outcomes';
import type { WorkerReply } from './pool';
import type { ReturnOutcome } from '../shared/consolidation';

const directory = new SchoolDirectory(workerData as School[]);

parentPort?.on('message', ({ id, task }: { id: number; task: string }) => {
  let reply: WorkerReply<ReturnOutcome>;
  try {
    reply = { id, ok: true, result: compactOutcome(readOutcome(task, directory), directory) };
  } catch (e) {
    reply = { id, ok: false, message: (e as Error).message };
  }
  // As JSON text: one flat string crosses threads far faster than structured clone of the rows' objects.
  parentPort?.postMessage(JSON.stringify(reply));
});
