/** A reader's copy of a strict schema lets unknown fields through at every depth and checks everything else as before. */
import { z } from 'zod';
import { loosen } from '../../shared/api/loose';
import { trackerSchema } from '../../shared/api/responses';
import { trackerSchema as paneTrackerSchema } from '../../addin/api/schemas';

const strict = z.strictObject({
  id: z.string().regex(/^\d{3}$/),
  list: z.array(z.strictObject({ n: z.number().int() })),
  maybe: z.strictObject({ a: z.boolean() }).optional(),
  nothing: z.strictObject({ b: z.literal('x') }).nullable(),
  byKey: z.record(z.string(), z.strictObject({ c: z.number() })),
  either: z.union([z.strictObject({ kind: z.literal('a') }), z.strictObject({ kind: z.literal('b'), v: z.number() })]),
});
const value = { id: '123', list: [{ n: 1 }], maybe: { a: true }, nothing: { b: 'x' }, byKey: { k: { c: 2 } }, either: { kind: 'b', v: 3 } } as const;
const withExtras = {
  ...value,
  extra: 1,
  list: [{ n: 1, extra: 2 }],
  maybe: { a: true, extra: 3 },
  nothing: { b: 'x', extra: 4 },
  byKey: { k: { c: 2, extra: 5 } },
  either: { kind: 'b', v: 3, extra: 6 },
};

it('the strict original refuses a field it does not know, at any depth', () => {
  expect(strict.safeParse(value).success).toBe(true);
  for (const path of ['extra', 'list', 'maybe', 'nothing', 'byKey', 'either'] as const) {
    const one = { ...value, [path]: (withExtras as Record<string, unknown>)[path] };
    expect(strict.safeParse(one).success).toBe(false);
  }
});

it('the loosened copy reads them all and keeps the unknown fields', () => {
  const parsed = loosen(strict).parse(withExtras);
  expect(parsed).toEqual(withExtras);
});

it('the loosened copy still refuses what the original refuses for its type, format or value', () => {
  const loose = loosen(strict);
  expect(loose.safeParse({ ...value, id: '12' }).success).toBe(false);
  expect(loose.safeParse({ ...value, list: [{ n: 1.5 }] }).success).toBe(false);
  expect(loose.safeParse({ ...value, nothing: { b: 'y' } }).success).toBe(false);
  expect(loose.safeParse({ ...value, byKey: { k: { c: 'two' } } }).success).toBe(false);
  expect(loose.safeParse({ ...value, either: { kind: 'c' } }).success).toBe(false);
  expect(loose.safeParse({ ...value, maybe: undefined, nothing: null }).success).toBe(true);
});

it('the pane reads a tracker with a field the API added later; the API itself would not send it', () => {
  const tracker = {
    year: 2027,
    noReturnsYet: false,
    schools: [{ school: '3302001', name: 'Synthetic Primary', area: 'North', phase: 'primary', email: 'senco.3302001@schools.example', status: 'outstanding', version: null, submittedVersion: null, submittedAt: null, rows: 0, errors: 0, queries: 0, unexplainedQueries: 0, addedLater: true }],
    totals: { expected: 1, submitted: 0, draft: 0, outstanding: 1, rows: 0, unexplainedQueries: 0 },
  };
  expect(trackerSchema.safeParse(tracker).success).toBe(false);
  expect(paneTrackerSchema.parse(tracker).schools[0]).toMatchObject({ school: '3302001', addedLater: true });
});
