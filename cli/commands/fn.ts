import { CliError } from '../io';
import type { Io } from '../main';
import { CUSTOM_FUNCTIONS, type FunctionParam } from '../../shared/functions/catalogue';
import { CELL_ERROR_CODES } from '../../shared/functions/cells';
import { DomainInputError } from '../../shared/errors';
import { terminalText } from '../../shared/text';

const codeOf = (e: DomainInputError): string => CELL_ERROR_CODES[e.kind];

function formatValue(v: unknown): string {
  if (v instanceof DomainInputError) return codeOf(v);
  if (v === null || v === undefined) return '';
  if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
  return String(v);
}

/** A CLI word as a cell value: '' → blank, TRUE/FALSE → boolean, numerals → number, else text. */
export function cliScalar(arg: string): unknown {
  const v = arg.trim();
  if (v === '') return null;
  if (/^(TRUE|FALSE)$/i.test(v)) return v.toUpperCase() === 'TRUE';
  if (/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(v)) return Number(v);
  return arg;
}

/** A CLI word as a range: a JSON array (`[["Y1.1",1]]`, or one row `["a","b"]`) or a single cell. */
export function cliRange(arg: string): unknown[][] {
  const v = arg.trim();
  if (v.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(v);
    } catch {
      throw new DomainInputError('invalidValue', `"${v.slice(0, 40)}" is not a JSON array of rows, e.g. [["Y1.1",1]]`);
    }
    if (!Array.isArray(parsed)) throw new DomainInputError('invalidValue', 'a range must be a JSON array of rows');
    return parsed.every(Array.isArray) ? (parsed as unknown[][]) : [parsed as unknown[]];
  }
  return [[cliScalar(arg)]];
}

function convert(arg: string | undefined, p: FunctionParam): unknown {
  if (arg === undefined) return undefined;
  switch (p.kind) {
    case 'range':
      return cliRange(arg);
    case 'number': {
      const v = cliScalar(arg);
      if (v === null) return undefined;
      if (typeof v !== 'number') throw new DomainInputError('invalidValue', `${p.name} must be a number; got "${arg}"`);
      return v;
    }
    case 'text':
      return arg.trim() === '' ? undefined : arg;
  }
}

/**
 * Calls a custom function with CLI arguments converted to Excel's shapes and unwraps a 1×1
 * result to its value. A cell in error is a `DomainInputError` value; an error in the whole
 * call (a bad argument list too) is thrown as one.
 */
export async function invokeCustomFunction(id: string, args: string[]): Promise<unknown> {
  const f = CUSTOM_FUNCTIONS.get(id.toUpperCase());
  if (f === undefined) throw new DomainInputError('invalidValue', `unknown function ${id}`);
  const params = f.params.map((p) => (p.optional ? `[${p.name}]` : p.name)).join(', ');
  if (args.length > f.params.length) {
    throw new DomainInputError('invalidValue', `${f.id} takes ${params}; got ${args.length} arguments`);
  }
  const missing = f.params.find((p, i) => !p.optional && args[i] === undefined);
  if (missing) throw new DomainInputError('invalidValue', `${f.id} needs ${missing.name} (${params})`);
  const result = await f.call(f.params.map((p, i) => convert(args[i], p)));
  if (Array.isArray(result) && result.length === 1 && Array.isArray(result[0]) && result[0].length === 1) {
    return result[0][0];
  }
  return result;
}

/** `goodstart fn NAME args…`: the custom function's own code (shared/functions), evaluated in the shell. */
export async function fnCommand(args: string[], io: Io): Promise<number> {
  const [name, ...rest] = args;
  const names = [...CUSTOM_FUNCTIONS.keys()].sort();
  if (!name) throw new CliError(`name a function: ${names.join(', ')}`);
  const id = name.toUpperCase();
  if (!CUSTOM_FUNCTIONS.has(id)) throw new CliError(`unknown function "${name}"; the functions are ${names.join(', ')}`);
  let value: unknown;
  try {
    value = await invokeCustomFunction(id, rest);
  } catch (e) {
    if (e instanceof DomainInputError) {
      io.out(`${codeOf(e)}\n`);
      io.err(`${id}: ${terminalText(e.message)}\n`);
      return 1;
    }
    throw e;
  }
  if (Array.isArray(value)) {
    // A spilled array prints as tab-separated rows, as Excel would spill it.
    const rows = value as unknown[][];
    io.out(rows.map((r) => (Array.isArray(r) ? r : [r]).map(formatValue).join('\t')).join('\n') + '\n');
    const errors = rows.flat().filter((v): v is DomainInputError => v instanceof DomainInputError);
    for (const e of errors) io.err(`${id}: ${terminalText(e.message)}\n`);
    return errors.length > 0 ? 1 : 0;
  }
  io.out(`${formatValue(value)}\n`);
  if (value instanceof DomainInputError) {
    io.err(`${id}: ${terminalText(value.message)}\n`);
    return 1;
  }
  return 0;
}
