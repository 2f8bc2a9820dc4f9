/**
 * Where code may run. shared/ is the domain core the add-in runs in the browser and the
 * Functions app and CLI run in Node, so it uses nothing of Node; xlsx/ is the Node-only
 * workbook IO, and the add-in never loads it. shared/tsconfig.json has the compiler hold the
 * first line; these tests read the sources so neither line can slip unseen.
 */
import fs from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = path.posix.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(rel);
    return /\.tsx?$/.test(e.name) && !/\.d\.ts$/.test(e.name) ? [rel] : [];
  });
}

/** Every module a source names: static and type imports, re-exports, dynamic import(), require(). */
function moduleSpecifiers(text: string): string[] {
  const found = text.matchAll(/^\s*(?:import|export)\b[\w\s{},*$]*?\bfrom\s*['"]([^'"]+)['"]|^\s*import\s*['"]([^'"]+)['"]|\b(?:import|require)\s*\(\s*['"]([^'"]+)['"]\s*\)/gm);
  return [...found].map((m) => (m[1] ?? m[2] ?? m[3]) as string);
}

/** What a specifier names: a repository path (for a relative one), a Node built-in, or a package. */
type Target = { kind: 'path'; path: string } | { kind: 'builtin'; name: string } | { kind: 'package'; name: string };

function target(file: string, spec: string): Target {
  if (spec.startsWith('.')) return { kind: 'path', path: path.posix.normalize(path.posix.join(path.posix.dirname(file), spec)) };
  const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : (spec.split('/')[0] as string);
  if (spec.startsWith('node:') || builtinModules.includes(name)) return { kind: 'builtin', name: spec };
  return { kind: 'package', name };
}

const within = (p: string, dir: string) => p === dir || p.startsWith(`${dir}/`);
/** Packages that need Node to run. */
const NODE_ONLY_PACKAGES = ['exceljs'];

/** Why `file` may not load `spec`, or undefined when it may. */
function breach(file: string, spec: string): string | undefined {
  const t = target(file, spec);
  if (t.kind === 'builtin') return within(file, 'shared') || within(file, 'addin') ? 'a Node built-in' : undefined;
  if (t.kind === 'package') return NODE_ONLY_PACKAGES.includes(t.name) && (within(file, 'shared') || within(file, 'addin')) ? 'a Node-only package' : undefined;
  if (within(file, 'shared') && !within(t.path, 'shared')) return 'outside shared/';
  if (within(file, 'addin') && within(t.path, 'xlsx')) return 'the Node-only xlsx/';
  // The API's own code; what both sides need (shapes, problem types) lives in shared/api/.
  if (within(file, 'addin') && within(t.path, 'functions')) return 'the server functions/';
  return undefined;
}

function breaches(dir: string): string[] {
  return sourceFiles(dir).flatMap((file) => {
    const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
    const imports = moduleSpecifiers(text).flatMap((spec) => {
      const why = breach(file, spec);
      return why ? [`${file} imports ${spec} (${why})`] : [];
    });
    const buffer = within(file, 'shared') && /\bBuffer\b/.test(text) ? [`${file} names Buffer (Node only)`] : [];
    return [...imports, ...buffer];
  });
}

describe('the runtime-neutral core', () => {
  it('shared/ loads no Node built-in, no exceljs, nothing outside shared/, and never names Buffer', () => {
    expect(sourceFiles('shared').length).toBeGreaterThan(20);
    expect(breaches('shared')).toEqual([]);
  });

  it('addin/ loads nothing from xlsx/ or functions/, no Node built-in and no exceljs', () => {
    expect(sourceFiles('addin').length).toBeGreaterThan(5);
    expect(breaches('addin')).toEqual([]);
  });

  it('is type-checked by npm test under its own tsconfig: ES2022 and no ambient types', () => {
    const config = JSON.parse(fs.readFileSync(path.join(ROOT, 'shared/tsconfig.json'), 'utf8').replace(/^\s*\/\/.*$/gm, '')) as {
      compilerOptions: { lib: string[]; types: string[] };
    };
    expect(config.compilerOptions).toEqual({ lib: ['ES2022'], types: [] });
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts['typecheck']).toContain('tsc --noEmit -p shared/tsconfig.json');
  });
});

describe('the import scan itself', () => {
  it('finds static, type, side-effect and dynamic imports, re-exports and require()', () => {
    const text = [
      "import ExcelJS from 'exceljs';",
      "import type { TrackerEntry } from '../consolidation';",
      "import {\n  a,\n  b,\n} from './multi';",
      "import './side-effect';",
      "export { readTransitionWorkbook } from '../../xlsx/reader';",
      "export * from './all';",
      "const zlib = await import('node:zlib');",
      "const fs = require('fs');",
      "const s = 'from \"nowhere\"';",
    ].join('\n');
    expect(moduleSpecifiers(text)).toEqual(['exceljs', '../consolidation', './multi', './side-effect', '../../xlsx/reader', './all', 'node:zlib', 'fs']);
  });

  it('names each kind of breach, and lets the Node edges use Node', () => {
    expect(breach('shared/workbook/zip.ts', 'node:zlib')).toBe('a Node built-in');
    expect(breach('shared/workbook/zip.ts', 'stream')).toBe('a Node built-in');
    expect(breach('shared/workbook/zip.ts', 'exceljs')).toBe('a Node-only package');
    expect(breach('shared/workbook/zip.ts', '../../xlsx/reader')).toBe('outside shared/');
    expect(breach('shared/resourceBases/dataset.ts', '../../samples/data.json')).toBe('outside shared/');
    expect(breach('shared/resourceBases/dataset.ts', './bundled-2019-20.json')).toBeUndefined();
    expect(breach('shared/resourceBases/dataset.ts', 'zod')).toBeUndefined();
    expect(breach('addin/functions/functions.ts', '../../xlsx/template')).toBe('the Node-only xlsx/');
    expect(breach('addin/taskpane/App.tsx', 'node:fs')).toBe('a Node built-in');
    expect(breach('addin/functions/functions.ts', '../../shared/upn')).toBeUndefined();
    expect(breach('addin/api/problems.ts', '../../functions/src/http/problems')).toBe('the server functions/');
    expect(breach('addin/api/problems.ts', '../../shared/api/problems')).toBeUndefined();
    expect(breach('cli/commands/template.ts', '../../xlsx/template')).toBeUndefined();
    expect(breach('xlsx/zipGuard.ts', 'node:zlib')).toBeUndefined();
  });
});
