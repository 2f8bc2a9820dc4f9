/**
 * The audit log: every read, write or export of pupil-level data leaves an entry (DOMAIN.md,
 * data protection). Entries hold who, what and which documents, never pupil values: ids are
 * document ids, and anything shaped like a UPN or a date is refused rather than stored.
 *
 * Writes fail closed: `record` throws when the entry can't be stored, and callers await it
 * before answering, so pupil data is never served unaudited.
 */
import { randomUUID } from 'node:crypto';
import type { Container } from '@azure/cosmos';
import { z } from 'zod';
import { ROLES } from '../auth/principal';
import { CITY_PARTITION } from './containers';
import { auditRecordSchema, type AuditRecord } from './documents';

const UPN_SHAPE = /[A-Z]\d{11}[0-9A-Z]/i;
const DATE_SHAPE = /\d{4}-\d{2}-\d{2}/;

export const auditEntrySchema = z.strictObject({
  /** The principal's subject (an opaque user id). */
  who: z.string().min(1).max(200),
  role: z.enum(ROLES),
  /** The school whose data was touched; null or absent for city-wide actions. */
  school: z.string().regex(/^\d{7}$/).nullable().optional(),
  /** What was done, as `noun.verb`, e.g. `return.submit`, `cohort.read`, `export.download`. */
  action: z.string().regex(/^[a-z][a-zA-Z]*(?:\.[a-z][a-zA-Z]*)+$/),
  /** Ids of the documents involved. */
  ids: z
    .array(
      z
        .string()
        .regex(/^[A-Za-z0-9:._-]{1,200}$/)
        .refine((id) => !UPN_SHAPE.test(id) && !DATE_SHAPE.test(id), 'an audit id must not contain a UPN or a date'),
    )
    .max(1000)
    .default([]),
  correlationId: z.string().min(1).max(128),
});
export type AuditEntry = z.input<typeof auditEntrySchema>;

export type { AuditRecord };

export class AuditLog {
  constructor(
    private readonly container: () => Promise<Container>,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async record(entry: AuditEntry): Promise<AuditRecord> {
    const e = auditEntrySchema.parse(entry);
    const record: AuditRecord = {
      id: randomUUID(),
      school: e.school ?? CITY_PARTITION,
      at: this.now().toISOString(),
      who: e.who,
      role: e.role,
      action: e.action,
      ids: e.ids,
      correlationId: e.correlationId,
    };
    await (await this.container()).items.create(auditRecordSchema.parse(record));
    return record;
  }

  /** A school's audit trail (or "city"), newest first: a one-partition query. */
  async forSchool(school: string): Promise<AuditRecord[]> {
    const { resources } = await (await this.container()).items
      .query<unknown>({
        query: 'SELECT * FROM c WHERE c.school = @school ORDER BY c.at DESC',
        parameters: [{ name: '@school', value: school }],
      })
      .fetchAll();
    return resources.map((r) => auditRecordSchema.parse(r));
  }
}
