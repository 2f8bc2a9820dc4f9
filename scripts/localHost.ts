/**
 * A small local host for the Functions app: node:http in front of the exported handlers, using
 * the same route table the Functions registration uses (functions/src/routes.ts), so
 * `npm start` serves exactly what `func start` would, without Azure Functions Core Tools.
 *
 * Per request it builds a real @azure/functions HttpRequest and InvocationContext, streams the
 * body in under a byte cap (413 before the handler runs), calls the handler, and writes the
 * HttpResponseInit back (status, headers, jsonBody or body, binary included).
 *
 * Differences from the Functions host, on purpose: a path that exists with another method gets
 * 405 with Allow (the host answers 404), and CORS is handled here (Azure configures it on the
 * platform; local.settings.template.json has the same origin for `func start`).
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { HttpRequest, HttpResponse, type HttpResponseInit, InvocationContext } from '@azure/functions';
import { CORRELATION_HEADER, correlationIdFrom } from '../functions/src/http/correlation';
import { problem, type ProblemSlug, type ProblemOptions } from '../functions/src/http/problems';
import type { LogLevel, LogSink } from '../functions/src/http/logger';
import type { RouteDefinition } from '../functions/src/http/route';

export const DEFAULT_CORS_ORIGINS = ['https://localhost:3000'];
const ALLOWED_HEADERS = 'authorization, content-type, accept, x-correlation-id, idempotency-key, if-match, if-none-match';
const EXPOSED_HEADERS = 'x-correlation-id, etag, location, content-location, content-disposition, retry-after, www-authenticate, idempotent-replayed, allow';
/** Hop-by-hop headers (RFC 9110 §7.6.1) are the connection's business, not the handler's. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection', 'te', 'trailer']);

export interface LocalHostOptions {
  routes: readonly RouteDefinition[];
  port?: number;
  host?: string;
  /** Defaults to host.json's extensions.http.routePrefix ("api"). */
  routePrefix?: string;
  corsOrigins?: readonly string[];
  /** The largest body accepted at all; endpoints apply their own, smaller caps. */
  maxBodyBytes: number;
  /** Where handler logs go (they are already redacted by the app's logger). Defaults to the console. */
  log?: LogSink;
}

export interface LocalHost {
  url: string;
  port: number;
  routes: readonly RouteDefinition[];
  close(): Promise<void>;
}

/** Reads routePrefix from functions/host.json, so both hosts agree on it. */
export function hostRoutePrefix(hostJson = path.join(__dirname, '..', 'functions', 'host.json')): string {
  const parsed: unknown = JSON.parse(fs.readFileSync(hostJson, 'utf8'));
  const prefix = (parsed as { extensions?: { http?: { routePrefix?: unknown } } }).extensions?.http?.routePrefix;
  return typeof prefix === 'string' ? prefix : 'api';
}

// ---- route templates (the subset of ASP.NET Core routing the Functions host uses) ----

const CONSTRAINTS: Record<string, (v: string) => boolean> = {
  int: (v) => /^-?\d{1,10}$/.test(v),
  long: (v) => /^-?\d{1,19}$/.test(v),
  alpha: (v) => /^[A-Za-z]+$/.test(v),
  bool: (v) => /^(true|false)$/i.test(v),
  guid: (v) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v),
};

type Segment =
  | { kind: 'literal'; text: string }
  | { kind: 'param'; name: string; optional: boolean; catchAll: boolean; checks: ((v: string) => boolean)[] };

export interface CompiledRoute {
  def: RouteDefinition;
  match(segments: string[]): Record<string, string> | undefined;
}

function parseSegment(raw: string): Segment {
  const m = /^\{(\*?)([A-Za-z][A-Za-z0-9]*)(.*?)(\??)\}$/.exec(raw);
  if (!m) return { kind: 'literal', text: raw.toLowerCase() };
  const checks: ((v: string) => boolean)[] = [];
  // Constraints are `:name` or `:name(args)`; inside a template, regex braces are doubled ({{ }}).
  for (const c of (m[3] ?? '').matchAll(/:([A-Za-z]+)(?:\((.*?)\))?(?=:|$)/g)) {
    const name = (c[1] ?? '').toLowerCase();
    if (name === 'regex' && c[2] !== undefined) {
      const re = new RegExp(c[2].replace(/\{\{/g, '{').replace(/\}\}/g, '}'), 'i');
      checks.push((v) => re.test(v));
    } else {
      checks.push(CONSTRAINTS[name] ?? (() => true));
    }
  }
  return { kind: 'param', name: m[2] ?? '', optional: m[4] === '?', catchAll: m[1] === '*', checks };
}

