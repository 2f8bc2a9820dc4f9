/**
 * The embedded Cosmos DB protocol server (@vercel/cosmosdb-server) on loopback, in-process.
 * TLS uses the package's bundled self-signed certificate, which is why the client trusts
 * self-signed certificates for loopback endpoints only (store/cosmos.ts).
 *
 * The package keeps everything in memory. With `dataDir` this server is durable: it loads the
 * snapshot and journal there at start (store/journal.ts), journals every acknowledged write,
 * fsync'd before the answer is sent, and serves no read of a write that is not yet on disk.
 * Without `dataDir` it is in memory, as the API tests want.
 *
 * The request handling is the package's own (its routes and its account), wrapped here so the
 * journal sees each write's result before the client does. Unlike the package's default, the
 * connection is kept alive: a TLS handshake per request was most of the cost of every read.
 * Writes the app never makes
 * (transactional batches, user-defined functions) are refused on a durable server rather than
 * left out of the journal.
 *
 * A dev dependency: only local mode loads this file (lazily), so the deployed app never needs it.
 */
import fs from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import Account from '@vercel/cosmosdb-server/lib/account';
import type Items from '@vercel/cosmosdb-server/lib/account/items';
import type Item from '@vercel/cosmosdb-server/lib/account/item';
import type ItemObject from '@vercel/cosmosdb-server/lib/account/item-object';
import routes from '@vercel/cosmosdb-server/lib/routes';
import { parsePartitionKey } from '@vercel/cosmosdb-server/lib/utils/get-partition-from-header';
import { claimDirectory, CorruptDataError, type ItemKind, JournalWriter, type JournalRecord, loadData, writeSnapshot } from './journal';

export interface EmbeddedCosmos {
  endpoint: string;
  /** The server accepts any key; this one is only a placeholder. */
  key: string;
  /** Where the data is kept; undefined when in memory. */
  dataDir?: string;
  /** True when the store started empty (in memory, a new data directory, or after a reset): seed it. */
  fresh: boolean;
  /** What start-up has to say (e.g. an incomplete, never-acknowledged last write was dropped). */
  notices: string[];
  stop(): Promise<void>;
}

export interface EmbeddedCosmosOptions {
  port?: number;
  host?: string;
  /** Keep the data here (durable); absent: in memory. */
  dataDir?: string;
  /** Delete the data in `dataDir` first, so the store starts empty. */
  reset?: boolean;
}

type AnyItems = Items<Item, Item>;
type RouteParams = { dbId?: string; collId?: string; docId?: string; udfId?: string };
type RouteHandler = (account: Account, req: IncomingMessage, res: ServerResponse, params: RouteParams) => Promise<unknown> | unknown;

const PACKAGE_DIR = path.dirname(require.resolve('@vercel/cosmosdb-server/package.json'));

type AstNode = { type?: unknown; [key: string]: unknown };
const isNode = (v: unknown): v is AstNode => typeof v === 'object' && v !== null && !Array.isArray(v);
const isAccumulator = (v: unknown): boolean => isNode(v) && v['type'] === 'Identifier' && v['name'] === '$';

/** `[...$, x]` (x possibly a spread) as `($.push(x), $)`; undefined for any other node. */
function pushInstead(node: AstNode): AstNode | undefined {
  const elements = node['elements'];
  if (node['type'] !== 'ArrayExpression' || !Array.isArray(elements) || elements.length !== 2) return undefined;
  const [first, second] = elements as unknown[];
  if (!isNode(first) || first['type'] !== 'SpreadElement' || !isAccumulator(first['argument'])) return undefined;
  const push = { type: 'CallExpression', callee: { type: 'MemberExpression', object: { type: 'Identifier', name: '$' }, property: { type: 'Identifier', name: 'push' }, computed: false }, arguments: [second] };
  return { type: 'SequenceExpression', expressions: [push, { type: 'Identifier', name: '$' }] };
}

/**
 * The query engine the embedded server uses (@zeit/cosmosdb-query) compiles every FROM and JOIN
 * to `coll.reduce(($, c) => [...$, { c }], [])`, which copies the list once per document: a
 * query costs O(n²) in the container's size (about 10 s over 24,000 schools' documents,
 * whatever the filter). Each such accumulator is fresh (`[]`), so pushing onto it gives the same
 * list in O(n). Rewritten in the generated syntax tree, before the engine prints and runs it;
 * the engine's own code is untouched. Local mode only: Azure Cosmos DB runs its own engine.
 */
