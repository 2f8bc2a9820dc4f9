/**
 * The CLI's V8 code cache (cli/compileCache.ts), through the compiled `goodstart` in processes of
 * its own, each with a cache folder of its own: the first run writes the code of every module it
 * compiled, the next compiles none from source and prints the same; code that is damaged, made
 * for other source or unwritable is left aside, and the answer never changes.
 */
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const BIN = path.resolve(__dirname, '../../bin/goodstart.js');
const ARGS = ['fn', 'SEND.UPNLETTER', '801200005001'];

interface Outcome {
  stdout: string;
  used: number;
  compiled: number;
  written: number;
}

async function goodstart(cacheDir: string, env: NodeJS.ProcessEnv = {}, args: string[] = ARGS): Promise<Outcome> {
  const { stdout, stderr } = await run(process.execPath, [BIN, ...args], {
    env: { ...process.env, GOODSTART_COMPILE_CACHE: 'report', GOODSTART_COMPILE_CACHE_DIR: cacheDir, ...env },
  });
  const m = /compile cache: (\d+) from cache, (\d+) from source, (\d+) written/.exec(stderr);
  return { stdout, used: Number(m?.[1] ?? -1), compiled: Number(m?.[2] ?? -1), written: Number(m?.[3] ?? -1) };
}

let dir: string;

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'goodstart-cache-'));
});

afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe('the CLI\'s code cache', () => {
  it('writes the code of every module the first run compiles; the next run compiles none from source, and prints the same', async () => {
    const cache = path.join(dir, 'fresh');
    const first = await goodstart(cache);
    expect(first.stdout).toBe('B\n');
    expect(first.used).toBe(0);
    expect(first.compiled).toBeGreaterThan(20);
    expect(first.written).toBe(first.compiled);
    expect((await fs.readdir(cache)).filter((f) => f.endsWith('.v8'))).toHaveLength(first.written);

    const second = await goodstart(cache);
    expect(second).toEqual({ stdout: 'B\n', used: first.compiled, compiled: 0, written: 0 });
    // No temporary file is left behind.
    expect((await fs.readdir(cache)).filter((f) => !f.endsWith('.v8'))).toEqual([]);
  });

  it('leaves aside code that is damaged, or was made for other source, compiles from source and writes it anew', async () => {
    const cache = path.join(dir, 'damaged');
    const first = await goodstart(cache);
    const files = (await fs.readdir(cache)).map((f) => path.join(cache, f));
    // Half the files: V8's code with its bytes flipped after the checksum. The other half: a checksum of other source.
    await Promise.all(
      files.map(async (f, i) => {
        const bytes = await fs.readFile(f);
        if (i % 2 === 0) for (let k = 4; k < bytes.length; k += 7) bytes[k] = (bytes[k] as number) ^ 0xff;
        else bytes.writeUInt32LE((bytes.readUInt32LE(0) + 1) >>> 0, 0);
        await fs.writeFile(f, bytes);
      }),
    );
    const again = await goodstart(cache);
    expect(again.stdout).toBe('B\n');
    expect(again.used).toBe(0);
    expect(again.compiled).toBe(first.compiled);
    expect(again.written).toBe(first.compiled);
    expect(await goodstart(cache)).toEqual({ stdout: 'B\n', used: first.compiled, compiled: 0, written: 0 });
  });

  it('runs as before where the cache cannot be written, and writes nothing when turned off', async () => {
    const blocked = path.join(dir, 'blocked');
    await fs.writeFile(blocked, 'a file where the folder would go');
    const out = await goodstart(blocked);
    expect(out.stdout).toBe('B\n');
    expect(out.written).toBe(0);

    const off = path.join(dir, 'off');
    const { stdout, stderr } = await run(process.execPath, [BIN, ...ARGS], { env: { ...process.env, GOODSTART_COMPILE_CACHE: '0', GOODSTART_COMPILE_CACHE_DIR: off } });
    expect(stdout).toBe('B\n');
    expect(stderr).toBe('');
    await expect(fs.access(off)).rejects.toThrow();
  });

  it('gives a failing command the same message and exit code with cached code as without', async () => {
    const cache = path.join(dir, 'failing');
    const failing = async (): Promise<{ code: number; stderr: string }> => {
      try {
        await run(process.execPath, [BIN, 'validate', path.join(dir, 'no-such.xlsx')], { env: { ...process.env, GOODSTART_COMPILE_CACHE_DIR: cache } });
        return { code: 0, stderr: '' };
      } catch (e) {
        const err = e as { code: number; stderr: string };
        return { code: err.code, stderr: err.stderr };
      }
    };
    const first = await failing();
    expect((await fs.readdir(cache)).length).toBeGreaterThan(0);
    const second = await failing();
    expect(second).toEqual(first);
    expect(first.code).toBe(2);
    expect(first.stderr).toMatch(/no-such\.xlsx/);
  });

  it('leaves ES modules that packages load through require() to Node: goodstart template writes its workbook, cache cold and warm', async () => {
    // exceljs reaches get-intrinsic, whose async-function exports an ES module to require() ("module-sync").
    const cache = path.join(dir, 'esm');
    for (const round of ['cold', 'warm']) {
      const out = path.join(dir, `template-${round}.xlsx`);
      const made = await goodstart(cache, {}, ['template', '--out', out, '--year', '2027']);
      expect(made.stdout).toMatch(/^Wrote .*template-.*\.xlsx: the Y6\/7 transition workbook for transfer in September 2027\.\n$/);
      expect(made.compiled + made.used).toBeGreaterThan(20);
      const checked = await run(process.execPath, [BIN, 'validate', out, '--json'], { env: { ...process.env, GOODSTART_COMPILE_CACHE_DIR: cache } }).catch((e: { stdout: string }) => e);
      expect(JSON.parse(checked.stdout)).toMatchObject({ summary: { sheets: 1, rows: 0 } });
    }
  });
});
