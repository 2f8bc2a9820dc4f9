/**
 * `goodstart`: the offline command line over the same domain core the add-in and API use.
 * Every failure the user can act on is one line on stderr and a documented exit code,
 * never a stack trace.
 */
import { CliError } from './io';
import { templateCommand } from './commands/template';
import { validateCommand } from './commands/validate';
import { consolidateCommand } from './commands/consolidate';
import { fnCommand } from './commands/fn';

export const USAGE = `goodstart: Good Start transition returns, offline

Usage:
  goodstart template --out <file.xlsx> [--year <YYYY>] [--secondary "<name> (<LAESTAB>)"] [--force]
      Write the blank "Every Child Deserves a Good Start" Y6/7 transition workbook.
  goodstart template --from-ctf <primary.ctf.xml> --out <file.xlsx> [--year <YYYY>] [--secondary "<name> (<LAESTAB>)"] [--force]
      Prefill it from your MIS's Common Transfer File: one row per Year 6 pupil (identity and current SEN).
      Exit 2 for a file that is not a readable CTF.
  goodstart validate <file.xlsx> [--json] [--schools <directory.json>]
      Check a filled workbook. Exit 0: no errors; 1: errors; 2: the file cannot be read.
  goodstart consolidate <files or folders...> --out <city.xlsx> [--json] [--publish] [--year <YYYY>] [--schools <directory.json>] [--force]
      Validate every return and write one consolidated workbook. Bad files are reported and skipped.
      --publish applies disclosure control (counts of 1-4 shown as c) to the summary sheets.
  goodstart fn <NAME> [args...]
      Evaluate one of the add-in's custom functions, e.g. goodstart fn TOOLKIT.SUPPORT Y4.1 6.
      A range is a JSON array: goodstart fn TOOLKIT.BAND '[["N.1",1],["N.2",1]]'.
      Blank is '': goodstart fn TOOLKIT.SUPPORT Y4.1 6 '' summer.
  goodstart help
`;

export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
}

const defaultIo: Io = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
};

export async function main(argv: string[], io: Io = defaultIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'template':
        return await templateCommand(rest, io);
      case 'validate':
        return await validateCommand(rest, io);
      case 'consolidate':
        return await consolidateCommand(rest, io);
      case 'fn':
        return await fnCommand(rest, io);
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
      io.err(`goodstart ${command}: ${e.message}\n`);
      return e.exitCode;
    }
    // An unexpected failure is still one line; GOODSTART_DEBUG=1 shows the stack for developers.
    io.err(`goodstart ${command}: unexpected failure: ${(e as Error).message}\n`);
    if (process.env.GOODSTART_DEBUG) io.err(`${(e as Error).stack ?? ''}\n`);
    return 2;
  }
}