export function linearAccumulators(node: unknown, inReducer = false): unknown {
  if (Array.isArray(node)) return node.map((n) => linearAccumulators(n, inReducer));
  if (!isNode(node)) return node;
  if (inReducer) {
    const replaced = pushInstead(node);
    if (replaced) return { ...replaced, expressions: (replaced['expressions'] as unknown[]).map((e) => linearAccumulators(e, inReducer)) };
  }
  // A reducer is the arrow passed to `.reduce(…, [])` whose accumulator is `$`.
  if (node['type'] === 'CallExpression' && isNode(node['callee']) && isNode(node['callee']['property']) && node['callee']['property']['name'] === 'reduce') {
    const [reducer, initial] = (node['arguments'] as unknown[] | undefined) ?? [];
    const freshList = isNode(initial) && initial['type'] === 'ArrayExpression' && Array.isArray(initial['elements']) && initial['elements'].length === 0;
    if (freshList && isNode(reducer) && reducer['type'] === 'ArrowFunctionExpression' && Array.isArray(reducer['params']) && isAccumulator(reducer['params'][0])) {
      return {
        ...node,
        callee: linearAccumulators(node['callee'], inReducer),
        arguments: [{ ...reducer, body: linearAccumulators(reducer['body'], true) }, initial],
      };
    }
  }
  // Any other function starts a scope of its own: its `$` is not the accumulator.
  const scoped = inReducer && (node['type'] === 'ArrowFunctionExpression' || node['type'] === 'FunctionExpression') ? false : inReducer;
  return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, linearAccumulators(v, scoped)]));
}

let queryEnginePatched = false;

/** Makes the embedded server's queries linear in the container's size (see linearAccumulators). */
export function linearQueryEngine(): void {
  if (queryEnginePatched) return;
  const transformerPath = require.resolve('@zeit/cosmosdb-query/lib/transformer', { paths: [PACKAGE_DIR] });
  const transformer = require(transformerPath) as { default: (ast: unknown) => unknown };
  const compile = transformer.default;
  transformer.default = (ast: unknown) => linearAccumulators(compile(ast));
  queryEnginePatched = true;
}

/** The container of items a record is about. */
function itemsOf(account: Account, kind: ItemKind, db?: string, coll?: string): AnyItems {
  if (kind === 'dbs') return account.databases as unknown as AnyItems;
  const database = account.database(db ?? '');
  if (!database.read()) throw new Error(`database ${db} does not exist`);
  if (kind === 'colls') return database.collections as unknown as AnyItems;
  const collection = database.collection(coll ?? '');
  if (!collection.read()) throw new Error(`container ${coll} does not exist`);
  return collection.documents as unknown as AnyItems;
}

/** Applies a record to the account: the same state the original write left, etag and all. */
export function applyRecord(account: Account, record: JournalRecord): void {
  if (record.op === 'end') return;
  const items = itemsOf(account, record.kind, record.db, record.coll);
  if (record.op === 'set') {
    const item = record.item as ItemObject;
    const partition = items._getPartition(item);
    if (items._item('/id', item.id, partition)?.read()) items.delete(item.id, partition);
    items._set(item);
    items._ridCount = Math.max(items._ridCount, record.ridCount);
  } else if (items._item('/id', record.id, record.partition)?.read()) {
    items.delete(record.id, record.partition);
  }
}

/** The whole account as records, for a snapshot. */
export function* accountRecords(account: Account): Generator<JournalRecord> {
  const dbs = account.databases;
  for (const database of dbs._data.values()) {
    const db = database.read();
    yield { op: 'set', kind: 'dbs', item: db, ridCount: dbs._ridCount };
    for (const collection of database.collections._data.values()) {
      const coll = collection.read();
      yield { op: 'set', kind: 'colls', db: db.id, item: coll, ridCount: database.collections._ridCount };
      const docs = collection.documents;
      for (const doc of docs._data.values()) yield { op: 'set', kind: 'docs', db: db.id, coll: coll.id, item: doc.read(), ridCount: docs._ridCount };
    }
  }
}

/** What a request does to the data: nothing (reads, queries), a write to journal, or a write the journal does not model. */
function writeKind(req: IncomingMessage, pathname: string): 'read' | 'write' | 'unsupported' {
  const header = (name: string) => String(req.headers[name] ?? '').toLowerCase() === 'true';
  if (req.method === 'GET' || req.method === 'HEAD') return 'read';
  if (req.method === 'POST' && (header('x-ms-documentdb-isquery') || req.headers['content-type'] === 'application/query+json')) return 'read';
  if (header('x-ms-cosmos-is-batch-request') || /\/udfs(\/|$)/.test(pathname)) return 'unsupported';
  return 'write';
}

/** The journal record for a successful write, from its route and the stored item it answered with. */
function recordOf(account: Account, req: IncomingMessage, params: RouteParams, body: unknown): JournalRecord {
  const { dbId, collId, docId } = params;
  const kind: ItemKind = collId !== undefined ? 'docs' : dbId !== undefined ? 'colls' : 'dbs';
  if (req.method === 'DELETE') {
    // DELETE names the item in the path: a document, or else a container or a database.
    if (docId !== undefined) {
      const header = req.headers['x-ms-documentdb-partitionkey'];
      const partition: unknown = parsePartitionKey(Array.isArray(header) ? (header[0] ?? '') : (header ?? ''), docId);
      return { op: 'del', kind: 'docs', db: dbId, coll: collId, id: docId, partition };
    }
    if (collId !== undefined) return { op: 'del', kind: 'colls', db: dbId, id: collId, partition: collId };
    return { op: 'del', kind: 'dbs', id: dbId ?? '', partition: dbId };
  }
  // PUT on a container (replace) is addressed like its documents' parent.
  const itemKind: ItemKind = req.method === 'PUT' && docId === undefined ? 'colls' : kind;
  const item = body as ItemObject;
  const items = itemsOf(account, itemKind, dbId, collId);
  return { op: 'set', kind: itemKind, ...(dbId !== undefined && itemKind !== 'dbs' ? { db: dbId } : {}), ...(itemKind === 'docs' ? { coll: collId } : {}), item, ridCount: items._ridCount };
}

