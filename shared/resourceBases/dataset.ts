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

/**
 * (design) The bounds of a dataset's figures: far above any real resource base (2019-20's
 * largest row is 107 places at about £14,000 a place), low enough that no sum of them or
 * quotient overflows. A cost of 1e308 was once accepted, and cost per place became Infinity.
 */
export const RESOURCE_BASE_BOUNDS = {
  /** Commissioned places in one row. */
  maxPlaces: 10_000,
  /** Annual cost of one place, in pounds: a row's cost is at most its places times this. */
  maxCostPerPlace: 1_000_000,
} as const;

const pounds = (n: number): string => `£${n.toLocaleString('en-GB', { maximumFractionDigits: 0 })}`;
const MAX_ROW_COST = RESOURCE_BASE_BOUNDS.maxPlaces * RESOURCE_BASE_BOUNDS.maxCostPerPlace;

/** Why a row's cost is out of bounds for its places, in the LA's words. */
export function costBoundMessage(cost: number, places: number): string {
  return places === 0
    ? `${pounds(cost)} for no commissioned places: a row with no places has no cost`
    : `${pounds(cost)} for ${places.toLocaleString('en-GB')} places is ${pounds(cost / places)} a place, over the ${pounds(RESOURCE_BASE_BOUNDS.maxCostPerPlace)} a place allowed`;
}

export const resourceBaseRowSchema = z
  .strictObject({
    area: z.enum(LOCALITY_AREAS),
    /** A key of `needCodes`; combined designations are `;`-joined, e.g. `ASD;SLCN`. */
    need: z.string().min(1),
    places: z
      .number()
      .int()
      .nonnegative()
      .max(RESOURCE_BASE_BOUNDS.maxPlaces, `at most ${RESOURCE_BASE_BOUNDS.maxPlaces.toLocaleString('en-GB')} places in one row`),
    /** Approximate overall annual cost, in `currency`: at most `places` × RESOURCE_BASE_BOUNDS.maxCostPerPlace. */
    cost: z
      .number()
      .nonnegative()
      .max(MAX_ROW_COST, `at most ${pounds(RESOURCE_BASE_BOUNDS.maxCostPerPlace)} a place, so at most ${pounds(MAX_ROW_COST)} in one row`),
    phase: z.enum(RESOURCE_BASE_PHASES).optional(),
  })
  .superRefine(({ places, cost }, ctx) => {
    // Only figures each within its own bound are compared: one out of bounds has said so already.
    const inBounds = Number.isInteger(places) && places >= 0 && places <= RESOURCE_BASE_BOUNDS.maxPlaces && cost >= 0 && cost <= MAX_ROW_COST;
    if (inBounds && cost > places * RESOURCE_BASE_BOUNDS.maxCostPerPlace) ctx.addIssue({ code: 'custom', path: ['cost'], message: costBoundMessage(cost, places) });
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
