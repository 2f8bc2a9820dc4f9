/**
 * The custom function catalogue is the JSDoc Excel shows, generated once (`npm run docs`) for the
 * CLI, the task pane and the README; and every worked example in it is true.
 */
import fs from 'node:fs';
import * as addin from '../../addin/functions/functions';
import { CATALOGUE_PATH, readFunctionCatalogue, renderCatalogueModule } from '../../scripts/functionCatalogue';
import { CUSTOM_FUNCTIONS, FUNCTION_CATALOGUE, FUNCTION_EXAMPLES, functionSignature, type FunctionParam } from '../../shared/functions/catalogue';
import { resetResourceBaseSource } from '../../shared/functions/resourceBaseSource';

afterEach(() => resetResourceBaseSource());

/** `=ID(arg, …) → result (note)` split into its parts; undefined args where a cell reference is used. */
function parseExample(example: string): { id: string; args: string[]; result: string | undefined } {
  const m = /^=([A-Z.]+)\(([^)]*)\)\s*(?:→\s*(.+?))?\s*(?:\(.*\))?$/.exec(example);
  if (!m) throw new Error(`example "${example}" is not =ID(args) → result`);
  const args = (m[2] ?? '').trim() === '' ? [] : (m[2] ?? '').split(',').map((a) => a.trim());
  return { id: m[1] ?? '', args, result: m[3]?.trim() };
}

function cellArg(arg: string, p: FunctionParam): unknown {
  const value = arg === '' ? null : /^".*"$/.test(arg) ? arg.slice(1, -1) : Number(arg);
  if (p.kind === 'range') return [[value]];
  return value === null ? undefined : value;
}

function shown(value: unknown, expected: string): string {
  if (typeof value === 'number') return value.toFixed(expected.split('.')[1]?.length ?? 0);
  return String(value);
}

describe('the function catalogue', () => {
  it('is what the JSDoc in addin/functions/functions.ts generates (run `npm run docs` if this fails)', async () => {
    const fresh = renderCatalogueModule(await readFunctionCatalogue());
    expect(fs.readFileSync(CATALOGUE_PATH, 'utf8')).toBe(fresh);
  }, 60_000);

  it('names, for every entry, a function the add-in exports', () => {
    const exported = Object.keys(addin).sort();
    expect(FUNCTION_CATALOGUE.map((f) => f.functionName).sort()).toEqual(exported);
  });

  it('gives the new toolkit signatures with their optional term', () => {
    const signatures = Object.fromEntries(FUNCTION_CATALOGUE.map((f) => [f.id, functionSignature(f)]));
    expect(signatures['TOOLKIT.GAP']).toBe('=TOOLKIT.GAP(band, yearGroup, [term])');
    expect(signatures['TOOLKIT.SUPPORT']).toBe('=TOOLKIT.SUPPORT(band, yearGroup, [bandsGained12m], [term])');
  });

  it('gives the task pane every function’s examples from the JSDoc', () => {
    expect(Object.keys(FUNCTION_EXAMPLES).sort()).toEqual(FUNCTION_CATALOGUE.map((f) => f.id).sort());
    expect(FUNCTION_EXAMPLES['TOOLKIT.SUPPORT']).toBe('=TOOLKIT.SUPPORT("Y4.1", 6) → Targeted   =TOOLKIT.SUPPORT("Y4.1", 6, , "summer") → Specialist   =TOOLKIT.SUPPORT("Y4.1", 6, 1) → Specialist');
  });

  const worked = FUNCTION_CATALOGUE.flatMap((f) => f.examples.map((e) => ({ entry: f, example: e, parsed: parseExample(e) })))
    .filter((x) => x.parsed.result !== undefined);

  it('has a worked example with a result offline for these functions', () => {
    expect([...new Set(worked.map((w) => w.entry.id))].sort()).toEqual([
      'RB.COSTPERPLACE', 'RB.PLACES', 'SEND.NEEDAREA', 'SEND.UPNLETTER', 'TOOLKIT.GAP', 'TOOLKIT.PROGRESS', 'TOOLKIT.SUPPORT',
    ]);
  });

  it.each(worked.map((w) => [w.example, w] as const))('%s', async (_name, { entry, parsed }) => {
    expect(parsed.id).toBe(entry.id);
    const fn = CUSTOM_FUNCTIONS.get(entry.id);
    const args = entry.params.map((p, i) => (parsed.args[i] === undefined ? undefined : cellArg(parsed.args[i] ?? '', p)));
    const out = (await fn?.call(args)) as unknown[][];
    expect(shown(out[0]?.[0], parsed.result ?? '')).toBe(parsed.result);
  });
});
