/**
 * manifest.xml: valid against the Office XSDs (offline, with the Runtimes extension), every resid
 * names a resource of the right kind, every URL it names is a file the build serves, and the
 * build's rewrites (ADDIN_BASE_URL, CF_NAMESPACE) keep it valid. manifest.json, the unified
 * manifest: valid against the vendored Microsoft 365 app manifest schema, the same add-in as the
 * XML one. Both declare the requirement sets the code needs (API_REQUIREMENTS).
 */
import fs from 'node:fs';
import path from 'node:path';
import { FUNCTION_CATALOGUE } from '../../shared/functions/catalogue';
import { builtAddin, REPO } from './builtAddin';
import { jsonManifestErrors, jsonRequirementSets, manifestUrls, xmlRequirementSets, xmllint } from './manifests';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { transformManifest, transformJsonManifest, transformFunctionsJson } = require('../../webpack.config.js') as {
  transformManifest: (xml: string, o: { baseUrl: string; namespace?: string }) => string;
  transformJsonManifest: (json: string, o: { baseUrl: string; namespace?: string }) => string;
  transformFunctionsJson: (json: string, o: { baseUrl: string }) => string;
};

const DEV_BASE = 'https://localhost:3000/';
const SOURCE = fs.readFileSync(path.join(REPO, 'manifest.xml'), 'utf8');
const JSON_SOURCE = fs.readFileSync(path.join(REPO, 'manifest.json'), 'utf8');

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
    expect(SOURCE).toMatch(/<Set Name="CustomFunctionsRuntime" MinVersion="1.2"\/>/);
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

/**
 * (design) The Office.js APIs the add-in calls, each with the requirement set that brings it
 * (from the `[Api set: ...]` notes in @types/office-js), found by grep over addin/. A manifest
 * must declare, for each set, the highest version the code uses, so Office installs the add-in
 * only where it works. Rows for sets above today's declarations are here so that starting to use
 * one fails this test until the manifests ask for it.
 */
