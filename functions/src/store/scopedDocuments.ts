/**
 * A store of documents that change state (issue 25's invitations and access requests): one
 * document per item, id = partition key, filed under a scope (`scopeKey`: `school:…`, `trust:…`,
 * `la`). Every change of state is a replace conditioned on the etag read (`transition`), so of two
 * concurrent changes exactly one wins and the other sees the winner's state: one outcome, audited
 * once by whoever won. Nothing is deleted: an item's last state stays as the record of it.
 */
import type { Container, SqlQuerySpec } from '@azure/cosmos';
import type { z } from 'zod';

const codeOf = (error: unknown): unknown => (error as { code?: unknown } | null)?.code;

export class ScopedDocumentStore<S extends z.ZodType<{ id: string; scopeKey: string }>> {
  constructor(
    private readonly container: () => Promise<Container>,
    private readonly schema: S,
    /** Newest first by this member (an ISO time). */
    private readonly newestBy: (doc: z.output<S>) => string,
  ) {}

  private strip(doc: Record<string, unknown>): z.output<S> {
    return this.schema.parse(Object.fromEntries(Object.entries(doc).filter(([k]) => !k.startsWith('_'))));
  }

  async create(doc: z.output<S>): Promise<void> {
    await (await this.container()).items.create(this.schema.parse(doc) as object);
  }

  /** The document and its etag, or undefined: one point read. */
  async get(id: string): Promise<{ doc: z.output<S>; etag: string } | undefined> {
    try {
      const { resource, etag } = await (await this.container()).item(id, id).read<Record<string, unknown>>();
      return resource === undefined ? undefined : { doc: this.strip(resource), etag: etag ?? '' };
    } catch (error) {
      if (codeOf(error) === 404) return undefined;
      throw error;
    }
  }

  /**
   * Writes `next` only if the document is still as read (`etag`). False when someone changed it
   * first: the caller reads again and answers from the state it finds.
   */
  async transition(next: z.output<S>, etag: string): Promise<boolean> {
    try {
      await (await this.container()).item(next.id, next.id).replace(this.schema.parse(next) as object, { accessCondition: { type: 'IfMatch', condition: etag } });
      return true;
    } catch (error) {
      if (codeOf(error) === 412) return false;
      throw error;
    }
  }

  /** A scope's documents, or every one when `scopeKey` is undefined; newest first. */
  async list(scopeKey?: string): Promise<Array<z.output<S>>> {
    return this.query(scopeKey === undefined ? { query: 'SELECT * FROM c' } : { query: 'SELECT * FROM c WHERE c.scopeKey = @scope', parameters: [{ name: '@scope', value: scopeKey }] });
  }

  /** The documents a query finds, newest first. */
  async query(spec: SqlQuerySpec): Promise<Array<z.output<S>>> {
    const { resources } = await (await this.container()).items.query<Record<string, unknown>>(spec).fetchAll();
    return resources.map((r) => this.strip(r)).sort((a, b) => this.newestBy(b).localeCompare(this.newestBy(a)));
  }
}
