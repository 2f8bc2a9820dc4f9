/**
 * Access requests (issue 25): one document per request, filed under its scope, decided by an
 * etag-conditioned transition (store/scopedDocuments.ts), so two approvers deciding at once leave
 * one decision, audited once.
 */
import type { Container } from '@azure/cosmos';
import { z } from 'zod';
import { accessRequestSchema, type AccessRequest } from '../../../shared/api/identity';
import { ScopedDocumentStore } from './scopedDocuments';

export const accessRequestDocumentSchema = accessRequestSchema.extend({ scopeKey: z.string() });
export type AccessRequestDocument = z.infer<typeof accessRequestDocumentSchema>;

export function toAccessRequest(doc: AccessRequestDocument): AccessRequest {
  const { scopeKey: _scopeKey, ...request } = doc;
  return request;
}

export class AccessRequestStore extends ScopedDocumentStore<typeof accessRequestDocumentSchema> {
  constructor(container: () => Promise<Container>) {
    super(container, accessRequestDocumentSchema, (d) => d.requestedAt);
  }

  /** One person's own requests, newest first. */
  async of(person: { tid: string; oid: string }): Promise<AccessRequestDocument[]> {
    return this.query({ query: 'SELECT * FROM c WHERE c.tid = @tid AND c.oid = @oid', parameters: [{ name: '@tid', value: person.tid }, { name: '@oid', value: person.oid }] });
  }
}