const API_REQUIREMENTS: readonly { api: string; pattern: RegExp; set: string; version: string; under?: string }[] = [
  { api: 'Range.format.autofitColumns', pattern: /\.autofitColumns\(/, set: 'ExcelApi', version: '1.2' },
  { api: 'Worksheet.getUsedRangeOrNullObject', pattern: /\.getUsedRangeOrNullObject\(/, set: 'ExcelApi', version: '1.4' },
  { api: 'Range.conditionalFormats', pattern: /\.conditionalFormats\b/, set: 'ExcelApi', version: '1.6' },
  { api: 'Worksheet.freezePanes', pattern: /\.freezePanes\b/, set: 'ExcelApi', version: '1.7' },
  { api: 'Worksheet.onChanged', pattern: /\.onChanged\b/, set: 'ExcelApi', version: '1.7' },
  { api: 'Range.dataValidation', pattern: /\.dataValidation\b/, set: 'ExcelApi', version: '1.8' },
  { api: 'Excel.createWorkbook', pattern: /\bcreateWorkbook\b/, set: 'ExcelApi', version: '1.8' },
  { api: 'Worksheet.getRanges (RangeAreas)', pattern: /\.getRanges\(|\bRangeAreas\b/, set: 'ExcelApi', version: '1.9' },
  { api: 'Range.getSpecialCells', pattern: /\.getSpecialCells\(/, set: 'ExcelApi', version: '1.9' },
  { api: 'Range.getDirectPrecedents', pattern: /\.getDirectPrecedents\(/, set: 'ExcelApi', version: '1.12' },
  { api: 'Table.resize', pattern: /\.resize\(/, set: 'ExcelApi', version: '1.13' },
  { api: 'Range.getMergedAreasOrNullObject', pattern: /\.getMergedAreasOrNullObject\(/, set: 'ExcelApi', version: '1.13' },
  { api: 'Range.getDirectDependents', pattern: /\.getDirectDependents\(/, set: 'ExcelApi', version: '1.13' },
  { api: 'Worksheet.onFormulaChanged', pattern: /\.onFormulaChanged\b/, set: 'ExcelApi', version: '1.13' },
  { api: 'Range.getPrecedents', pattern: /\.getPrecedents\(/, set: 'ExcelApi', version: '1.14' },
  { api: 'Range.getDependents', pattern: /\.getDependents\(/, set: 'ExcelApi', version: '1.15' },
  { api: 'CustomFunctions.Error', pattern: /\bCustomFunctions\.Error\b/, set: 'CustomFunctionsRuntime', version: '1.2' },
  { api: "custom functions using the task pane's API client and token", pattern: /\bsharedApiClient\b|\bsharedToken\b/, set: 'SharedRuntime', version: '1.1', under: 'addin/functions' },
  { api: 'Office.addin', pattern: /\bOffice\.addin\./, set: 'SharedRuntime', version: '1.1' },
  { api: 'Office.ribbon', pattern: /\bOffice\.ribbon\./, set: 'RibbonApi', version: '1.1' },
];

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return /\.tsx?$/.test(e.name) ? [p] : [];
  });
}

const newer = (a: string, b: string): boolean => {
  const [x, y] = [a.split('.').map(Number), b.split('.').map(Number)];
  for (let i = 0; i < Math.max(x.length, y.length); i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) > (y[i] ?? 0);
  return false;
};

/** Each set the code uses, with the highest version it needs and the APIs that need it. */
function neededSets(): Map<string, { version: string; apis: string[] }> {
  const texts = new Map(sourceFiles(path.join(REPO, 'addin')).map((f) => [path.relative(REPO, f), fs.readFileSync(f, 'utf8')]));
  const needed = new Map<string, { version: string; apis: string[] }>();
  for (const row of API_REQUIREMENTS) {
    const used = [...texts].some(([file, text]) => (row.under === undefined || file.startsWith(`${row.under}/`)) && row.pattern.test(text));
    if (!used) continue;
    const was = needed.get(row.set);
    if (!was || newer(row.version, was.version)) needed.set(row.set, { version: row.version, apis: [row.api] });
    else if (was.version === row.version) was.apis.push(row.api);
  }
  return needed;
}

describe('requirement sets', () => {
  const needed = neededSets();

  test('the grep finds the APIs the sets were chosen for', () => {
    expect(needed.get('ExcelApi')).toEqual({ version: '1.13', apis: ['Table.resize'] });
    expect(needed.get('CustomFunctionsRuntime')?.version).toBe('1.2');
    expect(needed.get('SharedRuntime')?.version).toBe('1.1');
    const used = (api: string) => API_REQUIREMENTS.find((r) => r.api === api);
    for (const api of ['Worksheet.getRanges (RangeAreas)', 'Range.dataValidation', 'Excel.createWorkbook']) expect([api, used(api)?.pattern.test(fs.readFileSync(path.join(REPO, 'addin/excel/laSheets.ts'), 'utf8') + fs.readFileSync(path.join(REPO, 'addin/excel/transitionSheet.ts'), 'utf8'))]).toEqual([api, true]);
  });

  test.each([
    ['manifest.xml', () => xmlRequirementSets(SOURCE)],
    ['manifest.json', () => jsonRequirementSets(JSON.parse(JSON_SOURCE) as Parameters<typeof jsonRequirementSets>[0])],
  ])('%s declares exactly the sets the code uses, each at the version it needs', (_name, declared) => {
    expect(Object.fromEntries(declared())).toEqual(Object.fromEntries([...needed].map(([set, { version }]) => [set, version])));
  });
});

describe('manifest.json as committed', () => {
  const manifest = JSON.parse(JSON_SOURCE) as {
    id: string;
    validDomains: string[];
    extensions: { runtimes: { id: string; lifetime: string; code: { page: string; script?: string }; customFunctions?: { metadataUrl?: string; namespace?: unknown } }[]; ribbons: { tabs: { builtInTabId?: string; groups: { controls: { actionId?: string; icons: { size: number; url: string }[] }[] }[] }[] }[] }[];
  };

  test('validates against the Microsoft 365 app manifest schema it names (1.29, vendored)', () => {
    expect(JSON_SOURCE).toContain('"$schema": "https://developer.microsoft.com/json-schemas/teams/v1.29/MicrosoftTeams.schema.json"');
    expect(jsonManifestErrors(manifest)).toEqual([]);
  });

  test('the schema check fails a manifest missing what the schema requires (the check itself works)', () => {
    const { accentColor: _accent, ...without } = manifest as unknown as Record<string, unknown>;
    expect(jsonManifestErrors(without).join('\n')).toMatch(/accentColor/);
  });

  test('is the XML manifest\'s add-in: its id, one long-lived shared runtime with the task pane, the function script and metadata, and the Home tab button', () => {
    expect(manifest.id).toBe(/<Id>([^<]+)<\/Id>/.exec(SOURCE)?.[1]);
    const [runtime, ...others] = manifest.extensions[0]?.runtimes ?? [];
    expect(others).toEqual([]);
    expect(runtime).toMatchObject({ lifetime: 'long', code: { page: `${DEV_BASE}taskpane.html`, script: `${DEV_BASE}functions.js` }, customFunctions: { metadataUrl: `${DEV_BASE}functions.json` } });
    expect(runtime?.customFunctions?.namespace).toBeUndefined();
    const tab = manifest.extensions[0]?.ribbons[0]?.tabs[0];
    expect(tab?.builtInTabId).toBe('TabHome');
    expect(tab?.groups[0]?.controls[0]?.actionId).toBe('ShowTaskpane');
    expect(manifest.validDomains).toEqual(['localhost:3000']);
  });

  test('names the icons it needs, in the sizes the schema asks for', () => {
    const icons = (manifest as unknown as { icons: { color: string; outline: string } }).icons;
    for (const [file, size] of [[icons.color, 192], [icons.outline, 32]] as const) {
      const png = fs.readFileSync(path.join(REPO, 'addin', file));
      expect([file, png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([file, size, size]);
    }
  });

  test('ADDIN_BASE_URL moves every URL and validDomains, CF_NAMESPACE adds the namespace, and it stays valid', () => {
    const moved = transformJsonManifest(JSON_SOURCE, { baseUrl: 'https://addin.example.org/goodstart/', namespace: 'GS' });
    expect(moved).not.toMatch(/localhost/);
    const parsed = JSON.parse(moved) as typeof manifest;
    expect(parsed.validDomains).toEqual(['addin.example.org']);
    expect(parsed.extensions[0]?.runtimes[0]?.customFunctions).toEqual({ metadataUrl: 'https://addin.example.org/goodstart/functions.json', namespace: { id: 'GS', name: 'GS' } });
    expect(jsonManifestErrors(parsed)).toEqual([]);
    expect(() => transformJsonManifest(JSON_SOURCE, { baseUrl: DEV_BASE, namespace: 'G S' })).toThrow(/CF_NAMESPACE/);
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
    // Every function in the catalogue the JSDoc generates, no more (13 since the toolkit history functions).
    expect(meta.functions.map((f) => f.id).sort()).toEqual(FUNCTION_CATALOGUE.map((f) => f.id).sort());
    const help = fs.readFileSync(path.join(dist, 'help.html'), 'utf8');
    for (const f of meta.functions) {
      expect(f.helpUrl).toBe(`${DEV_BASE}help.html#custom-functions`);
      expect(help).toContain(`<code>=${f.id}(`);
    }
    expect(help).toMatch(/<h2 id="?custom-functions"?>Custom functions<\/h2>/);
  });

  test('holds manifest.json (valid) and every file it names', () => {
    const text = fs.readFileSync(path.join(dist, 'manifest.json'), 'utf8');
    expect(jsonManifestErrors(JSON.parse(text))).toEqual([]);
    const urls = manifestUrls(text).filter((u) => u.startsWith(DEV_BASE) && !u.includes('#'));
    expect(urls.length).toBeGreaterThanOrEqual(8);
    for (const url of urls) expect([url, fs.existsSync(path.join(dist, new URL(url).pathname))]).toEqual([url, true]);
    const { icons } = JSON.parse(text) as { icons: { color: string; outline: string } };
    for (const icon of [icons.color, icons.outline]) expect([icon, fs.existsSync(path.join(dist, icon))]).toEqual([icon, true]);
  });

  test('functions.json and the bundles are there', () => {
    for (const f of ['functions.json', 'functions.js', 'taskpane.js', 'taskpane.html']) expect([f, fs.existsSync(path.join(dist, f))]).toEqual([f, true]);
  });
});
