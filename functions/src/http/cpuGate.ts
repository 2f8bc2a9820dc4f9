/**
 * One request's heavy, synchronous work at a time per process: reading and validating an
 * uploaded return holds the JavaScript thread for up to about 300 ms (a 2 MB return of 59,400
 * rows). Run side by side, twenty of them held it for seconds on end, so /health, the Cosmos
 * client's own answers and every other school's request waited behind them (and their parsed
 * bodies were all in memory at once). Through the gate they take their turn, and between turns
 * the event loop serves everything else: the same total work, with the process answering
 * throughout.
 */

/** (design) Heavy tasks run at once per process: one, since each holds the one JavaScript thread anyway. */
export const CPU_SLOTS = 1;

let active = 0;
const waiting: Array<() => void> = [];

/** Lets timers and I/O run before the next turn (a resolved promise alone would not). */
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Runs `work` in its turn; every task waiting before it runs first. */
export async function inTurn<T>(work: () => T | Promise<T>): Promise<T> {
  if (active >= CPU_SLOTS) await new Promise<void>((resolve) => waiting.push(resolve));
  else active++;
  try {
    await yieldToEventLoop();
    return await work();
  } finally {
    const next = waiting.shift();
    if (next) next(); // the slot passes straight to the next task
    else active--;
  }
}

/** How many tasks are waiting for a turn (tests). */
export const waitingTasks = () => waiting.length;
