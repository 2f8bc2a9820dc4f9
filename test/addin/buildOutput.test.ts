/**
 * `npm run build` writes the add-in to dist/ (production webpack, cleaning it first) and the compiled CLI to
 * dist/cli (tsc, incremental). The clean must leave dist/cli alone: it once removed the CLI's
 * JavaScript but not its build info, so the next `build:cli` emitted nothing and `goodstart` said
 * "not built yet".
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildEnvironment, parseAzdValues } from '../../scripts/buildAddin';
import { REPO } from './builtAddin';
import { jsonManifestErrors, manifestUrls, xmllint } from './manifests';

type ConfigFactory = (env: Record<string, string>, argv: { mode: string }) => { output: { clean: { keep: RegExp } } };

it("webpack's clean keeps the compiled CLI and its build info, and nothing else of an earlier build", () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const factory = require(path.join(REPO, 'webpack.config.js')) as ConfigFactory;
  const { keep } = factory({}, { mode: 'production' }).output.clean;
  expect(['cli/cli/main.js', 'cli/.tsbuildinfo', 'cli/shared/workbook/reader.js'].filter((f) => !keep.test(f))).toEqual([]);
  expect(['taskpane.js', '722.0ec89168.js', 'assets/icon-32.png', 'client/x.js', 'manifest.xml'].filter((f) => keep.test(f))).toEqual([]);
});

/**
 * The production add-in (`npm run build` runs scripts/buildAddin.ts): every setting from the
 * environment (or azd), none defaulted, and dist/ holding both manifests for that host.
 */
const PRODUCTION = {
  GOODSTART_API_URL: 'https://func-goodstart-test.azurewebsites.net/api',
  GOODSTART_AAD_CLIENT_ID: '0d6f3c1e-5b7a-4c2d-9e8f-1a2b3c4d5e6f',
  GOODSTART_AAD_AUTHORITY: 'https://login.microsoftonline.com/organizations',
  GOODSTART_API_SCOPE: 'api://0d6f3c1e-5b7a-4c2d-9e8f-1a2b3c4d5e6f/access_as_user',
  ADDIN_BASE_URL: 'https://stgoodstarttest.z33.web.core.windows.net/',
};
/** Strings only the dev sign-in picker's code holds (test/addin/devSignInBuild.test.ts lists them). */
const DEV_PICKER_MARKERS = ['/dev/token', '/dev/identities', 'Developer sign-in (local mode)'];

