/**
 * The CLI runs the domain from shared/ and never the add-in's code: nothing under cli/, nor
 * anything it imports in turn, comes from addin/ (which may use Office.js, the DOM or React).
 */
import fs from 'node:fs';
import path from 'node:path';

const REPO = path.resolve(__dirname, '../..');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(full);
    return /\.tsx?$/.test(e.name) ? [full] : [];
  });
}

/** Relative module specifiers in `import … from`, `export … from`, `import()` and `require()`. */
function relativeImports(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const found = [...text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)['"](\.{1,2}\/[^'"]+)['"]/gm)].map((m) => m[1] ?? '');
  return found.filter((s) => s !== '');
}

/** The file a relative specifier names, as tsx and webpack resolve it. */
function resolve(from: string, spec: string): string | undefined {
  const base = path.resolve(path.dirname(from), spec.replace(/\.js$/, ''));
  return [base, `${base}.ts`, `${base}.tsx`, path.join(base, 'index.ts')].find((f) => fs.existsSync(f) && fs.statSync(f).isFile());
}

describe('the CLI and add-in code', () => {
  it('finds the imports it is looking for (a self-check of the scanner)', () => {
    const fn = path.join(REPO, 'cli/commands/fn.ts');
    expect(relativeImports(fn)).toEqual(expect.arrayContaining(['../../shared/functions/catalogue']));
  });

  it('cli/ imports nothing from addin/, directly or through the modules it imports', () => {
    const seen = new Set<string>();
    const queue = sourceFiles(path.join(REPO, 'cli'));
    const fromAddin: string[] = [];
    while (queue.length > 0) {
      const file = queue.pop() as string;
      if (seen.has(file)) continue;
      seen.add(file);
      if (path.relative(REPO, file).split(path.sep)[0] === 'addin') {
        fromAddin.push(path.relative(REPO, file));
        continue;
      }
      if (!/\.tsx?$/.test(file)) continue;
      for (const spec of relativeImports(file)) {
        const target = resolve(file, spec);
        if (target !== undefined) queue.push(target);
      }
    }
    expect(fromAddin).toEqual([]);
    expect([...seen].some((f) => f.endsWith(path.join('shared', 'functions', 'catalogue.ts')))).toBe(true);
  });
});
