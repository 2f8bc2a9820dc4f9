/**
 * The embedded server's query engine, made linear (functions/src/store/embedded.ts): the same
 * answers as the SQL means, with no list copied once per document.
 */
import { linearAccumulators, linearQueryEngine } from '../../functions/src/store/embedded';

// The engine the embedded server runs (a dev dependency of @vercel/cosmosdb-server).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const query = (require('@zeit/cosmosdb-query') as { default: (sql: string) => { code: string; exec: (docs: unknown[], opts?: unknown) => { result: unknown[] } } }).default;

interface Doc {
  id: string;
  _rid: string;
  type: 'head' | 'summary';
  school: string;
  year: number;
  tags: string[];
}

const DOCS: Doc[] = Array.from({ length: 3_000 }, (_, i) => ({
  id: `d${i}`,
  _rid: `r${String(i).padStart(5, '0')}`,
  type: i % 3 === 0 ? 'summary' : 'head',
  school: String(3_300_000 + (i % 700)),
  year: 2026 + (i % 2),
  tags: i % 5 === 0 ? ['x', 'y'] : ['y'],
}));

beforeAll(() => linearQueryEngine());

it('compiles FROM and JOIN without copying the accumulated list per document', () => {
  for (const sql of ['SELECT * FROM c WHERE c.type = @type AND c.year = @year', 'SELECT c.id, t FROM c JOIN t IN c.tags WHERE t = "x"', 'SELECT VALUE c.id FROM c WHERE c.school IN ("3300001", "3300002")']) {
    const { code } = query(sql);
    expect(code).not.toMatch(/\[\s*\.\.\.\$\s*,/);
    expect(code).toContain('$.push(');
  }
});

it('answers a filter exactly as the SQL means, in the engine’s order', () => {
  const { result } = query('SELECT * FROM c WHERE c.type = @type AND c.year = @year').exec(DOCS, {
    parameters: [
      { name: '@type', value: 'summary' },
      { name: '@year', value: 2027 },
    ],
  });
  const expected = DOCS.filter((d) => d.type === 'summary' && d.year === 2027);
  expect(result).toEqual(expected);
  expect(result).toHaveLength(500);
});

it('answers IN lists, VALUE projections and ORDER BY as before', () => {
  expect(query('SELECT VALUE c.id FROM c WHERE c.school IN ("3300001", "3300002")').exec(DOCS).result).toEqual(DOCS.filter((d) => d.school === '3300001' || d.school === '3300002').map((d) => d.id));
  const ordered = query('SELECT VALUE c.id FROM c WHERE c.year = 2026 ORDER BY c.school DESC').exec(DOCS).result as string[];
  expect(ordered).toHaveLength(1_500);
  const schools = ordered.map((id) => DOCS.find((d) => d.id === id)?.school ?? '');
  expect([...schools].sort().reverse()).toEqual(schools);
});

it('answers a JOIN with every matching pair', () => {
  const { result } = query('SELECT c.id, t FROM c JOIN t IN c.tags WHERE t = "x"').exec(DOCS);
  expect(result).toEqual(DOCS.filter((d) => d.tags.includes('x')).map((d) => ({ id: d.id, t: 'x' })));
  expect(query('SELECT VALUE COUNT(1) FROM c JOIN t IN c.tags').exec(DOCS).result).toEqual([DOCS.reduce((n, d) => n + d.tags.length, 0)]);
});

it('rewrites only a reducer’s own fresh accumulator, never a `$` of another scope', () => {
  const spread = (name: string) => ({ type: 'ArrayExpression', elements: [{ type: 'SpreadElement', argument: { type: 'Identifier', name } }, { type: 'Identifier', name: 'x' }] });
  const reduceCall = (initial: unknown, body: unknown) => ({
    type: 'CallExpression',
    callee: { type: 'MemberExpression', object: { type: 'Identifier', name: 'coll' }, property: { type: 'Identifier', name: 'reduce' } },
    arguments: [{ type: 'ArrowFunctionExpression', params: [{ type: 'Identifier', name: '$' }, { type: 'Identifier', name: 'x' }], body }, initial],
  });
  const fresh = { type: 'ArrayExpression', elements: [] };
  const seeded = { type: 'ArrayExpression', elements: [{ type: 'Identifier', name: 'y' }] };
  expect(JSON.stringify(linearAccumulators(reduceCall(fresh, spread('$'))))).toContain('"name":"push"');
  // A reduce over a list it did not create, another name, or a nested function's own `$`: untouched.
  for (const tree of [reduceCall(seeded, spread('$')), reduceCall(fresh, spread('acc')), reduceCall(fresh, { type: 'ArrowFunctionExpression', params: [{ type: 'Identifier', name: '$' }], body: spread('$') })]) {
    expect(linearAccumulators(tree)).toEqual(tree);
  }
});
