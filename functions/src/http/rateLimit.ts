/**
 * Fixed-window counters: one document per (person, purpose, window), raised with Cosmos' atomic
 * patch `incr`, so a burst of one person's requests costs one operation each with no read and no
 * etag race. Used by the idempotency key limit (idempotency.ts) and by the identity endpoints'
 * per-person limits on invitations and access requests (identity/limits.ts).
 *
 * The counter documents live in a container partitioned on `/key` with `id` = `key`; each expires
 * (TTL) two windows after it was made, so a window's counter outlives the window it counts.
 */
import type { Container } from '@azure/cosmos';

const codeOf = (error: unknown): unknown => (error as { code?: unknown } | null)?.code;

/** The window `now` falls in, and the seconds until it ends (at least 1, for Retry-After). */
export function windowOf(now: number, windowMs: number): { index: number; retryAfterSeconds: number } {
  const index = Math.floor(now / windowMs);
  return { index, retryAfterSeconds: Math.max(1, Math.ceil(((index + 1) * windowMs - now) / 1000)) };
}

/**
 * Raises the counter `id` by one and returns its new count (create-if-absent: two first requests
 * racing both count, the loser of the create incrementing the winner's document).
 */
export async function raiseCounter(container: Container, id: string, windowMs: number): Promise<number> {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const { resource } = await container.item(id, id).patch<{ count: number }>([{ op: 'incr', path: '/count', value: 1 }]);
      if (resource?.count !== undefined) return resource.count;
    } catch (error) {
      if (codeOf(error) !== 404) throw error;
      try {
        await container.items.create({ id, key: id, count: 1, ttl: Math.ceil((2 * windowMs) / 1000) });
        return 1;
      } catch (created) {
        if (codeOf(created) !== 409) throw created; // another request made it first: increment it
      }
    }
  }
  throw new Error(`rate counter ${id} could not be raised`);
}
