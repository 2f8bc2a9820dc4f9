/**
 * Invitations (issue 25): one document per invitation, filed under its scope, changed only by
 * etag-conditioned transitions (store/scopedDocuments.ts), so of a concurrent accept and revoke
 * exactly one wins: one outcome, audited once by whoever won. A claimed, revoked or expired
 * invitation stays as the record of it.
 */
import type { Container } from '@azure/cosmos';
import { z } from 'zod';
import { INVITATION_STATES, invitationSchema, type Invitation } from '../../../shared/api/identity';
import { ScopedDocumentStore } from './scopedDocuments';

/** The stored document: the API's invitation, filed under its scope. */
export const invitationDocumentSchema = invitationSchema.extend({ scopeKey: z.string() });
export type InvitationDocument = z.infer<typeof invitationDocumentSchema>;

export function toInvitation(doc: InvitationDocument): Invitation {
  const { scopeKey: _scopeKey, ...invitation } = doc;
  return invitation;
}

export class InvitationStore extends ScopedDocumentStore<typeof invitationDocumentSchema> {
  constructor(container: () => Promise<Container>) {
    super(container, invitationDocumentSchema, (d) => d.createdAt);
  }

  /** The pending invitations for an e-mail address (stored lowercased), newest first. */
  async pendingFor(email: string): Promise<InvitationDocument[]> {
    return this.query({ query: 'SELECT * FROM c WHERE c.email = @email AND c.state = @state', parameters: [{ name: '@email', value: email.toLowerCase() }, { name: '@state', value: 'pending' satisfies (typeof INVITATION_STATES)[number] }] });
  }
}
