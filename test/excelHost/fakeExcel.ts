/**
 * An in-memory stand-in for the Excel host: the part of the Excel JavaScript API that the
 * add-in's adapters (addin/excel/) use, with Office.js's batching semantics.
 *
 * - Commands are queued on proxy objects and run in order at `context.sync()`, as in Office.js;
 *   a property read before it was loaded and synced throws `PropertyNotLoaded`.
 * - Every `sync()` is counted, so tests can pin the number of round trips an action costs.
 * - A sync whose queued payload exceeds Excel on the web's 5 MB request limit fails with
 *   `RequestPayloadSizeLimitExceeded`, so chunking is tested, not assumed.
 * - Value writes raise `onChanged` after the sync (as Excel does for add-in writes, with
 *   `triggerSource: 'ThisLocalAddin'`); `host.edit()` plays a user typing into cells.
 *
 * Its one import is the column-letter rule from the runtime-neutral core, so the same file runs in
 * jest (Node) and, bundled, in Chromium as office.js.
 */
import { columnLetter, columnNumber } from '../../shared/transition/layout';

export type Cell = string | number | boolean;

export interface ValidationRecord {
  rows: [number, number];
  cols: [number, number];
  list?: { source: string; inCellDropDown: boolean };
  prompt?: { showPrompt: boolean; title: string; message: string };
  errorAlert?: { showAlert: boolean; style: string; title: string; message: string };
}

export interface ConditionalFormatRecord {
  id: number;
  areas: Array<{ rows: [number, number]; cols: [number, number] }>;
  formula: string;
  fill: string | null;
  fontColor: string | null;
}

export interface TableRecord {
  id: string;
  name: string;
  sheet: string;
  rows: [number, number];
  cols: [number, number];
  showHeaders: boolean;
  style: string;
}

export interface ChartRecord {
  id: string;
  name: string;
  type: string;
  source: string;
  seriesBy: string;
  title: string;
  categoryAxisTitle: string;
  valueAxisTitle: string;
  top: number;
  left: number;
  width: number;
  height: number;
}

export interface SheetModel {
  id: string;
  name: string;
  visibility: 'Visible' | 'Hidden' | 'VeryHidden';
  values: Map<string, Cell>;
  numberFormats: Map<string, string>;
  formulas: Map<string, string>;
  fills: Map<string, string>;
  bold: Set<string>;
  fontSizes: Map<string, number>;
  wrap: Set<string>;
  columnWidths: Map<number, number>;
  rowHeights: Map<number, number>;
  merges: Array<{ rows: [number, number]; cols: [number, number] }>;
  frozenRows: number;
  frozenColumns: number;
  validations: ValidationRecord[];
  conditionalFormats: ConditionalFormatRecord[];
  charts: ChartRecord[];
  handlers: Array<(e: unknown) => unknown>;
  tabColor: string;
}


/** Excel on the web refuses a request larger than 5 MB. */
export const REQUEST_LIMIT_BYTES = 5 * 1024 * 1024;

const key = (r: number, c: number): string => `${r},${c}`;



interface Rect {
  sheet?: string;
  rows: [number, number];
  cols: [number, number];
}

const MAX_ROW = 1_048_576;
const MAX_COL = 16_384;

/** "A1", "B2:D9", "'My sheet'!A1:B2", "C:C", "3:5" → a 1-based rectangle. */
export function parseAddress(address: string): Rect {
  let a = address.trim();
  let sheet: string | undefined;
  const bang = a.lastIndexOf('!');
  if (bang >= 0) {
    sheet = a.slice(0, bang).replace(/^'(.*)'$/, '$1').replace(/''/g, "'");
    a = a.slice(bang + 1);
  }
  a = a.replace(/\$/g, '');
  const parts = a.split(':');
  const one = (p: string): { r?: number; c?: number } => {
    const m = /^([A-Z]*)(\d*)$/i.exec(p);
    if (!m || (m[1] === '' && m[2] === '')) throw hostError('InvalidArgument', `Bad address "${address}"`);
    return { ...(m[1] ? { c: columnNumber(m[1]) } : {}), ...(m[2] ? { r: Number(m[2]) } : {}) };
  };
  const p1 = one(parts[0] ?? '');
  const p2 = parts[1] !== undefined ? one(parts[1]) : p1;
  const rows: [number, number] = p1.r === undefined ? [1, MAX_ROW] : [p1.r, p2.r ?? p1.r];
  const cols: [number, number] = p1.c === undefined ? [1, MAX_COL] : [p1.c, p2.c ?? p1.c];
  return { ...(sheet !== undefined ? { sheet } : {}), rows: [Math.min(...rows), Math.max(...rows)] as [number, number], cols: [Math.min(...cols), Math.max(...cols)] as [number, number] };
}

export function formatAddress(rows: [number, number], cols: [number, number]): string {
  const a = `${columnLetter(cols[0])}${rows[0]}`;
  return rows[0] === rows[1] && cols[0] === cols[1] ? a : `${a}:${columnLetter(cols[1])}${rows[1]}`;
}

const quoteSheet = (name: string): string => (/^[A-Za-z0-9_]+$/.test(name) ? name : `'${name.replace(/'/g, "''")}'`);

function hostError(code: string, message: string): Error & { code: string } {
  const e = new Error(message) as Error & { code: string };
  e.name = 'RichApi.Error';
  e.code = code;
  return e;
}

type Op = () => void;

/** One Excel.run batch: queued commands and the proxies waiting for loads. */
class Batch {
  ops: Op[] = [];
  bytes = 0;
  constructor(readonly host: FakeExcelHost) {}
  queue(op: Op, bytes = 64): void {
    this.ops.push(op);
    this.bytes += bytes;
  }
}

