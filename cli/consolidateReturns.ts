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
import { shareOf } from './outcomes';
import { type ReadFile, readFile } from './read';
import type { OrderedPool } from './pool';
import {
  ConsolidationFold, type ConsolidationTotals, DUPLICATE_LEFT_OUT, type Duplicate, EVERY_PUPIL_LEFT_OUT, markAlsoOn, PupilsOnce, type ReceivedCounts, type TrackerEntry,
} from '../shared/consolidation';
import { type CrossSchoolUpn, crossSchoolLine } from '../shared/crossSchool';
import type { SchoolDirectory } from '../shared/schools';
import { ConsolidatedWorkbookWriter } from '../xlsx/consolidated';
import { currentTransferYear } from '../shared/year';
import { terminalText } from '../shared/text';

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

/** What one reading of every return leaves: the totals, or the copies found that replace returns already written (the run then starts again). */
type Reading =
  | { kind: 'done'; totals: ConsolidationTotals; counts: ReceivedCounts; year: number; otherYears: Array<[number, number]>; cross: CrossSchoolUpn[]; upns: number }
  | { kind: 'again'; duplicates: ReadonlyMap<number, Duplicate>; replaced: string };

/** Consolidates the returns into `out`; the exit code (1 when any file is unreadable, has errors, or is a copy left out). */
export async function consolidateReturns({ inputs, out, values, readers, io }: ConsolidateRun): Promise<number> {
  const givenYear = values.year === undefined ? undefined : parseYear(values.year, currentTransferYear());
  const { directory, source } = await directoryFor(values.schools);
  io.err(directory ? `consolidate: school directory: ${source}\n` : `consolidate: ${source}; pass --schools <file> to check them against the LA's own\n`);

  let done: Extract<Reading, { kind: 'done' }> | undefined;
  await writeAtomically(out, async (tmp) => {
    let duplicates: ReadonlyMap<number, Duplicate> = new Map();
    for (let pass = 1; !done; pass++) {
      const writer = await ConsolidatedWorkbookWriter.toFile(tmp);
      try {
        const reading = await readEvery({ inputs, directory, givenYear, publish: values.publish, duplicates, pool: await readers(), writer, label: pass === 1 ? 'consolidate: reading' : 'consolidate: reading again' });
        if (reading.kind === 'again') {
          // A later copy replaces a file already written: the workbook is begun again without the copies left out.
          io.err(`${terminalText(`consolidate: ${reading.replaced}; reading the returns again to leave the older copies out`)}\n`);
          await writer.discard();
          duplicates = reading.duplicates;
          continue;
        }
        await writer.finish({ year: reading.year, generatedAt: new Date().toISOString(), tracker: reading.totals.tracker, received: reading.counts, tables: reading.totals.tables });
        done = reading;
      } catch (e) {
        writer.abort();
        throw e;
      }
    }
  }, { force: values.force });
  if (!done) throw new Error('consolidate finished without totals');
  const { totals: result, counts, year, otherYears, cross } = done;

  const { unreadable, outstanding } = counts;
  const duplicateLines = result.tracker.filter((t) => t.status === DUPLICATE_LEFT_OUT);
  const withErrors = result.tracker.filter((t) => t.errors > 0 && t.status !== DUPLICATE_LEFT_OUT);
  const everyPupilOut = withErrors.filter((t) => t.status === EVERY_PUPIL_LEFT_OUT).length;
  // With --year, a return for another year has error GS1090 and none of its pupils are written.
  // Without it, returns are written as they come and the year most of them state is known only
  // at the end: returns for another year are in the workbook, and said so, with how to leave them out.
  for (const [other, n] of otherYears) {
    const returns = `${n} return${n === 1 ? ' states' : 's state'} transfer in ${other}, not ${year}`;
    io.err(givenYear === undefined
      ? `consolidate: ${returns}; their pupils are in ${out}. Run again with --year ${year} to leave them out (each is then listed with error GS1090).\n`
      : `consolidate: ${returns}; none of their pupils are in ${out}, and the Tracker sheet counts the error (GS1090) against each.\n`);
  }
  // Pupil data stays in the workbook: these lines name files and schools, never a UPN.
  // File and sheet names are the schools' text: shown as terminalText.
  for (const t of duplicateLines) io.err(`${terminalText(`consolidate: left out ${t.file}: ${t.reason}`)}\n`);
  for (const t of withErrors) if (t.status === EVERY_PUPIL_LEFT_OUT && t.reason) io.err(`${terminalText(`consolidate: ${t.file}: ${t.reason}`)}\n`);
  if (cross.length > 0) io.err(`consolidate: ${crossSchoolLine(cross.length)} Schools: ${schoolPairs(cross)}.\n`);
  if (values.json) {
    const others = otherYears.map(([y, returns]) => ({ year: y, returns, pupilsIncluded: givenYear === undefined }));
    io.out(`${JSON.stringify({
      out, year, directory: source, schoolsChecked: directory !== undefined,
      files: result.tracker.length, pupils: result.pupilCount, unreadable, outstanding, withErrors: withErrors.length, everyPupilLeftOut: everyPupilOut,
      duplicates: duplicateLines.length, crossSchool: { upns: cross.length, rule: crossSchoolLine(cross.length), schools: schoolSets(cross) },
      otherYears: others, tracker: result.tracker.map(withoutUpns),
    }, null, 2)}\n`);
  } else {
    for (const t of result.tracker) {
      if (t.status === 'Unreadable') io.err(`${terminalText(`skipped ${t.file}: ${t.reason}`)}\n`);
    }
    const someOut = withErrors.length - everyPupilOut;
    const errorParts = [
      ...(everyPupilOut ? [`${everyPupilOut} with every pupil left out`] : []),
      ...(someOut ? [`${someOut} with ${someOut === 1 ? 'its' : 'their'} rows with errors left out`] : []),
    ];
    const included = result.tracker.length - unreadable - duplicateLines.length;
    io.out(`Wrote ${out}: ${result.pupilCount} pupils from ${included} of ${result.tracker.length} files` +
      `${withErrors.length ? `; ${withErrors.length} with errors (${errorParts.join(', ')})` : ''}` +
      `${duplicateLines.length ? `; ${duplicateLines.length} left out as ${duplicateLines.length === 1 ? 'a copy' : 'copies'} of another file of the same school` : ''}` +
      `${unreadable ? `; ${unreadable} unreadable` : ''}` +
      `${cross.length ? `; ${cross.length} UPN${cross.length === 1 ? '' : 's'} on more than one school's return, counted under each` : ''}` +
      `${withErrors.length || duplicateLines.length || unreadable || cross.length ? '. The Tracker sheet lists each' : ''}.\n`);
  }
  return unreadable > 0 || withErrors.length > 0 || duplicateLines.length > 0 || otherYears.length > 0 ? 1 : 0;
}

