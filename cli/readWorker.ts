/** A reader thread for `goodstart consolidate` (pool.ts): each file it is sent, read, validated and sent back as its share (outcomes.ts). */
import { parentPort, workerData } from 'node:worker_threads';
import { SchoolDirectory, type School } from '../shared/schools';
import { readShare, type ReadShare } from './outcomes';
import { READY, type WorkerReply } from './pool';

/** What the main thread hands each reader thread. */
export interface ReaderData {
  schools: readonly School[];
  /** The run's year (--year), or 0. */
  year: number;
}

const { schools, year } = workerData as ReaderData;
const directory = new SchoolDirectory(schools);

parentPort?.on('message', ({ id, task }: { id: number; task: string }) => {
  let reply: WorkerReply<ReadShare>;
  try {
    reply = { id, ok: true, result: readShare(task, directory, year) };
  } catch (e) {
    reply = { id, ok: false, message: (e as Error).message };
  }
  parentPort?.postMessage(reply);
});
parentPort?.postMessage(READY);
