import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CliError } from './io';

type Options = NonNullable<ParseArgsConfig['options']>;

/** node:util parseArgs, with its errors turned into one-line usage messages. */
export function parse<O extends Options>(args: string[], options: O, { positionals = true } = {}) {
  try {
    return parseArgs({ args, options, allowPositionals: positionals, strict: true });
  } catch (e) {
    throw new CliError(`${(e as Error).message.replace(/^TypeError \[[A-Z_]+\]: /, '')}; try goodstart help`);
  }
}

/** A --year value, read by the one year rule (shared/year.ts): 2027 or 2027-28 is transfer in September 2027. */
export function parseYear(value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  // Loaded here, not with the arguments: the year rule brings zod (its schemas), and a command
  // that starts threads (consolidate) starts them before it loads that.
  const { parseTransferYear } = require('../shared/year') as typeof import('../shared/year');
  try {
    return parseTransferYear(value);
  } catch (e) {
    throw new CliError(`--year: ${(e as Error).message}`);
  }
}
