/**
 * The API's OpenAPI 3.1 description, generated, never hand-written:
 * - components.schemas come from the shared zod schemas through zod 4's `z.toJSONSchema`
 *   (JSON Schema 2020-12, which is OpenAPI 3.1's dialect), so the contract LA data teams
 *   generate clients from is the one the server validates with;
 * - paths come from the live route table (`loadRoutes()`), so every registered route and method
 *   appears, including ones added after this file was written. Routes described in OPERATIONS
 *   below get their parameters, bodies and responses spelled out; any other route still gets an
 *   entry with its path parameters, bearer security and the problem+json error responses.
 */
import { z } from 'zod';
import { DIMENSIONS } from '../../../shared/aggregate/rollup';
import { publishedDemandRowSchema } from '../../../shared/aggregate/demand';
import { schoolSummarySchema } from '../../../shared/aggregate/summary';
import { countTableSchema } from '../../../shared/aggregate/table';
import { resourceBaseDatasetSchema } from '../../../shared/resourceBases/dataset';
import { TRANSITION_COLUMNS, type TransitionColumn } from '../../../shared/transition/layout';
import { transitionReturnSchema, transitionReturnSchemaFor, validationIssueSchema, validationReportSchema } from '../../../shared/transition/schema';
import { transferYearSchema, YEAR_RULE, YEAR_TEXT_PATTERN } from '../../../shared/year';
import { ROLES } from '../auth/principal';
import { JSON_MEDIA_TYPE, XLSX_MEDIA_TYPE } from '../http/negotiate';
import { PROBLEM_BASE, PROBLEM_CONTENT_TYPE, PROBLEM_TYPES, type ProblemSlug, SPECIFIC_PROBLEM_TYPES } from '../http/problems';
import type { RouteDefinition } from '../http/route';
import { receiptSchema } from '../store/returns';
import { LOCALITY_AREAS } from '../../../shared/schools';
import { type Include, INCLUDE_VALUES, includeSchema, RETURN_STATUSES, returnStatusSchema, schoolStateSchema } from '../../../shared/status';

export const OPENAPI_VERSION = '3.1.0';
const ref = (name: SchemaName) => ({ $ref: `#/components/schemas/${name}` });

// ---------------------------------------------------------------------------------------------
// Component schemas (zod → JSON Schema)

export const problemSchema = z.looseObject({
  type: z.url().describe(`A stable URI under ${PROBLEM_BASE}; branch on this, not on title.`),
  title: z.string(),
  status: z.number().int().min(400).max(599),
  detail: z.string().optional(),
  instance: z.string().optional(),
  correlationId: z.string().optional().describe('Quote this when reporting a problem.'),
  issues: z
    .array(z.union([validationIssueSchema, z.strictObject({ path: z.string(), code: z.string(), message: z.string() })]))
    .optional()
    .describe('Validation failures: census-style issues for a return, or body-shape issues.'),
});

export const aggregatesSchema = z.strictObject({
  year: transferYearSchema,
  by: z.array(z.enum(DIMENSIONS)),
  include: includeSchema,
  schools: z.strictObject({
    expected: z.number().int().describe('Primaries in scope: the whole directory for the LA, the trust’s own for a trust.'),
    included: z.number().int(),
    outstanding: z.number().int().describe('Schools with nothing committed.'),
    draftOnly: z.number().int().describe('Schools with only a `draft`: left out unless include=drafts.'),
    unreadable: z.number().int().describe('Schools whose stored documents do not match their schema: left out, never guessed at.'),
  }),
  tables: z.array(countTableSchema),
  demand: z.array(publishedDemandRowSchema).describe('Resource-base demand by locality and primary need (RB.SUFFICIENCY).'),
  disclosureControlled: z.boolean(),
});
export type AggregatesResponse = z.infer<typeof aggregatesSchema>;

const schoolSchemaShape = z.looseObject({ laestab: z.string(), urn: z.string(), name: z.string(), phase: z.string(), area: z.string(), trust: z.string().nullable() });

export const meSchema = z.looseObject({
  principal: z.looseObject({ subject: z.string(), role: z.enum(ROLES), school: z.string().optional(), trust: z.string().optional(), name: z.string().optional() }),
  schools: z.array(schoolSchemaShape),
});

export const healthSchema = z.looseObject({ status: z.literal('ok'), version: z.string(), mode: z.enum(['local', 'cloud']), cosmos: z.string() });

