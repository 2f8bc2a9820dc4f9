/**
 * The database's containers and their partition keys: one table, read by `ensureDatabase()`
 * locally and by infrastructure templates for Azure (where the data-plane identity may not
 * create containers).
 *
 * Cosmos limits the embedded server imposes, and which queries here therefore respect: no
 * GROUP BY / DISTINCT / OFFSET LIMIT / LIKE, the partitionKey query option is ignored (so the
 * partition key always goes in the WHERE clause), no transactional batches, no change feed.
 */
export const CONTAINERS = {
  /** A school's submitted returns. Each school is one partition: writes spread as schools join. */
  returns: { partitionKey: '/school' },
  /** One pupil-free summary per school and year; city aggregates read these, never pupil rows. */
  summaries: { partitionKey: '/school' },
  /**
   * The maintained city rollup: per year, ROLLUP_SHARDS documents (store/rollup.ts) holding the
   * running totals of every school's summary, so GET /aggregates reads a constant number of
   * documents at any city size. Each shard is its own partition, so concurrent commits of
   * different schools contend on one shard in ROLLUP_SHARDS, not on one document.
   */
  rollups: { partitionKey: '/id' },
  /** Resource-base datasets, one document per academic year. Tiny and read whole. */
  resourceBases: { partitionKey: '/year' },
  /**
   * Audit entries, partitioned like the data they are about: "who touched this school's
   * pupils?" is the question a data-protection request asks, and it stays a one-partition
   * query. City-wide actions (exports, the tracker, resource bases) use the partition "city".
   */
  audit: { partitionKey: '/school' },
  /**
   * Idempotency records, keyed by `<subject>:<Idempotency-Key>` as both id and partition
   * key, so a replay check is one point read. Expire after a day.
   */
  idempotency: { partitionKey: '/key', defaultTtl: 24 * 60 * 60 },
  /**
   * The LA's school directory: a small pointer document (`id: "directory"`) naming a generation
   * of pages of up to 1,000 schools each (store/schoolDirectory.ts). A city of 24,000 schools is
   * ~3.5 MB, past Cosmos's 2 MB item limit; replacing the pointer is the one write that publishes
   * a new directory without transactional batches. Read whole, and cached, for scope checks.
   */
  schools: { partitionKey: '/id' },
  /**
   * The cross-school UPN index (store/upnIndex.ts): per year, one small document per keyed UPN
   * hash (never the UPN) naming the schools whose latest submitted return holds it, one per school
   * listing its hashes, and marks of commits not yet taken in. Each its own partition: a commit
   * touches its pupils' entries, which concurrent commits of other schools rarely share.
   */
  crossSchool: { partitionKey: '/id' },
  /**
   * Memberships (issue 25, store/memberships.ts): one document per person, id = partition key =
   * `<tid>:<oid>`, holding every role that person has. A request's membership is one point read.
   */
  memberships: { partitionKey: '/id' },
  /** The LA's tenant allow-list (store/tenants.ts): one document per tenant, id = partition key = tid. */
  tenants: { partitionKey: '/id' },
  /**
   * Invitations (issue 25, store/invitations.ts): one document each, id = partition key, changed
   * only by etag-conditioned replace so a concurrent accept and revoke leave one outcome. Listing
   * a school's filters on `scopeKey` across partitions: invitations are few (one per person asked).
   */
  invitations: { partitionKey: '/id' },
  /** Access requests (store/accessRequests.ts): as invitations, one document each. */
  accessRequests: { partitionKey: '/id' },
  /**
   * The identity audit trail (store/identityAudit.ts): append-only, partitioned by the scope the
   * change concerns (`school:<laestab>`, `trust:<id>`, `la`), so a school's approvers read theirs
   * with a one-partition query.
   */
  identityAudit: { partitionKey: '/scope' },
} as const satisfies Record<string, { partitionKey: string; defaultTtl?: number }>;

export type ContainerName = keyof typeof CONTAINERS;
export const CONTAINER_NAMES = Object.keys(CONTAINERS) as ContainerName[];

/** The partition used for audit entries that concern no single school. */
export const CITY_PARTITION = 'city';
