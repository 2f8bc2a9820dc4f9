/**
 * The stored-document schemas (functions/src/store/documents.ts): what a writer builds parses
 * to itself, Cosmos's own members are dropped, and a document of the wrong shape is refused.
 */
import { CITY_TOTAL } from '../../shared/aggregate/merge';
import { emptySummary } from '../../shared/aggregate/summary';
import { validateReturn } from '../../shared/transition/validate';
import {
  auditRecordSchema,
  directoryDocSchema,
  directoryPageDocSchema,
  directoryPointerDocSchema,
  headDocSchema,
  idempotencyRecordSchema,
  rollupCompleteDocSchema,
  rollupShardDocSchema,
  summaryDocSchema,
  versionDocSchema,
} from '../../functions/src/store/documents';
import { headDoc, summaryDoc, versionDoc } from '../factories/documents';
import { aReturn } from '../factories/transition';

const COSMOS_MEMBERS = { _rid: 'AAAA', _self: 'dbs/x', _etag: '"0001"', _attachments: 'attachments/', _ts: 1_780_000_000 };
const ret = aReturn(2);
const school = { laestab: '3302001', urn: '990001', name: 'Acorn Lane Primary (test)', phase: 'primary', area: 'North', trust: null } as const;

it('reads back what the writers build, without the Cosmos members', () => {
  const docs = [
    [versionDocSchema, versionDoc('3302001', 2027, 1, 'submitted', ret, validateReturn(ret))],
    [headDocSchema, headDoc('3302001', 2027, 2, 'draft', 1)],
    [summaryDocSchema, summaryDoc(emptySummary('3302001', 2027), 'draft')],
    [auditRecordSchema, { id: 'a1', school: 'city', at: '2027-06-10T09:00:00.000Z', who: 'dev-la', role: 'la', action: 'tracker.read', ids: [], correlationId: 'c1' }],
    [directoryDocSchema, { id: 'directory', schools: [school], updatedAt: '2027-06-10T09:00:00.000Z' }],
    [directoryPointerDocSchema, { id: 'directory', type: 'directoryPointer', generation: 'g1', pages: 1, schools: 1, updatedAt: '2027-06-10T09:00:00.000Z' }],
    [directoryPageDocSchema, { id: 'directory:g1:0000', type: 'directoryPage', generation: 'g1', page: 0, schools: [school], at: 1_780_000_000_000 }],
    [rollupCompleteDocSchema, { id: 'rollup:complete', type: 'rollupComplete', by: 'rebuild', at: '2027-06-10T09:00:00.000Z' }],
    [idempotencyRecordSchema, { id: 'dev-la:k1', key: 'dev-la:k1', hash: 'abc', state: 'done', createdAt: '2027-06-10T09:00:00.000Z', response: { status: 201, headers: {}, json: { ok: true } } }],
  ] as const;
  for (const [schema, doc] of docs) expect(schema.parse({ ...doc, ...COSMOS_MEMBERS })).toEqual(doc);
});

it('refuses a document of the wrong kind or shape', () => {
  expect(headDocSchema.safeParse(summaryDoc(emptySummary('3302001', 2027), 'draft')).success).toBe(false);
  const { counts: _counts, ...withoutCounts } = headDoc('3302001', 2027, 1, 'submitted');
  expect(headDocSchema.safeParse(withoutCounts).success).toBe(false);
  expect(directoryDocSchema.safeParse({ id: 'directory', schools: [school, school], updatedAt: '2027-06-10T09:00:00.000Z' }).success).toBe(false);
  expect(idempotencyRecordSchema.safeParse({ id: 'k', key: 'k', hash: 'h', state: 'running', createdAt: 'x' }).success).toBe(false);
  // A directory as first stored is not a pointer, nor the other way round.
  expect(directoryPointerDocSchema.safeParse({ id: 'directory', schools: [school], updatedAt: '2027-06-10T09:00:00.000Z' }).success).toBe(false);
  expect(directoryDocSchema.safeParse({ id: 'directory', type: 'directoryPointer', generation: 'g1', pages: 1, schools: 1, updatedAt: 'x' }).success).toBe(false);
});

describe('summaries and rollup shards stored before the secondary-by-need counts', () => {
  const summary = { ...emptySummary('3302001', 2027), pupils: 3, bySecondary: { '3304001': { E: 0, K: 3, N: 0 } }, bySecondaryNeed: { '3304001': { SLCN: 3 } } };
  const { bySecondaryNeed: _crosstab, ...oldSummary } = summary;
  const shard = (total: unknown) => ({
    id: 'rollup:2027:03',
    year: 2027,
    shard: 3,
    type: 'rollup',
    seeded: true,
    submitted: { total: { ...(total as object), school: 'city' }, applied: { '3302001': 2 } },
    drafts: { total: { ...(total as object), school: 'city' }, applied: { '3302001': 2 } },
    pending: { 'unreadable:3302009': { school: '3302009', at: 1_780_000_000_000 } },
  });

  it('refuses an old summary document, so readers recompute it from its version', () => {
    expect(summaryDocSchema.safeParse(summaryDoc(summary, 'submitted')).success).toBe(true);
    expect(summaryDocSchema.safeParse({ ...summaryDoc(summary, 'submitted'), summary: oldSummary }).success).toBe(false);
  });

  it('reads a current shard as it is', () => {
    expect(rollupShardDocSchema.parse({ ...shard(summary), ...COSMOS_MEMBERS })).toEqual(shard(summary));
  });

  it('reads an old shard as never seeded, with empty totals and its pending schools kept, so the next read seeds it', () => {
    expect(rollupShardDocSchema.parse({ ...shard(oldSummary), ...COSMOS_MEMBERS })).toEqual({
      id: 'rollup:2027:03',
      year: 2027,
      shard: 3,
      type: 'rollup',
      seeded: false,
      submitted: { total: emptySummary(CITY_TOTAL, 2027), applied: {} },
      drafts: { total: emptySummary(CITY_TOTAL, 2027), applied: {} },
      pending: { 'unreadable:3302009': { school: '3302009', at: 1_780_000_000_000 } },
    });
  });

  it('refuses a shard whose totals are neither shape', () => {
    expect(rollupShardDocSchema.safeParse(shard({ ...oldSummary, pupils: 'many' })).success).toBe(false);
  });
});