const issueCounts = { rows: z.number().int(), errors: z.number().int(), queries: z.number().int(), unexplainedQueries: z.number().int() };

/** GET /returns/{laestab}/{year}/history. */
export const historySchema = z.strictObject({
  school: z.string(),
  year: transferYearSchema,
  versions: z
    .array(
      z.strictObject({
        version: z.number().int(),
        status: returnStatusSchema,
        submittedBy: z.strictObject({ subject: z.string(), role: z.enum(ROLES) }),
        submittedAt: z.string(),
        contentHash: z.string(),
        ...issueCounts,
      }),
    )
    .describe('Newest first.'),
});
export type HistoryResponse = z.infer<typeof historySchema>;

/** GET /tracker/{year}. */
export const trackerSchema = z.strictObject({
  year: transferYearSchema,
  schools: z.array(
    z.strictObject({
      school: z.string(),
      name: z.string(),
      area: z.enum(LOCALITY_AREAS),
      status: schoolStateSchema.describe('The school’s state for the year: `submitted` stays while a correction is drafted.'),
      version: z.number().int().nullable(),
      submittedVersion: z.number().int().nullable(),
      submittedAt: z.string().nullable(),
      ...issueCounts,
    }),
  ),
  totals: z.strictObject({
    expected: z.number().int(),
    submitted: z.number().int(),
    draft: z.number().int(),
    outstanding: z.number().int(),
    rows: z.number().int(),
    unexplainedQueries: z.number().int(),
  }),
});
export type TrackerResponse = z.infer<typeof trackerSchema>;

export const COMPONENT_SCHEMAS = {
  TransitionReturn: transitionReturnSchema,
  ValidationIssue: validationIssueSchema,
  ValidationReport: validationReportSchema,
  SchoolSummary: schoolSummarySchema,
  CountTable: countTableSchema,
  ResourceBaseDataset: resourceBaseDatasetSchema,
  Problem: problemSchema,
  Aggregates: aggregatesSchema,
  Receipt: receiptSchema,
  ReturnStatus: returnStatusSchema,
  SchoolState: schoolStateSchema,
  History: historySchema,
  Tracker: trackerSchema,
  Me: meSchema,
  Health: healthSchema,
} as const satisfies Record<string, z.ZodType>;
export type SchemaName = keyof typeof COMPONENT_SCHEMAS;

type JsonObject = Record<string, unknown>;

/** The component schemas; the TransitionReturn's pupil cells are those of the columns table. */
export function componentSchemas(columns: readonly TransitionColumn[] = TRANSITION_COLUMNS): Record<SchemaName, JsonObject> {
  const registry = z.registry<{ id: string }>();
  const components: Record<SchemaName, z.ZodType> = {
    ...COMPONENT_SCHEMAS,
    ...(columns === TRANSITION_COLUMNS ? {} : { TransitionReturn: transitionReturnSchemaFor(columns) }),
  };
  for (const [id, schema] of Object.entries(components)) registry.add(schema, { id });
  const { schemas } = z.toJSONSchema(registry, {
    target: 'draft-2020-12',
    // Request bodies are what clients send: fields with defaults are optional to them.
    io: 'input',
    uri: (id) => `#/components/schemas/${id}`,
    unrepresentable: 'any',
  });
  const out: Record<string, JsonObject> = {};
  for (const [id, schema] of Object.entries(schemas)) {
    // Inside an OpenAPI document each component is a subschema: the dialect is the document's.
    const { $schema: _dialect, $id: _id, ...rest } = schema as JsonObject;
    out[id] = rest;
  }
  return out as Record<SchemaName, JsonObject>;
}

// ---------------------------------------------------------------------------------------------
// Operations

interface ParamSpec {
  name: string;
  in: 'path' | 'query' | 'header';
  required?: boolean;
  description?: string;
  schema: JsonObject;
}

interface OperationSpec {
  summary: string;
  description?: string;
  tags?: string[];
  anonymous?: boolean;
  parameters?: ParamSpec[];
  requestBody?: { required: boolean; content: Record<string, { schema: JsonObject }> };
  /** Success responses: status → description and content. */
  responses: Record<string, { description: string; content?: Record<string, { schema: JsonObject }>; headers?: Record<string, JsonObject> }>;
  /** Problem statuses this operation can answer with, besides the common ones. */
  problems?: ProblemSlug[];
}