/** Base of every proxy: `load()` and loaded-property reads. */
class Proxy {
  protected data: Record<string, unknown> = {};
  protected loaders: Record<string, () => unknown> = {};
  constructor(protected readonly batch: Batch) {}
  load(props?: string | string[] | Record<string, unknown>): this {
    const list = typeof props === 'string' ? props.split(',').map((p) => p.trim()) : Array.isArray(props) ? props : props ? Object.keys(props) : Object.keys(this.loaders);
    this.batch.queue(() => {
      for (const p of list) {
        const head = p.split('/')[0] as string;
        const loader = this.loaders[head];
        if (loader) this.data[head] = loader();
      }
    });
    return this;
  }
  protected get<T>(prop: string): T {
    if (!(prop in this.data)) throw hostError('PropertyNotLoaded', `The property '${prop}' is not available. Before reading the property's value, call the load method on the containing object and call "context.sync()" on the associated request context.`);
    return this.data[prop] as T;
  }
  /** A value set by the add-in in this batch reads back as set (Office.js keeps it on the proxy). */
  protected remember(prop: string, v: unknown): void {
    this.data[prop] = v;
  }
}

export class RangeProxy extends Proxy {
  readonly format: {
    fill: { color: string; clear(): void };
    font: { bold: boolean; color: string; size: number; italic: boolean };
    columnWidth: number;
    rowHeight: number;
    wrapText: boolean;
    autofitColumns(): void;
  };
  readonly dataValidation: {
    rule: unknown;
    prompt: unknown;
    errorAlert: unknown;
    clear(): void;
  };
  readonly conditionalFormats: ConditionalFormatsProxy;

  constructor(
    batch: Batch,
    readonly sheetRef: () => SheetModel,
    readonly rects: Array<{ rows: [number, number]; cols: [number, number] }>,
  ) {
    super(batch);
    const self = this;
    const each = (fn: (r: number, c: number, s: SheetModel) => void): void => {
      const s = self.sheetRef();
      for (const rect of self.rects) for (let r = rect.rows[0]; r <= rect.rows[1]; r++) for (let c = rect.cols[0]; c <= rect.cols[1]; c++) fn(r, c, s);
    };
    const first = this.rects[0] as { rows: [number, number]; cols: [number, number] };
    this.loaders = {
      address: () => `${quoteSheet(self.sheetRef().name)}!${self.rects.map((x) => formatAddress(x.rows, x.cols)).join(',')}`,
      values: () => self.matrix((r, c, s) => s.values.get(key(r, c)) ?? ''),
      formulas: () => self.matrix((r, c, s) => s.formulas.get(key(r, c)) ?? s.values.get(key(r, c)) ?? ''),
      numberFormat: () => self.matrix((r, c, s) => s.numberFormats.get(key(r, c)) ?? 'General'),
      text: () => self.matrix((r, c, s) => String(s.values.get(key(r, c)) ?? '')),
      rowIndex: () => first.rows[0] - 1,
      columnIndex: () => first.cols[0] - 1,
      rowCount: () => first.rows[1] - first.rows[0] + 1,
      columnCount: () => first.cols[1] - first.cols[0] + 1,
    };
    this.format = {
      fill: {
        set color(v: string) {
          batch.queue(() => each((r, c, s) => s.fills.set(key(r, c), v)));
        },
        get color(): string {
          return self.sheetRef().fills.get(key(first.rows[0], first.cols[0])) ?? '';
        },
        clear() {
          batch.queue(() => each((r, c, s) => s.fills.delete(key(r, c))));
        },
      },
      font: {
        set bold(v: boolean) {
          batch.queue(() => each((r, c, s) => (v ? s.bold.add(key(r, c)) : s.bold.delete(key(r, c)))));
        },
        get bold(): boolean {
          return self.sheetRef().bold.has(key(first.rows[0], first.cols[0]));
        },
        set color(v: string) {
          void v;
          batch.queue(() => undefined);
        },
        get color(): string {
          return '#000000';
        },
        set size(v: number) {
          batch.queue(() => each((r, c, s) => s.fontSizes.set(key(r, c), v)));
        },
        get size(): number {
          return self.sheetRef().fontSizes.get(key(first.rows[0], first.cols[0])) ?? 11;
        },
        set italic(v: boolean) {
          void v;
          batch.queue(() => undefined);
        },
      },
      set columnWidth(v: number) {
        batch.queue(() => {
          const s = self.sheetRef();
          for (let c = first.cols[0]; c <= first.cols[1]; c++) s.columnWidths.set(c, v);
        });
      },
      get columnWidth(): number {
        return self.sheetRef().columnWidths.get(first.cols[0]) ?? 48;
      },
      set rowHeight(v: number) {
        batch.queue(() => {
          const s = self.sheetRef();
          for (let r = first.rows[0]; r <= first.rows[1]; r++) s.rowHeights.set(r, v);
        });
      },
      get rowHeight(): number {
        return self.sheetRef().rowHeights.get(first.rows[0]) ?? 15;
      },
      set wrapText(v: boolean) {
        batch.queue(() => each((r, c, s) => (v ? s.wrap.add(key(r, c)) : s.wrap.delete(key(r, c)))));
      },
      get wrapText(): boolean {
        return self.sheetRef().wrap.has(key(first.rows[0], first.cols[0]));
      },
      autofitColumns() {
        batch.queue(() => undefined);
      },
    };
    this.dataValidation = {
      set rule(v: unknown) {
        const rule = v as { list?: { source: string; inCellDropDown?: boolean } };
        batch.queue(() => {
          const s = self.sheetRef();
          for (const rect of self.rects) {
            const rec = self.validationFor(s, rect);
            if (rule.list) rec.list = { source: rule.list.source, inCellDropDown: rule.list.inCellDropDown !== false };
          }
        });
      },
      get rule(): unknown {
        return undefined;
      },
      set prompt(v: unknown) {
        const p = v as { showPrompt: boolean; title?: string; message?: string };
        if ((p.title ?? '').length > 32) throw hostError('InvalidArgument', 'A prompt title is at most 32 characters.');
        if ((p.message ?? '').length > 255) throw hostError('InvalidArgument', 'A prompt message is at most 255 characters.');
        batch.queue(() => {
          const s = self.sheetRef();
          for (const rect of self.rects) self.validationFor(s, rect).prompt = { showPrompt: p.showPrompt, title: p.title ?? '', message: p.message ?? '' };
        });
      },
      get prompt(): unknown {
        return undefined;
      },
      set errorAlert(v: unknown) {
        const e = v as { showAlert: boolean; style?: string; title?: string; message?: string };
        if ((e.title ?? '').length > 32) throw hostError('InvalidArgument', 'An error alert title is at most 32 characters.');
        if ((e.message ?? '').length > 255) throw hostError('InvalidArgument', 'An error alert message is at most 255 characters.');
        batch.queue(() => {
          const s = self.sheetRef();
          for (const rect of self.rects) self.validationFor(s, rect).errorAlert = { showAlert: e.showAlert, style: e.style ?? 'Stop', title: e.title ?? '', message: e.message ?? '' };
        });
      },
      get errorAlert(): unknown {
        return undefined;
      },
      clear() {
        batch.queue(() => {
          const s = self.sheetRef();
          s.validations = s.validations.filter((v) => !self.rects.some((rect) => overlaps(v, rect)));
        });
      },
    };
    this.conditionalFormats = new ConditionalFormatsProxy(batch, this);
  }

