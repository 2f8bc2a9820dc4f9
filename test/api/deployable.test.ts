import fs from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const fnPackage = JSON.parse(fs.readFileSync(path.join(ROOT, 'functions/package.json'), 'utf8')) as {
  main: string;
  dependencies: Record<string, string>;
  devDependencies?: Record<string, string>;
};

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return /\.ts$/.test(e.name) && !/\.d\.ts$/.test(e.name) ? [p] : [];
  });
}

/** Packages a file loads at run time (type-only imports vanish when compiled). */
function runtimePackages(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/^\s*(?:import(?!\s+type\b)[^'"]*from\s*|import\s*|export[^'"]*from\s*)['"]([^'".][^'"]*)['"]|require\(['"]([^'".][^'"]*)['"]\)/gm)) {
    const spec = (m[1] ?? m[2]) as string;
    const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : (spec.split('/')[0] as string);
    if (!builtinModules.includes(name) && !name.startsWith('node:')) out.push(name);
  }
  return out;
}

describe('the functions/ app folder', () => {
  it('declares every package its code (and the shared core and xlsx/ it compiles) loads at run time', () => {
    const declared = new Set([...Object.keys(fnPackage.dependencies), ...Object.keys(fnPackage.devDependencies ?? {})]);
    const files = ['functions/src', 'shared', 'xlsx'].flatMap((dir) => sources(path.join(ROOT, dir)));
    const missing = new Set<string>();
    for (const f of files) for (const p of runtimePackages(f)) if (!declared.has(p)) missing.add(`${p} (${path.relative(ROOT, f)})`);
    expect([...missing]).toEqual([]);
  });

  it('pins the same versions as the root package', () => {
    const root = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    for (const [name, range] of Object.entries(fnPackage.dependencies)) expect([name, range]).toEqual([name, root.dependencies[name]]);
  });

  it('names the compiled entry point as main, with host.json beside it', () => {
    expect(fnPackage.main).toBe('dist/functions/src/index.js');
    const host = JSON.parse(fs.readFileSync(path.join(ROOT, 'functions/host.json'), 'utf8')) as { version: string; extensionBundle?: { id: string } };
    expect(host.version).toBe('2.0');
    expect(host.extensionBundle?.id).toBe('Microsoft.Azure.Functions.ExtensionBundle');
  });
});
