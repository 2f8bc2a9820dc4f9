/**
 * What one submission and one LA read cost in Cosmos DB operations and bytes, measured through
 * the local stack (`npx tsx bench/cosmosOps.ts`): the API talks to the embedded Cosmos server
 * through test/api/faultProxy.ts, which here injects nothing and counts each exchange. The
 * figures feed docs/deploy.md's monthly cost estimate.
 *
 * Measured: operations by kind (point read, query, write) and container, and the bytes of each
 * request and response body. Estimated (printed as such): request units, from Cosmos's published
 * rules of thumb, since the embedded server charges nothing: a point read of up to 1 KB is 1 RU
 * (and about 1 RU per further KB), a write about 6 RU per KB written with default indexing, a query
 * about 3 RU plus 1 RU per KB it returns. Timings are not the point and are not printed.
 */
import { randomUUID } from 'node:crypto';
import { startEmbeddedCosmos } from '../functions/src/store/embedded';
import type { TransitionReturn } from '../shared/transition/schema';
import { type CosmosRequestInfo, startFaultProxy } from '../test/api/faultProxy';
import { startStack } from '../test/api/harness';
import { PRIMARY, row, sheet, TRANSFER_YEAR, upnFor } from '../test/factories/transition';

type Kind = 'read' | 'query' | 'write' | 'other';
interface Op {
  kind: Kind;
  container: string;
  requestBytes: number;
  responseBytes: number;
}

function kindOf(info: CosmosRequestInfo): Kind {
  const query = /^true$/i.test(String(info.headers['x-ms-documentdb-isquery'] ?? ''));
  if (query) return 'query';
  if (info.isWrite) return 'write';
  if (info.method === 'GET' && /\/docs\/[^/]+$/.test(info.path)) return 'read';
  return 'other'; // metadata: account, database, container and partition-key-range reads
}

const kb = (bytes: number): number => Math.max(1, Math.ceil(bytes / 1024));
/** Estimated RU of one operation (see the header). */
function estimatedRu(op: Op): number {
  switch (op.kind) {
    case 'read':
      return kb(op.responseBytes);
    case 'write':
      return 6 * kb(op.requestBytes);
    case 'query':
      return 3 + Math.floor(op.responseBytes / 1024);
    default:
      return 1;
  }
}

function summarise(label: string, ops: Op[]): Record<string, string | number> {
  const count = (k: Kind) => ops.filter((o) => o.kind === k).length;
  const containers = [...new Set(ops.filter((o) => o.kind !== 'other').map((o) => o.container))].sort();
  return {
    scenario: label,
    reads: count('read'),
    queries: count('query'),
    writes: count('write'),
    metadata: count('other'),
    'KiB written': +(ops.filter((o) => o.kind === 'write').reduce((n, o) => n + o.requestBytes, 0) / 1024).toFixed(1),
    'KiB read': +(ops.filter((o) => o.kind !== 'write').reduce((n, o) => n + o.responseBytes, 0) / 1024).toFixed(1),
    'RU (estimated)': ops.reduce((n, o) => n + estimatedRu(o), 0),
    containers: containers.join(' '),
  };
}

function aPrimaryReturn(pupils: number, version: number): TransitionReturn {
  const rows = Array.from({ length: pupils }, (_, i) => row(i + 1, { feederPrimary: PRIMARY, upn: upnFor(i + 1, PRIMARY), ...(i === 0 ? { strengths: `Art and football (version ${version}).` } : {}) }));
  return { year: TRANSFER_YEAR, sheets: [sheet(rows)], explanations: [] };
}

async function main(): Promise<void> {
  const cosmos = await startEmbeddedCosmos();
  const proxy = await startFaultProxy(cosmos.endpoint);
  const stack = await startStack({ env: { COSMOS_ENDPOINT: proxy.endpoint } });
  let ops: Op[] = [];
  proxy.observe((info, exchange) => ops.push({ kind: kindOf(info), container: info.container ?? '-', requestBytes: exchange.requestBytes, responseBytes: exchange.responseBytes }));
  const rows: Record<string, string | number>[] = [];
  try {
    const senco = await stack.token({ role: 'school', school: PRIMARY });
    const la = await stack.token({ role: 'la' });
    const call = async (method: string, path: string, token: string, body?: unknown): Promise<void> => {
      const res = await stack.fetch(path, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json', 'idempotency-key': randomUUID() } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      await res.arrayBuffer();
      if (!res.ok) throw new Error(`${method} ${path}: ${res.status}`);
    };
    const measure = async (label: string, run: () => Promise<void>): Promise<void> => {
      await run(); // once to warm caches (the directory, metadata), as a running app has them
      ops = [];
      await run();
      rows.push(summarise(label, ops));
    };
    const url = `/returns/${PRIMARY}/${TRANSFER_YEAR}`;
    let version = 1;
    for (const pupils of [10, 40]) {
      await measure(`submission, ${pupils} pupils (a new version)`, () => call('PUT', url, senco, aPrimaryReturn(pupils, ++version)));
    }
    await measure('school reads its return', () => call('GET', url, senco));
    await measure('LA reads city aggregates', () => call('GET', `/aggregates/${TRANSFER_YEAR}`, la));
    await measure('LA reads the tracker', () => call('GET', `/tracker/${TRANSFER_YEAR}`, la));
    await measure('LA exports the consolidated workbook', () => call('GET', `/exports/${TRANSFER_YEAR}/consolidated.xlsx`, la));
    console.table(rows);
    console.log('Measured through the local stack (5 test schools, one primary with a return). RU are estimated (bench/cosmosOps.ts header).');
  } finally {
    await stack.stop();
    await proxy.close();
    await cosmos.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