  private validationFor(s: SheetModel, rect: { rows: [number, number]; cols: [number, number] }): ValidationRecord {
    let rec = s.validations.find((v) => v.rows[0] === rect.rows[0] && v.rows[1] === rect.rows[1] && v.cols[0] === rect.cols[0] && v.cols[1] === rect.cols[1]);
    if (!rec) {
      rec = { rows: [...rect.rows], cols: [...rect.cols] };
      s.validations.push(rec);
    }
    return rec;
  }

  private matrix<T>(f: (r: number, c: number, s: SheetModel) => T): T[][] {
    const s = this.sheetRef();
    const rect = this.rects[0] as Rect;
    const out: T[][] = [];
    for (let r = rect.rows[0]; r <= rect.rows[1]; r++) {
      const row: T[] = [];
      for (let c = rect.cols[0]; c <= rect.cols[1]; c++) row.push(f(r, c, s));
      out.push(row);
    }
    return out;
  }

  private checkShape(v: unknown[][], what: string): void {
    const rect = this.rects[0] as Rect;
    const rows = rect.rows[1] - rect.rows[0] + 1;
    const cols = rect.cols[1] - rect.cols[0] + 1;
    const single = !Array.isArray(v);
    if (single) return;
    if (v.length !== rows || v.some((r) => !Array.isArray(r) || r.length !== cols)) {
      throw hostError('InvalidArgument', `The number of rows or columns in the ${what} array does not match the size or dimensions of the range (${rows}×${cols}).`);
    }
  }

  set values(v: Cell[][]) {
    this.checkShape(v as unknown[][], 'input');
    const host = this.batch.host;
    this.remember('values', v);
    this.batch.queue(() => {
      const s = this.sheetRef();
      const rect = this.rects[0] as Rect;
      for (let r = rect.rows[0]; r <= rect.rows[1]; r++) {
        for (let c = rect.cols[0]; c <= rect.cols[1]; c++) {
          const x = Array.isArray(v) ? (v[r - rect.rows[0]] as Cell[])[c - rect.cols[0]] : (v as unknown as Cell);
          const k = key(r, c);
          s.formulas.delete(k);
          if (x === '' || x === null || x === undefined) s.values.delete(k);
          else if (typeof x === 'string' && x.startsWith('=')) s.formulas.set(k, x);
          else s.values.set(k, x);
        }
      }
      host.pendingEvents.push({ sheet: s, address: formatAddress(rect.rows, rect.cols), triggerSource: 'ThisLocalAddin' });
    }, JSON.stringify(v).length);
  }
  get values(): Cell[][] {
    return this.get('values');
  }

  set formulas(v: unknown[][]) {
    this.checkShape(v, 'input');
    const host = this.batch.host;
    this.batch.queue(() => {
      const s = this.sheetRef();
      const rect = this.rects[0] as Rect;
      for (let r = rect.rows[0]; r <= rect.rows[1]; r++) {
        for (let c = rect.cols[0]; c <= rect.cols[1]; c++) {
          const x = (v[r - rect.rows[0]] as unknown[])[c - rect.cols[0]];
          const k = key(r, c);
          if (typeof x === 'string' && x.startsWith('=')) {
            s.formulas.set(k, x);
            s.values.delete(k);
          } else {
            s.formulas.delete(k);
            if (x === '' || x === null || x === undefined) s.values.delete(k);
            else s.values.set(k, x as Cell);
          }
        }
      }
      host.pendingEvents.push({ sheet: s, address: formatAddress(rect.rows, rect.cols), triggerSource: 'ThisLocalAddin' });
    }, JSON.stringify(v).length);
  }
  get formulas(): unknown[][] {
    return this.get('formulas');
  }

  set numberFormat(v: string[][]) {
    this.checkShape(v, 'number format');
    this.batch.queue(() => {
      const s = this.sheetRef();
      const rect = this.rects[0] as Rect;
      for (let r = rect.rows[0]; r <= rect.rows[1]; r++) {
        for (let c = rect.cols[0]; c <= rect.cols[1]; c++) s.numberFormats.set(key(r, c), (v[r - rect.rows[0]] as string[])[c - rect.cols[0]] as string);
      }
    }, JSON.stringify(v).length);
  }
  get numberFormat(): string[][] {
    return this.get('numberFormat');
  }
  get text(): string[][] {
    return this.get('text');
  }
  get address(): string {
    return this.get('address');
  }
  get rowIndex(): number {
    return this.get('rowIndex');
  }
  get columnIndex(): number {
    return this.get('columnIndex');
  }
  get rowCount(): number {
    return this.get('rowCount');
  }
  get columnCount(): number {
    return this.get('columnCount');
  }

  merge(): void {
    this.batch.queue(() => {
      const s = this.sheetRef();
      for (const rect of this.rects) s.merges.push({ rows: [...rect.rows], cols: [...rect.cols] });
    });
  }

  select(): void {
    this.batch.queue(() => {
      const s = this.sheetRef();
      const host = this.batch.host;
      if (host.activeSheet !== s.name) throw hostError('InvalidSelection', 'The selection is on an inactive sheet; activate the sheet first.');
      host.selection = { sheet: s.name, address: this.rects.map((x) => formatAddress(x.rows, x.cols)).join(',') };
    });
  }