function requestHandler(account: () => Account, journal: JournalWriter | undefined) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const route = routes(req) as [RouteParams, RouteHandler] | undefined;
    void (async () => {
      let body: unknown;
      if (!route) {
        res.statusCode = 400;
        body = { message: 'no route' };
      } else if (journal?.broken) {
        res.statusCode = 503;
        body = { message: `the local data could not be written (${journal.broken.message}); restart the stack` };
      } else {
        const [params, handle] = route;
        const kind = writeKind(req, new URL(req.url ?? '/', 'https://x').pathname);
        if (journal && kind === 'unsupported') {
          res.statusCode = 501;
          body = { message: 'the durable embedded server does not journal batches or user-defined functions' };
        } else {
          try {
            body = await handle(account(), req, res, params);
          } catch (error) {
            console.error(error);
            body = { message: (error as Error).message };
            res.statusCode = 500;
          }
          if (journal && res.statusCode < 300) {
            try {
              // A write is answered only once it is on disk; a read waits for the writes it may see.
              if (kind === 'write') await journal.append(recordOf(account(), req, params, body));
              else await journal.flushed();
            } catch (error) {
              console.error(error);
              res.statusCode = 503;
              body = { message: `the local data could not be written: ${(error as Error).message}` };
            }
          }
        }
        if (res.statusCode > 399 && typeof body === 'object' && body !== null && !('message' in body)) (body as { message: string }).message = '';
      }
      const etag = (body as { _etag?: unknown } | undefined)?._etag;
      if (typeof etag === 'string') res.setHeader('etag', etag);
      res.setHeader('content-type', 'application/json');
      res.setHeader('content-location', `https://${req.headers.host}${req.url}`);
      res.setHeader('x-ms-activity-id', randomUUID());
      res.setHeader('x-ms-request-charge', '1');
      if (req.headers['a-im'] && res.statusCode === 200) {
        if (req.headers['if-none-match']) res.statusCode = 304;
        res.setHeader('etag', '1');
      }
      res.end(JSON.stringify(body));
    })().catch((error: unknown) => {
      console.error(error);
      if (!res.writableEnded) {
        res.statusCode = 500;
        res.end('');
      }
    });
  };
}

/** Loads the data directory into a new account; throws CorruptDataError when it cannot be trusted. */
async function loadAccount(dataDir: string, account: Account): Promise<{ fresh: boolean; notices: string[] }> {
  const { records, fresh, notices } = await loadData(dataDir);
  records.forEach((record, i) => {
    try {
      applyRecord(account, record);
    } catch (error) {
      throw new CorruptDataError(dataDir, undefined, `record ${i + 1} cannot be applied (${(error as Error).message})`);
    }
  });
  return { fresh, notices };
}

export async function startEmbeddedCosmos(options: EmbeddedCosmosOptions = {}): Promise<EmbeddedCosmos> {
  linearQueryEngine();
  const host = options.host ?? '127.0.0.1';
  const dataDir = options.dataDir === undefined ? undefined : path.resolve(options.dataDir);
  const release = dataDir ? claimDirectory(dataDir) : undefined;
  let journal: JournalWriter | undefined;
  let account: Account | undefined;
  let fresh = true;
  let notices: string[] = [];
  try {
    if (dataDir && options.reset) {
      for (const file of fs.readdirSync(dataDir)) if (file !== 'lock') fs.rmSync(path.join(dataDir, file), { recursive: true, force: true });
    }
    if (dataDir) {
      // The account's host and port only shape its metadata document, which clients re-read on connect.
      const loaded = new Account(host, 0);
      ({ fresh, notices } = await loadAccount(dataDir, loaded));
      // Compact: the loaded state becomes the snapshot and the journal starts empty.
      await writeSnapshot(dataDir, accountRecords(loaded));
      journal = await JournalWriter.open(dataDir);
      account = loaded;
    }
  } catch (error) {
    release?.();
    throw error;
  }

  const server = https.createServer(
    {
      cert: fs.readFileSync(path.join(PACKAGE_DIR, 'cert.pem')),
      key: fs.readFileSync(path.join(PACKAGE_DIR, 'key.pem')),
      minVersion: 'TLSv1',
    },
    requestHandler(() => account as Account, journal),
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const served = new Account(host, port);
  if (account) served.databases = account.databases;
  account = served;

  let stopped = false;
  return {
    endpoint: `https://${host}:${port}`,
    key: 'local-dev-key',
    ...(dataDir ? { dataDir } : {}),
    fresh,
    notices,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Keep-alive sockets from the client would otherwise hold close() open.
        server.closeAllConnections();
      });
      await journal?.close();
      release?.();
    },
  };
}
