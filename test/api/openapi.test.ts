/**
 * GET /api/openapi.json: an OpenAPI 3.1 document generated from the route table and the shared
 * zod schemas. Every registered route and method is described; errors are problem+json;
 * every $ref resolves; the component schemas are the ones the server validates with.
 */
import fs from 'node:fs';
import path from 'node:path';
import { BAD_PARAMETER_RULE, buildOpenApiDocument, COMPONENT_SCHEMAS, NEGOTIATION_RULE, NOTHING_STORED_RULE, openApiPath } from '../../functions/src/openapi/document';
import { RETURN_STATUSES, SCHOOL_STATES } from '../../shared/status';
import { loadRoutes } from '../../functions/src/routes';
import { YEAR_RULE } from '../../shared/year';
import { startStack, type Stack } from './harness';

type Json = Record<string, any>;

let stack: Stack;
let doc: Json;
let res: Response;

beforeAll(async () => {
  stack = await startStack();
  res = await stack.fetch('/openapi.json');
  doc = (await res.clone().json()) as Json;
});
afterAll(async () => {
  await stack.stop();
});

/** Every `$ref` value anywhere in a JSON value. */
function refs(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) refs(v, out);
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string') out.push(v);
      else refs(v, out);
    }
  }
  return out;
}

const operations = (d: Json): Array<{ path: string; method: string; op: Json }> =>
  Object.entries(d.paths as Json).flatMap(([path, item]) => Object.entries(item as Json).map(([method, op]) => ({ path, method, op: op as Json })));

it('is served without a token as JSON, and declares OpenAPI 3.1', async () => {
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  expect(doc.openapi).toBe('3.1.0');
  expect(doc.info).toMatchObject({ title: 'Good Start API', version: '0.0.0-test' });
  expect(doc.servers).toEqual([{ url: '/api' }]);
});

it('describes every registered route and method, with OpenAPI {param} paths', () => {
  const routes = loadRoutes();
  expect(routes.length).toBeGreaterThanOrEqual(8);
  for (const route of routes) {
    const path = openApiPath(route.route);
    expect(path).not.toMatch(/:|\*|\?/);
    for (const method of route.methods) {
      const op = doc.paths[path]?.[method.toLowerCase()];
      expect({ route: route.name, method, described: op !== undefined }).toEqual({ route: route.name, method, described: true });
      expect(Object.keys(op.responses).length).toBeGreaterThan(0);
    }
  }
  // Nothing is described that the app does not serve.
  const served = new Set(routes.flatMap((r) => r.methods.map((m) => `${m.toLowerCase()} ${openApiPath(r.route)}`)));
  for (const { path, method } of operations(doc)) expect(served.has(`${method} ${path}`)).toBe(true);
});

it('strips Functions route constraints into path parameters', () => {
  expect(openApiPath('aggregates/{year:int}')).toBe('/aggregates/{year}');
  expect(openApiPath('files/{*rest}')).toBe('/files/{rest}');
  expect(openApiPath('exports/{year:int}/consolidated.xlsx')).toBe('/exports/{year}/consolidated.xlsx');
  for (const { path, op } of operations(doc)) {
    const inPath = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
    const declared = (op.parameters as Json[]).filter((p) => p.in === 'path');
    expect(declared.map((p) => p.name).sort()).toEqual([...inPath].sort());
    for (const p of declared) expect(p.required).toBe(true);
  }
});

it('has unique operation ids', () => {
  const ids = operations(doc).map(({ op }) => op.operationId);
  expect(new Set(ids).size).toBe(ids.length);
});

it('answers errors as problem+json, and secures everything but the anonymous endpoints with bearer JWT', () => {
  expect(doc.components.securitySchemes.bearer).toEqual(expect.objectContaining({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }));
  expect(doc.security).toEqual([{ bearer: [] }]);
  for (const { path, op } of operations(doc)) {
    for (const [status, response] of Object.entries(op.responses as Json)) {
      expect(status).toMatch(/^[1-5]\d\d$/); // every status spelled out: no `default` to fall through to
      if (Number(status) >= 400) {
        expect(Object.keys(response.content)).toEqual(['application/problem+json']);
        const schema = response.content['application/problem+json'].schema as Json;
        const refsHere = (schema.oneOf ?? [schema]).map((s: Json) => s.$ref as string);
        for (const r of refsHere) expect(r).toMatch(/^#\/components\/schemas\/[A-Za-z]+Problem$/);
        // Each problem type's status is the one it is declared under.
        for (const r of refsHere) expect(doc.components.schemas[r.split('/').pop() as string].properties.status.const).toBe(Number(status));
      }
      expect(response.headers['X-Correlation-Id']).toMatchObject({ required: true });
    }
    const anonymous = ['/health', '/openapi.json', '/.well-known/jwks.json'].includes(path);
    if (anonymous) expect(op.security).toEqual([]);
    else {
      expect(op.security).toBeUndefined();
      expect(op.responses['401']).toBeDefined();
      expect(op.responses['403']).toBeDefined();
    }
  }
});

it('spells out the LA endpoints: aggregates, export, resource bases and returns', () => {
  const aggregates = doc.paths['/aggregates/{year}'].get;
  expect(aggregates.responses['200'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/Aggregates' });
  expect(aggregates.parameters.map((p: Json) => p.name)).toEqual(['year', 'by', 'include']);
  expect(aggregates.responses['400']).toBeDefined();
  const exported = doc.paths['/exports/{year}/consolidated.xlsx'].get;
  expect(Object.keys(exported.responses['200'].content)).toEqual(['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet']);
  const put = doc.paths['/resource-bases/{year}'].put;
  expect(put.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/ResourceBaseDataset' });
  expect(put.parameters).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'Idempotency-Key', in: 'header', required: true })]));
  expect(put.responses['412']).toBeDefined();
  const submit = doc.paths['/returns/{laestab}/{year}'].put;
  expect(submit.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/TransitionReturn' });
  expect(submit.responses['422']).toBeDefined();
});

