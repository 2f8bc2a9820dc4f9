/**
 * The LA's resource base dataset: commissioned places and approximate annual cost by
 * locality area and designated need. One schema for the bundled copy, the API and the add-in.
 */
import { z } from 'zod';
import { LOCALITY_AREAS } from '../schools';
import { academicYearSchema } from '../year';
import bundledJson from './bundled-2019-20.json';

/** School phase of a resource base, for datasets that split places by phase (2019-20 does not). */
export const RESOURCE_BASE_PHASES = ['Primary', 'Secondary'] as const;
export type ResourceBasePhase = (typeof RESOURCE_BASE_PHASES)[number];

export const resourceBaseRowSchema = z.strictObject({
  area: z.enum(LOCALITY_AREAS),
  /** A key of `needCodes`; combined designations are `;`-joined, e.g. `ASD;SLCN`. */
  need: z.string().min(1),
  places: z.number().int().nonnegative(),
  /** Approximate overall annual cost, in `currency`. */
  cost: z.number().nonnegative(),
  phase: z.enum(RESOURCE_BASE_PHASES).optional(),
});

export const resourceBaseDatasetSchema = z
  .strictObject({
    source: z.string().min(1),
    /** The academic year the figures are for, e.g. "2019-20" (shared/year.ts). */
    academicYear: academicYearSchema,
    currency: z.literal('GBP'),
    /** Need code → description, as the LA's review designates its bases. */
    needCodes: z.record(z.string().min(1), z.string()),
    /** Group name → need codes; the review reports its averages by these groups. */
    groups: z.record(z.string().min(1), z.array(z.string().min(1))),
    rows: z.array(resourceBaseRowSchema).min(1),
    /** ISO date-time the LA published this version through the API. */
    publishedAt: z.iso.datetime({ offset: true }).optional(),
  })
  .superRefine((ds, ctx) => {
    const codes = new Set(Object.keys(ds.needCodes));
    ds.rows.forEach((row, i) => {
      if (!codes.has(row.need)) {
        ctx.addIssue({ code: 'custom', path: ['rows', i, 'need'], message: `need "${row.need}" is not in needCodes` });
      }
    });
    for (const [group, members] of Object.entries(ds.groups)) {
      members.forEach((m, i) => {
        if (!codes.has(m)) {
          ctx.addIssue({ code: 'custom', path: ['groups', group, i], message: `need "${m}" is not in needCodes` });
        }
      });
    }
  });

export type ResourceBaseDataset = z.infer<typeof resourceBaseDatasetSchema>;
export type ResourceBaseRow = z.infer<typeof resourceBaseRowSchema>;

/**
 * The 2019-20 review, shipped with the product so the functions work offline.
 * Copied from the LA's published tables into the source tree, so nothing is read or fetched at run time.
 */
export const BUNDLED_RESOURCE_BASES: ResourceBaseDataset = resourceBaseDatasetSchema.parse(bundledJson);
