/**
 * The LA's school directory: which schools are expected to submit, their locality area,
 * phase and trust. Returns, cohorts, the tracker and scope checks all read it.
 */
import { z } from 'zod';
import { guidSchema } from './identity';

export const LOCALITY_AREAS = ['East', 'North', 'South', 'West'] as const;
export type LocalityArea = (typeof LOCALITY_AREAS)[number];

/** (design) The synthetic directory's SEND contact address: an obviously invented, reserved domain (RFC 2606). */
export const syntheticSchoolEmail = (laestab: string): string => `senco.${laestab}@schools.example`;

export const schoolSchema = z.strictObject({
  /** 7-digit LA code + establishment number; Birmingham starts 330. */
  laestab: z.string().regex(/^\d{7}$/),
  /** 6-digit unique reference number. */
  urn: z.string().regex(/^\d{6}$/),
  name: z.string().min(1).max(120),
  phase: z.enum(['primary', 'secondary']),
  area: z.enum(LOCALITY_AREAS),
  /** The multi-academy trust's id, or null for a maintained school. */
  trust: z.string().min(1).max(40).nullable(),
  /** The school's SEND contact address, for the LA's chase e-mails; absent where the directory has none. */
  email: z.email().max(254).optional(),
  /**
   * The school's Microsoft 365 tenant id, where the LA has recorded it: an invitation for this
   * school can then be claimed only by someone signed in from that tenant (issue 25).
   */
  tenantId: guidSchema.optional(),
});
export type School = z.infer<typeof schoolSchema>;

export const schoolDirectorySchema = z.array(schoolSchema).superRefine((schools, ctx) => {
  const seen = new Set<string>();
  for (const s of schools) {
    for (const id of [s.laestab, s.urn]) {
      if (seen.has(id)) ctx.addIssue({ code: 'custom', message: `duplicate school identifier ${id}` });
      seen.add(id);
    }
  }
});

/** Look-ups over a school directory by LAESTAB or URN. */
export class SchoolDirectory {
  private readonly byId = new Map<string, School>();

  constructor(readonly schools: readonly School[]) {
    for (const s of schools) {
      this.byId.set(s.laestab, s);
      this.byId.set(s.urn, s);
    }
  }

  /** The school for a LAESTAB or URN, or undefined. */
  find(id: string): School | undefined {
    return this.byId.get(id.trim());
  }

  /** The LAESTAB for a LAESTAB or URN; the input unchanged when the school is unknown. */
  laestabOf(id: string): string {
    return this.find(id)?.laestab ?? id.trim();
  }

  primaries(): School[] {
    return this.schools.filter((s) => s.phase === 'primary');
  }

  secondaries(): School[] {
    return this.schools.filter((s) => s.phase === 'secondary');
  }

  inTrust(trust: string): School[] {
    return this.schools.filter((s) => s.trust === trust);
  }
}
