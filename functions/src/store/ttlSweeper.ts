/**
 * Time to live, locally. Azure Cosmos DB deletes an item once its time to live has passed: the
 * container's `defaultTtl`, or the item's own `ttl` where it sets one (-1: never), counted from
 * the item's last write (`_ts`). The embedded server ignores both and keeps every item for ever,
 * so idempotency records, which are meant to last a day, piled up locally. This sweeper does
 * what the service does, through the ordinary API (so a durable embedded server journals the
 * deletes): it runs only beside an embedded server, never against a real account.
 */
import type { Database } from '@azure/cosmos';
import { CONTAINER_NAMES, CONTAINERS } from './containers';

/** (design) How often the local sweeper looks for expired items. */
export const LOCAL_SWEEP_INTERVAL_MS = 60_000;

interface Stamp {
  id: string;
  pk: unknown;
  _ts: number;
  ttl?: unknown;
}

/** When an item expires (seconds since the epoch), by Cosmos' rule; undefined: never. */
export function expiresAt(stamp: { _ts: number; ttl?: unknown }, containerTtl: number | undefined): number | undefined {
  if (containerTtl === undefined) return undefined; // TTL off on the container: item ttl is ignored too
  const own = typeof stamp.ttl === 'number' && Number.isInteger(stamp.ttl) && stamp.ttl !== 0 ? stamp.ttl : undefined;
  const ttl = own ?? containerTtl;
  return ttl === -1 ? undefined : stamp._ts + ttl;
}

/** Deletes every item whose time to live has passed at `nowSeconds`; returns how many. */
export async function sweepExpired(database: Database, nowSeconds = Math.floor(Date.now() / 1000)): Promise<number> {
  let removed = 0;
  for (const name of CONTAINER_NAMES) {
    const def: { partitionKey: string; defaultTtl?: number } = CONTAINERS[name];
    if (def.defaultTtl === undefined) continue;
    const pk = def.partitionKey.slice(1);
    const container = database.container(name);
    // Candidates only: old enough for the container's TTL, or carrying a TTL of their own.
    const { resources } = await container.items
      .query<Stamp>({
        query: `SELECT c.id, c["${pk}"] AS pk, c._ts, c.ttl FROM c WHERE c._ts <= @cutoff OR c.ttl > 0`,
        parameters: [{ name: '@cutoff', value: nowSeconds - Math.max(def.defaultTtl, 0) }],
      })
      .fetchAll();
    for (const stamp of resources) {
      const at = expiresAt(stamp, def.defaultTtl);
      if (at === undefined || at > nowSeconds) continue;
      try {
        await container.item(stamp.id, stamp.pk as string).delete();
        removed++;
      } catch (error) {
        if ((error as { code?: unknown }).code !== 404) throw error;
      }
    }
  }
  return removed;
}

/** Sweeps every `intervalMs` until stopped; a failed sweep is tried again at the next one. */
export function startSweeper(database: Database, intervalMs = LOCAL_SWEEP_INTERVAL_MS): { stop(): void } {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    sweepExpired(database)
      .catch(() => undefined)
      .finally(() => {
        running = false;
      });
  }, intervalMs);
  timer.unref?.();
  return { stop: () => clearInterval(timer) };
}