const LAESTAB = { type: 'string', pattern: '^\\d{7}$', description: 'LAESTAB (7 digits), or URN (6 digits) where the directory knows it.' };
const { $schema: _transferYearDialect, ...transferYearJson } = z.toJSONSchema(transferYearSchema);
const TRANSFER_YEAR = { ...transferYearJson, description: `The transfer year: ${YEAR_RULE}.` };
const idempotencyKey: ParamSpec = {
  name: 'Idempotency-Key',
  in: 'header',
  required: true,
  description: 'A new UUID per user action, reused on every retry of it: a repeat replays the first answer.',
  schema: { type: 'string', pattern: '^[A-Za-z0-9._~:-]{8,128}$' },
};
const ifMatch: ParamSpec = { name: 'If-Match', in: 'header', description: 'The ETag last read; a stale one is 412.', schema: { type: 'string' } };
const json = (schema: JsonObject) => ({ [JSON_MEDIA_TYPE]: { schema } });
const xlsx = { [XLSX_MEDIA_TYPE]: { schema: { type: 'string', contentMediaType: XLSX_MEDIA_TYPE } } };
const etagHeader = { ETag: { schema: { type: 'string' }, description: 'Entity tag for If-None-Match / If-Match.' } };
const includeParam: ParamSpec = {
  name: 'include',
  in: 'query',
  description: '`drafts` also counts returns whose current version is a `draft` (queries still to explain).',
  schema: { type: 'string', enum: [...INCLUDE_VALUES], default: 'submitted' satisfies Include },
};

/**
 * Known operations, keyed by `METHOD /path` with parameter names blanked (`/returns/{}/{}`),
 * so the description survives a renamed path parameter.
 */
