/**
 * `npm run build` writes the add-in to dist/ (webpack, cleaning it first) and the compiled CLI to
 * dist/cli (tsc, incremental). The clean must leave dist/cli alone: it once removed the CLI's
 * JavaScript but not its build info, so the next `build:cli` emitted nothing and `goodstart` said
 * "not built yet".
 */
import path from 'node:path';
import { REPO } from './builtAddin';

type ConfigFactory = (env: Record<string, string>, argv: { mode: string }) => { output: { clean: { keep: RegExp } } };

it("webpack's clean keeps the compiled CLI and its build info, and nothing else of an earlier build", () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const factory = require(path.join(REPO, 'webpack.config.js')) as ConfigFactory;
  const { keep } = factory({}, { mode: 'production' }).output.clean;
  expect(['cli/cli/main.js', 'cli/.tsbuildinfo', 'cli/shared/workbook/reader.js'].filter((f) => !keep.test(f))).toEqual([]);
  expect(['taskpane.js', '722.0ec89168.js', 'assets/icon-32.png', 'client/x.js', 'manifest.xml'].filter((f) => keep.test(f))).toEqual([]);
});
