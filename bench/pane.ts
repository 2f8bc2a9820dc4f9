/**
 * `npm run bench:pane`: the task pane's Excel actions in the in-memory Excel host, for 120 and
 * 500 pupils: round trips (`context.sync()` calls, the cost that dominates in real Excel, where
 * each is a trip to the host) and time. The yardstick, measured in the same run, is the shared
 * validator alone over the same rows: the floor for a check, with no Excel in the way.
 * Figures only; nothing here asserts.
 */
import { median } from './timing';
import { performance } from 'node:perf_hooks';
import { createFakeExcel } from '../test/excelHost/fakeExcel';
import { checkWorkbook, createTransitionSheet, recheckRows } from '../addin/excel/transitionSheet';
import { validateReturn } from '../shared/transition/validate';
import type { TransitionReturn } from '../shared/transition/schema';
import { pupilGrid, pupilRange } from '../test/excelHost/pupilGrid';

const RUNS = 15;


async function timed(fn: () => Promise<unknown> | unknown): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  return median(times);
}

async function main(): Promise<void> {
  const year = 2027;
  const validate = (ret: TransitionReturn) => validateReturn(ret, { year }).report;
  console.log('Task pane actions in the in-memory Excel host (median of %d runs)', RUNS);
  console.log('rows  action      syncs  time (ms)  validator alone (ms)  ratio');
  for (const n of [120, 500]) {
    const host = createFakeExcel();
    (globalThis as unknown as { Excel: unknown }).Excel = host.excel();
    host.syncCount = 0;
    const createMs = await timed(async () => {
      await createTransitionSheet({ year, receivingSecondary: 'Testbrook Academy (3304001)', whenExists: 'refresh' });
    });
    const createSyncs = host.syncCount / RUNS;
    host.edit('Transition', pupilRange(n), pupilGrid(n, (i) => (i % 7 === 3 ? { attendance: 82 } : {})));

    host.syncCount = 0;
    let last: TransitionReturn | undefined;
    const checkMs = await timed(async () => {
      last = (await checkWorkbook(validate)).ret;
    });
    const checkSyncs = host.syncCount / RUNS;
    const ret = last as TransitionReturn;
    const floorMs = await timed(() => validate(ret));

    host.syncCount = 0;
    const recheckMs = await timed(async () => {
      await recheckRows('Transition', 12, 12, ['Transition'], () => validate(ret));
    });
    const recheckSyncs = host.syncCount / RUNS;

    const line = (action: string, syncs: number, ms: number, floor?: number): string =>
      `${String(n).padStart(4)}  ${action.padEnd(10)}  ${String(syncs).padStart(5)}  ${ms.toFixed(1).padStart(9)}  ${floor === undefined ? '—'.padStart(20) : floor.toFixed(1).padStart(20)}  ${floor === undefined ? '—' : `${(ms / Math.max(floor, 0.001)).toFixed(1)}×`}`;
    console.log(line('create', createSyncs, createMs));
    console.log(line('check', checkSyncs, checkMs, floorMs));
    console.log(line('re-check', recheckSyncs, recheckMs, floorMs));
  }
  console.log('Syncs are round trips to Excel: constant in the number of rows, at most 3 per action.');
}

void main();