/** What a reading of every return needs. */
interface ReadEvery {
  inputs: readonly string[];
  directory: SchoolDirectory | undefined;
  givenYear: number | undefined;
  publish: boolean;
  /** Files already known to be copies left out (from an earlier reading that found them). */
  duplicates: ReadonlyMap<number, Duplicate>;
  pool: OrderedPool<string, ReadFile>;
  writer: ConsolidatedWorkbookWriter;
  label: string;
}

/**
 * Every return read, validated and, once it is known to be no copy of one already kept, its
 * pupils appended to the workbook and dropped. Streaming: what stays in memory is one tracker
 * line per file, one running city total and one entry per UPN (shared/crossSchool.ts). A file
 * that replaces one already written (a later copy of it) stops the writing; the reading goes on
 * to find every copy, and the run starts again knowing them.
 */
async function readEvery({ inputs, directory, givenYear, publish, duplicates, pool, writer, label }: ReadEvery): Promise<Reading> {
  const fold = new ConsolidationFold({ directory, publish });
  const once = new PupilsOnce(duplicates);
  const years = new Map<number, number>();
  let writing = true;
  let replaced: string | undefined;
  const progress = progressReporter(inputs.length, label);
  // One return at a time, each dropped before the next is taken: nothing of it outlives its
  // turn, so it dies young instead of piling up for the old-generation collector.
  const take = async (read: ReadFile, id: number): Promise<void> => {
    const share = shareOf(read, directory, givenYear);
    const decision = once.take(share.tracker.school, { file: share.tracker.file ?? '', modified: read.kind === 'read' ? read.modified : null }, share.pupils.map((p) => p.upn));
    if (decision.duplicate) {
      fold.take(once.duplicateLine(id, share.tracker, decision.duplicate), undefined, 0);
      return;
    }
    if (decision.overruled.length > 0 && writing) {
      writing = false;
      replaced = `${share.tracker.file} replaces ${decision.overruled.map((r) => once.file(r).file).join(', ')} (a copy of the same school's return, already written)`;
    }
    if (share.year !== null) years.set(share.year, (years.get(share.year) ?? 0) + 1);
    fold.take(share.tracker, share.summary, share.pupils.length);
    if (writing) await writer.addReturnPupils(share.pupils, share.source);
  };
  // Reader threads (none for a few returns) unzip and parse returns, in input order; this
  // thread validates each, lays its pupils out and appends them. Validating and laying out run
  // here alone, so only this thread's JIT compiles them and the threads load the reader alone.
  // While the next return is still with a thread, this one reads a few itself, so neither
  // core waits.
  let taken = 0;
  for await (const read of pool.map(inputs, readFile)) {
    progress.tick(taken, path.basename(inputs[taken] ?? ''));
    await take(read, taken);
    taken++;
  }
  progress.tick(inputs.length, 'done');
  progress.end();
  if (!writing) return { kind: 'again', duplicates: once.duplicates, replaced: replaced ?? '' };

  const year = givenYear ?? mostCommon(years) ?? currentTransferYear();
  const totals = fold.finish(year);
  const cross = once.crossSchool();
  markAlsoOn(totals.tracker, cross, directory);
  const unreadable = totals.tracker.filter((t) => t.status === 'Unreadable').length;
  const duplicateCount = totals.tracker.filter((t) => t.status === DUPLICATE_LEFT_OUT).length;
  const received = new Set(totals.tracker.map((t) => t.school));
  const counts: ReceivedCounts = {
    returns: totals.tracker.length - unreadable - duplicateCount,
    outstanding: directory ? directory.primaries().filter((s) => !received.has(s.laestab)).length : 0,
    unreadable,
    duplicates: duplicateCount,
    crossSchoolUpns: cross.length,
  };
  return { kind: 'done', totals, counts, year, otherYears: [...years].filter(([y]) => y !== year), cross, upns: once.upns };
}

/** Each set of schools that share a UPN, once, as LAESTABs joined by ' and ' (for stderr: no UPN is named). */
function schoolSets(cross: readonly CrossSchoolUpn[]): string[][] {
  const seen = new Map<string, string[]>();
  for (const c of cross) seen.set(c.schools.join(' '), c.schools);
  return [...seen.values()];
}

function schoolPairs(cross: readonly CrossSchoolUpn[]): string {
  return schoolSets(cross).map((s) => s.join(' and ')).join('; ');
}

/** A tracker line for --json: the other schools and how many pupils, not the UPNs (which are in the workbook). */
function withoutUpns({ alsoOn, ...t }: TrackerEntry): Omit<TrackerEntry, 'alsoOn'> & { alsoOn?: Array<{ school: string; schoolName?: string; pupils: number }> } {
  return alsoOn ? { ...t, alsoOn: alsoOn.map(({ upns, ...a }) => ({ ...a, pupils: upns.length })) } : t;
}

function mostCommon(counts: ReadonlyMap<number, number>): number | undefined {
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
}
