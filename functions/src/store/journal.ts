/**
 * The embedded server's data on disk (local mode only): a snapshot of every database, container
 * and document, and a write-ahead journal of the writes acknowledged since. Both are JSON lines,
 * each line `<checksum> <json>`, where the checksum is the first 16 hex digits of the JSON's
 * SHA-256, so a torn or damaged line is recognised instead of half-read.
 *
 * - A write is appended to the journal and fsync'd BEFORE the server answers it, so every write
 *   a client saw acknowledged is on disk, even after `kill -9`. Appends that arrive while one is
 *   being synced go to disk together (group commit), so 20 writes in flight cost a few fsyncs.
 * - Records are after-images (the stored document with its etag), not requests: replaying one
 *   twice gives the same state, so a crash between writing a new snapshot and emptying the
 *   journal is harmless.
 * - At start the snapshot and journal are read; an incomplete LAST journal line is a write that
 *   was never acknowledged (its fsync never returned) and is dropped with a notice. Anything else
 *   that does not verify stops the start-up with CorruptDataError, which says how to reset.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { FolderError, makeFolder } from '../../../xlsx/folders';

/** Which level of the account a record is about. */
export type ItemKind = 'dbs' | 'colls' | 'docs';

export type JournalRecord =
  /** Store this item (an after-image); `ridCount` is its container's resource-id counter then. */
  | { op: 'set'; kind: ItemKind; db?: string; coll?: string; item: Record<string, unknown>; ridCount: number }
  | { op: 'del'; kind: ItemKind; db?: string; coll?: string; id: string; partition: unknown }
  /** The snapshot's last line: how many records precede it. */
  | { op: 'end'; records: number };

export const SNAPSHOT_FILE = 'snapshot.jsonl';
export const JOURNAL_FILE = 'journal.jsonl';
export const LOCK_FILE = 'lock';

/** How to start again, said wherever the data cannot be used. */
export const RESET_ADVICE = 'To start again with an empty store and the samples, run `npm run reset` (this deletes the local data).';

export class CorruptDataError extends Error {
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    readonly reason: string,
  ) {
    super(`The local data file ${file}${line !== undefined ? ` (line ${line})` : ''} is unusable: ${reason}. Nothing was served. ${RESET_ADVICE}`);
    this.name = 'CorruptDataError';
  }
}

const checksum = (json: string): string => createHash('sha256').update(json).digest('hex').slice(0, 16);

export function encodeRecord(record: JournalRecord): string {
  const json = JSON.stringify(record);
  return `${checksum(json)} ${json}\n`;
}

/** The record on a line, or undefined when the line does not verify. */
function decodeLine(line: string): JournalRecord | undefined {
  const space = line.indexOf(' ');
  if (space !== 16) return undefined;
  const json = line.slice(17);
  if (checksum(json) !== line.slice(0, 16)) return undefined;
  try {
    const record = JSON.parse(json) as JournalRecord;
    return typeof record === 'object' && record !== null && (record.op === 'set' || record.op === 'del' || record.op === 'end') ? record : undefined;
  } catch {
    return undefined;
  }
}

export interface LoadedData {
  records: JournalRecord[];
  /** True when neither file existed: a new store, to be seeded. */
  fresh: boolean;
  /** Said at start-up: e.g. that an unacknowledged, incomplete last write was dropped. */
  notices: string[];
}

