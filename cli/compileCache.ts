/**
 * A V8 code cache for the CLI's modules, its own and its packages'. Node 20 parses and compiles
 * every module's source at every start (its own cache, module.enableCompileCache(), comes in
 * Node 22): for `goodstart consolidate`, about 55 ms of the main thread's start went to compiling
 * (zod's 95 files the most: 27 of the 49 ms they take to load), and more in each reader thread.
 *
 * Each module is compiled as Node compiles it (its source in Node's module wrapper) with the V8
 * code last made for that same source, when there is one; V8 checks the code against its own
 * version and flags and rejects what does not fit, and a source whose checksum differs is given
 * none. The main thread writes the code of every module that had none, or had it rejected, as
 * the process exits: by then it holds the functions compiled while the command ran, not only the
 * top level. Reader threads only read. Each file is written whole under a temporary name and then
 * renamed, so a run beside it reads either the old code or the new. A cache that cannot be read
 * or written is left aside: the module compiles from source, as without one.
 *
 * Only bin/goodstart.js and the reader threads turn it on (the bench too, to time the CLI as it
 * runs); GOODSTART_COMPILE_CACHE=0 turns it off. It loads nothing but Node's own modules (and
 * xlsx/folders.ts, which loads only those).
 */
import * as fs from 'node:fs';
import Module from 'node:module';
import * as path from 'node:path';
import * as vm from 'node:vm';
import { crc32 } from 'node:zlib';
import { makeFolder } from '../xlsx/folders';

/** The cache's folder beside the compiled CLI (dist/cli/.v8-cache): built output, never in the repository. */
export const COMPILE_CACHE_DIR = path.join(__dirname, '..', '.v8-cache');

/** What a run did with the cache: modules compiled from cached code, modules compiled from source, cache files written. */
export interface CompileCacheStats {
  used: number;
  compiled: number;
  written: number;
}

interface InternalModule {
  exports: unknown;
  /** `format` (Node 20.19 and later): 'module' for an ES module loaded by require(), which Node's own _compile loads as one. */
  _compile(content: string, filename: string, format?: string): unknown;
}

interface ModuleStatics {
  prototype: InternalModule;
  wrap(source: string): string;
}

const stats: CompileCacheStats = { used: 0, compiled: 0, written: 0 };
let installed = false;

/** This run's figures (for tests and GOODSTART_COMPILE_CACHE=report). */
export function compileCacheStats(): CompileCacheStats {
  return { ...stats };
}

/**
 * Compiles every module loaded from now on with its cached code, and (with `write`) writes what
 * was missing as the process exits. Once per thread; off when GOODSTART_COMPILE_CACHE is 0.
 */
export function useCompileCache({ dir = process.env.GOODSTART_COMPILE_CACHE_DIR || COMPILE_CACHE_DIR, write }: { dir?: string; write: boolean }): void {
  const setting = process.env.GOODSTART_COMPILE_CACHE;
  if (installed || setting === '0') return;
  installed = true;
  const M = Module as unknown as ModuleStatics;
  const missing: Array<{ file: string; sum: number; script: vm.Script }> = [];

  const nodeCompile = M.prototype._compile;
  M.prototype._compile = function compileWithCache(this: InternalModule, content: string, filename: string, format?: string): unknown {
    // An ES module reached through require() (Node 20.19+ runs one; a package's "module-sync"
    // export, as get-intrinsic's async-function under exceljs, is one) is Node's to load: wrapped
    // as CommonJS, its import statements are a SyntaxError, and `goodstart template` failed on it.
    if (format !== undefined && format !== 'commonjs') return nodeCompile.call(this, content, filename, format);
    // A first line starting #! (bin scripts) is no JavaScript; Node blanks it the same way.
    const source = content.startsWith('#!') ? `//${content}` : content;
    const sum = crc32(source);
    const file = cacheFile(dir, filename);
    const cachedData = cachedCode(file, sum);
    const script = new vm.Script(M.wrap(source), { filename, cachedData, importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER });
    if (cachedData && !script.cachedDataRejected) {
      stats.used++;
    } else {
      stats.compiled++;
      if (write) missing.push({ file, sum, script });
    }
    const wrapper = script.runInThisContext({ displayErrors: true }) as (...args: unknown[]) => unknown;
    // Node's public require for a file: its resolution and module cache, as the module's own would have.
    return wrapper.call(this.exports, this.exports, Module.createRequire(filename), this, filename, path.dirname(filename));
  };

  process.on('exit', () => {
    if (missing.length > 0) writeAll(dir, missing);
    if (setting === 'report') process.stderr.write(`compile cache: ${stats.used} from cache, ${stats.compiled} from source, ${stats.written} written\n`);
  });
}

/** A module's cache file: named by its path's checksum and its name, so two modules never share one. */
function cacheFile(dir: string, filename: string): string {
  return path.join(dir, `${crc32(filename).toString(16).padStart(8, '0')}-${path.basename(filename)}.v8`);
}

/** The cached code for a source with this checksum, or undefined (none, unreadable, or made for other source). */
function cachedCode(file: string, sum: number): Buffer | undefined {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch {
    return undefined;
  }
  if (bytes.length <= 4 || bytes.readUInt32LE(0) !== sum) return undefined;
  return bytes.subarray(4);
}

function writeAll(dir: string, missing: ReadonlyArray<{ file: string; sum: number; script: vm.Script }>): void {
  try {
    makeFolder(dir);
  } catch {
    return;
  }
  for (const { file, sum, script } of missing) {
    const tmp = `${file}.${process.pid}.tmp`;
    try {
      const head = Buffer.alloc(4);
      head.writeUInt32LE(sum, 0);
      fs.writeFileSync(tmp, Buffer.concat([head, script.createCachedData()]));
      fs.renameSync(tmp, file);
      stats.written++;
    } catch {
      fs.rmSync(tmp, { force: true });
    }
  }
}
