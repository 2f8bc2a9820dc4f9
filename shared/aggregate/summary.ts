/**
 * A school summary: what one primary's return contributes to the city aggregates, and
 * nothing more. It holds counts only (no names, UPNs, dates of birth or free text), so it
 * can be stored as one small Cosmos document per school and summed city-wide without
 * ever reading pupil rows again. Every table in `rollup.ts` is a sum of these.
 */
import { z } from 'zod';
import { canonicalCode, SEN_NEED, SEN_PROVISION, SUPPORT_LEVEL, type SenProvision, type SupportLevel } from '../codes';
import type { PupilRow } from '../transition/schema';
import { transferYearSchema } from '../year';

/** The need key for a pupil whose return records no primary need (usually provision N). */
export const NO_NEED = 'None' as const;

export const PROVISIONS = SEN_PROVISION.map((p) => p.code) as readonly SenProvision[];
export const SUPPORT_LEVELS = SUPPORT_LEVEL.map((s) => s.code) as readonly SupportLevel[];

const count = z.number().int().nonnegative();

/** Pupils by DfE SEN provision (E, K, N). */
export const provisionCountsSchema = z.strictObject({ E: count, K: count, N: count });
export type ProvisionCounts = z.infer<typeof provisionCountsSchema>;

/** Pupils by primary need code (DfE SEN type, or `None`); only non-zero keys are stored. */
const needCountsSchema = z.record(z.string().min(1).max(20), count);

export const resourceBaseDemandSchema = z.strictObject({
  /** LAESTAB of the receiving secondary. */
  secondary: z.string().regex(/^\d{7}$/),
  /** DfE SEN type code of the primary need, or `None`. */
  need: z.string().min(1).max(20),
  pupils: z.number().int().positive(),
});
export type ResourceBaseDemand = z.infer<typeof resourceBaseDemandSchema>;

export const schoolSummarySchema = z.strictObject({
  /** LAESTAB of the submitting primary. */
  school: z.string().max(20),
  /** The transfer year: the September in which the pupils start Year 7. */
  year: transferYearSchema,
  /** Valid pupil rows counted. */
  pupils: count,
  /** Pupils by SEN provision, then primary need. The broad area of need is derived from the need code. */
  byProvisionNeed: z.strictObject({ E: needCountsSchema, K: needCountsSchema, N: needCountsSchema }),
  /** Pupils by receiving secondary (LAESTAB), then SEN provision. Locality comes from the directory. */
  bySecondary: z.record(z.string().regex(/^\d{7}$/), provisionCountsSchema),
  /**
   * Pupils by receiving secondary (LAESTAB), then primary need (only non-zero keys): with the
   * directory's locality of each secondary, the broad area of need by locality area.
   */
  bySecondaryNeed: z.record(z.string().regex(/^\d{7}$/), needCountsSchema),
  bySupport: z.strictObject({ Universal: provisionCountsSchema, Targeted: provisionCountsSchema, Specialist: provisionCountsSchema }),
  /** Pupils whose return names a resource-base placement, by receiving secondary and primary need. */
  resourceBaseDemand: z.array(resourceBaseDemandSchema),
});
export type SchoolSummary = z.infer<typeof schoolSummarySchema>;

export const emptyProvisionCounts = (): ProvisionCounts => ({ E: 0, K: 0, N: 0 });

/** A summary with no pupils: what a school that has not yet returned contributes. */
export function emptySummary(school: string, year: number): SchoolSummary {
  return {
    school,
    year,
    pupils: 0,
    byProvisionNeed: { E: {}, K: {}, N: {} },
    bySecondary: {},
    bySecondaryNeed: {},
    bySupport: { Universal: emptyProvisionCounts(), Targeted: emptyProvisionCounts(), Specialist: emptyProvisionCounts() },
    resourceBaseDemand: [],
  };
}

/** The need key a pupil is counted under: the canonical DfE code, the trimmed text if unknown, or `None`. */
export function needKey(primaryNeed: string | null): string {
  const raw = primaryNeed?.trim() ?? '';
  if (raw === '') return NO_NEED;
  return canonicalCode(SEN_NEED, raw) ?? raw.toUpperCase();
}

const increment = (record: Record<string, number>, key: string, by = 1): void => {
  record[key] = (Object.hasOwn(record, key) ? (record[key] ?? 0) : 0) + by;
};

/** Sums a school's valid pupil rows into its summary. Only counts leave this function. */
export function schoolSummary(school: string, year: number, pupils: readonly PupilRow[]): SchoolSummary {
  const summary = emptySummary(school, year);
  const demand = new Map<string, ResourceBaseDemand>();
  for (const p of pupils) {
    const provision = p.senProvision;
    const need = needKey(p.primaryNeed);
    summary.pupils += 1;
    increment(summary.byProvisionNeed[provision], need);
    const secondary = Object.hasOwn(summary.bySecondary, p.receivingSecondary)
      ? summary.bySecondary[p.receivingSecondary]
      : undefined;
    const counts = secondary ?? emptyProvisionCounts();
    counts[provision] += 1;
    summary.bySecondary[p.receivingSecondary] = counts;
    const needs = (Object.hasOwn(summary.bySecondaryNeed, p.receivingSecondary) ? summary.bySecondaryNeed[p.receivingSecondary] : undefined) ?? {};
    increment(needs, need);
    summary.bySecondaryNeed[p.receivingSecondary] = needs;
    summary.bySupport[p.supportLevel][provision] += 1;
    if (p.resourceBase?.placement === 'Y') {
      const key = `${p.receivingSecondary}|${need}`;
      const entry = demand.get(key) ?? { secondary: p.receivingSecondary, need, pupils: 0 };
      entry.pupils += 1;
      demand.set(key, entry);
    }
  }
  summary.resourceBaseDemand = [...demand.values()].sort(
    (a, b) => a.secondary.localeCompare(b.secondary) || a.need.localeCompare(b.need),
  );
  return summary;
}
