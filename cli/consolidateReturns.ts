/**
 * `goodstart consolidate` once its inputs are known and its reader threads started
 * (commands/consolidate.ts): every return read, validated, appended to the city's workbook and
 * dropped, then the sheets that count them. This module holds what the command loads only after
 * the threads are started: validation, the school directory, the fold and the writer.
 */
import * as path from 'node:path';
import { parseYear } from './args';
import { progressReporter, writeAtomically } from './io';
import type { Io } from './main';
import { directoryFor } from './returns';
import { type ReadShare, shareOf } from './outcomes';
import { type ReadFile, readFile } from './read';
import type { OrderedPool } from './pool';
import { ConsolidationFold, type ConsolidationTotals, type ReceivedCounts } from '../shared/consolidation';
import { ConsolidatedWorkbookWriter } from '../xlsx/consolidated';
import { currentTransferYear } from '../shared/year';

export interface ConsolidateRun {
  /** The returns, in order (never the output itself). */
  inputs: readonly string[];
  /** --out as the user gave it. */
  out: string;
  values: { json: boolean; schools?: string; year?: string; publish: boolean; force: boolean };
  /** The reader threads, started as the command began, kept or stopped once asked (when the run's options are known to be good). */
  readers: () => Promise<OrderedPool<string, ReadFile>>;
  io: Io;
}

/** Consolidates the returns into `out`; the exit code (1 when any file is unreadable or has errors). */
export async function consolidateReturns({ inputs, out, values, readers, io }: ConsolidateRun): Promise<number> {
  const givenYear = values.year === undefined ? undefined : parseYear(values.year, currentTransferYear());
  const { directory, source } = await directoryFor(values.schools);
  io.err(`consolidate: school directory: ${source}${values.schools ? '' : '; pass --schools <file> to use the LA\'s own'}\n`);
  const pool = await readers();

  // Streaming: each return is read, validated, its valid pupils written to the workbook's
  // Pupils sheet, and dropped; what stays in memory is one tracker line per school and one
  // running city total. The sheets that count the pupils (About, Tracker, tables) come after.
  const fold = new ConsolidationFold({ directory, publish: values.publish });
  const years = new Map<number, number>();
  let year = 0;
  /** The transfer years returns state other than the run's, and how many state each. */
  let otherYears: Array<[number, number]> = [];
  let totals: ConsolidationTotals | undefined;
  let counts: ReceivedCounts | undefined;
  await writeAtomically(out, async (tmp) => {
    const writer = await ConsolidatedWorkbookWriter.toFile(tmp);
    try {
      const progress = progressReporter(inputs.length, 'consolidate: reading');
      // One return at a time, each dropped before the next is taken: nothing of it outlives its
      // turn, so it dies young instead of piling up for the old-generation collector.
      const take = async (share: ReadShare): Promise<void> => {
        if (share.year !== null) years.set(share.year, (years.get(share.year) ?? 0) + 1);
        fold.take(share.tracker, share.summary, share.pupils.length);
        await writer.addReturnPupils(share.pupils, share.source);
      };
      // Reader threads (none for a few returns) unzip and parse returns, in input order; this
      // thread validates each, lays its pupils out and appends them. Validating and laying out run
      // here alone, so only this thread's JIT compiles them and the threads load the reader alone.
      // While the next return is still with a thread, this one reads a few itself, so neither
      // core waits.
      let taken = 0;
      for await (const read of pool.map(inputs, readFile)) {
        progress.tick(taken, path.basename(inputs[taken] ?? ''));
        taken++;
        await take(shareOf(read, directory, givenYear));
      }
      progress.tick(inputs.length, 'done');
      progress.end();
      year = givenYear ?? mostCommon(years) ?? currentTransferYear();
      otherYears = [...years].filter(([y]) => y !== year);
      const done = fold.finish(year);
      const unreadableFiles = done.tracker.filter((t) => t.status === 'Unreadable').length;
      const received = new Set(done.tracker.map((t) => t.school));
      counts = { returns: done.tracker.length - unreadableFiles, outstanding: directory.primaries().filter((s) => !received.has(s.laestab)).length, unreadable: unreadableFiles };
      await writer.finish({ year, generatedAt: new Date().toISOString(), tracker: done.tracker, received: counts, tables: done.tables });
      totals = done;
    } catch (e) {
      writer.abort();
      throw e;
    }
  }, { force: values.force });
  if (!totals || !counts) throw new Error('consolidate finished without totals');
  const result = totals;

  const { unreadable, outstanding } = counts;
  const withErrors = result.tracker.filter((t) => t.errors > 0).length;
  // With --year, a return for another year has error GS1090 and none of its pupils are written.
  // Without it, returns are written as they come and the year most of them state is known only
  // at the end: returns for another year are in the workbook, and said so, with how to leave them out.
  for (const [other, n] of otherYears) {
    const returns = `${n} return${n === 1 ? ' states' : 's state'} transfer in ${other}, not ${year}`;
    io.err(givenYear === undefined
      ? `consolidate: ${returns}; their pupils are in ${out}. Run again with --year ${year} to leave them out (each is then listed with error GS1090).\n`
      : `consolidate: ${returns}; none of their pupils are in ${out}, and the Tracker sheet counts the error (GS1090) against each.\n`);
  }
  if (values.json) {
    const others = otherYears.map(([y, returns]) => ({ year: y, returns, pupilsIncluded: givenYear === undefined }));
    io.out(`${JSON.stringify({ out, year, directory: source, files: result.tracker.length, pupils: result.pupilCount, unreadable, outstanding, withErrors, otherYears: others, tracker: result.tracker }, null, 2)}\n`);
  } else {
    for (const t of result.tracker) {
      if (t.status === 'Unreadable') io.err(`skipped ${t.file}: ${t.reason}\n`);
    }
    io.out(`Wrote ${out}: ${result.pupilCount} pupils from ${result.tracker.length - unreadable} of ${result.tracker.length} files` +
      `${withErrors ? `; ${withErrors} with errors (their rows with errors are left out)` : ''}` +
      `${unreadable ? `; ${unreadable} unreadable, listed on the Tracker sheet` : ''}.\n`);
  }
  return unreadable > 0 || withErrors > 0 || otherYears.length > 0 ? 1 : 0;
}

function mostCommon(counts: ReadonlyMap<number, number>): number | undefined {
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
}
