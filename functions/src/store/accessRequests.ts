/**
 * Access requests (issue 25): one document per request, id = partition key; decided by a replace
 * conditioned on the etag read, so two approvers deciding at once leave one decision, audited once.
 */
import type { Container } from '@azure/cosmos';
import { z } from 'zod';
import { accessRequestSchema, type AccessRequest } from '../../../shared/api/identity';

export const accessRequestDocumentSchema = accessRequestSchema.extend({ scopeKey: z.string() });
export type AccessRequestDocument = z.infer<typeof accessRequestDocumentSchema>;

const codeOf = (error: unknown): unknown => (error as { code?: unknown } | null)?.code;

const strip = (doc: Record<string, unknown>): AccessRequestDocument =>
  accessRequestDocumentSchema.parse(Object.fromEntries(Object.entries(doc).filter(([k]) => !k.startsWith('_'))));

export function toAccessRequest(doc: AccessRequestDocument): AccessRequest {
  const { scopeKey: _scopeKey, ...request } = doc;
  return request;
}

export class AccessRequestStore {
  constructor(private readonly container: () => Promise<Container>) {}

  async create(doc: AccessRequestDocument): Promise<void> {
    await (await this.container()).items.create(accessRequestDocumentSchema.parse(doc));
  }

  async get(id: string): Promise<{ doc: AccessRequestDocument; etag: string } | undefined> {
    try {
      const { resource, etag } = await (await this.container()).item(id, id).read<Record<string, unknown>>();
      return resource === undefined ? undefined : { doc: strip(resource), etag: etag ?? '' };
    } catch (error) {
      if (codeOf(error) === 404) return undefined;
      throw error;
    }
  }

  /** Writes `next` only if the document is still as read; false when someone decided it first. */
  async transition(next: AccessRequestDocument, etag: string): Promise<boolean> {
    try {
      await (await this.container()).item(next.id, next.id).replace(accessRequestDocumentSchema.parse(next), { accessCondition: { type: 'IfMatch', condition: etag } });
      return true;
    } catch (error) {
      if (codeOf(error) === 412) return false;
      throw error;
    }
  }

  /** A scope's requests, or every one; newest first. */
  async list(scopeKey?: string): Promise<AccessRequestDocument[]> {
    const query = scopeKey === undefined ? { query: 'SELECT * FROM c' } : { query: 'SELECT * FROM c WHERE c.scopeKey = @scope', parameters: [{ name: '@scope', value: scopeKey }] };
    const { resources } = await (await this.container()).items.query<Record<string, unknown>>(query).fetchAll();
    return resources.map(strip).sort((a, b) => b.requestedAt.localeCompare(a.requestedAt));
  }

  /** One person's own requests, newest first. */
  async of(person: { tid: string; oid: string }): Promise<AccessRequestDocument[]> {
    const { resources } = await (await this.container()).items
      .query<Record<string, unknown>>({ query: 'SELECT * FROM c WHERE c.tid = @tid AND c.oid = @oid', parameters: [{ name: '@tid', value: person.tid }, { name: '@oid', value: person.oid }] })
      .fetchAll();
    return resources.map(strip).sort((a, b) => b.requestedAt.localeCompare(a.requestedAt));
  }
}