function buildProduction(env: Record<string, string>, outDir: string): { status: number | null; output: string } {
  // Only PATH and HOME from this process: no setting leaks in, and no azd.
  const base = { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '' };
  const r = spawnSync(process.execPath, [require.resolve('tsx/cli'), path.join(REPO, 'scripts/buildAddin.ts'), '--env', `outDir=${outDir}`], { cwd: REPO, env: { ...base, ...env }, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

describe('the production build', () => {
  it.each(Object.keys(PRODUCTION))('stops, naming %s, when it is not set', (missing) => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'addin-prod-'));
    const { [missing]: _left, ...rest } = PRODUCTION as Record<string, string>;
    const r = buildProduction(rest, out);
    fs.rmSync(out, { recursive: true, force: true });
    expect(r.status).not.toBe(0);
    expect(r.output).toContain(`${missing} is not set`);
    for (const other of Object.keys(rest)) expect(r.output).not.toContain(`${other} is not set`);
  });

  it('refuses a localhost API URL and a dev sign-in picker', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'addin-prod-'));
    const r = buildProduction({ ...PRODUCTION, GOODSTART_API_URL: 'http://localhost:7071/api' }, out);
    expect([r.status === 0, r.output.includes('GOODSTART_API_URL must be an https URL off this machine')]).toEqual([false, true]);
    const picker = buildProduction({ ...PRODUCTION, GOODSTART_DEV_SIGNIN: '1' }, out);
    fs.rmSync(out, { recursive: true, force: true });
    expect([picker.status === 0, /dev sign-in picker is for local mode only/.test(picker.output)]).toEqual([false, true]);
  });

  it('takes settings from azd env get-values where the environment has none, the environment winning', () => {
    const azd = parseAzdValues('GOODSTART_API_URL="https://from-azd.example/api"\nADDIN_BASE_URL="https://addin.from-azd.example/"\nQUOTED="a \\"b\\""\n');
    expect(azd.get('QUOTED')).toBe('a "b"');
    const env = buildEnvironment({ GOODSTART_API_URL: 'https://from-env.example/api' }, azd);
    expect([env['GOODSTART_API_URL'], env['ADDIN_BASE_URL'], env['GOODSTART_PRODUCTION']]).toEqual(['https://from-env.example/api', 'https://addin.from-azd.example/', '1']);
  });

  describe('with every setting', () => {
    let dist: string;
    beforeAll(() => {
      dist = fs.mkdtempSync(path.join(os.tmpdir(), 'addin-prod-'));
      const r = buildProduction(PRODUCTION, dist);
      if (r.status !== 0) throw new Error(r.output);
    }, 300_000);
    afterAll(() => fs.rmSync(dist, { recursive: true, force: true }));

    it('writes manifest.xml for the host: valid against the XSDs, every URL the host\'s, no localhost', () => {
      const xml = fs.readFileSync(path.join(dist, 'manifest.xml'), 'utf8');
      expect(xmllint(xml).status).toBe(0);
      expect(xml).not.toMatch(/localhost/);
      expect(xml).toContain(`<SourceLocation DefaultValue="${PRODUCTION.ADDIN_BASE_URL}taskpane.html"/>`);
      expect(xml).toContain('<AppDomain>https://stgoodstarttest.z33.web.core.windows.net</AppDomain>');
    });

    it('writes manifest.json for the host: valid against the schema, every URL the host\'s and a file in dist/, no localhost', () => {
      const text = fs.readFileSync(path.join(dist, 'manifest.json'), 'utf8');
      expect(text).not.toMatch(/localhost/);
      const manifest = JSON.parse(text) as { validDomains: string[]; icons: { color: string; outline: string } };
      expect(jsonManifestErrors(manifest)).toEqual([]);
      expect(manifest.validDomains).toEqual(['stgoodstarttest.z33.web.core.windows.net']);
      const own = manifestUrls(text).filter((u) => !u.startsWith('https://developer.microsoft.com/'));
      expect(own.length).toBeGreaterThanOrEqual(8);
      for (const url of own) {
        expect([url, url.startsWith(PRODUCTION.ADDIN_BASE_URL)]).toEqual([url, true]);
        expect([url, fs.existsSync(path.join(dist, new URL(url).pathname))]).toEqual([url, true]);
      }
      for (const icon of [manifest.icons.color, manifest.icons.outline]) expect([icon, fs.existsSync(path.join(dist, icon))]).toEqual([icon, true]);
    });

    it('bundles the API URL and the Entra settings, never localhost, and no dev sign-in picker', () => {
      const js = fs.readdirSync(dist).filter((f) => f.endsWith('.js')).map((f) => fs.readFileSync(path.join(dist, f), 'utf8')).join('\n');
      for (const value of [PRODUCTION.GOODSTART_API_URL, PRODUCTION.GOODSTART_AAD_CLIENT_ID, PRODUCTION.GOODSTART_API_SCOPE, PRODUCTION.GOODSTART_AAD_AUTHORITY]) expect([value, js.includes(value)]).toEqual([value, true]);
      expect(js).not.toContain('localhost:7071');
      for (const marker of DEV_PICKER_MARKERS) expect([marker, js.includes(marker)]).toEqual([marker, false]);
      expect(fs.readFileSync(path.join(dist, 'functions.json'), 'utf8')).toContain(`${PRODUCTION.ADDIN_BASE_URL}help.html#custom-functions`);
    });
  });
});
