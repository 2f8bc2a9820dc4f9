/**
 * Invitations (issue 25): one document per invitation, id = partition key. Every change of state
 * is a replace conditioned on the etag read (`transition`), so of a concurrent accept and revoke
 * exactly one wins and the other sees the winner's state: one outcome, audited once by whoever won.
 * Nothing is ever deleted: a claimed, revoked or expired invitation stays as the record of it.
 */
import type { Container } from '@azure/cosmos';
import { z } from 'zod';
import { INVITATION_STATES, invitationSchema, type Invitation } from '../../../shared/api/identity';

/** The stored document: the API's invitation, filed under its scope. */
export const invitationDocumentSchema = invitationSchema.extend({ scopeKey: z.string() });
export type InvitationDocument = z.infer<typeof invitationDocumentSchema>;

const codeOf = (error: unknown): unknown => (error as { code?: unknown } | null)?.code;

const strip = (doc: Record<string, unknown>): InvitationDocument =>
  invitationDocumentSchema.parse(Object.fromEntries(Object.entries(doc).filter(([k]) => !k.startsWith('_'))));

export function toInvitation(doc: InvitationDocument): Invitation {
  const { scopeKey: _scopeKey, ...invitation } = doc;
  return invitation;
}

export class InvitationStore {
  constructor(private readonly container: () => Promise<Container>) {}

  async create(doc: InvitationDocument): Promise<void> {
    await (await this.container()).items.create(invitationDocumentSchema.parse(doc));
  }

  /** The invitation and its etag, or undefined: one point read. */
  async get(id: string): Promise<{ doc: InvitationDocument; etag: string } | undefined> {
    try {
      const { resource, etag } = await (await this.container()).item(id, id).read<Record<string, unknown>>();
      return resource === undefined ? undefined : { doc: strip(resource), etag: etag ?? '' };
    } catch (error) {
      if (codeOf(error) === 404) return undefined;
      throw error;
    }
  }

  /**
   * Writes `next` only if the document is still as read (`etag`). False when someone changed it
   * first: the caller reads again and answers from the state it finds.
   */
  async transition(next: InvitationDocument, etag: string): Promise<boolean> {
    try {
      await (await this.container()).item(next.id, next.id).replace(invitationDocumentSchema.parse(next), { accessCondition: { type: 'IfMatch', condition: etag } });
      return true;
    } catch (error) {
      if (codeOf(error) === 412) return false;
      throw error;
    }
  }

  /** A scope's invitations (`school:…`, `trust:…`, `la`), or every one when `scopeKey` is undefined; newest first. */
  async list(scopeKey?: string): Promise<InvitationDocument[]> {
    const query = scopeKey === undefined ? { query: 'SELECT * FROM c' } : { query: 'SELECT * FROM c WHERE c.scopeKey = @scope', parameters: [{ name: '@scope', value: scopeKey }] };
    const { resources } = await (await this.container()).items.query<Record<string, unknown>>(query).fetchAll();
    return resources.map(strip).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  /** The pending invitations for an e-mail address (stored lowercased), with their etags. */
  async pendingFor(email: string): Promise<InvitationDocument[]> {
    const { resources } = await (await this.container()).items
      .query<Record<string, unknown>>({ query: 'SELECT * FROM c WHERE c.email = @email AND c.state = @state', parameters: [{ name: '@email', value: email.toLowerCase() }, { name: '@state', value: 'pending' satisfies (typeof INVITATION_STATES)[number] }] })
      .fetchAll();
    return resources.map(strip).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }
}
