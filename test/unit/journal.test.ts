/**
 * The embedded server's data files (functions/src/store/journal.ts): what is trusted at start-up,
 * what is dropped with a notice, and what stops the start with advice to reset.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CosmosClient } from '@azure/cosmos';
import https from 'node:https';
import { startEmbeddedCosmos } from '../../functions/src/store/embedded';
import { CorruptDataError, encodeRecord, JOURNAL_FILE, type JournalRecord, JournalWriter, loadData, SNAPSHOT_FILE, writeSnapshot } from '../../functions/src/store/journal';

let dir: string;
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'goodstart-journal-'));
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

const doc = (id: string, n: number): JournalRecord => ({ op: 'set', kind: 'docs', db: 'd', coll: 'c', item: { id, n, _rid: `r${n}`, _self: '', _etag: `e${n}` }, ridCount: n });

describe('loadData', () => {
  it('reports a directory with no data files as fresh and empty', async () => {
    expect(await loadData(dir)).toEqual({ records: [], fresh: true, notices: [] });
  });

  it('reads the snapshot, then the journal appended after it, in order', async () => {
    await writeSnapshot(dir, [doc('a', 1)]);
    const writer = await JournalWriter.open(dir);
    await Promise.all([writer.append(doc('b', 2)), writer.append(doc('c', 3))]);
    await writer.close();
    expect(await loadData(dir)).toEqual({ records: [doc('a', 1), doc('b', 2), doc('c', 3)], fresh: false, notices: [] });
  });

  it('drops an incomplete last journal line (a write that was never acknowledged) and says so', async () => {
    const torn = encodeRecord(doc('b', 2)).slice(0, 30);
    await fs.writeFile(path.join(dir, JOURNAL_FILE), encodeRecord(doc('a', 1)) + torn);
    const loaded = await loadData(dir);
    expect(loaded.records).toEqual([doc('a', 1)]);
    expect(loaded.notices).toEqual([`dropped an incomplete last write in ${path.join(dir, JOURNAL_FILE)} (it was never acknowledged)`]);
  });

  it('refuses a journal with a damaged line before its end, naming the file and line and how to reset', async () => {
    const damaged = encodeRecord(doc('b', 2)).replace('"n":2', '"n":7');
    await fs.writeFile(path.join(dir, JOURNAL_FILE), encodeRecord(doc('a', 1)) + damaged + encodeRecord(doc('c', 3)));
    const error = await loadData(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CorruptDataError);
    expect(error).toMatchObject({ file: path.join(dir, JOURNAL_FILE), line: 2 });
    expect((error as Error).message).toContain('npm run reset');
  });

  it('refuses a snapshot without its end record (a partial file)', async () => {
    await fs.writeFile(path.join(dir, SNAPSHOT_FILE), encodeRecord(doc('a', 1)));
    await expect(loadData(dir)).rejects.toMatchObject({ name: 'CorruptDataError', file: path.join(dir, SNAPSHOT_FILE), reason: 'it has no valid end record, so it is incomplete' });
  });

  it('refuses a snapshot cut off part-way through a line', async () => {
    await writeSnapshot(dir, [doc('a', 1)]);
    const file = path.join(dir, SNAPSHOT_FILE);
    const text = await fs.readFile(file, 'utf8');
    await fs.writeFile(file, text.slice(0, -5));
    await expect(loadData(dir)).rejects.toMatchObject({ name: 'CorruptDataError', reason: 'it ends part-way through a line' });
  });
});

describe('the durable embedded server', () => {
  const client = (endpoint: string) =>
    new CosmosClient({ endpoint, key: 'k', connectionPolicy: { enableEndpointDiscovery: false }, agent: new https.Agent({ rejectUnauthorized: false }) });

  it('serves after a restart every document, with the same etag, and the same deletions', async () => {
    const first = await startEmbeddedCosmos({ dataDir: dir });
    expect(first.fresh).toBe(true);
    const c1 = client(first.endpoint);
    const { database } = await c1.databases.createIfNotExists({ id: 'db' });
    const { container } = await database.containers.createIfNotExists({ id: 'things', partitionKey: { paths: ['/school'] } });
    await container.items.create({ id: 'a', school: '1', n: 1 });
    const { etag } = await container.items.upsert({ id: 'b', school: '2', n: 2 });
    await container.items.create({ id: 'gone', school: '1', n: 3 });
    await container.item('gone', '1').delete();
    c1.dispose();
    await first.stop();

    const second = await startEmbeddedCosmos({ dataDir: dir });
    expect(second.fresh).toBe(false);
    const c2 = client(second.endpoint);
    const things = c2.database('db').container('things');
    const { resources } = await things.items.query<{ id: string; n: number }>('SELECT c.id, c.n FROM c').fetchAll();
    expect(resources.sort((x, y) => x.id.localeCompare(y.id))).toEqual([
      { id: 'a', n: 1 },
      { id: 'b', n: 2 },
    ]);
    expect((await things.item('b', '2').read()).etag).toBe(etag);
    // New documents get resource ids of their own, never one a stored document holds.
    await things.items.create({ id: 'c', school: '1', n: 4 });
    expect((await things.items.query('SELECT * FROM c').fetchAll()).resources).toHaveLength(3);
    c2.dispose();
    await second.stop();
  });

  it('starts empty after a reset', async () => {
    const first = await startEmbeddedCosmos({ dataDir: dir });
    const c1 = client(first.endpoint);
    await c1.databases.createIfNotExists({ id: 'db' });
    c1.dispose();
    await first.stop();
    const again = await startEmbeddedCosmos({ dataDir: dir, reset: true });
    expect(again.fresh).toBe(true);
    const c2 = client(again.endpoint);
    expect((await c2.databases.readAll().fetchAll()).resources).toEqual([]);
    c2.dispose();
    await again.stop();
  });

  it('refuses a second server on the same data directory', async () => {
    const first = await startEmbeddedCosmos({ dataDir: dir });
    await expect(startEmbeddedCosmos({ dataDir: dir })).rejects.toThrow(`The local data in ${dir} is in use by process ${process.pid}`);
    await first.stop();
  });
});
