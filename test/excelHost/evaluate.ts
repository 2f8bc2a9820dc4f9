/**
 * Evaluates the formulas the add-in writes into the in-memory workbook, with the shared
 * implementations behind the custom functions and Excel's COUNTIF, so a test can check a sheet's
 * formulas are well formed AND wired to the right cells. A formula that does not parse, names an
 * unknown function or refers outside the sheet throws. TOOLKIT.BAND's row spills to the right.
 */
import * as rb from '../../shared/functions/resourceBases';
import * as toolkit from '../../shared/functions/toolkit';
import { type Cell, type FakeExcelHost, parseAddress } from './fakeExcel';

type Value = unknown[][];
type Fn = (...args: Array<Value | undefined>) => Value | Promise<Value>;

const scalar = (v: Value | undefined): unknown => v?.[0]?.[0];

const FUNCTIONS: Record<string, Fn> = {
  'TOOLKIT.BAND': (grid, threshold) => toolkit.toolkitBand(grid ?? [[]], scalar(threshold) as number | undefined),
  'TOOLKIT.GAP': (band, year, term) => toolkit.toolkitGap(band ?? [[]], year ?? [[]], term),
  'TOOLKIT.SUPPORT': (band, year, gained, term) => toolkit.toolkitSupport(band ?? [[]], year ?? [[]], gained, term),
  'RB.PLACES': (area, need, phase) => rb.rbPlaces(area, need, phase),
  'RB.COSTPERPLACE': (area, need, phase) => rb.rbCostPerPlace(area, need, phase),
  'RB.SUFFICIENCY': (area, need, year) => rb.rbSufficiency(area, need, scalar(year) as number | undefined),
  COUNTIF: (range, criterion) => [[(range ?? []).flat().filter((v) => v === scalar(criterion)).length]],
};

/** Splits a function call's arguments at top-level commas (none of ours nest). */
function parseCall(formula: string): { name: string; args: string[] } {
  const m = /^=([A-Z][A-Z0-9.]*)\((.*)\)$/.exec(formula);
  if (!m) throw new Error(`not a function call: ${formula}`);
  const args: string[] = [];
  let current = '';
  let quoted = false;
  for (const ch of m[2] as string) {
    if (ch === '"') quoted = !quoted;
    if (ch === ',' && !quoted) {
      args.push(current);
      current = '';
    } else current += ch;
  }
  if (quoted) throw new Error(`unbalanced quotes: ${formula}`);
  args.push(current);
  return { name: m[1] as string, args };
}

export class SheetEvaluator {
  private readonly results = new Map<string, Cell>();

  constructor(
    private readonly host: FakeExcelHost,
    private readonly sheet: string,
  ) {}

  /** The cell's value: typed, or its formula's result (errors as "#CODE: message"). */
  async value(address: string): Promise<Cell> {
    const { rows, cols } = parseAddress(address);
    const k = `${rows[0]},${cols[0]}`;
    const s = this.host.sheet(this.sheet);
    if (this.results.has(k)) return this.results.get(k) as Cell;
    const formula = s.formulas.get(k);
    if (formula === undefined) return s.values.get(k) ?? '';
    const out = await this.evaluate(formula);
    // A spilled answer fills the cells to the right and below the formula.
    out.forEach((line, r) => line.forEach((v, c) => this.results.set(`${rows[0] + r},${cols[0] + c}`, v as Cell)));
    return this.results.get(k) as Cell;
  }

  /** Evaluates every formula on the sheet that spills first, so spilled cells read their values. */
  async spillAll(): Promise<void> {
    for (const [k, f] of this.host.sheet(this.sheet).formulas) if (f.startsWith('=TOOLKIT.BAND(')) await this.value(addressOf(k));
  }

  async evaluate(formula: string): Promise<unknown[][]> {
    const { name, args } = parseCall(formula);
    const fn = FUNCTIONS[name];
    if (!fn) throw new Error(`unknown function ${name} in ${formula}`);
    const values = await Promise.all(args.map((a) => this.argument(a.trim())));
    try {
      return await fn(...values);
    } catch (e) {
      const err = e as { kind?: string; message?: string };
      return [[`#${err.kind ?? 'error'}: ${err.message ?? String(e)}`]];
    }
  }

  private async argument(arg: string): Promise<Value | undefined> {
    if (arg === '') return undefined;
    if (/^".*"$/.test(arg)) return [[arg.slice(1, -1)]];
    if (/^-?\d+(\.\d+)?$/.test(arg)) return [[Number(arg)]];
    const ref = arg.replace(/\$/g, '');
    if (!/^[A-Z]+\d+(:[A-Z]+\d+)?$/.test(ref)) throw new Error(`not a reference: ${arg}`);
    const { rows, cols } = parseAddress(ref);
    const out: unknown[][] = [];
    for (let r = rows[0]; r <= rows[1]; r++) {
      const line: unknown[] = [];
      for (let c = cols[0]; c <= cols[1]; c++) line.push(await this.value(addressOf(`${r},${c}`)));
      out.push(line);
    }
    return out;
  }
}

function addressOf(k: string): string {
  const [r, c] = k.split(',').map(Number) as [number, number];
  let n = c;
  let letters = '';
  while (n > 0) {
    const m = (n - 1) % 26;
    letters = String.fromCharCode(65 + m) + letters;
    n = Math.floor((n - 1) / 26);
  }
  return `${letters}${r}`;
}
