/**
 * The add-in build: `npm run build` (production) writes dist/ with
 *   taskpane.html + taskpane.js   the shared-runtime page: task pane UI, and the custom functions
 *   functions.js                  the custom functions alone (manifest <Script>; the browser test)
 *   signin.html + signin.js       the Office dialog sign-in page, for hosts without nested app auth
 *   signin-redirect.html (+ .js)  MSAL v5's redirect bridge: the redirect URI signin.html's flow uses
 *   functions.json                generated from the JSDoc by custom-functions-metadata-plugin;
 *                                 help URLs rewritten to ADDIN_BASE_URL like the manifest's
 *   help.html                     README.md as a page: each function's @helpurl opens its section
 *   manifest.xml                  https://localhost:3000/ rewritten to ADDIN_BASE_URL
 *   manifest.json                 the unified JSON manifest (Microsoft 365 app manifest 1.29, for the
 *                                 admin centre's Integrated apps), rewritten the same way
 *   assets/icon-{16,32,64,80}.png, assets/icon-color-192.png, assets/icon-outline-32.png
 *
 * Production (`npm run build`, which runs scripts/buildAddin.ts; or `--env production`, or
 * GOODSTART_PRODUCTION=1): every setting in PRODUCTION_SETTINGS must be set, and the build stops
 * naming each one that is not; the dev sign-in picker cannot be bundled. Without it, the committed
 * dev defaults below apply (the dev server and the test builds).
 *
 * Settings (environment):
 *   ADDIN_BASE_URL     where dist/ is hosted, e.g. https://addin.example.org/goodstart/ (default: the dev server)
 *   GOODSTART_API_URL  the API base, e.g. https://goodstart-api.azurewebsites.net/api (default http://localhost:7071/api)
 *   CF_NAMESPACE       optional custom functions namespace, e.g. GS → GS.TOOLKIT.BAND; unset, Excel shows
 *                      the ids as they are (TOOLKIT.BAND), which is what the README documents
 *   GOODSTART_AAD_CLIENT_ID   the add-in's Entra app (client) id, for MSAL nested app auth (default: none,
 *                             and signing in says so). Register the SPA redirect URIs
 *                             brk-multihub://<add-in domain> (NAA) and <ADDIN_BASE_URL>signin-redirect.html (dialog)
 *   GOODSTART_AAD_AUTHORITY   default https://login.microsoftonline.com/organizations: work and school
 *                             accounts from any tenant on the LA's allow-list (issue 25), no personal accounts
 *   GOODSTART_API_SCOPE       the API's delegated scope, e.g. api://<api client id>/access_as_user
 *   GOODSTART_DEV_SIGNIN      1 or 0: bundle the dev sign-in picker (local mode only). Default: on for the
 *                             dev server (development mode), off for `npm run build`; a production bundle
 *                             without it holds none of its code
 * `--env outDir=/some/dir` builds elsewhere (the browser test does); `--env devSignIn` turns the dev
 * sign-in on for that build.
 */
const path = require('node:path');
const webpack = require('webpack');
const HtmlWebpackPlugin = require('html-webpack-plugin');
const CopyWebpackPlugin = require('copy-webpack-plugin');
const CustomFunctionsMetadataPlugin = require('custom-functions-metadata-plugin');

const DEV_BASE_URL = 'https://localhost:3000/';
const FUNCTIONS_SOURCE = path.resolve(__dirname, 'addin/functions/functions.ts');

const SIGN_IN_REDIRECT_HTML = '<!doctype html><html lang="en-GB"><head><meta charset="utf-8"><title>Good Start: signing in</title></head><body><p>Signing in to Good Start…</p></body></html>';

const withSlash = (url) => (url.endsWith('/') ? url : `${url}/`);

/** What a production build needs, each with what it is; none has a default there. */
const PRODUCTION_SETTINGS = {
  GOODSTART_API_URL: 'the API base, e.g. https://<function app>.azurewebsites.net/api',
  GOODSTART_AAD_CLIENT_ID: "the add-in's Entra app (client) id",
  GOODSTART_AAD_AUTHORITY: 'the Entra authority, e.g. https://login.microsoftonline.com/organizations',
  GOODSTART_API_SCOPE: "the API's delegated scope, e.g. api://<api client id>/access_as_user",
  ADDIN_BASE_URL: 'where dist/ is hosted, e.g. https://<storage account>.z33.web.core.windows.net/',
};

