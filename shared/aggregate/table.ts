/**
 * A two-way table of counts as published: a title, row and column labels, cells that are
 * counts or the DfE suppression marker `c`, and totals. The consolidated export, the API's
 * aggregates and the add-in's charts all take this one shape.
 */
import { z } from 'zod';

/** The DfE marker for a suppressed cell. */
export const SUPPRESSED = 'c' as const;

export const publishedCellSchema = z.union([z.number().int().nonnegative(), z.literal(SUPPRESSED)]);
export type PublishedCell = z.infer<typeof publishedCellSchema>;

export const countTableSchema = z.strictObject({
  /** Stable id, e.g. "provision-by-need". */
  id: z.string(),
  title: z.string(),
  /** What the rows are, e.g. "SEN provision". */
  rowHeader: z.string(),
  columns: z.array(z.string()),
  rows: z.array(z.strictObject({ label: z.string(), cells: z.array(publishedCellSchema), total: publishedCellSchema })),
  /** Column totals, computed from unrounded data. */
  columnTotals: z.array(publishedCellSchema),
  grandTotal: publishedCellSchema,
  /** True when disclosure control has been applied to this table. */
  disclosureControlled: z.boolean(),
});
export type CountTable = z.infer<typeof countTableSchema>;