  clear(applyTo?: string): void {
    this.batch.queue(() => {
      const s = this.sheetRef();
      for (const rect of this.rects) {
        for (let r = rect.rows[0]; r <= rect.rows[1]; r++) {
          for (let c = rect.cols[0]; c <= rect.cols[1]; c++) {
            const k = key(r, c);
            if (applyTo === undefined || applyTo === 'All' || applyTo === 'Contents') {
              s.values.delete(k);
              s.formulas.delete(k);
            }
            if (applyTo === undefined || applyTo === 'All' || applyTo === 'Formats') {
              s.fills.delete(k);
              s.bold.delete(k);
              s.numberFormats.delete(k);
            }
          }
        }
      }
    });
  }

  getCell(row: number, column: number): RangeProxy {
    const f = this.rects[0] as Rect;
    const r = f.rows[0] + row;
    const c = f.cols[0] + column;
    return new RangeProxy(this.batch, this.sheetRef, [{ rows: [r, r], cols: [c, c] }]);
  }

  getResizedRange(deltaRows: number, deltaColumns: number): RangeProxy {
    const f = this.rects[0] as Rect;
    return new RangeProxy(this.batch, this.sheetRef, [{ rows: [f.rows[0], f.rows[1] + deltaRows], cols: [f.cols[0], f.cols[1] + deltaColumns] }]);
  }

  getOffsetRange(rowOffset: number, columnOffset: number): RangeProxy {
    const f = this.rects[0] as Rect;
    return new RangeProxy(this.batch, this.sheetRef, [{ rows: [f.rows[0] + rowOffset, f.rows[1] + rowOffset], cols: [f.cols[0] + columnOffset, f.cols[1] + columnOffset] }]);
  }
}

function overlaps(a: { rows: [number, number]; cols: [number, number] }, b: { rows: [number, number]; cols: [number, number] }): boolean {
  return a.rows[0] <= b.rows[1] && b.rows[0] <= a.rows[1] && a.cols[0] <= b.cols[1] && b.cols[0] <= a.cols[1];
}

class ConditionalFormatProxy extends Proxy {
  readonly custom: { rule: { formula: string }; format: { fill: { color: string }; font: { color: string } } };
  constructor(batch: Batch, readonly record: () => ConditionalFormatRecord) {
    super(batch);
    this.loaders = { type: () => 'Custom', id: () => String(record().id) };
    const rec = record;
    this.custom = {
      rule: {
        set formula(v: string) {
          batch.queue(() => {
            rec().formula = v;
          });
        },
        get formula(): string {
          return rec().formula;
        },
      },
      format: {
        fill: {
          set color(v: string) {
            batch.queue(() => {
              rec().fill = v;
            });
          },
          get color(): string {
            return rec().fill ?? '';
          },
        },
        font: {
          set color(v: string) {
            batch.queue(() => {
              rec().fontColor = v;
            });
          },
          get color(): string {
            return rec().fontColor ?? '';
          },
        },
      },
    };
  }
  get type(): string {
    return this.get('type');
  }
  delete(): void {
    this.batch.queue(() => {
      const r = this.record();
      for (const s of this.batch.host.sheets) s.conditionalFormats = s.conditionalFormats.filter((x) => x !== r);
    });
  }
}

class ConditionalFormatsProxy extends Proxy {
  constructor(
    batch: Batch,
    private readonly range: RangeProxy,
  ) {
    super(batch);
    this.loaders = {
      items: () => {
        const s = range.sheetRef();
        return s.conditionalFormats.filter((cf) => cf.areas.some((a) => range.rects.some((r) => overlaps(a, r)))).map((cf) => {
          const p = new ConditionalFormatProxy(batch, () => cf);
          p.load('type');
          (p as unknown as { data: Record<string, unknown> }).data['type'] = 'Custom';
          return p;
        });
      },
    };
  }
  get items(): ConditionalFormatProxy[] {
    return this.get('items');
  }
  add(type: string): ConditionalFormatProxy {
    if (type !== 'Custom') throw hostError('InvalidArgument', `The fake host supports only custom conditional formats, not ${type}.`);
    let record: ConditionalFormatRecord | undefined;
    const host = this.batch.host;
    this.batch.queue(() => {
      record = { id: host.nextId++, areas: this.range.rects.map((r) => ({ rows: [...r.rows], cols: [...r.cols] })), formula: '', fill: null, fontColor: null };
      this.range.sheetRef().conditionalFormats.push(record);
    });
    return new ConditionalFormatProxy(this.batch, () => {
      if (!record) throw hostError('InvalidOperation', 'conditional format used before it was added');
      return record;
    });
  }
  clearAll(): void {
    this.batch.queue(() => {
      const s = this.range.sheetRef();
      s.conditionalFormats = s.conditionalFormats.filter((cf) => !cf.areas.some((a) => this.range.rects.some((r) => overlaps(a, r))));
    });
  }
}

