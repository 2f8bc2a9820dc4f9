/**
 * The custom function catalogue, as the CLI's `goodstart fn`, the task pane and the README use it.
 *
 * It is not written here: `npm run docs` generates catalogue.generated.ts from the JSDoc of
 * addin/functions/functions.ts (the help Excel shows), with the same parser that builds
 * functions.json, and a test fails when it is stale. This module joins each entry to its
 * implementation in shared/functions by the function's name.
 */
import { GENERATED_CATALOGUE } from './catalogue.generated';
import { rbCostPerPlace, rbCostPerPlaceRange, rbPlaces, rbSufficiency } from './resourceBases';
import { sendNeedArea, sendUpnCheck, sendUpnLetter } from './send';
import { toolkitBand, toolkitGap, toolkitGroupProgress, toolkitProgress, toolkitSupport, toolkitTrend } from './toolkit';

/** How an argument arrives: a range (`unknown[][]`), a single number, or a single text. */
export type ParamKind = 'range' | 'number' | 'text';

export interface FunctionParam {
  readonly name: string;
  readonly description: string;
  readonly optional: boolean;
  readonly kind: ParamKind;
}

export interface FunctionEntry {
  /** The Excel id, e.g. TOOLKIT.GAP. */
  readonly id: string;
  /** The exported function's name in addin/functions/functions.ts and shared/functions. */
  readonly functionName: string;
  readonly description: string;
  readonly params: readonly FunctionParam[];
  readonly returns: string;
  /** Worked examples, `=ID(args)`, then `→ result` where the result is known offline. */
  readonly examples: readonly string[];
}

type FunctionName = (typeof GENERATED_CATALOGUE)[number]['functionName'];
type Implementation = (...args: never[]) => unknown;

const IMPLEMENTATIONS = {
  toolkitBand,
  toolkitGap,
  toolkitSupport,
  toolkitProgress,
  toolkitTrend,
  toolkitGroupProgress,
  rbCostPerPlace,
  rbCostPerPlaceRange,
  rbPlaces,
  rbSufficiency,
  sendUpnCheck,
  sendUpnLetter,
  sendNeedArea,
} satisfies Record<FunctionName, Implementation>;

export const FUNCTION_CATALOGUE: readonly FunctionEntry[] = GENERATED_CATALOGUE;

export interface CustomFunction extends FunctionEntry {
  /** Calls the implementation with arguments already in the shapes the params' kinds give. */
  readonly call: (args: readonly unknown[]) => unknown;
}

/** The custom functions by Excel id. */
export const CUSTOM_FUNCTIONS: ReadonlyMap<string, CustomFunction> = new Map(
  GENERATED_CATALOGUE.map((entry) => {
    const fn = IMPLEMENTATIONS[entry.functionName] as (...args: unknown[]) => unknown;
    return [entry.id, { ...entry, call: (args: readonly unknown[]) => fn(...args) }];
  }),
);

/** `=TOOLKIT.GAP(band, yearGroup, [term])`: optional parameters in brackets. */
export function functionSignature(entry: FunctionEntry): string {
  return `=${entry.id}(${entry.params.map((p) => (p.optional ? `[${p.name}]` : p.name)).join(', ')})`;
}

/** Each function's worked examples on one line, by Excel id, for the task pane. */
export const FUNCTION_EXAMPLES: Readonly<Record<string, string>> = Object.fromEntries(
  FUNCTION_CATALOGUE.map((f) => [f.id, f.examples.join('   ')]),
);