it('describes every year parameter by the one year rule, with the bounds from shared/year.ts', () => {
  const yearParam = (path: string, method: string) => (doc.paths[path][method].parameters as Json[]).find((p) => p.name === 'year' && p.in === 'path');
  for (const [path, method] of [['/aggregates/{year}', 'get'], ['/tracker/{year}', 'get'], ['/returns/{laestab}/{year}', 'put'], ['/exports/{year}/consolidated.xlsx', 'get']] as const) {
    expect(yearParam(path, method)?.schema).toEqual({ type: 'integer', minimum: 2000, maximum: 2100, description: `The transfer year: ${YEAR_RULE}.` });
  }
  const dataset = yearParam('/resource-bases/{year}', 'get')?.schema as Json;
  const pattern = new RegExp(dataset.pattern as string);
  expect(['latest', '2019', '2019-20'].map((y) => pattern.test(y))).toEqual([true, true, true]);
  expect(['20', 'next-year', '2019-20-21'].map((y) => pattern.test(y))).toEqual([false, false, false]);
  expect(dataset.description).toContain('`2019` and `2019-20` both name the 2019-20 dataset');
  expect(doc.components.schemas.ResourceBaseDataset.properties.academicYear).toMatchObject({ type: 'string', pattern: '^(\\d{4})-(\\d{2})$' });
});

it('carries the shared zod schemas as components, and every $ref resolves', () => {
  const schemas = doc.components.schemas as Json;
  for (const name of ['TransitionReturn', 'ValidationReport', 'ValidationIssue', 'SchoolSummary', 'CountTable', 'ResourceBaseDataset', 'Problem']) {
    expect(schemas[name]).toEqual(expect.objectContaining({ type: 'object' }));
    expect(schemas[name].$schema).toBeUndefined();
  }
  expect(Object.keys(schemas).sort()).toEqual(Object.keys(COMPONENT_SCHEMAS).sort());
  for (const ref of refs(doc)) {
    const m = /^#\/components\/schemas\/(.+)$/.exec(ref);
    expect(m && schemas[m[1] as string] !== undefined ? ref : `unresolved ${ref}`).toBe(ref);
  }
  // Strict zod objects stay strict: a client learns that unknown fields are refused.
  expect(schemas.TransitionReturn).toMatchObject({ additionalProperties: false, required: ['year', 'sheets'] });
  expect(schemas.ValidationReport.properties.errors.items).toEqual({ $ref: '#/components/schemas/ValidationIssue' });
  expect(schemas.ResourceBaseDataset.properties.currency).toEqual(expect.objectContaining({ const: 'GBP' }));
  expect(schemas.CountTable.required).toEqual(expect.arrayContaining(['rows', 'columnTotals', 'grandTotal', 'disclosureControlled']));
});

it('spells statuses in the one vocabulary: receipts and history by version, the tracker by school', () => {
  const schemas = doc.components.schemas as Json;
  expect(schemas.ReturnStatus).toEqual({ type: 'string', enum: [...RETURN_STATUSES] });
  expect(schemas.SchoolState).toEqual({ type: 'string', enum: [...SCHOOL_STATES] });
  expect(schemas.Receipt.properties.status).toEqual({ $ref: '#/components/schemas/ReturnStatus' });
  expect(schemas.History.properties.versions.items.properties.status).toEqual({ $ref: '#/components/schemas/ReturnStatus' });
  expect(schemas.Tracker.properties.schools.items.properties.status).toMatchObject({ $ref: '#/components/schemas/SchoolState' });
  expect(doc.paths['/tracker/{year}'].get.responses['200'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/Tracker' });
  expect(doc.paths['/returns/{laestab}/{year}/history'].get.responses['200'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/History' });
});

it('is plain JSON that round-trips, and equals the document built directly from the route table', () => {
  expect(JSON.parse(JSON.stringify(doc))).toEqual(doc);
  expect(doc).toEqual(JSON.parse(JSON.stringify(buildOpenApiDocument(loadRoutes(), { version: '0.0.0-test' }))));
});

it('agrees with the README: every operation is in its API table, and the rules are stated in the same words', () => {
  const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
  const api = readme.slice(readme.indexOf('## API'), readme.indexOf('### Deploying to Azure'));
  for (const { path: p, method } of operations(doc)) expect({ operation: `${method.toUpperCase()} ${p}`, inReadme: api.includes(`\`${method.toUpperCase()} ${p}`) }).toEqual({ operation: `${method.toUpperCase()} ${p}`, inReadme: true });
  for (const rule of [NEGOTIATION_RULE, BAD_PARAMETER_RULE, NOTHING_STORED_RULE]) {
    expect(api).toContain(rule);
    expect(doc.info.description).toContain(rule);
  }
  expect(doc.paths['/returns/{laestab}/{year}'].put.description).toContain('422 `workbook-unreadable`');
  expect(api).toContain('`422` `workbook-unreadable`');
  // The LAESTAB parameter claims nothing the server does not do (no URNs).
  const laestabParams = operations(doc).flatMap(({ op }) => (op.parameters as Json[]).filter((p) => p.name === 'laestab'));
  expect(laestabParams.length).toBe(5);
  for (const p of laestabParams) expect(p.schema).toEqual({ type: 'string', pattern: '^\\d{7}$', description: 'The school’s LAESTAB: 7 digits, e.g. 3302001.' });
});
