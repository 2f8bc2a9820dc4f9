/**
 * The one door to the Excel host. Every adapter goes through `excel()`, so the pane never
 * calls `Excel.run` itself, and changes the add-in makes can be told apart from the user's.
 */

/** Excel on the web refuses requests over 5 MB; large writes are cut well below that. */
export const REQUEST_BUDGET_BYTES = 4 * 1024 * 1024;

let ownWrites = 0;
let quietUntil = 0;

/** Runs one Excel batch. `writes` marks batches that change cell values, so their change events are ignored. */
export async function excel<T>(batch: (context: Excel.RequestContext) => Promise<T>, options: { writes?: boolean } = {}): Promise<T> {
  if (typeof Excel === 'undefined' || typeof Excel.run !== 'function') throw new ExcelUnavailable();
  if (!options.writes) return Excel.run(batch);
  ownWrites++;
  try {
    return await Excel.run(batch);
  } finally {
    ownWrites--;
    // Excel raises the change events of a batch shortly after it returns.
    quietUntil = Date.now() + 750;
  }
}

/**
 * True when a change event came from this add-in: Excel says so (`triggerSource`, ExcelApi 1.14),
 * or, on older hosts, it arrived while or just after the add-in wrote.
 */
export function isOwnChange(event: { triggerSource?: string }): boolean {
  if (event.triggerSource === 'ThisLocalAddin') return true;
  if (event.triggerSource !== undefined) return false;
  return ownWrites > 0 || Date.now() < quietUntil;
}

export class ExcelUnavailable extends Error {
  constructor() {
    super('Excel is not available here. Open Good Start from the Home tab in Excel to work on the sheet.');
    this.name = 'ExcelUnavailable';
  }
}

/** Splits rows into chunks whose JSON stays under the request budget. */
export function chunkRows<T>(rows: readonly T[], budget = REQUEST_BUDGET_BYTES): T[][] {
  const out: T[][] = [];
  let current: T[] = [];
  let size = 0;
  for (const row of rows) {
    const n = JSON.stringify(row).length + 1;
    if (current.length > 0 && size + n > budget) {
      out.push(current);
      current = [];
      size = 0;
    }
    current.push(row);
    size += n;
  }
  if (current.length > 0) out.push(current);
  return out;
}

/** `'My sheet'!A1`: a sheet name quoted as Excel formulas need it. */
export const sheetRef = (name: string): string => `'${name.replace(/'/g, "''")}'`;
