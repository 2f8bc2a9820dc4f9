/**
 * The add-in build: `npm run build` (production) writes dist/ with
 *   taskpane.html + taskpane.js   the shared-runtime page: task pane UI, and the custom functions
 *   functions.js                  the custom functions alone (manifest <Script>; the browser test)
 *   functions.json                generated from the JSDoc by custom-functions-metadata-plugin
 *   manifest.xml                  https://localhost:3000/ rewritten to ADDIN_BASE_URL
 *   assets/icon-{16,32,64,80}.png
 *
 * Settings (environment):
 *   ADDIN_BASE_URL     where dist/ is hosted, e.g. https://addin.example.org/goodstart/ (default: the dev server)
 *   GOODSTART_API_URL  the API base, e.g. https://goodstart-api.azurewebsites.net/api (default http://localhost:7071/api)
 *   CF_NAMESPACE       optional custom functions namespace, e.g. GS → GS.TOOLKIT.BAND; unset, Excel shows
 *                      the ids as they are (TOOLKIT.BAND), which is what the README documents
 * `--env outDir=/some/dir` builds elsewhere (the browser test does).
 */
const path = require('node:path');
const webpack = require('webpack');
const HtmlWebpackPlugin = require('html-webpack-plugin');
const CopyWebpackPlugin = require('copy-webpack-plugin');
const CustomFunctionsMetadataPlugin = require('custom-functions-metadata-plugin');

const DEV_BASE_URL = 'https://localhost:3000/';
const FUNCTIONS_SOURCE = path.resolve(__dirname, 'addin/functions/functions.ts');

const withSlash = (url) => (url.endsWith('/') ? url : `${url}/`);

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

module.exports = (env = {}, argv = {}) => {
  const mode = argv.mode ?? env.mode ?? 'development';
  const dev = mode !== 'production';
  const baseUrl = withSlash(process.env.ADDIN_BASE_URL || DEV_BASE_URL);
  const apiUrl = process.env.GOODSTART_API_URL || 'http://localhost:7071/api';
  const namespace = (process.env.CF_NAMESPACE || '').trim();
  const outDir = env.outDir ? path.resolve(env.outDir) : path.resolve(__dirname, 'dist');

  return {
    mode,
    context: __dirname,
    devtool: dev ? 'eval-source-map' : 'source-map',
    entry: {
      taskpane: './addin/taskpane/index.tsx',
      functions: './addin/functions/entry.ts',
    },
    output: {
      path: outDir,
      filename: '[name].js',
      chunkFilename: '[name].[contenthash:8].js',
      publicPath: 'auto',
      clean: true,
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
      new webpack.DefinePlugin({ GOODSTART_API_URL: JSON.stringify(apiUrl) }),
      new HtmlWebpackPlugin({ filename: 'taskpane.html', template: './addin/taskpane.html', chunks: ['taskpane'] }),
      new CopyWebpackPlugin({
        patterns: [
          { from: 'addin/assets/*.png', to: 'assets/[name][ext]' },
          {
            from: 'manifest.xml',
            to: 'manifest.xml',
            transform: { transformer: (content) => Buffer.from(transformManifest(content.toString(), { baseUrl, namespace })), cache: false },
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
