/**
 * Node's own parts for the workbook reader (shared/workbook), where the runtime-neutral core
 * falls back on fflate and TextDecoder:
 * - zlib as the inflater (PartInflater): native, about five times fflate's speed, and it stops
 *   the moment a part's output passes its cap (maxOutputLength), so the zip guard holds as it
 *   does with fflate's counted steps;
 * - a Buffer's latin1 slice as the decoder of a part's ASCII text (AsciiDecoder): a copy into a
 *   string, where TextDecoder checks every byte again as UTF-8. Reading 150 returns, 2.5% fewer
 *   instructions in all (callgrind).
 */
import { inflateRawSync } from 'node:zlib';
import type { ReadOptions } from '../shared/workbook/reader';
import type { AsciiDecoder, PartInflater } from '../shared/workbook/zip';

export const zlibInflate: PartInflater = (compressed, maxBytes) => {
  try {
    // maxOutputLength must be at least 1; a part declared empty that inflates to a byte is still caught by the count.
    // One output chunk of the declared size (the reader inflates whole only parts up to 4 MB): no chunks to join.
    return inflateRawSync(compressed, { maxOutputLength: Math.max(1, maxBytes), chunkSize: Math.max(64, maxBytes + 1) });
  } catch (e) {
    if ((e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') return undefined;
    throw e;
  }
};

/** ASCII bytes as a string: latin1 and ASCII agree on them, and a latin1 slice is a plain copy. */
export const latin1Text: AsciiDecoder = (bytes) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');

/** The workbook reader's options for Node: its inflater and its decoder. */
export const NODE_READER = { inflate: zlibInflate, asciiText: latin1Text } as const satisfies ReadOptions;