class ChartProxy extends Proxy {
  readonly title: { text: string };
  readonly axes: { categoryAxis: { title: { text: string } }; valueAxis: { title: { text: string } } };
  constructor(batch: Batch, readonly record: () => ChartRecord) {
    super(batch);
    this.loaders = { name: () => record().name, id: () => record().id, chartType: () => record().type };
    const set = (f: (c: ChartRecord) => void): void => batch.queue(() => f(record()));
    this.title = {
      set text(v: string) {
        set((c) => (c.title = v));
      },
      get text(): string {
        return record().title;
      },
    };
    const axisTitle = (k: 'categoryAxisTitle' | 'valueAxisTitle') => ({
      title: {
        set text(v: string) {
          set((c) => (c[k] = v));
        },
        get text(): string {
          return record()[k];
        },
      },
    });
    this.axes = { categoryAxis: axisTitle('categoryAxisTitle'), valueAxis: axisTitle('valueAxisTitle') };
  }
  /** Loads every property at once (items of a loaded collection). */
  loadNow(): this {
    for (const [k, f] of Object.entries(this.loaders)) this.data[k] = f();
    return this;
  }
  get name(): string {
    return this.get('name');
  }
  set name(v: string) {
    this.batch.queue(() => (this.record().name = v));
  }
  set top(v: number) {
    this.batch.queue(() => (this.record().top = v));
  }
  set left(v: number) {
    this.batch.queue(() => (this.record().left = v));
  }
  set width(v: number) {
    this.batch.queue(() => (this.record().width = v));
  }
  set height(v: number) {
    this.batch.queue(() => (this.record().height = v));
  }
  setPosition(start: RangeProxy | string, end?: RangeProxy | string): void {
    void end;
    this.batch.queue(() => {
      const a = typeof start === 'string' ? parseAddress(start) : (start.rects[0] as Rect);
      this.record().top = (a.rows[0] - 1) * 15;
      this.record().left = (a.cols[0] - 1) * 48;
    });
  }
  setData(source: RangeProxy, seriesBy?: string): void {
    this.batch.queue(() => {
      const r = source.rects[0] as Rect;
      this.record().source = `${quoteSheet(source.sheetRef().name)}!${formatAddress(r.rows, r.cols)}`;
      if (seriesBy) this.record().seriesBy = seriesBy;
    });
  }
  delete(): void {
    this.batch.queue(() => {
      for (const s of this.batch.host.sheets) s.charts = s.charts.filter((c) => c !== this.record());
    });
  }
}

class ChartsProxy extends Proxy {
  constructor(
    batch: Batch,
    private readonly sheetRef: () => SheetModel,
  ) {
    super(batch);
    this.loaders = { items: () => sheetRef().charts.map((c) => new ChartProxy(batch, () => c).loadNow()) };
  }
  get items(): ChartProxy[] {
    return this.get('items');
  }
  add(type: string, source: RangeProxy, seriesBy = 'Auto'): ChartProxy {
    let record: ChartRecord | undefined;
    const host = this.batch.host;
    this.batch.queue(() => {
      const r = source.rects[0] as Rect;
      const id = `chart-${host.nextId++}`;
      record = { id, name: id, type, source: `${quoteSheet(source.sheetRef().name)}!${formatAddress(r.rows, r.cols)}`, seriesBy, title: '', categoryAxisTitle: '', valueAxisTitle: '', top: 0, left: 0, width: 360, height: 216 };
      this.sheetRef().charts.push(record);
    });
    return new ChartProxy(this.batch, () => {
      if (!record) throw hostError('InvalidOperation', 'chart used before it was added');
      return record;
    });
  }
  getItemOrNullObject(name: string): ChartProxy & { isNullObject: boolean } {
    const p = new ChartProxy(this.batch, () => {
      const c = this.sheetRef().charts.find((x) => x.name === name);
      if (!c) throw hostError('ItemNotFound', `No chart named ${name}`);
      return c;
    }) as ChartProxy & { isNullObject: boolean };
    let found = false;
    this.batch.queue(() => {
      found = this.sheetRef().charts.some((x) => x.name === name);
    });
    Object.defineProperty(p, 'isNullObject', { get: () => !found });
    return p;
  }
}

class TableProxy extends Proxy {
  constructor(batch: Batch, readonly record: () => TableRecord) {
    super(batch);
    this.loaders = { name: () => record().name, id: () => record().id };
  }
  get name(): string {
    return this.get('name');
  }
  set name(v: string) {
    this.batch.queue(() => (this.record().name = v));
  }
  set style(v: string) {
    this.batch.queue(() => (this.record().style = v));
  }
  set showHeaders(v: boolean) {
    this.batch.queue(() => (this.record().showHeaders = v));
  }
  getRange(): RangeProxy {
    const rec = this.record;
    const host = this.batch.host;
    // The table's rectangle as it is when the queued command runs (after any resize).
    const rect = {
      get rows() {
        return rec().rows;
      },
      get cols() {
        return rec().cols;
      },
    } as { rows: [number, number]; cols: [number, number] };
    return new RangeProxy(this.batch, () => host.sheet(rec().sheet), [rect]);
  }
  resize(address: string): void {
    this.batch.queue(() => {
      const r = parseAddress(address);
      this.record().rows = r.rows;
      this.record().cols = r.cols;
    });
  }
  delete(): void {
    this.batch.queue(() => {
      const host = this.batch.host;
      host.tables = host.tables.filter((t) => t !== this.record());
    });
  }
}

class TablesProxy extends Proxy {
  constructor(
    batch: Batch,
    private readonly sheetName: (() => string) | undefined,
  ) {
    super(batch);
  }
  add(address: string, hasHeaders: boolean): TableProxy {
    let record: TableRecord | undefined;
    const host = this.batch.host;
    this.batch.queue(() => {
      const r = parseAddress(address);
      const sheet = r.sheet ?? this.sheetName?.();
      if (!sheet) throw hostError('InvalidArgument', 'A table address needs a sheet.');
      const clash = host.tables.find((t) => t.sheet === sheet && overlaps(t, r));
      if (clash) throw hostError('InvalidOperation', `The table overlaps table ${clash.name}.`);
      const id = `table-${host.nextId++}`;
      record = { id, name: `Table${host.nextId}`, sheet, rows: r.rows, cols: r.cols, showHeaders: hasHeaders, style: 'TableStyleMedium2' };
      host.tables.push(record);
    });
    return new TableProxy(this.batch, () => {
      if (!record) throw hostError('InvalidOperation', 'table used before it was added');
      return record;
    });
  }
  getItemOrNullObject(name: string): TableProxy & { isNullObject: boolean } {
    const host = this.batch.host;
    const p = new TableProxy(this.batch, () => {
      const t = host.tables.find((x) => x.name === name);
      if (!t) throw hostError('ItemNotFound', `No table named ${name}`);
      return t;
    }) as TableProxy & { isNullObject: boolean };
    let found = false;
    this.batch.queue(() => {
      found = host.tables.some((x) => x.name === name);
    });
    Object.defineProperty(p, 'isNullObject', { get: () => !found });
    return p;
  }
}

