/**
 * Builds the Functions app's deployable package into functions/dist/ (`npm run build:functions`):
 *
 *   index.js      the whole app, functions/src/index.ts and everything it loads (shared/, xlsx/,
 *                 @azure/functions, @azure/cosmos, zod, jose, fflate, saxes...), as one minified
 *                 CommonJS file, with index.js.map beside it for stack traces
 *   exceljs.js    exceljs on its own, which index.js requires on the first workbook it writes
 *   *.LEGAL.txt   the licence comments of the bundled packages
 *   host.json     copied from functions/
 *   package.json  name, version and engines of functions/package.json, `main: index.js`, and no
 *                 dependencies: the bundle holds them all, so nothing is installed on deploy
 *
 * (design) One bundle, because resolving and reading hundreds of files in node_modules was most of
 * the cold start (issue 26: 0.65-0.78 s to load the tsc build). exceljs is required only when the
 * first workbook is written (xlsx/excelJs.ts), and in a file of its own: inside index.js, merely
 * compiling its code added about 50 ms to every cold start. External, so absent from the package:
 * - `@azure/functions-core`, which the Functions host's Node worker provides (it is on no registry);
 * - `@vercel/cosmosdb-server`, the embedded server local mode starts when COSMOS_ENDPOINT is unset
 *   (store/embedded.ts, loaded lazily); the cloud never loads it. `func start` from functions/
 *   finds it in the repository's node_modules.
 *
 * functions/package.json's `main` is `dist/index.js`, so `func start` in functions/ (host.json
 * there) runs this same bundle; the folder functions/dist/ is itself a complete Functions app.
 */
import fs from 'node:fs';
import path from 'node:path';
import { build, type Metafile, type Plugin } from 'esbuild';
import { z } from 'zod';

const ROOT = path.resolve(__dirname, '..');
export const FUNCTIONS_DIR = path.join(ROOT, 'functions');
export const DEPLOY_DIR = path.join(FUNCTIONS_DIR, 'dist');
export const BUNDLE_EXTERNALS = ['@azure/functions-core', '@vercel/cosmosdb-server'] as const;
export const EXCELJS_FILE = 'exceljs.js';
/** Node 20 is what these machines run; the Function App runs Node 22 (infra/). */
const TARGET = 'node20';

const appPackageSchema = z.object({ name: z.string(), version: z.string(), description: z.string(), license: z.string(), engines: z.record(z.string(), z.string()) });

/** The package.json deployed beside the bundle. */
export function deployedPackageJson(appPackage: z.infer<typeof appPackageSchema>): Record<string, unknown> {
  return {
    name: appPackage.name,
    version: appPackage.version,
    private: true,
    description: `${appPackage.description.split('. ')[0]}. Built by npm run build:functions: one bundle holding every dependency.`,
    license: appPackage.license,
    main: 'index.js',
    engines: appPackage.engines,
    dependencies: {},
  };
}

export interface FunctionsBuild {
  /** Bytes of every file in functions/dist/. */
  bytes: number;
  files: string[];
  /** Input bytes in the bundle by package (`(app)` for this repository's own code). */
  byPackage: Map<string, number>;
}

function packageOf(input: string): string {
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
  return m ? (m[1] as string) : '(app)';
}

function byPackage(meta: Metafile): Map<string, number> {
  const out = new Map<string, number>();
  for (const output of Object.values(meta.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) out.set(packageOf(input), (out.get(packageOf(input)) ?? 0) + bytesInOutput);
  }
  return new Map([...out].sort((a, b) => b[1] - a[1]));
}

/** index.js's require('exceljs') becomes require('./exceljs.js'), the file built beside it. */
const excelJsBeside: Plugin = {
  name: 'exceljs-beside',
  setup(b) {
    b.onResolve({ filter: /^exceljs$/ }, () => ({ path: `./${EXCELJS_FILE}`, external: true }));
  },
};

export async function buildFunctions(outDir = DEPLOY_DIR): Promise<FunctionsBuild> {
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(outDir, { recursive: true });
  const common = {
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: TARGET,
    minify: true,
    keepNames: true,
    sourcemap: 'linked',
    sourcesContent: false,
    legalComments: 'linked',
    metafile: true,
    logLevel: 'warning',
  } as const;
  const app = await build({
    ...common,
    entryPoints: [path.join(FUNCTIONS_DIR, 'src/index.ts')],
    outfile: path.join(outDir, 'index.js'),
    external: [...BUNDLE_EXTERNALS],
    plugins: [excelJsBeside],
    tsconfig: path.join(FUNCTIONS_DIR, 'tsconfig.json'),
    // embedded.ts's require.resolve of the emulator's query engine is dev-only and stays a run-time require.
    logOverride: { 'unsupported-require-call': 'silent' },
  });
  // No map for exceljs: its stack frames are a library's, and the map would be a third of the package.
  const excel = await build({ ...common, sourcemap: false, entryPoints: [require.resolve('exceljs')], outfile: path.join(outDir, EXCELJS_FILE) });
  fs.copyFileSync(path.join(FUNCTIONS_DIR, 'host.json'), path.join(outDir, 'host.json'));
  const appPackage = appPackageSchema.parse(JSON.parse(fs.readFileSync(path.join(FUNCTIONS_DIR, 'package.json'), 'utf8')));
  fs.writeFileSync(path.join(outDir, 'package.json'), `${JSON.stringify(deployedPackageJson(appPackage), null, 2)}\n`);
  const files = fs.readdirSync(outDir).sort();
  const bytes = files.reduce((sum, f) => sum + fs.statSync(path.join(outDir, f)).size, 0);
  return { bytes, files, byPackage: byPackage({ inputs: {}, outputs: { ...app.metafile.outputs, ...excel.metafile.outputs } }) };
}

if (require.main === module) {
  buildFunctions().then(
    ({ bytes, files, byPackage: packages }) => {
      const kib = (n: number) => `${(n / 1024).toFixed(0)} KiB`;
      const top = [...packages].slice(0, 6).map(([name, n]) => `${name} ${kib(n)}`).join(', ');
      console.log(`functions/dist: ${files.join(', ')}; ${kib(bytes)} in all (bundle by package: ${top}, ...)`);
    },
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : err);
      process.exitCode = 1;
    },
  );
}
