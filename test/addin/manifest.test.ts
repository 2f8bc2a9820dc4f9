/**
 * manifest.xml: valid against the Office XSDs (offline, with the Runtimes extension), every resid
 * names a resource of the right kind, every URL it names is a file the build serves, and the
 * build's rewrites (ADDIN_BASE_URL, CF_NAMESPACE) keep it valid.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { builtAddin, REPO } from './builtAddin';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { transformManifest, transformFunctionsJson } = require('../../webpack.config.js') as {
  transformManifest: (xml: string, o: { baseUrl: string; namespace?: string }) => string;
  transformFunctionsJson: (json: string, o: { baseUrl: string }) => string;
};

const XSD = path.resolve(__dirname, '../fixtures/office-manifest-xsd/local-ext/OfficeAppManifestV1_1-with-runtimes.xsd');
const DEV_BASE = 'https://localhost:3000/';
const SOURCE = fs.readFileSync(path.join(REPO, 'manifest.xml'), 'utf8');

function xmllint(xml: string): { status: number | null; output: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'manifest-'));
  const file = path.join(dir, 'manifest.xml');
  fs.writeFileSync(file, xml);
  const r = spawnSync('xmllint', ['--nonet', '--noout', '--schema', XSD, file], { encoding: 'utf8' });
  fs.rmSync(dir, { recursive: true, force: true });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

/** Resource ids defined in <Resources>, by kind. */
function resources(xml: string): Record<'Images' | 'Urls' | 'ShortStrings' | 'LongStrings', Map<string, string>> {
  const section = (name: string): Map<string, string> => {
    const body = new RegExp(`<bt:${name}>([\\s\\S]*?)</bt:${name}>`).exec(xml)?.[1] ?? '';
    return new Map([...body.matchAll(/<bt:\w+ id="([^"]+)" DefaultValue="([^"]*)"/g)].map((m) => [m[1] ?? '', m[2] ?? '']));
  };
  return { Images: section('Images'), Urls: section('Urls'), ShortStrings: section('ShortStrings'), LongStrings: section('LongStrings') };
}

/** Which resource kind an element's resid must name. */
const KIND_OF: Record<string, keyof ReturnType<typeof resources>> = {
  Image: 'Images',
  SourceLocation: 'Urls',
  FunctionFile: 'Urls',
  Runtime: 'Urls',
  LearnMoreUrl: 'Urls',
  Label: 'ShortStrings',
  Title: 'ShortStrings',
  Namespace: 'ShortStrings',
  Description: 'LongStrings',
};

function residReferences(xml: string): { element: string; resid: string }[] {
  const withoutComments = xml.replace(/<!--[\s\S]*?-->/g, '');
  return [...withoutComments.matchAll(/<(?:\w+:)?(\w+)\b[^>]*\sresid="([^"]+)"/g)].map((m) => ({ element: m[1] ?? '', resid: m[2] ?? '' }));
}

const urlsIn = (xml: string, base: string): string[] =>
  [...xml.replace(/<!--[\s\S]*?-->/g, '').matchAll(/"(https?:\/\/[^"]+)"|>(https?:\/\/[^<]+)</g)]
    .map((m) => m[1] ?? m[2] ?? '')
    .filter((u) => u.startsWith(base.replace(/\/$/, '')));

describe('manifest.xml as committed', () => {
  test('validates against the Office manifest XSDs with Runtimes (xmllint, offline)', () => {
    const r = xmllint(SOURCE);
    expect(r.output).toMatch(/validates/);
    expect(r.status).toBe(0);
  });

  test('every resid names a defined resource of the right kind', () => {
    const defined = resources(SOURCE);
    const refs = residReferences(SOURCE);
    expect(refs.length).toBeGreaterThan(10);
    for (const { element, resid } of refs) {
      const kind = KIND_OF[element];
      expect([element, kind]).toEqual([element, expect.any(String)]);
      expect([element, resid, defined[kind as keyof typeof defined].has(resid)]).toEqual([element, resid, true]);
    }
  });

  test('one shared runtime, long-lived, used by the task pane, the function file and the custom functions page', () => {
    expect(SOURCE).toMatch(/<Runtimes>\s*<Runtime resid="Taskpane.Url" lifetime="long"\/>\s*<\/Runtimes>/);
    expect(SOURCE).toMatch(/<Page>\s*<SourceLocation resid="Taskpane.Url"\/>\s*<\/Page>/);
    expect(SOURCE).toMatch(/<FunctionFile resid="Taskpane.Url"\/>/);
    expect(SOURCE).toMatch(/<Set Name="SharedRuntime" MinVersion="1.1"\/>/);
    expect(SOURCE).toMatch(/<Set Name="CustomFunctionsRuntime" MinVersion="1.1"\/>/);
  });

  test('a task pane button on the Home tab', () => {
    expect(SOURCE).toMatch(/<OfficeTab id="TabHome">[\s\S]*<Control xsi:type="Button"[\s\S]*<Action xsi:type="ShowTaskpane">[\s\S]*<SourceLocation resid="Taskpane.Url"\/>/);
  });

  test('no <Namespace> by default, so Excel shows TOOLKIT.BAND and friends as they are', () => {
    expect(SOURCE.replace(/<!--[\s\S]*?-->/g, '')).not.toMatch(/<Namespace/);
    expect(resources(SOURCE).ShortStrings.has('Functions.Namespace')).toBe(false);
  });

  test('names only dev server URLs (https://localhost:3000/) for its own files', () => {
    const own = urlsIn(SOURCE, DEV_BASE);
    expect(own.length).toBeGreaterThanOrEqual(8);
    expect([...SOURCE.matchAll(/https?:\/\/localhost:(\d+)/g)].every((m) => m[1] === '3000')).toBe(true);
  });
});

