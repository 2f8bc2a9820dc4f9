/**
 * The memberships store (issue 25): who may act for which school, trust or the LA.
 *
 * One document per person, `id` = partition key = `<tid>:<oid>` (shared/identity.ts
 * memberDocumentId), holding every membership that person has (shared/identity.ts
 * memberDocumentSchema). So the request path finds a caller's roles with ONE point read keyed by
 * (tid, oid), and nothing is cached across requests: a membership removed is gone on the next
 * request. Writes replace the document conditionally on its etag and retry on a lost race, so two
 * grants to one person never lose each other.
 *
 * Rules the store holds (the endpoints above it decide who may call what):
 * - nobody grants themselves a role (`grant` refuses when `by` is the person granted);
 * - a person holds each (role, scope) once: granting it again returns the existing membership.
 *
 * Invitations, access requests and the identity audit trail build on this store; they grant
 * through `grant` and remove through `remove`, and write their own audit entries.
 */
import { randomUUID } from 'node:crypto';
import type { Container } from '@azure/cosmos';
import { type Grant, type MemberDocument, memberDocumentId, memberDocumentSchema, type Membership, subjectOf } from '../../../shared/identity';

/** A person, as the store keys them. */
export interface Person {
  tid: string;
  oid: string;
}

const MAX_RACE_RETRIES = 5;

export class SelfGrantError extends Error {
  constructor() {
    super('Nobody can grant themselves a role.');
    this.name = 'SelfGrantError';
  }
}

function sameGrant(a: Grant, b: Grant): boolean {
  return a.role === b.role && ('school' in a ? a.school : undefined) === ('school' in b ? b.school : undefined) && ('trust' in a ? a.trust : undefined) === ('trust' in b ? b.trust : undefined);
}

const statusOf = (error: unknown): number | undefined => (error as { code?: number } | null)?.code;

export class MembershipStore {
  constructor(
    private readonly container: () => Promise<Container>,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** The person's memberships document, or undefined: one point read. */
  async get(person: Person): Promise<MemberDocument | undefined> {
    const id = memberDocumentId(person.tid, person.oid);
    const { resource } = await (await this.container()).item(id, id).read<Record<string, unknown>>();
    return resource === undefined ? undefined : memberDocumentSchema.parse(resource);
  }

  /**
   * Grants `grant` to `person`, recorded as granted by `by` (a subject, or `seed`). Refuses a
   * self-grant. Returns the membership and whether it is new (a grant already held is returned as is).
   */
  async grant(by: Person | 'seed', person: Person & { name?: string }, grant: Grant): Promise<{ membership: Membership; created: boolean }> {
    if (by !== 'seed' && by.tid === person.tid && by.oid === person.oid) throw new SelfGrantError();
    const grantedBy = by === 'seed' ? 'seed' : subjectOf(by.tid, by.oid);
    return this.update<{ membership: Membership; created: boolean }>(person, (doc) => {
      const held = doc.memberships.find((m) => sameGrant(m, grant));
      if (held) return { doc, result: { membership: held, created: false } };
      const membership = { ...grant, id: randomUUID(), grantedBy, grantedAt: this.now().toISOString() } as Membership;
      return {
        doc: { ...doc, ...(person.name !== undefined ? { name: person.name } : {}), memberships: [...doc.memberships, membership] },
        result: { membership, created: true },
      };
    });
  }

  /** Removes one membership by its id; returns it, or undefined when the person does not hold it. */
  async remove(person: Person, membershipId: string): Promise<Membership | undefined> {
    return this.update(person, (doc) => {
      const held = doc.memberships.find((m) => m.id === membershipId);
      if (!held) return { doc: undefined, result: undefined };
      return { doc: { ...doc, memberships: doc.memberships.filter((m) => m.id !== membershipId) }, result: held };
    });
  }

  /** Every person with a membership. Small (one document per person); approvers' views filter it. */
  async list(): Promise<MemberDocument[]> {
    const { resources } = await (await this.container()).items.query<unknown>('SELECT * FROM c').fetchAll();
    return resources.map((r) => memberDocumentSchema.parse(r));
  }

  /**
   * Reads the person's document, applies `change`, and writes the result conditionally on the
   * etag read (create-if-absent for a new person); a lost race reads again. `change` returning
   * no document means nothing to write.
   */
  private async update<T>(person: Person, change: (doc: MemberDocument) => { doc: MemberDocument | undefined; result: T }): Promise<T> {
    const id = memberDocumentId(person.tid, person.oid);
    const container = await this.container();
    for (let attempt = 0; ; attempt++) {
      const { resource, etag } = await container.item(id, id).read<Record<string, unknown>>();
      const current = resource === undefined ? { id, tid: person.tid, oid: person.oid, memberships: [] } : memberDocumentSchema.parse(resource);
      const { doc, result } = change(current);
      if (doc === undefined || doc === current) return result;
      try {
        const body = memberDocumentSchema.parse(doc);
        if (resource === undefined) await container.items.create(body);
        else await container.item(id, id).replace(body, { accessCondition: { type: 'IfMatch', condition: etag as string } });
        return result;
      } catch (error) {
        const status = statusOf(error);
        if ((status === 409 || status === 412) && attempt < MAX_RACE_RETRIES) continue;
        throw error;
      }
    }
  }
}
