import * as path from 'node:path';
import { parse, parseYear } from '../args';
import { CliError, expandInputs, progressReporter, readCapped, writeAtomically } from '../io';
import type { Io } from '../main';
import { directoryFor, readReturn } from '../returns';
import { validateReturn } from '../../shared/transition/validate';
import { consolidate, type ReturnOutcome } from '../../shared/consolidation';
import { writeConsolidatedWorkbook } from '../../xlsx/consolidated';
import { currentTransferYear } from '../../shared/year';
import type { SchoolDirectory } from '../../shared/schools';

export async function consolidateCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(args, {
    out: { type: 'string' },
    json: { type: 'boolean', default: false },
    schools: { type: 'string' },
    year: { type: 'string' },
    publish: { type: 'boolean', default: false },
    force: { type: 'boolean', default: false },
  });
  if (!values.out) throw new CliError('--out <city.xlsx> is required');
  if (!/\.xlsx$/i.test(values.out)) throw new CliError('--out must name an .xlsx file');
  if (positionals.length === 0) throw new CliError('give the returns to consolidate: files or folders of .xlsx workbooks');
  const files = await expandInputs(positionals);
  if (files.length === 0) throw new CliError('no .xlsx workbooks found in the folders given');
  const outPath = path.resolve(values.out);
  const { directory, source } = await directoryFor(values.schools);
  io.err(`consolidate: school directory: ${source}${values.schools ? '' : '; pass --schools <file> to use the LA\'s own'}\n`);

  const outcomes = readAll(files.filter((f) => path.resolve(f) !== outPath), directory, progressReporter(files.length, 'consolidate: reading'));
  const collected: ReturnOutcome[] = [];
  for await (const o of outcomes) collected.push(o);
  const years = collected.flatMap((o) => (o.kind === 'read' && o.ret.year !== null ? [o.ret.year] : []));
  const year = parseYear(values.year, mostCommon(years) ?? currentTransferYear());
  const result = consolidate(collected, { year, directory, publish: values.publish });
  const unreadable = result.tracker.filter((t) => t.status === 'Unreadable').length;
  const received = new Set(result.tracker.map((t) => t.school));
  const outstanding = directory.primaries().filter((s) => !received.has(s.laestab)).length;
  const bytes = await writeConsolidatedWorkbook({
    year,
    generatedAt: new Date().toISOString(),
    pupils: result.pupils,
    tracker: result.tracker,
    received: { returns: result.tracker.length - unreadable, outstanding, unreadable },
    tables: result.tables,
  });
  await writeAtomically(values.out, bytes, { force: values.force });

  const withErrors = result.tracker.filter((t) => t.errors > 0).length;
  if (values.json) {
    io.out(`${JSON.stringify({ out: values.out, year, directory: source, files: result.tracker.length, pupils: result.pupils.length, unreadable, outstanding, withErrors, tracker: result.tracker }, null, 2)}\n`);
  } else {
    for (const t of result.tracker) {
      if (t.status === 'Unreadable') io.err(`skipped ${t.file}: ${t.reason}\n`);
    }
    io.out(`Wrote ${values.out}: ${result.pupils.length} pupils from ${result.tracker.length - unreadable} of ${result.tracker.length} files` +
      `${withErrors ? `; ${withErrors} with errors (their rows with errors are left out)` : ''}` +
      `${unreadable ? `; ${unreadable} unreadable, listed on the Tracker sheet` : ''}.\n`);
  }
  return unreadable > 0 || withErrors > 0 ? 1 : 0;
}

/** Reads and validates one file at a time, so memory holds one workbook at once, whatever the count. */
async function* readAll(files: string[], directory: SchoolDirectory, progress: ReturnType<typeof progressReporter>): AsyncGenerator<ReturnOutcome> {
  let done = 0;
  for (const file of files) {
    progress.tick(done, path.basename(file));
    try {
      const ret = await readReturn(file, await readCapped(file));
      yield { kind: 'read', file: path.basename(file), ret, ...validateReturn(ret, { directory }) };
    } catch (e) {
      if (!(e instanceof CliError)) throw e;
      yield { kind: 'unreadable', file: path.basename(file), reason: e.message.replace(`${file}: `, '') };
    }
    done++;
  }
  progress.tick(done, 'done');
  progress.end();
}

function mostCommon(values: number[]): number | undefined {
  const counts = new Map<number, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
}