export class WorksheetProxy extends Proxy {
  readonly freezePanes: { freezeRows(n: number): void; freezeColumns(n: number): void; freezeAt(range: RangeProxy | string): void; unfreeze(): void };
  readonly onChanged: { add(handler: (e: unknown) => unknown): { remove(): void } };
  readonly charts: ChartsProxy;
  readonly tables: TablesProxy;
  private resolved: SheetModel | undefined;
  private nullObject = false;

  constructor(
    batch: Batch,
    private readonly find: () => SheetModel | undefined,
  ) {
    super(batch);
    batch.queue(() => {
      this.resolved = this.find();
      this.nullObject = this.resolved === undefined;
    });
    this.loaders = {
      name: () => this.model().name,
      id: () => this.model().id,
      visibility: () => this.model().visibility,
      position: () => batch.host.sheets.indexOf(this.model()),
    };
    const model = () => this.model();
    this.freezePanes = {
      freezeRows(n: number) {
        batch.queue(() => {
          model().frozenRows = n;
          model().frozenColumns = 0;
        });
      },
      freezeColumns(n: number) {
        batch.queue(() => {
          model().frozenColumns = n;
          model().frozenRows = 0;
        });
      },
      freezeAt(range: RangeProxy | string) {
        batch.queue(() => {
          const r = typeof range === 'string' ? parseAddress(range) : (range.rects[0] as Rect);
          model().frozenRows = r.rows[1];
          model().frozenColumns = r.cols[1];
        });
      },
      unfreeze() {
        batch.queue(() => {
          model().frozenRows = 0;
          model().frozenColumns = 0;
        });
      },
    };
    this.onChanged = {
      add: (handler) => {
        const host = batch.host;
        let sheet: SheetModel | undefined;
        batch.queue(() => {
          sheet = model();
          sheet.handlers.push(handler);
        });
        return {
          remove: () => {
            if (sheet) sheet.handlers = sheet.handlers.filter((h) => h !== handler);
            void host;
          },
        };
      },
    };
    this.charts = new ChartsProxy(batch, model);
    this.tables = new TablesProxy(batch, () => model().name);
  }

  model(): SheetModel {
    const s = this.resolved ?? this.find();
    if (!s) throw hostError('ItemNotFound', 'The requested resource does not exist.');
    return s;
  }

  get isNullObject(): boolean {
    return this.nullObject;
  }
  get name(): string {
    return this.get('name');
  }
  set name(v: string) {
    this.batch.queue(() => (this.model().name = v));
  }
  get id(): string {
    return this.get('id');
  }
  get visibility(): string {
    return this.get('visibility');
  }
  set visibility(v: string) {
    this.batch.queue(() => (this.model().visibility = v as SheetModel['visibility']));
  }
  set tabColor(v: string) {
    this.batch.queue(() => (this.model().tabColor = v));
  }
  set position(v: number) {
    this.batch.queue(() => {
      const host = this.batch.host;
      const s = this.model();
      host.sheets = host.sheets.filter((x) => x !== s);
      host.sheets.splice(v, 0, s);
    });
  }

  getRange(address?: string): RangeProxy {
    const r = address ? parseAddress(address) : { rows: [1, MAX_ROW] as [number, number], cols: [1, MAX_COL] as [number, number] };
    return new RangeProxy(this.batch, () => this.model(), [{ rows: r.rows, cols: r.cols }]);
  }

  getRanges(address: string): RangeProxy {
    const rects = address.split(',').map((a) => parseAddress(a)).map((r) => ({ rows: r.rows, cols: r.cols }));
    return new RangeProxy(this.batch, () => this.model(), rects);
  }

  getRangeByIndexes(row: number, col: number, rows: number, cols: number): RangeProxy {
    return new RangeProxy(this.batch, () => this.model(), [{ rows: [row + 1, row + rows], cols: [col + 1, col + cols] }]);
  }

  /** The used range, or a null object on an empty sheet. */
  getUsedRangeOrNullObject(valuesOnly = false): RangeProxy & { isNullObject: boolean } {
    let rect: { rows: [number, number]; cols: [number, number] } | undefined;
    this.batch.queue(() => {
      const s = this.model();
      const keys = [...s.values.keys(), ...s.formulas.keys(), ...(valuesOnly ? [] : [...s.fills.keys(), ...s.numberFormats.keys()])];
      if (keys.length === 0) {
        rect = undefined;
        return;
      }
      let r0 = MAX_ROW;
      let r1 = 0;
      let c0 = MAX_COL;
      let c1 = 0;
      for (const k of keys) {
        const [r, c] = k.split(',').map(Number) as [number, number];
        r0 = Math.min(r0, r);
        r1 = Math.max(r1, r);
        c0 = Math.min(c0, c);
        c1 = Math.max(c1, c);
      }
      rect = { rows: [r0, r1], cols: [c0, c1] };
    });
    const holder = { rows: [1, 1] as [number, number], cols: [1, 1] as [number, number] };
    const p = new RangeProxy(this.batch, () => this.model(), [
      {
        get rows() {
          return rect?.rows ?? holder.rows;
        },
        get cols() {
          return rect?.cols ?? holder.cols;
        },
      } as { rows: [number, number]; cols: [number, number] },
    ]) as RangeProxy & { isNullObject: boolean };
    Object.defineProperty(p, 'isNullObject', { get: () => rect === undefined });
    return p;
  }

  activate(): void {
    this.batch.queue(() => {
      const host = this.batch.host;
      const s = this.model();
      if (s.visibility !== 'Visible') throw hostError('InvalidOperation', 'A hidden sheet cannot be activated.');
      host.activeSheet = s.name;
    });
  }

  delete(): void {
    this.batch.queue(() => {
      const host = this.batch.host;
      const s = this.model();
      host.sheets = host.sheets.filter((x) => x !== s);
      host.tables = host.tables.filter((t) => t.sheet !== s.name);
      if (host.activeSheet === s.name) host.activeSheet = host.sheets[0]?.name ?? '';
    });
  }
}