export function compileRoute(def: RouteDefinition): CompiledRoute {
  const template = def.route.split('/').filter(Boolean).map(parseSegment);
  return {
    def,
    match(segments) {
      const params: Record<string, string> = {};
      for (let i = 0; i < template.length; i++) {
        const t = template[i] as Segment;
        const s = segments[i];
        if (t.kind === 'literal') {
          if (s === undefined || s.toLowerCase() !== t.text) return undefined;
          continue;
        }
        if (t.catchAll) {
          const rest = segments.slice(i).join('/');
          if (rest !== '') params[t.name] = rest;
          return params;
        }
        if (s === undefined) {
          if (t.optional) continue;
          return undefined;
        }
        if (!t.checks.every((check) => check(s))) return undefined;
        params[t.name] = s;
      }
      return segments.length <= template.length ? params : undefined;
    },
  };
}

// ---- the server ----

/** A problem answered by the host itself (no route, wrong method, body over the cap): with a correlation id like every other. */
function sendProblem(res: http.ServerResponse, slug: ProblemSlug, options: ProblemOptions = {}): void {
  const header = res.req.headers[CORRELATION_HEADER];
  const correlationId = correlationIdFrom(Array.isArray(header) ? header[0] : header);
  const init = problem(slug, { ...options, extensions: { ...options.extensions, correlationId } });
  const body = Buffer.from(JSON.stringify(init.jsonBody));
  res.writeHead(init.status ?? 500, { ...(init.headers as Record<string, string>), [CORRELATION_HEADER]: correlationId, 'content-length': String(body.length) });
  res.end(body);
}

/** A request node's parser refuses (e.g. `Content-Length: abc`) is still answered as problem+json, then the connection closes. */
function sendParserProblem(socket: import('node:stream').Duplex): void {
  if (!socket.writable) return;
  const correlationId = correlationIdFrom(undefined);
  const init = problem('malformed-body', { detail: 'The request could not be parsed: a header or the framing is malformed.', extensions: { correlationId } });
  const body = JSON.stringify(init.jsonBody);
  const head = [`HTTP/1.1 ${init.status ?? 400} Bad Request`, ...Object.entries(init.headers as Record<string, string>).map(([k, v]) => `${k}: ${v}`), `${CORRELATION_HEADER}: ${correlationId}`, 'x-content-type-options: nosniff', `content-length: ${Buffer.byteLength(body)}`, 'connection: close'];
  socket.end(`${head.join('\r\n')}\r\n\r\n${body}`);
}

/** A body past this much beyond the cap is cut off by closing the connection rather than drained. */
const DRAIN_LIMIT_BYTES = 64 * 1024 * 1024;

/**
 * Reads the body under a cap. Over the cap (declared or streamed) it resolves 'too-large' at
 * once and keeps discarding the rest, so the client can still read the 413 instead of seeing a
 * reset connection; a client that keeps sending far past the cap is disconnected.
 */
function readCappedBody(req: http.IncomingMessage, maxBytes: number): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const declared = req.headers['content-length'];
    let over = declared !== undefined && Number(declared) > maxBytes;
    if (over) resolve('too-large');
    const chunks: Buffer[] = [];
    let total = 0;
    req.on('data', (chunk: Buffer) => {
      total += chunk.length;
      if (over) {
        if (total > maxBytes + DRAIN_LIMIT_BYTES) req.destroy();
        return;
      }
      if (total > maxBytes) {
        over = true;
        chunks.length = 0;
        resolve('too-large');
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!over) resolve(Buffer.concat(chunks, total));
    });
    req.on('error', reject);
  });
}

function headerRecord(req: http.IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || HOP_BY_HOP.has(name)) continue;
    out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

function consoleSink(level: LogLevel, line: string): void {
  (level === 'error' ? console.error : level === 'warn' ? console.warn : console.log)(line);
}

