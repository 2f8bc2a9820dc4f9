/**
 * Checks a real HTTP response against the served OpenAPI document, as an integrating client
 * would: the operation (method and path template), the status, the content type, the declared
 * headers and the body, with a JSON Schema 2020-12 validator (Ajv 2020) over the document's own
 * component schemas. It also keeps a ledger of which declared (operation, status) pairs were
 * reached, so a suite can fail on statuses no test exercises.
 */
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';

type Json = Record<string, any>;

const SCHEMA_BASE = 'urn:goodstart:openapi';
const PROBLEM_JSON = 'application/problem+json';

export interface Checked {
  operation: string;
  status: number;
  body: unknown;
}

export class ContractChecker {
  private readonly ajv: Ajv2020;
  private readonly compiled = new Map<string, ValidateFunction>();
  private readonly routes: Array<{ path: string; pattern: RegExp }>;
  /** Every response header the document describes anywhere, lower-cased. */
  private readonly contractHeaders: Set<string>;
  /** `METHOD /path status` for every response seen. */
  readonly reached = new Set<string>();

  constructor(readonly doc: Json) {
    // OpenAPI 3.1 is JSON Schema 2020-12, where `type` may list several types (zod writes a cell
    // value, string | number | boolean | null, that way); strict mode stays on for everything else.
    this.ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
    addFormats(this.ajv);
    this.ajv.addSchema({ $id: SCHEMA_BASE, $defs: this.rebase(doc.components.schemas) });
    this.routes = Object.keys(doc.paths).map((path) => ({
      path,
      pattern: new RegExp(`^${path.replace(/[.]/g, '\\.').replace(/\{[^}]+\}/g, '[^/]+')}$`),
    }));
    this.contractHeaders = new Set(
      this.operations().flatMap(({ op }) => Object.values(op.responses as Json).flatMap((r) => Object.keys((r as Json).headers ?? {}).map((h) => h.toLowerCase()))),
    );
  }

  /** Every documented operation: `METHOD /path` with its operation object. */
  operations(): Array<{ key: string; op: Json }> {
    return Object.entries(this.doc.paths as Json).flatMap(([path, item]) =>
      Object.entries(item as Json).map(([method, op]) => ({ key: `${method.toUpperCase()} ${path}`, op: op as Json })),
    );
  }

  /** Every declared (operation, status) pair, as `METHOD /path status`. */
  declared(): string[] {
    return this.operations().flatMap(({ key, op }) => Object.keys(op.responses as Json).map((status) => `${key} ${status}`));
  }

  private rebase<T>(value: T): T {
    return JSON.parse(JSON.stringify(value).replaceAll('"#/components/schemas/', `"${SCHEMA_BASE}#/$defs/`)) as T;
  }

  private validator(schema: Json): ValidateFunction {
    const key = JSON.stringify(schema);
    let v = this.compiled.get(key);
    if (!v) {
      v = this.ajv.compile(this.rebase(schema));
      this.compiled.set(key, v);
    }
    return v;
  }

  private operationFor(method: string, url: string): { key: string; op: Json } {
    const pathname = new URL(url).pathname.replace(/^\/api/, '');
    const route = this.routes.find((r) => r.pattern.test(pathname));
    const op = route ? (this.doc.paths[route.path] as Json)[method.toLowerCase()] : undefined;
    if (!route || !op) throw new Error(`${method} ${pathname} is not a documented operation`);
    return { key: `${method.toUpperCase()} ${route.path}`, op: op as Json };
  }

  /**
   * Throws unless the response is one the document describes: a declared status, a declared
   * content type, every required header present, no undeclared contract header, every header
   * and the body valid against their schemas, and a problem's correlationId equal to its header.
   */
  async check(method: string, res: Response, url = res.url): Promise<Checked> {
    const { key, op } = this.operationFor(method, url);
    const where = `${key} → ${res.status}`;
    const declared = (op.responses as Json)[String(res.status)] as Json | undefined;
    if (!declared) throw new Error(`${where}: status not declared (declared: ${Object.keys(op.responses as Json).join(', ')})`);

    const headers = (declared.headers ?? {}) as Json;
    const declaredNames = new Set(Object.keys(headers).map((h) => h.toLowerCase()));
    for (const [name, spec] of Object.entries(headers)) {
      const value = res.headers.get(name);
      if (value === null) {
        if ((spec as Json).required) throw new Error(`${where}: required header ${name} missing`);
        continue;
      }
      const v = this.validator((spec as Json).schema as Json);
      if (!v(value)) throw new Error(`${where}: header ${name}: ${JSON.stringify(value)} ${this.ajv.errorsText(v.errors)}`);
    }
    res.headers.forEach((_value, name) => {
      if (this.contractHeaders.has(name) && !declaredNames.has(name)) throw new Error(`${where}: header ${name} sent but not declared`);
    });

    const bytes = new Uint8Array(await res.arrayBuffer());
    const content = declared.content as Json | undefined;
    const type = res.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase();
    if (!content) {
      if (bytes.length > 0) throw new Error(`${where}: a body was sent where none is declared`);
      this.reached.add(`${key} ${res.status}`);
      return { operation: key, status: res.status, body: undefined };
    }
    if (type === undefined || !(type in content)) throw new Error(`${where}: content type ${type} not declared (declared: ${Object.keys(content).join(', ')})`);
    let body: unknown;
    if (type.endsWith('json')) {
      body = JSON.parse(new TextDecoder().decode(bytes));
      const v = this.validator((content[type] as Json).schema as Json);
      if (!v(body)) throw new Error(`${where}: body does not match its schema: ${this.ajv.errorsText(v.errors)}`);
      if (type === PROBLEM_JSON && (body as Json).correlationId !== res.headers.get('x-correlation-id')) {
        throw new Error(`${where}: the problem's correlationId is not the X-Correlation-Id header`);
      }
      // The negotiation rule: a 406 offers exactly the media types the document declares for success.
      if (type === PROBLEM_JSON && res.status === 406) {
        const declaredTypes = [...new Set(Object.entries(op.responses as Json).filter(([s]) => /^2/.test(s)).flatMap(([, r]) => Object.keys((r as Json).content ?? {})))];
        const available = (body as Json).available as string[];
        if (JSON.stringify(available) !== JSON.stringify(declaredTypes)) throw new Error(`${where}: 406 offers ${available.join(', ')} but the document declares ${declaredTypes.join(', ')}`);
      }
    } else {
      // Binary (the workbooks): an xlsx is a zip, which starts with PK\x03\x04.
      if (!(bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04)) throw new Error(`${where}: ${type} body is not a zip package`);
      body = bytes;
    }
    this.reached.add(`${key} ${res.status}`);
    return { operation: key, status: res.status, body };
  }
}
