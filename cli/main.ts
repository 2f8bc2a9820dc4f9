/**
 * `goodstart`: the offline command line over the same domain core the add-in and API use.
 * Every failure the user can act on is one line on stderr and a documented exit code,
 * never a stack trace.
 */
import { CliError, tolerateClosedReader } from './io';
import { terminalText } from '../shared/text';

export const USAGE = `goodstart: Good Start transition returns, offline

Usage:
  goodstart template --out <file.xlsx> [--year <YYYY>] [--secondary "<name> (<LAESTAB>)"] [--force]
      Write the blank "Every Child Deserves a Good Start" Y6/7 transition workbook.
  goodstart template --from-ctf <primary.ctf.xml> --out <file.xlsx> [--year <YYYY>] [--secondary "<name> (<LAESTAB>)"] [--force]
      Prefill it from your MIS's Common Transfer File: one row per Year 6 pupil (identity and current SEN).
      Exit 2 for a file that is not a readable CTF.
  goodstart validate <file.xlsx> [--json] [--schools <directory.json>]
      Check a filled workbook. Exit 0: no errors; 1: errors; 2: the file cannot be read.
      --schools is the LA's school directory; without it, school codes are checked for form only (and it says so).
  goodstart consolidate <files or folders...> --out <city.xlsx> [--json] [--publish] [--year <YYYY>] [--schools <directory.json>] [--force]
      Validate every return and write one consolidated workbook. Bad files are reported and skipped.
      Schools are judged as validate judges them (--schools, or form only). Each pupil is counted once per school:
      a second file of a school whose pupils overlap the first's by UPN is left out as a duplicate (exit 1), the
      workbook saved later kept (else the later file name); a UPN on two schools' returns is flagged, counted under each.
      --publish applies disclosure control (counts of 1-4 shown as c) to the summary sheets.
  goodstart fn <NAME> [args...]
      Evaluate one of the add-in's custom functions, e.g. goodstart fn TOOLKIT.SUPPORT Y4.1 6.
      A range is a JSON array: goodstart fn TOOLKIT.BAND '[["N.1",1],["N.2",1]]'.
      Blank is '': goodstart fn TOOLKIT.SUPPORT Y4.1 6 '' summer.
  goodstart help
`;

type Command = (args: string[], io: Io) => Promise<number>;

/**
 * Each command's module is loaded when it runs (a plain require in the compiled CommonJS), so
 * `goodstart fn` starts without loading exceljs or the workbook reader.
 */
const COMMANDS: Record<'template' | 'validate' | 'consolidate' | 'fn', () => Command> = {
  template: () => (require('./commands/template') as typeof import('./commands/template')).templateCommand,
  validate: () => (require('./commands/validate') as typeof import('./commands/validate')).validateCommand,
  consolidate: () => (require('./commands/consolidate') as typeof import('./commands/consolidate')).consolidateCommand,
  fn: () => (require('./commands/fn') as typeof import('./commands/fn')).fnCommand,
};

export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
}

const defaultIo: Io = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
};

/** For the `goodstart` program itself (bin/goodstart.js): its output may go to a reader that stops early. */
export function useProcessOutput(): void {
  tolerateClosedReader(process.stdout);
  tolerateClosedReader(process.stderr);
}

export async function main(argv: string[], io: Io = defaultIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'template':
        return await COMMANDS.template()(rest, io);
      case 'validate':
        return await COMMANDS.validate()(rest, io);
      case 'consolidate':
        return await COMMANDS.consolidate()(rest, io);
      case 'fn':
        return await COMMANDS.fn()(rest, io);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.out(USAGE);
        return command === undefined ? 2 : 0;
      default:
        throw new CliError(`unknown command "${command}": try goodstart help`);
    }
  } catch (e) {
    if (e instanceof CliError) {
      io.err(`goodstart ${command}: ${terminalText(e.message)}\n`);
      return e.exitCode;
    }
    // An unexpected failure is still one line; GOODSTART_DEBUG=1 shows the stack for developers.
    io.err(`goodstart ${command}: unexpected failure: ${(e as Error).message}\n`);
    if (process.env.GOODSTART_DEBUG) io.err(`${(e as Error).stack ?? ''}\n`);
    return 2;
  }
}
