/**
 * `npm run bench:functions`: what the custom functions cost per call, as Excel would call them.
 *
 *   TOOLKIT.BAND     one class: a 30-pupil × 120-criteria toolkit grid (synthetic ticks)
 *   RB.COSTPERPLACE  10,000 cells recalculated in one burst, through the batched API source
 *                    (a stub API answering after 20 ms), and again from its cache
 *
 * Figures only: nothing here asserts on time. Requests per burst should read 1.
 */
import { performance } from 'node:perf_hooks';
import { BAND_LABELS } from '../shared/toolkit/band';
import { BUNDLED_RESOURCE_BASES } from '../shared/resourceBases/dataset';
import { createApiSource, type FetchLike } from '../addin/functions/apiSource';
import { rbCostPerPlace, toolkitBand } from '../addin/functions/functions';
import { resetResourceBaseSource, setResourceBaseSource } from '../shared/functions/resourceBaseSource';

const PUPILS = 30;
const CRITERIA = 120;
const RB_CELLS = 10_000;

/** Deterministic pseudo-random ticks: each pupil secures criteria up to a pupil-specific depth. */
function toolkitGrid(): unknown[][] {
  let seed = 42;
  const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  const header = ['Band', ...Array.from({ length: PUPILS }, (_, p) => `Pupil ${p + 1}`)];
  const depth = Array.from({ length: PUPILS }, () => rand() * CRITERIA);
  const rows = Array.from({ length: CRITERIA }, (_, c) => {
    const label = BAND_LABELS[Math.min(BAND_LABELS.length - 1, Math.floor((c * BAND_LABELS.length) / CRITERIA))];
    return [label, ...depth.map((d) => (c < d || rand() < 0.1 ? (rand() < 0.5 ? 1 : 'S') : ''))];
  });
  return [header, ...rows];
}

function timeIt(label: string, iterations: number, fn: () => unknown): void {
  for (let i = 0; i < Math.min(20, iterations); i++) fn(); // warm up
  const t0 = performance.now();
  for (let i = 0; i < iterations; i++) fn();
  const ms = performance.now() - t0;
  console.log(`  ${label.padEnd(52)} ${(ms / iterations).toFixed(3).padStart(9)} ms/call  (${iterations} calls)`);
}

async function burst(cells: number): Promise<{ ms: number; values: Set<unknown> }> {
  const t0 = performance.now();
  const results = await Promise.all(Array.from({ length: cells }, () => rbCostPerPlace()));
  return { ms: performance.now() - t0, values: new Set(results.map((r) => r[0]?.[0])) };
}

async function main(): Promise<void> {
  console.log(`TOOLKIT.BAND (${PUPILS} pupils × ${CRITERIA} criteria)`);
  const grid = toolkitGrid();
  const bands = toolkitBand(grid);
  console.log(`  bands: ${(bands[0] ?? []).slice(0, 8).join(', ')} …`);
  timeIt('TOOLKIT.BAND(grid)', 500, () => toolkitBand(grid));
  timeIt('TOOLKIT.BAND(grid, 0.6)', 500, () => toolkitBand(grid, 0.6));

  console.log(`\nRB.COSTPERPLACE (${RB_CELLS.toLocaleString('en-GB')} cells per recalculation burst)`);
  let requests = 0;
  const stubApi: FetchLike = async () => {
    requests++;
    await new Promise((r) => setTimeout(r, 20));
    return new Response(JSON.stringify(BUNDLED_RESOURCE_BASES), { status: 200, headers: { 'content-type': 'application/json' } });
  };
  const source = createApiSource({ baseUrl: 'http://bench.invalid/api', getToken: () => 'bench', fetch: stubApi });
  setResourceBaseSource(source);
  try {
    const cold = await burst(RB_CELLS);
    console.log(`  cold burst (100 ms batch window + 20 ms API)    ${cold.ms.toFixed(1).padStart(9)} ms total, ${((cold.ms * 1000) / RB_CELLS).toFixed(1)} µs/cell, requests: ${requests}`);
    const before = requests;
    const warm = await burst(RB_CELLS);
    console.log(`  warm burst (cached in the shared runtime)       ${warm.ms.toFixed(1).padStart(9)} ms total, ${((warm.ms * 1000) / RB_CELLS).toFixed(1)} µs/cell, requests: ${requests - before}`);
    console.log(`  distinct values: ${[...cold.values, ...warm.values].map((v) => (typeof v === 'number' ? v.toFixed(2) : String(v))).filter((v, i, a) => a.indexOf(v) === i).join(', ')}`);
    console.log(`  requests per burst: ${requests} (cold), ${requests - before} (warm)`);
  } finally {
    resetResourceBaseSource();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