class WorksheetCollectionProxy extends Proxy {
  constructor(batch: Batch) {
    super(batch);
    this.loaders = {
      items: () =>
        batch.host.sheets.map((s) => {
          const p = new WorksheetProxy(batch, () => s);
          (p as unknown as { data: Record<string, unknown> }).data = { name: s.name, id: s.id, visibility: s.visibility, position: batch.host.sheets.indexOf(s) };
          return p;
        }),
    };
  }
  get items(): WorksheetProxy[] {
    return this.get('items');
  }
  getItem(name: string): WorksheetProxy {
    const host = this.batch.host;
    return new WorksheetProxy(this.batch, () => {
      const s = host.findSheet(name);
      if (!s) throw hostError('ItemNotFound', `The worksheet '${name}' does not exist.`);
      return s;
    });
  }
  getItemOrNullObject(name: string): WorksheetProxy {
    const host = this.batch.host;
    return new WorksheetProxy(this.batch, () => host.findSheet(name));
  }
  getActiveWorksheet(): WorksheetProxy {
    const host = this.batch.host;
    return new WorksheetProxy(this.batch, () => host.findSheet(host.activeSheet));
  }
  add(name?: string): WorksheetProxy {
    const host = this.batch.host;
    let created: SheetModel | undefined;
    this.batch.queue(() => {
      const n = name ?? `Sheet${host.sheets.length + 1}`;
      if (n.length > 31 || /[\\/?*[\]:]/.test(n)) throw hostError('InvalidArgument', `'${n}' is not a valid sheet name.`);
      if (host.findSheet(n)) throw hostError('ItemAlreadyExists', `A sheet named '${n}' already exists.`);
      created = host.addSheet(n);
    });
    return new WorksheetProxy(this.batch, () => created ?? (name ? host.findSheet(name) : undefined));
  }
}

class RequestContext {
  readonly workbook: {
    worksheets: WorksheetCollectionProxy;
    tables: TablesProxy;
    getSelectedRange(): RangeProxy;
    application: { calculate(type: string): void };
  };
  private batch: Batch;
  constructor(private readonly host: FakeExcelHost) {
    this.batch = new Batch(host);
    const batch = this.batch;
    this.workbook = {
      worksheets: new WorksheetCollectionProxy(batch),
      tables: new TablesProxy(batch, undefined),
      getSelectedRange: () => {
        const sel = host.selection;
        const r = parseAddress(sel.address.split(',')[0] ?? 'A1');
        return new RangeProxy(batch, () => host.sheet(sel.sheet), [{ rows: r.rows, cols: r.cols }]);
      },
      application: {
        calculate: () => {
          batch.queue(() => {
            host.recalculations++;
          });
        },
      },
    };
  }
  get pending(): number {
    return this.batch.ops.length;
  }
  async sync(): Promise<void> {
    const { host } = this;
    host.syncCount++;
    const ops = this.batch.ops;
    const bytes = this.batch.bytes;
    this.batch.ops = [];
    this.batch.bytes = 0;
    host.largestRequestBytes = Math.max(host.largestRequestBytes, bytes);
    await Promise.resolve();
    if (host.offline) throw hostError('GeneralException', 'The host is not responding.');
    if (bytes > REQUEST_LIMIT_BYTES) throw hostError('RequestPayloadSizeLimitExceeded', `The request payload size (${bytes} bytes) has exceeded the limit.`);
    for (const op of ops) op();
    host.flushEvents();
  }
}

export interface ChangeEvent {
  address: string;
  changeType: 'RangeEdited';
  source: 'Local';
  type: 'WorksheetChanged';
  worksheetId: string;
  triggerSource: 'ThisLocalAddin' | 'Unknown';
}

/** The workbook and the Excel namespace the add-in sees. */
export class FakeExcelHost {
  sheets: SheetModel[] = [];
  tables: TableRecord[] = [];
  activeSheet = '';
  selection = { sheet: '', address: 'A1' };
  syncCount = 0;
  runCount = 0;
  largestRequestBytes = 0;
  recalculations = 0;
  nextId = 1;
  offline = false;
  created: Array<{ base64: string }> = [];
  pendingEvents: Array<{ sheet: SheetModel; address: string; triggerSource: ChangeEvent['triggerSource'] }> = [];
  /** Set false to model hosts without Excel.createWorkbook (older Excel). */
  supportsCreateWorkbook = true;

  constructor() {
    this.addSheet('Sheet1');
    this.activeSheet = 'Sheet1';
    this.selection = { sheet: 'Sheet1', address: 'A1' };
  }

  /** A sheet by name (case-insensitive, as Excel) or by id. */
  findSheet(name: string): SheetModel | undefined {
    return this.sheets.find((s) => s.id === name || s.name.toLowerCase() === name.toLowerCase());
  }

  sheet(name: string): SheetModel {
    const s = this.findSheet(name);
    if (!s) throw hostError('ItemNotFound', `The worksheet '${name}' does not exist.`);
    return s;
  }

  addSheet(name: string): SheetModel {
    const s: SheetModel = {
      id: `{sheet-${this.nextId++}}`,
      name,
      visibility: 'Visible',
      values: new Map(),
      numberFormats: new Map(),
      formulas: new Map(),
      fills: new Map(),
      bold: new Set(),
      fontSizes: new Map(),
      wrap: new Set(),
      columnWidths: new Map(),
      rowHeights: new Map(),
      merges: [],
      frozenRows: 0,
      frozenColumns: 0,
      validations: [],
      conditionalFormats: [],
      charts: [],
      handlers: [],
      tabColor: '',
    };
    this.sheets.push(s);
    return s;
  }

  /** Raises the onChanged events queued by the last sync, after it resolves (as Excel does). */
  flushEvents(): void {
    const events = this.pendingEvents;
    this.pendingEvents = [];
    for (const e of events) this.raise(e.sheet, e.address, e.triggerSource);
  }

  private raise(sheet: SheetModel, address: string, triggerSource: ChangeEvent['triggerSource']): void {
    const event: ChangeEvent = { address, changeType: 'RangeEdited', source: 'Local', type: 'WorksheetChanged', worksheetId: sheet.id, triggerSource };
    for (const h of [...sheet.handlers]) setTimeout(() => void h(event), 0);
  }

