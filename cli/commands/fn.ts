import { CliError } from '../io';
import type { Io } from '../main';
import { CUSTOM_FUNCTIONS, invokeCustomFunction } from '../../addin/functions/registry';

interface ExcelErrorLike {
  code: string;
  message: string;
}

const isExcelError = (v: unknown): v is ExcelErrorLike =>
  typeof v === 'object' && v !== null && typeof (v as { code?: unknown }).code === 'string' && String((v as { code: string }).code).startsWith('#');

function formatValue(v: unknown): string {
  if (isExcelError(v)) return v.code;
  if (v === null || v === undefined) return '';
  if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
  return String(v);
}

/** `goodstart fn NAME args…`: the add-in's own custom function code, evaluated in the shell. */
export async function fnCommand(args: string[], io: Io): Promise<number> {
  const [name, ...rest] = args;
  const names = Object.keys(CUSTOM_FUNCTIONS).sort();
  if (!name) throw new CliError(`name a function: ${names.join(', ')}`);
  const id = name.toUpperCase();
  if (!(id in CUSTOM_FUNCTIONS)) throw new CliError(`unknown function "${name}"; the functions are ${names.join(', ')}`);
  let value: unknown;
  try {
    value = await invokeCustomFunction(id, rest);
  } catch (e) {
    if (isExcelError(e)) {
      io.out(`${e.code}\n`);
      io.err(`${id}: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
  if (Array.isArray(value)) {
    // A spilled array prints as tab-separated rows, as Excel would spill it.
    const rows = value as unknown[][];
    io.out(rows.map((r) => (Array.isArray(r) ? r : [r]).map(formatValue).join('\t')).join('\n') + '\n');
    const errors = rows.flat().filter(isExcelError);
    for (const e of errors) io.err(`${id}: ${e.message}\n`);
    return errors.length > 0 ? 1 : 0;
  }
  io.out(`${formatValue(value)}\n`);
  if (isExcelError(value)) {
    io.err(`${id}: ${value.message}\n`);
    return 1;
  }
  return 0;
}
