/**
 * A fault-injecting HTTPS proxy in front of a Cosmos DB endpoint, for the API's fault tests.
 * It terminates TLS with the embedded server's own self-signed certificate (so the app's
 * loopback-only self-signed trust applies unchanged) and forwards each request upstream.
 *
 * Faults are rules matched in order against each request (method, path, headers); each fires a
 * set number of times, or with a probability:
 * - `throttle`: answer 429 with `x-ms-retry-after-ms`, as Cosmos does when over its throughput;
 * - `unavailable`: answer 503;
 * - `drop`: close the connection before forwarding (the write never happens);
 * - `lose-response`: forward, let Cosmos apply the write, then close the connection before the
 *   answer reaches the app (a server killed mid-write, from the client's point of view).
 */
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

export type FaultKind = 'throttle' | 'unavailable' | 'drop' | 'lose-response';

export interface CosmosRequestInfo {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  /** A document write: create, upsert, replace or delete of an item. */
  isWrite: boolean;
  /** The container name, when the path names one. */
  container?: string;
}

export interface FaultRule {
  kind: FaultKind;
  match?: (req: CosmosRequestInfo) => boolean;
  /** Fire this many times, then retire (default 1). Ignored when `probability` is set. */
  times?: number;
  /** Fire on each matching request with this probability, until removed. */
  probability?: number;
  retryAfterMs?: number;
}

export interface FaultProxy {
  endpoint: string;
  inject(rule: FaultRule): void;
  clear(): void;
  /** How many faults fired, by kind. */
  fired: Record<FaultKind, number>;
  /** Requests forwarded, per method (a rough load figure for tests). */
  forwarded: number;
  /** Calls `fn` after each forwarded exchange, with the bytes each way (bench/cosmosOps.ts counts them). */
  observe(fn: ExchangeObserver): void;
  close(): Promise<void>;
}

const certDir = path.dirname(require.resolve('@vercel/cosmosdb-server/package.json'));

function describe(req: http.IncomingMessage): CosmosRequestInfo {
  const p = (req.url ?? '/').split('?')[0] ?? '/';
  const container = /\/colls\/([^/]+)/.exec(p)?.[1];
  const isDocs = /\/docs(?:\/[^/]+)?$/.test(p);
  const isQuery = req.headers['x-ms-documentdb-isquery'] === 'True' || req.headers['x-ms-documentdb-isquery'] === 'true';
  const method = (req.method ?? 'GET').toUpperCase();
  return { method, path: p, headers: req.headers, isWrite: isDocs && !isQuery && method !== 'GET', ...(container ? { container: decodeURIComponent(container) } : {}) };
}

export type ExchangeObserver = (info: CosmosRequestInfo, exchange: { status: number; requestBytes: number; responseBytes: number }) => void;

export async function startFaultProxy(upstream: string): Promise<FaultProxy> {
  const target = new URL(upstream);
  const agent = new https.Agent({ rejectUnauthorized: false, keepAlive: true });
  const rules: Array<FaultRule & { left: number }> = [];
  const fired: Record<FaultKind, number> = { throttle: 0, unavailable: 0, drop: 0, 'lose-response': 0 };
  let forwarded = 0;
  const observers: ExchangeObserver[] = [];

  const pick = (info: CosmosRequestInfo): FaultRule | undefined => {
    for (let i = 0; i < rules.length; i++) {
      const r = rules[i]!;
      if (r.match && !r.match(info)) continue;
      if (r.probability !== undefined) {
        if (Math.random() < r.probability) return r;
        continue;
      }
      r.left--;
      if (r.left <= 0) rules.splice(i, 1);
      return r;
    }
    return undefined;
  };

  const server = https.createServer(
    { cert: fs.readFileSync(path.join(certDir, 'cert.pem')), key: fs.readFileSync(path.join(certDir, 'key.pem')) },
    (req, res) => {
      const info = describe(req);
      const rule = pick(info);
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (rule?.kind === 'throttle') {
          fired.throttle++;
          const body = JSON.stringify({ code: 'TooManyRequests', message: 'Request rate is large (injected).' });
          res.writeHead(429, { 'content-type': 'application/json', 'x-ms-retry-after-ms': String(rule.retryAfterMs ?? 5), 'x-ms-substatus': '3200' });
          res.end(body);
          return;
        }
        if (rule?.kind === 'unavailable') {
          fired.unavailable++;
          res.writeHead(503, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ code: 'ServiceUnavailable', message: 'Injected.' }));
          return;
        }
        if (rule?.kind === 'drop') {
          fired.drop++;
          req.socket.destroy();
          return;
        }
        forwarded++;
        const up = https.request(
          { protocol: 'https:', hostname: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host }, agent },
          (upRes) => {
            const body: Buffer[] = [];
            upRes.on('data', (c: Buffer) => body.push(c));
            upRes.on('end', () => {
              if (rule?.kind === 'lose-response') {
                fired['lose-response']++;
                req.socket.destroy();
                return;
              }
              const exchange = { status: upRes.statusCode ?? 502, requestBytes: Buffer.concat(chunks).length, responseBytes: Buffer.concat(body).length };
              for (const fn of observers) fn(info, exchange);
              res.writeHead(upRes.statusCode ?? 502, upRes.headers);
              res.end(Buffer.concat(body));
            });
          },
        );
        up.on('error', () => req.socket.destroy());
        up.end(Buffer.concat(chunks));
      });
    },
  );
  const sockets = new Set<import('node:net').Socket>();
  server.on('secureConnection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `https://127.0.0.1:${port}`,
    inject: (rule) => rules.push({ ...rule, left: rule.times ?? 1 }),
    clear: () => {
      rules.length = 0;
    },
    fired,
    get forwarded() {
      return forwarded;
    },
    observe: (fn) => {
      observers.push(fn);
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      agent.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