  /** A user typing (or pasting) values at `address` on `sheetName`: the cells change, then onChanged fires. */
  edit(sheetName: string, address: string, values: Cell[][] | Cell): void {
    const s = this.sheet(sheetName);
    const r = parseAddress(address);
    for (let row = r.rows[0]; row <= r.rows[1]; row++) {
      for (let col = r.cols[0]; col <= r.cols[1]; col++) {
        const v = Array.isArray(values) ? (values[row - r.rows[0]] as Cell[] | undefined)?.[col - r.cols[0]] : values;
        const k = key(row, col);
        s.formulas.delete(k);
        if (v === undefined || v === '' || v === null) s.values.delete(k);
        else s.values.set(k, v);
      }
    }
    this.raise(s, formatAddress(r.rows, r.cols), 'Unknown');
  }

  /** A user picking from a dropdown on Excel for the web: the value changes but no event fires. */
  editSilently(sheetName: string, address: string, value: Cell): void {
    const s = this.sheet(sheetName);
    const r = parseAddress(address);
    s.values.set(key(r.rows[0], r.cols[0]), value);
  }

  /** The user's own formatting: a fill the add-in must never destroy. */
  userFill(sheetName: string, address: string, color: string): void {
    const s = this.sheet(sheetName);
    const r = parseAddress(address);
    for (let row = r.rows[0]; row <= r.rows[1]; row++) for (let col = r.cols[0]; col <= r.cols[1]; col++) s.fills.set(key(row, col), color);
  }

  value(sheetName: string, address: string): Cell | undefined {
    const s = this.sheet(sheetName);
    const r = parseAddress(address);
    return s.values.get(key(r.rows[0], r.cols[0]));
  }

  formula(sheetName: string, address: string): string | undefined {
    const s = this.sheet(sheetName);
    const r = parseAddress(address);
    return s.formulas.get(key(r.rows[0], r.cols[0]));
  }

  fill(sheetName: string, address: string): string | undefined {
    const s = this.sheet(sheetName);
    const r = parseAddress(address);
    return s.fills.get(key(r.rows[0], r.cols[0]));
  }

  /** The fill a cell shows: the last matching conditional format over the cell's own fill. */
  displayedFill(sheetName: string, address: string): string | undefined {
    const s = this.sheet(sheetName);
    const r = parseAddress(address);
    const cell = { rows: [r.rows[0], r.rows[0]] as [number, number], cols: [r.cols[0], r.cols[0]] as [number, number] };
    const cf = [...s.conditionalFormats].reverse().find((x) => x.fill && x.areas.some((a) => overlaps(a, cell)));
    return cf?.fill ?? s.fills.get(key(r.rows[0], r.cols[0]));
  }

  /** Cell values of a rectangle, '' for blanks. */
  grid(sheetName: string, address: string): Cell[][] {
    const s = this.sheet(sheetName);
    const r = parseAddress(address);
    const out: Cell[][] = [];
    for (let row = r.rows[0]; row <= r.rows[1]; row++) {
      const line: Cell[] = [];
      for (let col = r.cols[0]; col <= r.cols[1]; col++) line.push(s.values.get(key(row, col)) ?? s.formulas.get(key(row, col)) ?? '');
      out.push(line);
    }
    return out;
  }

  /** A plain-data snapshot for tests (and for the browser tests, over page.evaluate). */
  snapshot(): unknown {
    return {
      activeSheet: this.activeSheet,
      selection: this.selection,
      syncCount: this.syncCount,
      sheets: this.sheets.map((s) => ({
        name: s.name,
        visibility: s.visibility,
        frozenRows: s.frozenRows,
        frozenColumns: s.frozenColumns,
        validations: s.validations,
        conditionalFormats: s.conditionalFormats,
        charts: s.charts,
        columnWidths: Object.fromEntries(s.columnWidths),
        cells: Object.fromEntries(s.values),
        formulas: Object.fromEntries(s.formulas),
        handlers: s.handlers.length,
      })),
      tables: this.tables,
      created: this.created.length,
    };
  }

  /** The `Excel` namespace: `Excel.run` and the enums the adapters read. */
  excel(): Record<string, unknown> {
    const host = this.supportsCreateWorkbook ? { createWorkbook: async (base64?: string) => void this.created.push({ base64: base64 ?? '' }) } : {};
    return {
      run: async <T>(batch: (context: RequestContext) => Promise<T>): Promise<T> => {
        this.runCount++;
        const context = new RequestContext(this);
        const result = await batch(context);
        // Excel.run syncs whatever the batch left queued.
        if (context.pending > 0) await context.sync();
        return result;
      },
      ...host,
      ConditionalFormatType: { custom: 'Custom' },
      ChartType: { columnClustered: 'ColumnClustered', barClustered: 'BarClustered', pie: 'Pie' },
      ChartSeriesBy: { auto: 'Auto', columns: 'Columns', rows: 'Rows' },
      DataValidationAlertStyle: { stop: 'Stop', warning: 'Warning', information: 'Information' },
      SheetVisibility: { visible: 'Visible', hidden: 'Hidden', veryHidden: 'VeryHidden' },
      EventTriggerSource: { thisLocalAddin: 'ThisLocalAddin', unknown: 'Unknown' },
      ClearApplyTo: { all: 'All', formats: 'Formats', contents: 'Contents' },
      CalculationType: { full: 'Full', recalculate: 'Recalculate' },
    };
  }

  /** The few `Office` members an add-in touches at start-up. */
  office(): Record<string, unknown> {
    return {
      onReady: async () => ({ host: 'Excel', platform: 'OfficeOnline' }),
      HostType: { Excel: 'Excel' },
      context: {
        displayLanguage: 'en-GB',
        requirements: { isSetSupported: (name: string, version?: string) => (name === 'ExcelApi' ? Number(version ?? '1') <= 1.17 : false) },
        document: { settings: { get: () => null, set: () => undefined, saveAsync: (cb?: () => void) => cb?.() } },
      },
    };
  }
}

export function createFakeExcel(): FakeExcelHost {
  return new FakeExcelHost();
}