/**
 * The production settings from `environment`, or an error naming every one missing (or not an
 * https URL off loopback, for the three URLs): a production add-in must never call localhost.
 */
function productionSettings(environment) {
  const problems = [];
  for (const [name, what] of Object.entries(PRODUCTION_SETTINGS)) {
    const value = (environment[name] || '').trim();
    if (!value) {
      problems.push(`${name} is not set: ${what}`);
      continue;
    }
    if (name === 'GOODSTART_AAD_CLIENT_ID' || name === 'GOODSTART_API_SCOPE') continue;
    let url;
    try {
      url = new URL(value);
    } catch {
      problems.push(`${name} is not a URL: "${value}"`);
      continue;
    }
    if (url.protocol !== 'https:' || /^(localhost|127\.|\[::1\])/.test(url.hostname)) problems.push(`${name} must be an https URL off this machine; got "${value}"`);
  }
  if (problems.length > 0) throw new Error(`The production build needs these settings (from the environment or \`azd env get-values\`):\n  ${problems.join('\n  ')}`);
  return Object.fromEntries(Object.keys(PRODUCTION_SETTINGS).map((name) => [name, environment[name].trim()]));
}

/** The manifest as served from `baseUrl`, with a `<Namespace>` only when one is asked for. */
function transformManifest(xml, { baseUrl, namespace }) {
  // Full URLs take the base with its path; the bare origin (AppDomain) takes the origin.
  let out = xml.split(DEV_BASE_URL).join(baseUrl).split(DEV_BASE_URL.replace(/\/$/, '')).join(new URL(baseUrl).origin);
  if (namespace) {
    if (!/^[A-Za-z][A-Za-z0-9]{0,31}$/.test(namespace)) throw new Error(`CF_NAMESPACE must be letters and digits; got "${namespace}"`);
    out = out
      .replace('<!-- CF_NAMESPACE -->', '<Namespace resid="Functions.Namespace"/>')
      .replace('<!-- CF_NAMESPACE_STRING -->', `<bt:String id="Functions.Namespace" DefaultValue="${namespace}"/>`);
  }
  return out;
}

/**
 * The unified JSON manifest as served from `baseUrl`: every dev URL moved, validDomains the
 * add-in's host, and the custom functions' namespace when one is asked for.
 */
