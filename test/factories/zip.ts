/**
 * ZIP files built by hand for tests: local headers, central directory and end record written
 * byte by byte, so a test can make the headers say whatever it likes (an understated size,
 * ZIP64 markers) about parts of whatever real size.
 */
import { constants, deflateRawSync } from 'node:zlib';

export interface HandEntry {
  name: string;
  data: Uint8Array;
  deflate?: boolean;
  /** Already-compressed bytes to store as the part (method 8), instead of deflating `data`. */
  deflated?: Uint8Array;
  /** The uncompressed size both headers declare; the real size by default. */
  declaredSize?: number;
  /** Write the part's sizes as ZIP64 markers, with a ZIP64 extra field holding `declaredSize`. */
  zip64?: boolean;
}

const ZIP64_MARK = 0xffffffff;

/** A ZIP of the entries; CRCs are left 0 as the readers never check them. */
export function handZip(entries: HandEntry[], { zip64End = false } = {}): Uint8Array {
  const chunks: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    const packed = e.deflated !== undefined || e.deflate === true;
    const body = e.deflated ? Buffer.from(e.deflated) : e.deflate ? deflateRawSync(e.data) : Buffer.from(e.data);
    const declared = e.declaredSize ?? e.data.length;
    const extra = Buffer.alloc(e.zip64 ? 20 : 0);
    if (e.zip64) {
      extra.writeUInt16LE(0x0001, 0);
      extra.writeUInt16LE(16, 2);
      extra.writeBigUInt64LE(BigInt(declared), 4);
      extra.writeBigUInt64LE(BigInt(body.length), 12);
    }
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(e.zip64 ? 45 : 20, 4);
    local.writeUInt16LE(packed ? 8 : 0, 8);
    local.writeUInt32LE(e.zip64 ? ZIP64_MARK : body.length, 18);
    local.writeUInt32LE(e.zip64 ? ZIP64_MARK : declared, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(extra.length, 28);
    const cd = Buffer.alloc(46);
    cd.writeUInt32LE(0x02014b50, 0);
    cd.writeUInt16LE(45, 4);
    cd.writeUInt16LE(e.zip64 ? 45 : 20, 6);
    cd.writeUInt16LE(packed ? 8 : 0, 10);
    cd.writeUInt32LE(e.zip64 ? ZIP64_MARK : body.length, 20);
    cd.writeUInt32LE(e.zip64 ? ZIP64_MARK : declared, 24);
    cd.writeUInt16LE(name.length, 28);
    cd.writeUInt16LE(extra.length, 30);
    cd.writeUInt32LE(offset, 42);
    chunks.push(local, name, extra, body);
    central.push(cd, name, extra);
    offset += local.length + name.length + extra.length + body.length;
  }
  const cdBytes = Buffer.concat(central);
  const tail: Buffer[] = [];
  if (zip64End) {
    // ZIP64 end record and locator; the classic end record then carries only markers.
    const end64 = Buffer.alloc(56);
    end64.writeUInt32LE(0x06064b50, 0);
    end64.writeBigUInt64LE(44n, 4);
    end64.writeUInt16LE(45, 12);
    end64.writeUInt16LE(45, 14);
    end64.writeBigUInt64LE(BigInt(entries.length), 24);
    end64.writeBigUInt64LE(BigInt(entries.length), 32);
    end64.writeBigUInt64LE(BigInt(cdBytes.length), 40);
    end64.writeBigUInt64LE(BigInt(offset), 48);
    const locator = Buffer.alloc(20);
    locator.writeUInt32LE(0x07064b50, 0);
    locator.writeBigUInt64LE(BigInt(offset + cdBytes.length), 8);
    locator.writeUInt32LE(1, 16);
    tail.push(end64, locator);
  }
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(zip64End ? 0xffff : entries.length, 8);
  eocd.writeUInt16LE(zip64End ? 0xffff : entries.length, 10);
  eocd.writeUInt32LE(zip64End ? ZIP64_MARK : cdBytes.length, 12);
  eocd.writeUInt32LE(zip64End ? ZIP64_MARK : offset, 16);
  return new Uint8Array(Buffer.concat([...chunks, cdBytes, ...tail, eocd]));
}

export const xml = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'utf8'));

/**
 * A raw deflate stream that inflates to `prefix`, then `megabytes` MiB of spaces (with a
 * letter every `letterEvery` bytes, if given), then
 * `suffix`, built without ever holding the inflated bytes: one MiB of spaces is deflated once
 * as a non-final, byte-aligned block run (Z_SYNC_FLUSH) and repeated.
 */
export function deflatedPadding(megabytes: number, prefix = '', suffix = '', { letterEvery = 0 } = {}): Uint8Array {
  const flush = { finishFlush: constants.Z_SYNC_FLUSH };
  const padding = Buffer.alloc(1024 * 1024, 0x20);
  // A letter every so often keeps deflate's ratio down to that of real XML (a part under the ratio cap).
  if (letterEvery > 0) {
    let x = 7;
    for (let i = 0; i < padding.length; i += letterEvery) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      padding[i] = 0x61 + (x >>> 27);
    }
  }
  const block = deflateRawSync(padding, flush);
  const parts = [deflateRawSync(Buffer.from(prefix, 'utf8'), flush)];
  for (let i = 0; i < megabytes; i++) parts.push(block);
  parts.push(deflateRawSync(Buffer.from(suffix, 'utf8')));
  return new Uint8Array(Buffer.concat(parts));
}

/**
 * The bomb of issue 10: a workbook whose one sheet claims `declared` bytes in the local header
 * and the central directory but inflates to `megabytes` MiB (a few hundred KB on disk).
 */
export function understatedSheetBomb(megabytes: number, declared = 100 * 1024): Uint8Array {
  const wb = '<workbook xmlns:r="r"><sheets><sheet name="Transition" sheetId="1" r:id="rId1"/></sheets></workbook>';
  const rels = '<Relationships><Relationship Id="rId1" Target="worksheets/sheet1.xml"/></Relationships>';
  return handZip([
    { name: '[Content_Types].xml', data: xml('<Types/>') },
    { name: 'xl/workbook.xml', data: xml(wb) },
    { name: 'xl/_rels/workbook.xml.rels', data: xml(rels) },
    { name: 'xl/worksheets/sheet1.xml', data: new Uint8Array(0), deflated: deflatedPadding(megabytes, '<worksheet><sheetData><row r="9">', '</row></sheetData></worksheet>'), declaredSize: declared },
  ]);
}
