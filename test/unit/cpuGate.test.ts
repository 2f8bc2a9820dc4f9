/**
 * The API's heavy request work (reading and validating an upload) takes turns, one task at a time
 * per process, and lets timers and I/O run between turns: the property that kept /health
 * answering while twenty 2 MB returns were validated (npm run bench:api, worst case).
 */
import { inTurn, waitingTasks } from '../../functions/src/http/cpuGate';

/** Holds the thread, as a validation does. */
const busy = (ms: number) => {
  const end = Date.now() + ms;
  while (Date.now() < end);
};

describe('inTurn', () => {
  it('runs tasks one at a time, in the order they asked, and passes on results and failures', async () => {
    let running = 0;
    let most = 0;
    const order: number[] = [];
    const task = (i: number) =>
      inTurn(async () => {
        running++;
        most = Math.max(most, running);
        await new Promise((r) => setTimeout(r, 5));
        order.push(i);
        running--;
        if (i === 3) throw new Error('task 3 failed');
        return i * 10;
      });
    const results = await Promise.allSettled([0, 1, 2, 3, 4].map(task));
    expect(most).toBe(1);
    expect(order).toEqual([0, 1, 2, 3, 4]);
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual([0, 10, 20, 'task 3 failed', 40]);
    expect(waitingTasks()).toBe(0);
  });

  it('lets a timer due meanwhile run between two busy turns', async () => {
    const events: string[] = [];
    const first = inTurn(() => {
      setTimeout(() => events.push('timer'), 0);
      busy(30);
      events.push('first');
    });
    const second = inTurn(() => {
      busy(30);
      events.push('second');
    });
    await Promise.all([first, second]);
    expect(events).toEqual(['first', 'timer', 'second']);
  });
});