const OPERATIONS: Record<string, OperationSpec> = {
  'GET /health': {
    summary: 'Service health: version, mode and whether Cosmos DB answers',
    tags: ['service'],
    anonymous: true,
    responses: { '200': { description: 'Healthy', content: json(ref('Health')) } },
    problems: ['service-unavailable'],
  },
  'GET /openapi.json': {
    summary: 'This OpenAPI 3.1 description, generated from the zod schemas',
    tags: ['service'],
    anonymous: true,
    responses: { '200': { description: 'The OpenAPI document', content: json({ type: 'object' }) } },
  },
  'GET /.well-known/jwks.json': {
    summary: 'Local mode only: the dev signing key’s public JWKS',
    tags: ['service'],
    anonymous: true,
    responses: { '200': { description: 'JWK set', content: { 'application/jwk-set+json': { schema: { type: 'object' } } } } },
    problems: ['not-found'],
  },
  'GET /me': {
    summary: 'The signed-in user as the API sees them',
    tags: ['service'],
    responses: { '200': { description: 'Principal and directory entries', content: json(ref('Me')) } },
  },
  'PUT /returns/{}/{}': {
    summary: "Submit a primary school's transition return (JSON or the filled .xlsx)",
    description: 'Creates a new immutable version. Errors refuse the return (422, every issue listed); unexplained queries keep it a `draft`.',
    tags: ['returns'],
    parameters: [
      idempotencyKey,
      ifMatch,
      { name: 'status', in: 'query', description: '`draft` saves without submitting.', schema: { type: 'string', enum: [...RETURN_STATUSES], default: 'submitted' } },
    ],
    requestBody: { required: true, content: { ...json(ref('TransitionReturn')), ...xlsx } },
    responses: {
      '200': { description: 'Receipt (same content as the current version, or a replay)', content: json(ref('Receipt')), headers: etagHeader },
      '201': { description: 'Receipt for a new version', content: json(ref('Receipt')), headers: etagHeader },
    },
    problems: ['malformed-body', 'precondition-failed', 'payload-too-large', 'unsupported-media-type', 'validation-failed', 'conflict'],
  },
  'GET /returns/{}/{}': {
    summary: "A school's current return and its validation report (JSON, or the workbook via Accept)",
    tags: ['returns'],
    responses: { '200': { description: 'The current version', content: { ...json({ type: 'object' }), ...xlsx }, headers: etagHeader } },
    problems: ['not-acceptable', 'not-found'],
  },
  'GET /returns/{}/{}/history': {
    summary: 'Every version of a return: who submitted what and when, with a content hash',
    tags: ['returns'],
    responses: { '200': { description: 'Versions, newest first', content: json(ref('History')) } },
    problems: ['not-found'],
  },
  'GET /cohorts/{}/{}': {
    summary: "A secondary's incoming Year 7 cohort from every feeder primary",
    tags: ['returns'],
    responses: { '200': { description: 'Incoming pupils', content: { ...json({ type: 'object' }), ...xlsx } } },
    problems: ['not-acceptable', 'not-found'],
  },
  'GET /tracker/{}': {
    summary: 'Every expected school: submitted, draft or outstanding, with counts of errors and queries',
    tags: ['la'],
    responses: { '200': { description: 'The LA’s chase list', content: json(ref('Tracker')) } },
  },
  'GET /aggregates/{}': {
    summary: 'City roll-up tables from per-school summaries, with resource-base demand',
    description: 'LA: raw counts for every primary. Trust: its own primaries, disclosure-controlled (1–4 shown as `c`, with secondary suppression).',
    tags: ['la'],
    parameters: [
      {
        name: 'by',
        in: 'query',
        description: `Comma-separated tables to build, from: ${DIMENSIONS.join(', ')}. Default: all.`,
        schema: { type: 'string', pattern: `^(${DIMENSIONS.join('|')})(,(${DIMENSIONS.join('|')}))*$` },
      },
      includeParam,
    ],
    responses: { '200': { description: 'Tables and demand', content: json(ref('Aggregates')) } },
    problems: ['malformed-body', 'not-found'],
  },
  'GET /exports/{}/consolidated.xlsx': {
    summary: 'The consolidated city return as a workbook (same as `goodstart consolidate`)',
    description: 'LA only. Audited as export.consolidated. No hidden sheets; text escaped against formula injection.',
    tags: ['la'],
    parameters: [includeParam],
    responses: {
      '200': {
        description: 'The workbook, as an attachment',
        content: xlsx,
        headers: { 'Content-Disposition': { schema: { type: 'string' } } },
      },
    },
    problems: ['malformed-body', 'not-found'],
  },
  'GET /resource-bases/{}': {
    summary: 'The resource-base dataset behind RB.COSTPERPLACE',
    description: '`latest`, or the dataset\'s year by the one year rule: `2019` or `2019-20` is academic year 2019-20; a year with no dataset is 404 `not-found`. Any signed-in role.',
    tags: ['resource bases'],
    parameters: [{ name: 'If-None-Match', in: 'header', schema: { type: 'string' } }],
    responses: {
      '200': { description: 'The dataset', content: json(ref('ResourceBaseDataset')), headers: etagHeader },
      '304': { description: 'Not modified since the ETag given' },
    },
    problems: ['malformed-body', 'not-found'],
  },
  'PUT /resource-bases/{}': {
    summary: 'Publish the resource-base dataset for an academic year (LA only)',
    tags: ['resource bases'],
    parameters: [idempotencyKey, ifMatch, { name: 'If-None-Match', in: 'header', description: '`*`: only when none exists yet.', schema: { type: 'string' } }],
    requestBody: { required: true, content: json(ref('ResourceBaseDataset')) },
    responses: {
      '200': { description: 'Replaced', content: json(ref('ResourceBaseDataset')), headers: etagHeader },
      '201': { description: 'Created', content: json(ref('ResourceBaseDataset')), headers: etagHeader },
    },
    problems: ['malformed-body', 'method-not-allowed', 'precondition-failed', 'payload-too-large', 'unsupported-media-type', 'validation-failed', 'conflict'],
  },
};

// ---------------------------------------------------------------------------------------------
// Paths

interface TemplateParam {
  name: string;
  constraint?: string;
}

/** A Functions route template as an OpenAPI path: `aggregates/{year:int}` → `/aggregates/{year}`. */
export function openApiPath(route: string): string {
  return `/${route
    .split('/')
    .map((segment) => segment.replace(/^\{\*?([A-Za-z][A-Za-z0-9]*)(?::[^}]*)?\??\}$/, '{$1}'))
    .join('/')}`;
}

function templateParams(route: string): TemplateParam[] {
  return route.split('/').flatMap((segment) => {
    const m = /^\{\*?([A-Za-z][A-Za-z0-9]*)(?::([A-Za-z]+))?[^}]*\}$/.exec(segment);
    return m?.[1] ? [{ name: m[1], ...(m[2] ? { constraint: m[2] } : {}) }] : [];
  });
}

const operationKey = (method: string, path: string) => `${method.toUpperCase()} ${path.replace(/\{[^}]+\}/g, '{}')}`;

