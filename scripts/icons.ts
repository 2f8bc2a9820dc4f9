/**
 * Writes the add-in's icons (addin/assets/icon-{16,32,64,80}.png) with node:zlib alone: a
 * rounded teal tile with a white upward step, the "good start" into Year 7. Run with
 * `tsx scripts/icons.ts`; the PNGs are committed, so the build needs nothing but the files.
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

export const ICON_SIZES = [16, 32, 64, 80] as const;

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const b of buf) c = (CRC_TABLE[(c ^ b) & 0xff] ?? 0) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** An RGBA PNG from a pixel function returning [r, g, b, a]. */
export function png(size: number, pixel: (x: number, y: number) => readonly [number, number, number, number]): Buffer {
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    const row = y * (size * 4 + 1);
    raw[row] = 0; // filter: none
    for (let x = 0; x < size; x++) raw.set(pixel(x, y), row + 1 + x * 4);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const TEAL = [0x00, 0x78, 0x7a, 0xff] as const;
const WHITE = [0xff, 0xff, 0xff, 0xff] as const;
const CLEAR = [0, 0, 0, 0] as const;

export function goodStartIcon(size: number): Buffer {
  const r = Math.max(2, Math.round(size * 0.18));
  return png(size, (x, y) => {
    // Rounded corners.
    const cx = x < r ? r - x - 0.5 : x >= size - r ? x - (size - r) + 0.5 : 0;
    const cy = y < r ? r - y - 0.5 : y >= size - r ? y - (size - r) + 0.5 : 0;
    if (cx * cx + cy * cy > r * r) return CLEAR;
    // Two steps rising to the right.
    const u = x / size;
    const v = y / size;
    const step1 = u >= 0.2 && u < 0.5 && v >= 0.55 && v < 0.8;
    const step2 = u >= 0.5 && u < 0.8 && v >= 0.25 && v < 0.8;
    return step1 || step2 ? WHITE : TEAL;
  });
}

/**
 * The unified JSON manifest's outline icon (32x32): the steps alone, white on transparent, as
 * Microsoft 365 draws it on its own coloured tile.
 */
export function goodStartOutline(size: number): Buffer {
  return png(size, (x, y) => {
    const u = x / size;
    const v = y / size;
    const step1 = u >= 0.2 && u < 0.5 && v >= 0.55 && v < 0.8;
    const step2 = u >= 0.5 && u < 0.8 && v >= 0.25 && v < 0.8;
    return step1 || step2 ? WHITE : CLEAR;
  });
}

/** The unified JSON manifest's two icons (manifest.json `icons`): colour 192x192 and outline 32x32. */
export const APP_ICONS = { color: { file: 'icon-color-192.png', size: 192 }, outline: { file: 'icon-outline-32.png', size: 32 } } as const;

export function writeIcons(dir = path.resolve(__dirname, '../addin/assets')): string[] {
  fs.mkdirSync(dir, { recursive: true });
  const write = (name: string, data: Buffer): string => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, data);
    return file;
  };
  return [
    ...ICON_SIZES.map((size) => write(`icon-${size}.png`, goodStartIcon(size))),
    write(APP_ICONS.color.file, goodStartIcon(APP_ICONS.color.size)),
    write(APP_ICONS.outline.file, goodStartOutline(APP_ICONS.outline.size)),
  ];
}

if (require.main === module) {
  for (const f of writeIcons()) console.log(`wrote ${path.relative(process.cwd(), f)}`);
}
