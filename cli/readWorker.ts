/**
 * A reader thread for `goodstart consolidate` (pool.ts): each file it is sent, read as a return
 * (unzipped and parsed) and sent back as it stands; the main thread validates it and lays it out.
 * It loads the workbook reader alone (read.ts), so it is ready at once, compiled from the code
 * the main thread cached (compileCache.ts) when it runs as compiled JavaScript.
 */
import { parentPort } from 'node:worker_threads';
import { useCompileCache } from './compileCache';
import { READY, type WorkerReply } from './pool';
import type { ReadFile } from './read';

if (__filename.endsWith('.js')) useCompileCache({ write: false });
// Loaded once the cache is in place.
const { readFile } = require('./read') as typeof import('./read');

parentPort?.on('message', ({ id, task }: { id: number; task: string }) => {
  let reply: WorkerReply<ReadFile>;
  try {
    reply = { id, ok: true, result: readFile(task) };
  } catch (e) {
    reply = { id, ok: false, message: (e as Error).message };
  }
  parentPort?.postMessage(reply);
});
parentPort?.postMessage(READY);