describe('the build rewrites', () => {
  test('ADDIN_BASE_URL replaces every localhost URL and the result still validates', () => {
    const xml = transformManifest(SOURCE, { baseUrl: 'https://addin.example.org/goodstart/' });
    expect(xml).not.toMatch(/localhost/);
    expect(xml).toContain('<SourceLocation DefaultValue="https://addin.example.org/goodstart/taskpane.html"/>');
    expect(xml).toContain('<AppDomain>https://addin.example.org</AppDomain>');
    expect(xmllint(xml).status).toBe(0);
  });

  test('CF_NAMESPACE adds one <Namespace> with its string, and the result still validates', () => {
    const xml = transformManifest(SOURCE, { baseUrl: DEV_BASE, namespace: 'GS' });
    expect(xml).toContain('<Namespace resid="Functions.Namespace"/>');
    expect(resources(xml).ShortStrings.get('Functions.Namespace')).toBe('GS');
    for (const { element, resid } of residReferences(xml)) {
      expect([element, resid, resources(xml)[KIND_OF[element] ?? 'Urls'].has(resid)]).toEqual([element, resid, true]);
    }
    const r = xmllint(xml);
    expect(r.output).toMatch(/validates/);
  });

  test('ADDIN_BASE_URL moves every function\'s help URL with the add-in', () => {
    const json = JSON.stringify({ functions: [{ id: 'TOOLKIT.BAND', helpUrl: `${DEV_BASE}help.html#custom-functions` }] });
    expect(JSON.parse(transformFunctionsJson(json, { baseUrl: 'https://addin.example.org/goodstart/' }))).toEqual({
      functions: [{ id: 'TOOLKIT.BAND', helpUrl: 'https://addin.example.org/goodstart/help.html#custom-functions' }],
    });
  });

  test('a namespace that Excel would reject fails the build', () => {
    expect(() => transformManifest(SOURCE, { baseUrl: DEV_BASE, namespace: 'G S' })).toThrow(/CF_NAMESPACE/);
  });
});

describe('the built dist/', () => {
  let dist: string;
  beforeAll(async () => {
    dist = await builtAddin();
  }, 180_000);

  test('holds the manifest (valid) and every file it names', () => {
    const built = fs.readFileSync(path.join(dist, 'manifest.xml'), 'utf8');
    expect(xmllint(built).status).toBe(0);
    const urls = urlsIn(built, DEV_BASE);
    expect(urls.length).toBeGreaterThanOrEqual(8);
    for (const url of urls) {
      const rel = new URL(url).pathname.replace(/^\//, '');
      if (rel === '') continue; // the AppDomain is the origin itself
      expect([url, fs.existsSync(path.join(dist, rel))]).toEqual([url, true]);
    }
  });

  test('the icons are PNGs of the sizes the manifest claims', () => {
    for (const size of [16, 32, 64, 80]) {
      const png = fs.readFileSync(path.join(dist, `assets/icon-${size}.png`));
      expect(png.subarray(1, 4).toString('ascii')).toBe('PNG');
      expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([size, size]);
    }
  });

  test('every function\'s help URL is the README\'s custom-functions section, built as help.html', () => {
    const meta = JSON.parse(fs.readFileSync(path.join(dist, 'functions.json'), 'utf8')) as { functions: Array<{ id: string; helpUrl?: string }> };
    expect(meta.functions.length).toBe(11);
    const help = fs.readFileSync(path.join(dist, 'help.html'), 'utf8');
    for (const f of meta.functions) {
      expect(f.helpUrl).toBe(`${DEV_BASE}help.html#custom-functions`);
      expect(help).toContain(`<code>=${f.id}(`);
    }
    expect(help).toMatch(/<h2 id="?custom-functions"?>Custom functions<\/h2>/);
  });

  test('functions.json and the bundles are there', () => {
    for (const f of ['functions.json', 'functions.js', 'taskpane.js', 'taskpane.html']) expect([f, fs.existsSync(path.join(dist, f))]).toEqual([f, true]);
  });
});