function pathParamSchema(p: TemplateParam, path: string): JsonObject {
  if (p.name === 'year' && path.startsWith('/resource-bases/')) {
    return { type: 'string', pattern: `^(?:latest|${YEAR_TEXT_PATTERN})$`, description: `\`latest\`, or a year: ${YEAR_RULE}. \`2019\` and \`2019-20\` both name the 2019-20 dataset.` };
  }
  if (/^year$/i.test(p.name) && p.constraint === 'int') return TRANSFER_YEAR;
  if (/^(laestab|school)$/i.test(p.name)) return LAESTAB;
  if (p.constraint === 'int' || p.constraint === 'long') return { type: 'integer' };
  return { type: 'string' };
}

/** Narrower problem types under each general one, from the table in http/problems.ts. */
const SPECIFIC_TYPES: Partial<Record<ProblemSlug, string[]>> = {};
for (const [specific, { parent }] of Object.entries(SPECIFIC_PROBLEM_TYPES)) (SPECIFIC_TYPES[parent] ??= []).push(specific);

function problemResponse(slug: ProblemSlug): { description: string; content: JsonObject } {
  const specific = SPECIFIC_TYPES[slug];
  return {
    description: `${PROBLEM_TYPES[slug].title} (type ${PROBLEM_BASE}${slug}${specific ? `, or one of: ${specific.join(', ')}` : ''})`,
    content: { [PROBLEM_CONTENT_TYPE]: { schema: ref('Problem') } },
  };
}

function operation(route: RouteDefinition, method: string, path: string): JsonObject {
  const spec: OperationSpec = OPERATIONS[operationKey(method, path)] ?? {
    summary: `${method.toUpperCase()} ${path}`,
    responses: { '200': { description: 'Success', content: json({}) } },
  };
  const slugs = new Set<ProblemSlug>(spec.problems ?? []);
  if (!spec.anonymous) {
    slugs.add('invalid-token');
    slugs.add('forbidden');
  }
  slugs.add('internal-error');
  slugs.add('service-unavailable');
  const responses: Record<string, unknown> = { ...spec.responses };
  for (const slug of slugs) responses[String(PROBLEM_TYPES[slug].status)] = problemResponse(slug);
  responses['default'] = problemResponse('internal-error');

  const pathParams: ParamSpec[] = templateParams(route.route).map((p) => ({ name: p.name, in: 'path', required: true, schema: pathParamSchema(p, path) }));
  const methods = route.methods.length;
  return {
    operationId: methods > 1 ? `${route.name}_${method.toLowerCase()}` : route.name,
    summary: spec.summary,
    ...(spec.description ? { description: spec.description } : {}),
    ...(spec.tags ? { tags: spec.tags } : {}),
    ...(spec.anonymous ? { security: [] } : {}),
    parameters: [...pathParams, ...(spec.parameters ?? [])],
    ...(spec.requestBody ? { requestBody: spec.requestBody } : {}),
    responses,
  };
}

export interface OpenApiOptions {
  version: string;
  /** The columns table the return schemas describe; TRANSITION_COLUMNS by default. */
  columns?: readonly TransitionColumn[];
}

/** The OpenAPI 3.1 document for a route table. Pure: the caller passes `loadRoutes()`. */
export function buildOpenApiDocument(routes: readonly RouteDefinition[], options: OpenApiOptions): JsonObject {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const path = openApiPath(route.route);
    const item = (paths[path] ??= {});
    for (const method of route.methods) item[method.toLowerCase()] = operation(route, method, path);
  }
  return {
    openapi: OPENAPI_VERSION,
    jsonSchemaDialect: 'https://spec.openapis.org/oas/3.1/dialect/base',
    info: {
      title: 'Good Start API',
      version: options.version,
      summary: "Birmingham's SEND Year 6 to Year 7 transition returns",
      description:
        'Collects every primary school’s transition return, routes pupils to their secondary and gives the LA its city-wide picture. ' +
        'Errors are RFC 9457 problem+json with a stable `type`. Writes need an Idempotency-Key.',
      license: { name: 'MIT', identifier: 'MIT' },
    },
    servers: [{ url: '/api' }],
    security: [{ bearer: [] }],
    paths,
    components: {
      schemas: componentSchemas(options.columns),
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: 'An Entra ID access token for the API (local mode: `npm run token -- --role la`). Roles: school, trust, la.',
        },
      },
    },
  };
}
