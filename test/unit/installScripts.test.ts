/**
 * Install scripts are reviewed, one by one, in package.json's allowScripts: npm 11 runs an
 * unlisted dependency's script with a warning, npm 12 skips it. A dependency that brings a new
 * install script fails here until someone reads what it runs and approves or denies it
 * (`npm install-scripts approve|deny <package>`).
 */
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

type Manifest = { name?: string; scripts?: Record<string, string> };

/** Every installed package (nested node_modules too) that npm would run an install script for. */
function packagesWithInstallScripts(modules: string): Map<string, string> {
  const found = new Map<string, string>();
  const visit = (dir: string): void => {
    if (!fs.existsSync(dir)) return;
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
      const at = path.join(dir, entry.name);
      if (entry.name.startsWith('@')) {
        visit(at);
        continue;
      }
      const manifestFile = path.join(at, 'package.json');
      if (!fs.existsSync(manifestFile)) continue;
      const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as Manifest;
      const scripts = manifest.scripts ?? {};
      const script = scripts['preinstall'] ?? scripts['install'] ?? scripts['postinstall'];
      // npm runs node-gyp for a package with a binding.gyp and no install script of its own.
      const implicit = script === undefined && fs.existsSync(path.join(at, 'binding.gyp')) ? 'node-gyp rebuild' : undefined;
      if (manifest.name && (script ?? implicit)) found.set(manifest.name, (script ?? implicit) as string);
      visit(path.join(at, 'node_modules'));
    }
  };
  visit(modules);
  return found;
}

const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { allowScripts?: Record<string, boolean> };
const reviewed = new Set(Object.keys(pkg.allowScripts ?? {}).map((key) => key.replace(/(.)@.*$/, '$1')));

describe('install scripts', () => {
  const withScripts = packagesWithInstallScripts(path.join(ROOT, 'node_modules'));

  it('finds the ones the lockfile brings (the scan itself works)', () => {
    expect(withScripts.get('esbuild')).toMatch(/install/);
  });

  it('has each one approved or denied in package.json allowScripts', () => {
    const unreviewed = [...withScripts].filter(([name]) => !reviewed.has(name)).map(([name, script]) => `${name} (${script})`);
    expect(unreviewed).toEqual([]);
  });

  it('keeps no entry for a package that no longer runs one', () => {
    expect([...reviewed].filter((name) => !withScripts.has(name))).toEqual([]);
  });
});
