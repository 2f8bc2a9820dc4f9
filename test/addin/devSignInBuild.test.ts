/**
 * The dev sign-in picker is in a bundle only when GOODSTART_DEV_SIGNIN asks for it: a production
 * build (`npm run build`'s defaults) holds none of its code, not even as an unloaded chunk.
 *
 * Checked twice: on the add-in's own production build (test/addin/builtAddin.ts), and on the
 * auth room alone built with the same webpack settings, with and without the setting, so the
 * check still means something while no page calls startAuth.
 */
import fs from 'node:fs';
import path from 'node:path';
import webpack from 'webpack';
import { builtAddin, REPO } from './builtAddin';

// Each webpack build takes most of a minute on two busy cores: room enough for three.
jest.setTimeout(300_000);

/** Strings only the dev picker's token source (addin/auth/devSignIn.ts) contains. */
const DEV_PICKER_STRINGS = ['/dev/token', '/dev/identities', 'the dev sign-in needs a choice'];
/** Strings only the dev picker's view (addin/taskpane/DevPicker.tsx) contains. */
const DEV_PICKER_VIEW_STRINGS = ['Developer sign-in (local mode)', 'Local test identities only.'];

function bundledJs(dir: string): string {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.js'))
    .map((f) => fs.readFileSync(path.join(dir, f), 'utf8'))
    .join('\n');
}

type ConfigFactory = (env: Record<string, unknown>, argv: { mode: string }) => webpack.Configuration;

/** addin/auth/index.ts as a library, with webpack.config.js's loader, resolution and build constants. */
async function buildAuthRoom(devSignIn: boolean): Promise<string> {
  const out = path.join(REPO, `.local/auth-room-build-${devSignIn ? 'dev' : 'prod'}`);
  const factory = require(path.join(REPO, 'webpack.config.js')) as ConfigFactory;
  const base = factory({ outDir: out, devSignIn: devSignIn ? '1' : '0' }, { mode: 'production' });
  const config: webpack.Configuration = {
    ...base,
    devtool: false,
    entry: { auth: './addin/auth/index.ts' },
    output: { ...base.output, library: { type: 'commonjs2' } },
    plugins: (base.plugins ?? []).filter((p) => p instanceof webpack.DefinePlugin),
  };
  await new Promise<void>((resolve, reject) =>
    webpack(config, (error, stats) => {
      if (error) return reject(error);
      if (stats?.hasErrors()) return reject(new Error(stats.toString('errors-only')));
      resolve();
    }),
  );
  return out;
}

describe('the dev sign-in in the build', () => {
  test("the add-in's production build has no dev picker code, and has the sign-in dialog pages", async () => {
    const dist = await builtAddin();
    expect([...DEV_PICKER_STRINGS, ...DEV_PICKER_VIEW_STRINGS].filter((s) => bundledJs(dist).includes(s))).toEqual([]);
    expect(['signin.html', 'signin.js', 'signin-redirect.html', 'signin-redirect.js'].filter((f) => !fs.existsSync(path.join(dist, f)))).toEqual([]);
  });

  test('signs in at the organizations authority unless told otherwise: work and school accounts of any tenant, never /common', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const factory = require('../../webpack.config.js') as (env: Record<string, unknown>, argv: { mode: string }) => Array<{ plugins?: unknown[] }> | { plugins?: unknown[] };
    const configs = [factory({}, { mode: 'production' })].flat();
    const defined: Array<Record<string, unknown>> = configs.flatMap((c) => c.plugins ?? []).flatMap((p) => { const d = (p as { definitions?: Record<string, unknown> }).definitions; return d ? [d] : []; });
    const authorities = defined.map((d) => d['GOODSTART_AAD_AUTHORITY']).filter((a) => a !== undefined);
    expect(authorities.length).toBeGreaterThan(0);
    for (const a of authorities) expect(a).toBe(JSON.stringify('https://login.microsoftonline.com/organizations'));
  });

  test('the dev sign-in build (npm start, the browser tests) has the picker and its view', async () => {
    const js = bundledJs(await builtAddin({ devSignIn: true }));
    expect([...DEV_PICKER_STRINGS, ...DEV_PICKER_VIEW_STRINGS].filter((s) => !js.includes(s))).toEqual([]);
  });

  test('built without the setting, the auth room has no dev picker code; with it, it has', async () => {
    const without = bundledJs(await buildAuthRoom(false));
    const withPicker = bundledJs(await buildAuthRoom(true));
    expect(DEV_PICKER_STRINGS.filter((s) => without.includes(s))).toEqual([]);
    expect(DEV_PICKER_STRINGS.filter((s) => withPicker.includes(s))).toEqual(DEV_PICKER_STRINGS);
  });
});
