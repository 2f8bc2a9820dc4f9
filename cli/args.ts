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

/** A --year value: a four-digit transfer year. */
export function parseYear(value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const year = Number(value);
  if (!Number.isInteger(year) || year < 2000 || year > 2100) throw new CliError(`--year must be a four-digit year such as 2027, not "${value}"`);
  return year;
}
