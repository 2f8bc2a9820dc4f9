/**
 * The identity audit trail (issue 25): every change of who may act for which school, trust or the
 * LA. Append-only: this class creates entries and reads them, and has no way to change or delete
 * one. Partitioned by scope (`school:<laestab>`, `trust:<id>`, `la`), so a school's approvers read
 * their school's with a one-partition query and LA admins read the lot.
 *
 * Who is a subject (`<tid>/<oid>`), never an e-mail; entries hold no pupil data.
 */
import { randomUUID } from 'node:crypto';
import type { Container } from '@azure/cosmos';
import { type IdentityAuditEntry, identityAuditEntrySchema } from '../../../shared/api/identity';

export type NewIdentityAuditEntry = Omit<IdentityAuditEntry, 'id' | 'at'>;

const strip = (doc: Record<string, unknown>): IdentityAuditEntry =>
  identityAuditEntrySchema.parse(Object.fromEntries(Object.entries(doc).filter(([k]) => !k.startsWith('_'))));

export class IdentityAuditLog {
  constructor(
    private readonly container: () => Promise<Container>,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Appends one entry; throws when it cannot be stored (callers await it before answering). */
  async record(entry: NewIdentityAuditEntry): Promise<IdentityAuditEntry> {
    const full = identityAuditEntrySchema.parse({ ...entry, id: randomUUID(), at: this.now().toISOString() });
    await (await this.container()).items.create(full);
    return full;
  }

  /** One scope's entries, or every entry when `scope` is undefined; newest first. */
  async list(scope?: string): Promise<IdentityAuditEntry[]> {
    const query = scope === undefined ? { query: 'SELECT * FROM c' } : { query: 'SELECT * FROM c WHERE c.scope = @scope', parameters: [{ name: '@scope', value: scope }] };
    const { resources } = await (await this.container()).items.query<Record<string, unknown>>(query).fetchAll();
    return resources.map(strip).sort((a, b) => b.at.localeCompare(a.at) || a.id.localeCompare(b.id));
  }
}
