/**
 * The LA's tenant allow-list (issue 25): the Microsoft 365 tenants whose people may sign in.
 * One document per tenant, `id` = partition key = the tenant id, so the request path checks a
 * token's `tid` with one point read (in parallel with the membership read), and a tenant removed
 * is refused on the next request. LA admins manage it through /api/tenants; every change is
 * audited there.
 */
import type { Container } from '@azure/cosmos';
import { type Tenant, tenantSchema } from '../../../shared/identity';

const toTenant = (doc: unknown): Tenant => {
  const { id: _id, ...rest } = doc as Record<string, unknown>;
  return tenantSchema.parse(Object.fromEntries(Object.entries(rest).filter(([k]) => !k.startsWith('_'))));
};

export class TenantStore {
  constructor(private readonly container: () => Promise<Container>) {}

  /** The tenant, or undefined when it is not on the list: one point read. */
  async get(tid: string): Promise<Tenant | undefined> {
    const { resource } = await (await this.container()).item(tid, tid).read<Record<string, unknown>>();
    return resource === undefined ? undefined : toTenant(resource);
  }

  /** Every tenant on the list, by name. */
  async list(): Promise<Tenant[]> {
    const { resources } = await (await this.container()).items.query<unknown>('SELECT * FROM c').fetchAll();
    return resources.map(toTenant).sort((a, b) => a.name.localeCompare(b.name) || a.tid.localeCompare(b.tid));
  }

  /** Adds or replaces the tenant's entry; returns the entry it replaced, if any. */
  async put(tenant: Tenant): Promise<Tenant | undefined> {
    const parsed = tenantSchema.parse(tenant);
    const before = await this.get(parsed.tid);
    await (await this.container()).items.upsert({ id: parsed.tid, ...parsed });
    return before;
  }

  /** Removes the tenant; returns the entry removed, or undefined when it was not on the list. */
  async remove(tid: string): Promise<Tenant | undefined> {
    const before = await this.get(tid);
    if (!before) return undefined;
    try {
      await (await this.container()).item(tid, tid).delete();
    } catch (error) {
      if ((error as { code?: number }).code !== 404) throw error;
      return undefined;
    }
    return before;
  }
}
