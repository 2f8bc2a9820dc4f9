/**
 * Making the folder the CLI writes into (xlsx/folders.ts), by the CLI and the API's local data: missing parents are made, and a folder
 * that cannot be made is one plain line naming the path at fault, at once. Node's own recursive
 * mkdir spins for ever where a parent exists but cannot hold the folder (/proc), and names a
 * parent with an error code where a file is in the way.
 */
import { execFileSync } from 'node:child_process';
import { promises as fs, existsSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FolderError, makeFolder } from '../../xlsx/folders';
import { main } from '../../cli/main';
import { capture } from '../factories/cliIo';

let dir: string;

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'goodstart-folders-'));
});

afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe('makeFolder', () => {
  it('makes a folder and its missing parents, and leaves a folder that is there as it is', async () => {
    const deep = path.join(dir, 'made', 'a', 'b');
    makeFolder(deep);
    expect((await fs.stat(deep)).isDirectory()).toBe(true);
    await fs.writeFile(path.join(deep, 'kept.txt'), 'x');
    makeFolder(deep);
    makeFolder(path.join(dir, 'made'));
    expect(await fs.readFile(path.join(deep, 'kept.txt'), 'utf8')).toBe('x');
  });

  it('names a file in the way, however deep below it the folder was asked for', async () => {
    const file = path.join(dir, 'a-file');
    await fs.writeFile(file, 'x');
    for (const asked of [file, path.join(file, 'sub'), path.join(file, 'sub', 'deeper')]) {
      expect(() => makeFolder(asked)).toThrow(new FolderError(`${file} is not a folder (a file or a link to nothing is in the way)`));
    }
  });

  it('names a link to nothing in the way', async () => {
    const link = path.join(dir, 'dangling');
    await fs.symlink(path.join(dir, 'nowhere'), link);
    expect(() => makeFolder(path.join(link, 'out'))).toThrow(new FolderError(`${link} is not a folder (a file or a link to nothing is in the way)`));
    expect(existsSync(path.join(dir, 'nowhere'))).toBe(false);
  });

  // Under /proc (Linux, as the CI) Node's own recursive mkdir never returns, and a loop in this
  // thread would stall the whole run: it is tried in a process of its own, stopped after 20 s.
  it('names a folder that exists but cannot hold a new one (/proc), and returns', () => {
    const script = `require('tsx/cjs/api').register(); try { require(${JSON.stringify(path.resolve(__dirname, '../../xlsx/folders.ts'))}).makeFolder('/proc/goodstart-no-such/out'); } catch (e) { process.stdout.write(e.name + ': ' + e.message); }`;
    const out = execFileSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 20_000 });
    expect(out).toBe('Error: the folder /proc cannot hold a new folder (goodstart-no-such)');
  });
});

describe('goodstart writing where it cannot', () => {
  it('refuses an --out below a file in one line, with exit 2, and writes nothing', async () => {
    const file = path.join(dir, 'not-a-folder.txt');
    await fs.writeFile(file, 'x');
    const io = capture();
    expect(await main(['template', '--out', path.join(file, 'template.xlsx'), '--year', '2027'], io)).toBe(2);
    expect(io.stderr()).toBe(`goodstart template: could not write ${path.join(file, 'template.xlsx')}: ${file} is not a folder (a file or a link to nothing is in the way); choose another --out\n`);
    expect(await fs.readFile(file, 'utf8')).toBe('x');
    expect((await fs.readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});
