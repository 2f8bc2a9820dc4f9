/**
 * The benches' clock, memory and figure formatting, in one place (bench/run.ts, bench/ctf.ts).
 * Figures only: nothing here asserts on time.
 */

/** Milliseconds since `start` (a process.hrtime.bigint() reading). */
export const ms = (start: bigint): number => Number(process.hrtime.bigint() - start) / 1e6;

/** CPU milliseconds (user + system, every thread of the process) since `start` (a process.cpuUsage() reading). */
export const cpuMs = (start: NodeJS.CpuUsage): number => {
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1000;
};

/** Peak resident memory so far (the OS's high-water mark, not a sample). */
export const peakRss = (): number => process.resourceUsage().maxRSS * 1024;

export const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;
export const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
export const seconds = (msValue: number): string => `${(msValue / 1000).toFixed(2)} s`;
export const ratio = (a: number, b: number): string => `${(a / b).toFixed(1)}×`;

/** The best of a few passes, so a neighbour's burst on the shared cores does not decide the figure. */
export function bestOf<T>(passes: number, run: () => T): { ms: number; result: T } {
  let best = Infinity;
  let result: T | undefined;
  for (let i = 0; i < passes; i++) {
    const start = process.hrtime.bigint();
    result = run();
    best = Math.min(best, ms(start));
  }
  return { ms: best, result: result as T };
}

/** The least CPU time of a few passes (process-wide: a part that uses zlib's threads counts them), beside its wall time on that pass. */
export async function bestCpuOf<T>(passes: number, run: () => T | Promise<T>): Promise<{ cpuMs: number; ms: number; result: T }> {
  let best = { cpuMs: Infinity, ms: Infinity };
  let result: T | undefined;
  for (let i = 0; i < passes; i++) {
    const cpu = process.cpuUsage();
    const start = process.hrtime.bigint();
    result = await run();
    const pass = { cpuMs: cpuMs(cpu), ms: ms(start) };
    if (pass.cpuMs < best.cpuMs) best = pass;
  }
  return { ...best, result: result as T };
}

/** The p-th percentile of ascending times. */
export const percentile = (sorted: readonly number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

/** The median of a sample (the mean of the middle two when even); NaN when empty. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}