function invocationContext(functionName: string, sink: LogSink): InvocationContext {
  const toLevel = (l: string): LogLevel => (l === 'error' || l === 'critical' ? 'error' : l === 'warning' ? 'warn' : 'info');
  return new InvocationContext({
    invocationId: randomUUID(),
    functionName,
    logHandler: (level, ...args) => sink(toLevel(level), args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ')),
  });
}

async function writeResponse(res: http.ServerResponse, result: HttpResponseInit | HttpResponse, head: boolean): Promise<void> {
  // HttpResponse does the same body conversion the Functions worker does (jsonBody → JSON with content-type, etc.).
  const response = result instanceof HttpResponse ? result : new HttpResponse(result);
  const body = Buffer.from(await response.arrayBuffer());
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  const cookies = response.cookies.map((c) => `${c.name}=${c.value}${c.path ? `; Path=${c.path}` : ''}${c.httpOnly ? '; HttpOnly' : ''}${c.secure ? '; Secure' : ''}${c.sameSite ? `; SameSite=${c.sameSite}` : ''}`);
  if (cookies.length > 0) headers['set-cookie'] = cookies;
  headers['content-length'] = String(body.length);
  res.writeHead(response.status, headers);
  res.end(head ? undefined : body);
}

export async function startLocalHost(options: LocalHostOptions): Promise<LocalHost> {
  const prefix = (options.routePrefix ?? hostRoutePrefix()).replace(/^\/|\/$/g, '');
  const compiled = options.routes.map(compileRoute);
  const corsOrigins = new Set(options.corsOrigins ?? DEFAULT_CORS_ORIGINS);
  const sink = options.log ?? consoleSink;
  const sockets = new Set<import('node:net').Socket>();

  const server = http.createServer((req, res) => {
    handle(req, res).catch(() => {
      // Only reachable if writing the response itself failed; never echo the error.
      if (!res.headersSent) sendProblem(res, 'internal-error');
      else res.destroy();
    });
  });
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    if (error.code === 'ECONNRESET') return socket.destroy();
    sendParserProblem(socket);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    // Every answer, the host's own problems included, is read as the type it declares.
    res.setHeader('x-content-type-options', 'nosniff');
    const origin = req.headers.origin;
    if (origin !== undefined && corsOrigins.has(origin)) {
      res.setHeader('access-control-allow-origin', origin);
      res.setHeader('vary', 'Origin');
      res.setHeader('access-control-expose-headers', EXPOSED_HEADERS);
    }
    const method = (req.method ?? 'GET').toUpperCase();
    let url: URL;
    try {
      url = new URL(req.url ?? '/', `http://${req.headers.host ?? 'localhost'}`);
    } catch {
      req.resume();
      return sendProblem(res, 'malformed-body', { detail: 'The request could not be read: its Host header or target is malformed.' });
    }
    const parts = url.pathname.split('/').filter(Boolean).map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    });
    if (prefix !== '' && parts[0]?.toLowerCase() !== prefix.toLowerCase()) {
      req.resume();
      return sendProblem(res, 'not-found');
    }
    const segments = prefix === '' ? parts : parts.slice(1);
    const matches = compiled.flatMap((r) => {
      const params = r.match(segments);
      return params ? [{ route: r.def, params }] : [];
    });
    if (matches.length === 0) {
      req.resume();
      return sendProblem(res, 'not-found');
    }
    const allowed = [...new Set(matches.flatMap((m) => m.route.methods))];
    if (method === 'OPTIONS' && origin !== undefined) {
      req.resume();
      res.writeHead(204, {
        'access-control-allow-methods': allowed.join(', '),
        'access-control-allow-headers': ALLOWED_HEADERS,
        'access-control-max-age': '600',
      });
      res.end();
      return;
    }
    const lookup = method === 'HEAD' && !allowed.includes('HEAD') ? 'GET' : method;
    const match = matches.find((m) => m.route.methods.includes(lookup as never));
    if (!match) {
      req.resume();
      return sendProblem(res, 'method-not-allowed', { headers: { allow: allowed.join(', ') } });
    }

    let body: Buffer | undefined;
    if (method !== 'GET' && method !== 'HEAD') {
      const read = await readCappedBody(req, options.maxBodyBytes);
      if (read === 'too-large') {
        // Answered before the handler runs: nothing past the cap is buffered or parsed.
        return sendProblem(res, 'payload-too-large', {
          detail: `The request body must be at most ${options.maxBodyBytes} bytes.`,
          extensions: { maxBytes: options.maxBodyBytes },
        });
      }
      body = read;
    }

    const request = new HttpRequest({
      method,
      url: url.toString(),
      headers: headerRecord(req),
      params: match.params,
      ...(body && body.length > 0 ? { body: { bytes: body } } : {}),
    });
    body = undefined; // the request holds its own copy; this one need not live as long as the handler
    const context = invocationContext(match.route.name, sink);
    const result = await match.route.handler(request, context);
    await writeResponse(res, result, method === 'HEAD');
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 7071, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host ?? '127.0.0.1';
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}/${prefix}`,
    port,
    routes: options.routes,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        for (const s of sockets) s.destroy();
      }),
  };
}
