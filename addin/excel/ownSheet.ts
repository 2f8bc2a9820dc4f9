/**
 * A sheet the add-in writes whole (the resource base dataset, a toolkit grid, a costing sheet):
 * found by name, and never emptied without the user's say-so. One sync when the sheet is new,
 * two when it exists (is anything on it?).
 */

/** The sheet exists and holds something: the pane asks before replacing it. */
export interface SheetOccupied {
  kind: 'occupied';
  sheet: string;
}

/** Finds or adds the sheet; an existing sheet with content is emptied (values, formats and charts) only when `replace` is set. */
export async function ownSheet(context: Excel.RequestContext, name: string, replace: boolean): Promise<{ sheet: Excel.Worksheet; created: boolean } | SheetOccupied> {
  const found = context.workbook.worksheets.getItemOrNullObject(name);
  await context.sync();
  if (found.isNullObject) return { sheet: context.workbook.worksheets.add(name), created: true };
  const values = found.getUsedRangeOrNullObject(true);
  // Formats count for clearing but not as content: a sheet of empty formatted cells is not asked about.
  const used = found.getUsedRangeOrNullObject(false);
  found.charts.load('items');
  await context.sync();
  if (!values.isNullObject && !replace) return { kind: 'occupied', sheet: name };
  for (const chart of found.charts.items) chart.delete();
  if (!used.isNullObject) used.clear('All');
  return { sheet: found, created: false };
}