async function readIfPresent(file: string): Promise<string | undefined> {
  try {
    return await fsp.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Reads and verifies the snapshot and the journal; throws CorruptDataError on anything that cannot be trusted. */
export async function loadData(dir: string): Promise<LoadedData> {
  const snapshotFile = path.join(dir, SNAPSHOT_FILE);
  const journalFile = path.join(dir, JOURNAL_FILE);
  const [snapshot, journal] = await Promise.all([readIfPresent(snapshotFile), readIfPresent(journalFile)]);
  const records: JournalRecord[] = [];
  const notices: string[] = [];

  if (snapshot !== undefined) {
    // A snapshot is written whole and renamed into place, so it is complete or it is damaged.
    const lines = snapshot.split('\n');
    if (lines.at(-1) !== '') throw new CorruptDataError(snapshotFile, lines.length, 'it ends part-way through a line');
    lines.pop();
    const end = lines.length > 0 ? decodeLine(lines[lines.length - 1] as string) : undefined;
    if (end?.op !== 'end' || end.records !== lines.length - 1) throw new CorruptDataError(snapshotFile, lines.length, 'it has no valid end record, so it is incomplete');
    for (let i = 0; i < lines.length - 1; i++) {
      const record = decodeLine(lines[i] as string);
      if (!record || record.op === 'end') throw new CorruptDataError(snapshotFile, i + 1, 'the line does not match its checksum');
      records.push(record);
    }
  }

  if (journal !== undefined && journal !== '') {
    const lines = journal.split('\n');
    const complete = lines.at(-1) === '';
    if (complete) lines.pop();
    for (let i = 0; i < lines.length; i++) {
      const record = decodeLine(lines[i] as string);
      if (record && record.op !== 'end') {
        records.push(record);
        continue;
      }
      // Only the very last line may be torn: it was being written when the process died, so its
      // fsync never returned and nobody was told it was stored.
      if (i === lines.length - 1 && !complete) {
        notices.push(`dropped an incomplete last write in ${journalFile} (it was never acknowledged)`);
        break;
      }
      throw new CorruptDataError(journalFile, i + 1, 'the line does not match its checksum');
    }
  }
  return { records, fresh: snapshot === undefined && journal === undefined, notices };
}

/** fsync a directory, so a rename or a new file in it survives a power cut (a no-op where unsupported). */
async function syncDir(dir: string): Promise<void> {
  const handle = await fsp.open(dir, 'r').catch(() => undefined);
  if (!handle) return;
  try {
    await handle.sync();
  } catch {
    // Some platforms cannot fsync a directory; the rename is still atomic.
  } finally {
    await handle.close();
  }
}

/**
 * Replaces the snapshot with `records` and empties the journal: written to a temporary file,
 * fsync'd, renamed into place, then the journal truncated. A crash at any point leaves either
 * the old snapshot and journal or the new snapshot (plus a journal it already contains).
 */
export async function writeSnapshot(dir: string, records: Iterable<JournalRecord>): Promise<void> {
  const target = path.join(dir, SNAPSHOT_FILE);
  const tmp = `${target}.tmp`;
  const handle = await fsp.open(tmp, 'w');
  let count = 0;
  try {
    let chunk = '';
    for (const record of records) {
      chunk += encodeRecord(record);
      count++;
      if (chunk.length > 1 << 20) {
        await handle.write(chunk);
        chunk = '';
      }
    }
    await handle.write(chunk + encodeRecord({ op: 'end', records: count }));
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fsp.rename(tmp, target);
  await syncDir(dir);
  const journal = await fsp.open(path.join(dir, JOURNAL_FILE), 'w');
  await journal.sync();
  await journal.close();
  await syncDir(dir);
}

/**
 * Appends records to the journal, each one on disk (fsync'd) before its promise resolves.
 * After a failed write the journal is `broken`: memory may hold a write the disk does not, so
 * the server stops answering rather than serve it.
 */
export class JournalWriter {
  private queue: { line: string; resolve: () => void; reject: (error: unknown) => void }[] = [];
  private writing: Promise<void> | undefined;
  private last: Promise<void> = Promise.resolve();
  broken: Error | undefined;

  private constructor(private readonly handle: fsp.FileHandle) {}

  static async open(dir: string): Promise<JournalWriter> {
    return new JournalWriter(await fsp.open(path.join(dir, JOURNAL_FILE), 'a'));
  }

  append(record: JournalRecord): Promise<void> {
    if (this.broken) return Promise.reject(this.broken);
    const done = new Promise<void>((resolve, reject) => this.queue.push({ line: encodeRecord(record), resolve, reject }));
    this.last = done.catch(() => undefined);
    this.writing ??= this.drain().finally(() => {
      this.writing = undefined;
    });
    return done;
  }

  /** Resolves once everything appended so far is on disk (or has failed). */
  flushed(): Promise<void> {
    return this.last;
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0);
      try {
        if (this.broken) throw this.broken;
        await this.handle.write(batch.map((b) => b.line).join(''));
        await this.handle.datasync();
        for (const b of batch) b.resolve();
      } catch (error) {
        this.broken ??= error instanceof Error ? error : new Error(String(error));
        for (const b of batch) b.reject(this.broken);
      }
    }
  }

  async close(): Promise<void> {
    await this.flushed();
    await this.handle.close();
  }
}

/**
 * Claims the data directory for this process: a second server on the same files would
 * interleave their journals. A lock left by a process that no longer runs (kill -9) is taken over.
 */
export function claimDirectory(dir: string): () => void {
  try {
    // Not Node's recursive mkdir, which retries for ever where a parent cannot hold the folder (see makeFolder).
    makeFolder(dir);
  } catch (error) {
    if (error instanceof FolderError) throw new Error(`The local data cannot be kept in ${dir}: ${error.message}. Set LOCAL_DATA_DIR to a folder that can be made.`);
    throw error;
  }
  const lock = path.join(dir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(lock, String(process.pid), { flag: 'wx' });
      return () => fs.rmSync(lock, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const pid = Number(fs.readFileSync(lock, 'utf8'));
      if (Number.isInteger(pid) && pid > 0 && isRunning(pid)) {
        throw new Error(`The local data in ${dir} is in use by process ${pid}. Stop that stack first (or use another LOCAL_DATA_DIR).`);
      }
      fs.rmSync(lock, { force: true });
    }
  }
  throw new Error(`Could not claim ${lock}`);
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
