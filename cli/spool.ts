/**
 * Pupils parked on disk, one JSON line each, between reading the returns and writing the
 * Pupils sheet: the About sheet comes first in the workbook but needs the totals, and the ZIP
 * takes one part at a time, so the rows wait here instead of in memory. The file sits beside
 * the output (which holds the same data), is readable by its owner only, and is removed
 * whatever happens.
 */
import { createReadStream, createWriteStream, promises as fs, type WriteStream } from 'node:fs';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { once } from 'node:events';
import type { ConsolidatedPupil } from '../shared/consolidation';

export class PupilSpool {
  private constructor(
    readonly file: string,
    private readonly out: WriteStream,
  ) {}

  static async beside(target: string): Promise<PupilSpool> {
    const file = `${path.resolve(target)}.${process.pid}.pupils.tmp`;
    await fs.mkdir(path.dirname(file), { recursive: true });
    const out = createWriteStream(file, { mode: 0o600 });
    await once(out, 'open');
    return new PupilSpool(file, out);
  }

  async append(pupils: readonly ConsolidatedPupil[]): Promise<void> {
    if (pupils.length === 0) return;
    if (!this.out.write(`${pupils.map((p) => JSON.stringify(p)).join('\n')}\n`)) await once(this.out, 'drain');
  }

  /** The pupils in the order they were appended; call once, after the last append. */
  async *replay(): AsyncGenerator<ConsolidatedPupil> {
    this.out.end();
    await once(this.out, 'finish');
    const lines = createInterface({ input: createReadStream(this.file), crlfDelay: Infinity });
    for await (const line of lines) if (line !== '') yield JSON.parse(line) as ConsolidatedPupil;
  }

  async remove(): Promise<void> {
    this.out.destroy();
    await fs.rm(this.file, { force: true });
  }
}