function transformJsonManifest(json, { baseUrl, namespace }) {
  const manifest = JSON.parse(json.split(DEV_BASE_URL).join(baseUrl));
  manifest.validDomains = [new URL(baseUrl).host];
  if (namespace) {
    if (!/^[A-Za-z][A-Za-z0-9]{0,31}$/.test(namespace)) throw new Error(`CF_NAMESPACE must be letters and digits; got "${namespace}"`);
    for (const runtime of manifest.extensions[0].runtimes) if (runtime.customFunctions) runtime.customFunctions.namespace = { id: namespace, name: namespace };
  }
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

/** functions.json as served from `baseUrl`: each function's help URL names the add-in's own help page. */
function transformFunctionsJson(json, { baseUrl }) {
  return json.split(DEV_BASE_URL).join(baseUrl);
}

/** Applies transformFunctionsJson to the metadata plugin's functions.json asset. */
class RewriteFunctionsJson {
  constructor(baseUrl) {
    this.baseUrl = baseUrl;
  }

  apply(compiler) {
    compiler.hooks.thisCompilation.tap('RewriteFunctionsJson', (compilation) => {
      compilation.hooks.processAssets.tap({ name: 'RewriteFunctionsJson', stage: webpack.Compilation.PROCESS_ASSETS_STAGE_ADDITIONS }, (assets) => {
        const asset = assets['functions.json'];
        if (!asset) return;
        const rewritten = transformFunctionsJson(asset.source().toString(), { baseUrl: this.baseUrl });
        compilation.updateAsset('functions.json', new webpack.sources.RawSource(rewritten));
      });
    });
  }
}

/** A heading's anchor as GitHub makes it: "Custom functions" → "custom-functions". */
function slug(text) {
  return text.toLowerCase().replace(/<[^>]+>/g, '').replace(/[^a-z0-9 _-]/g, '').trim().replace(/ /g, '-');
}

/**
 * help.html: the README rendered as one page and served with the add-in, so each custom
 * function's @helpurl (…/help.html#custom-functions) opens the README's own section.
 */
function renderHelpPage(markdown) {
  const { Marked } = require('marked');
  const marked = new Marked({
    renderer: {
      heading({ tokens, depth }) {
        const html = this.parser.parseInline(tokens);
        return `<h${depth} id="${slug(html)}">${html}</h${depth}>\n`;
      },
    },
  });
  // The generated-section markers are HTML comments; they render as nothing.
  const body = marked.parse(markdown);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Good Start: guide</title>
<style>
  body { font-family: "Segoe UI", system-ui, sans-serif; max-width: 60rem; margin: 0 auto; padding: 1rem 1.25rem 3rem; line-height: 1.5; color: #242424; }
  code, pre { font-family: Consolas, "Courier New", monospace; font-size: 0.9em; background: #f3f3f3; }
  pre { padding: 0.75rem; overflow-x: auto; }
  table { border-collapse: collapse; display: block; overflow-x: auto; margin: 1rem 0; }
  th, td { border: 1px solid #d1d1d1; padding: 0.3rem 0.5rem; vertical-align: top; text-align: left; }
  th { background: #f5f5f5; }
  h1, h2, h3 { line-height: 1.25; }
  :target { scroll-margin-top: 1rem; background: #fff8d6; }
</style>
</head>
<body>
${body}</body>
</html>
`;
}

/** Emits help.html from README.md, and rebuilds it when the README changes. */
class HelpPage {
  apply(compiler) {
    const readme = path.resolve(__dirname, 'README.md');
    compiler.hooks.thisCompilation.tap('HelpPage', (compilation) => {
      compilation.fileDependencies.add(readme);
      compilation.hooks.processAssets.tap({ name: 'HelpPage', stage: webpack.Compilation.PROCESS_ASSETS_STAGE_ADDITIONAL }, () => {
        const html = renderHelpPage(require('node:fs').readFileSync(readme, 'utf8'));
        compilation.emitAsset('help.html', new webpack.sources.RawSource(html));
      });
    });
  }
}

module.exports = (env = {}, argv = {}) => {
  const mode = argv.mode ?? env.mode ?? 'development';
  const dev = mode !== 'production';
  const flag = (v) => v === '1' || v === 'true';
  const production = env.production === true || flag(String(env.production)) || flag(process.env.GOODSTART_PRODUCTION);
  // The committed dev defaults apply only outside a production build; there, every setting is required.
  const settings = production
    ? productionSettings(process.env)
    : {
        ADDIN_BASE_URL: process.env.ADDIN_BASE_URL || DEV_BASE_URL,
        GOODSTART_API_URL: process.env.GOODSTART_API_URL || 'http://localhost:7071/api',
        GOODSTART_AAD_CLIENT_ID: process.env.GOODSTART_AAD_CLIENT_ID || '',
        GOODSTART_AAD_AUTHORITY: process.env.GOODSTART_AAD_AUTHORITY || 'https://login.microsoftonline.com/organizations',
        GOODSTART_API_SCOPE: process.env.GOODSTART_API_SCOPE || '',
      };
  if (production && dev) throw new Error('A production build is built with --mode production');
  const baseUrl = withSlash(settings.ADDIN_BASE_URL);
  const apiUrl = settings.GOODSTART_API_URL;
  const namespace = (process.env.CF_NAMESPACE || '').trim();
  const devSignIn = env.devSignIn !== undefined ? env.devSignIn === true || flag(String(env.devSignIn)) : process.env.GOODSTART_DEV_SIGNIN !== undefined ? flag(process.env.GOODSTART_DEV_SIGNIN) : dev;
  if (production && devSignIn) throw new Error('The dev sign-in picker is for local mode only; a production build cannot bundle it (unset GOODSTART_DEV_SIGNIN)');
  const outDir = env.outDir ? path.resolve(env.outDir) : path.resolve(__dirname, 'dist');

  return {
    mode,
    context: __dirname,
    devtool: dev ? 'eval-source-map' : 'source-map',
    entry: {
      taskpane: './addin/taskpane/index.tsx',
      functions: './addin/functions/entry.ts',
      signin: './addin/auth/signinPage.ts',
      'signin-redirect': './addin/auth/signinRedirect.ts',
    },
    output: {
      path: outDir,
      filename: '[name].js',
      chunkFilename: '[name].[contenthash:8].js',
      publicPath: 'auto',
      // dist/ is the add-in's, except dist/cli: the compiled CLI (`npm run build:cli`), whose
      // incremental build info would otherwise survive the clean and claim its files are there.
      clean: { keep: /^cli[\\/]/ },
    },
    // extensionAlias: a dynamic import() under node16 resolution names the .js the .ts becomes.
    resolve: { extensions: ['.ts', '.tsx', '.js', '.json'], extensionAlias: { '.js': ['.ts', '.tsx', '.js'] } },
    module: {
      rules: [
        {
          test: /\.tsx?$/,
          exclude: /node_modules/,
          use: {
            loader: 'ts-loader',
            options: {
              configFile: path.resolve(__dirname, 'tsconfig.json'),
              // Types are checked by `npm run typecheck`; the bundle only needs transpiling.
              transpileOnly: true,
              compilerOptions: { noEmit: false, module: 'esnext', moduleResolution: 'bundler', target: 'es2020', sourceMap: true },
            },
          },
        },
      ],
    },
    plugins: [
      new CustomFunctionsMetadataPlugin({ output: 'functions.json', input: FUNCTIONS_SOURCE }),
      new RewriteFunctionsJson(baseUrl),
      new HelpPage(),
      new webpack.DefinePlugin({
        GOODSTART_API_URL: JSON.stringify(apiUrl),
        GOODSTART_AAD_CLIENT_ID: JSON.stringify(settings.GOODSTART_AAD_CLIENT_ID),
        GOODSTART_AAD_AUTHORITY: JSON.stringify(settings.GOODSTART_AAD_AUTHORITY),
        GOODSTART_API_SCOPE: JSON.stringify(settings.GOODSTART_API_SCOPE),
        // A literal true/false, so `if (GOODSTART_DEV_SIGNIN)` is decided at build time and the dev picker's import dropped.
        GOODSTART_DEV_SIGNIN: JSON.stringify(devSignIn),
      }),
      new HtmlWebpackPlugin({ filename: 'taskpane.html', template: './addin/taskpane.html', chunks: ['taskpane'] }),
      new HtmlWebpackPlugin({ filename: 'signin.html', template: './addin/signin.html', chunks: ['signin'] }),
      // The redirect bridge runs before Office.js matters: no office.js, nothing but the bridge.
      new HtmlWebpackPlugin({ filename: 'signin-redirect.html', templateContent: SIGN_IN_REDIRECT_HTML, chunks: ['signin-redirect'] }),
      new CopyWebpackPlugin({
        patterns: [
          { from: 'addin/assets/*.png', to: 'assets/[name][ext]' },
          {
            from: 'manifest.xml',
            to: 'manifest.xml',
            transform: { transformer: (content) => Buffer.from(transformManifest(content.toString(), { baseUrl, namespace })), cache: false },
          },
          {
            from: 'manifest.json',
            to: 'manifest.json',
            transform: { transformer: (content) => Buffer.from(transformJsonManifest(content.toString(), { baseUrl, namespace })), cache: false },
          },
        ],
      }),
    ],
    performance: { hints: false },
    devServer: {
      port: 3000,
      host: 'localhost',
      hot: false,
      headers: { 'Access-Control-Allow-Origin': '*' },
      static: false,
      devMiddleware: { writeToDisk: false },
    },
  };
};

module.exports.transformManifest = transformManifest;
module.exports.transformJsonManifest = transformJsonManifest;
module.exports.productionSettings = productionSettings;
module.exports.PRODUCTION_SETTINGS = PRODUCTION_SETTINGS;
module.exports.transformFunctionsJson = transformFunctionsJson;
module.exports.renderHelpPage = renderHelpPage;
