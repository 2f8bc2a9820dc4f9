/**
 * The custom functions by their Excel id, with what the CLI needs to call them:
 * `goodstart fn TOOLKIT.SUPPORT Y4.1 6` runs the add-in's own code in the shell.
 */
import {
  rbCostPerPlace,
  rbCostPerPlaceRange,
  rbPlaces,
  rbSufficiency,
  sendNeedArea,
  sendUpnCheck,
  sendUpnLetter,
  toolkitBand,
  toolkitGap,
  toolkitProgress,
  toolkitSupport,
} from './functions';
import { excelError } from './excelError';

/** How a CLI argument is read: a range (a value or a JSON 2-D array), a number, or text. */
export type ParamKind = 'range' | 'number' | 'text';

export interface CustomFunctionParam {
  readonly name: string;
  readonly kind: ParamKind;
  readonly optional: boolean;
}

export interface CustomFunctionEntry {
  /** Calls the function with arguments already in the shapes it expects. */
  readonly fn: (args: readonly unknown[]) => unknown;
  /** Parameter names as the CLI shows them; optional ones in [brackets]. */
  readonly params: string[];
  readonly paramKinds: readonly CustomFunctionParam[];
  readonly description: string;
}

const param = (spec: string): CustomFunctionParam => {
  const optional = spec.startsWith('[');
  const [name = spec, kind = 'range'] = spec.replace(/[[\]]/g, '').split(':');
  return { name, kind: kind as ParamKind, optional };
};

function entry<A extends unknown[]>(fn: (...a: A) => unknown, specs: string[], description: string): CustomFunctionEntry {
  const paramKinds = specs.map(param);
  return {
    fn: (args) => fn(...(args as A)),
    params: paramKinds.map((p) => (p.optional ? `[${p.name}]` : p.name)),
    paramKinds,
    description,
  };
}

export const CUSTOM_FUNCTIONS: Record<string, CustomFunctionEntry> = {
  'TOOLKIT.BAND': entry(toolkitBand, ['grid', '[threshold:number]'], 'band per pupil column of a toolkit grid'),
  'TOOLKIT.GAP': entry(toolkitGap, ['band', 'yearGroup'], 'bands behind the expected band for the year group'),
  'TOOLKIT.SUPPORT': entry(toolkitSupport, ['band', 'yearGroup', '[bandsGained12m]'], 'Universal, Targeted or Specialist'),
  'TOOLKIT.PROGRESS': entry(toolkitProgress, ['fromBand', 'toBand', 'months'], 'Widening, Holding or Accelerated'),
  'RB.COSTPERPLACE': entry(rbCostPerPlace, ['[area]', '[need]', '[phase]'], 'resource base cost per commissioned place'),
  'RB.COSTPERPLACERANGE': entry(rbCostPerPlaceRange, ['costs', 'places'], 'total costs ÷ total places of two ranges'),
  'RB.PLACES': entry(rbPlaces, ['[area]', '[need]', '[phase]'], 'commissioned resource base places'),
  'RB.SUFFICIENCY': entry(rbSufficiency, ['[area]', '[need]', '[year:text]'], 'commissioned places minus demand'),
  'SEND.UPNCHECK': entry(sendUpnCheck, ['upn'], 'TRUE when a UPN is valid'),
  'SEND.UPNLETTER': entry(sendUpnLetter, ['upn'], 'the check letter for a UPN'),
  'SEND.NEEDAREA': entry(sendNeedArea, ['code'], 'area of need for a DfE SEN type code'),
};

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
      throw excelError('invalidValue', `"${v.slice(0, 40)}" is not a JSON array of rows, e.g. [["Y1.1",1]]`);
    }
    if (!Array.isArray(parsed)) throw excelError('invalidValue', 'a range must be a JSON array of rows');
    return parsed.every(Array.isArray) ? (parsed as unknown[][]) : [parsed as unknown[]];
  }
  return [[cliScalar(arg)]];
}

function convert(arg: string | undefined, p: CustomFunctionParam): unknown {
  if (arg === undefined) return undefined;
  switch (p.kind) {
    case 'range':
      return cliRange(arg);
    case 'number': {
      const v = cliScalar(arg);
      if (v === null) return undefined;
      if (typeof v !== 'number') throw excelError('invalidValue', `${p.name} must be a number; got "${arg}"`);
      return v;
    }
    case 'text':
      return arg.trim() === '' ? undefined : arg;
  }
}

/**
 * Calls a custom function with CLI arguments converted to Excel's shapes and unwraps a 1×1
 * result to its value. Errors thrown by the function (cell errors) propagate to the caller.
 */
export async function invokeCustomFunction(id: string, args: string[]): Promise<unknown> {
  const f = CUSTOM_FUNCTIONS[id.toUpperCase()];
  if (f === undefined) throw excelError('invalidValue', `unknown function ${id}`);
  if (args.length > f.paramKinds.length) {
    throw excelError('invalidValue', `${id} takes ${f.params.join(', ')}; got ${args.length} arguments`);
  }
  const missing = f.paramKinds.find((p, i) => !p.optional && args[i] === undefined);
  if (missing) throw excelError('invalidValue', `${id} needs ${missing.name} (${f.params.join(', ')})`);
  const result = await f.fn(f.paramKinds.map((p, i) => convert(args[i], p)));
  if (Array.isArray(result) && result.length === 1 && Array.isArray(result[0]) && result[0].length === 1) {
    return result[0][0];
  }
  return result;
}
