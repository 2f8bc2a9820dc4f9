/**
 * Resource-base demand, the row sufficiency plans with (DOMAIN.md, resource bases): incoming
 * Year 7 pupils whose return names a resource-base placement, by the receiving secondary's
 * locality area and the pupil's primary need. `resourceBaseDemand` (rollup.ts) builds these,
 * the API publishes them, and `RB.SUFFICIENCY` subtracts them from commissioned places.
 */
import { z } from 'zod';
import { SUPPRESSION_THRESHOLD } from './disclosure';
import { publishedCellSchema, SUPPRESSED } from './table';

export const demandRowSchema = z.object({
  /** Locality area of the receiving secondary, or `Unknown`. */
  area: z.string().describe('Locality area of the receiving secondary, or Unknown.'),
  /** DfE SEN type code of the primary need (e.g. ASD, MLD), or `None`. */
  need: z.string().describe('DfE SEN type code of the primary need, or None.'),
  pupils: z.number().int().nonnegative(),
});
export type DemandRow = z.infer<typeof demandRowSchema>;

/** A demand row as published outside the LA: `pupils` is `c` where a count of 1–4 was suppressed. */
export const publishedDemandRowSchema = demandRowSchema.extend({
  pupils: publishedCellSchema.describe('`c` when suppressed (1–4, outside the LA).'),
});
export type PublishedDemandRow = z.infer<typeof publishedDemandRowSchema>;

/** Demand outside the LA: the list has no totals, so primary suppression of 1–4 is enough to protect it. */
export function publishDemand(demand: readonly DemandRow[], controlled: boolean): PublishedDemandRow[] {
  if (!controlled) return demand.map((d) => ({ ...d }));
  return demand.map((d) => ({
    ...d,
    pupils: d.pupils >= SUPPRESSION_THRESHOLD.min && d.pupils <= SUPPRESSION_THRESHOLD.max ? SUPPRESSED : d.pupils,
  }));
}
