/**
 * Regenerates the README sections that come from the layout and rule tables and the custom
 * functions' JSDoc (with the function catalogue generated from it), so the docs can never drift
 * from the code: `npm run docs`. A test fails when the README or the catalogue is stale.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { FUNCTION_CATALOGUE, type FunctionEntry } from '../shared/functions/catalogue';
import { functionReferenceMarkdown } from '../shared/functions/docs';
import { columnReferenceMarkdown, ruleCatalogueMarkdown } from '../shared/transition/docs';
import { readFunctionCatalogue, writeFunctionCatalogue } from './functionCatalogue';

/** The generated sections, given the function catalogue (fresh from the JSDoc when `npm run docs` runs). */
export const generatedSections = (catalogue: readonly FunctionEntry[]): Record<string, () => string> => ({
  columns: columnReferenceMarkdown,
  rules: ruleCatalogueMarkdown,
  functions: () => functionReferenceMarkdown(catalogue),
});

/** Replaces the text between `<!-- generated:NAME -->` and `<!-- /generated:NAME -->`. */
export function renderReadme(readme: string, catalogue: readonly FunctionEntry[] = FUNCTION_CATALOGUE): string {
  let out = readme;
  for (const [name, render] of Object.entries(generatedSections(catalogue))) {
    const start = `<!-- generated:${name} -->`;
    const end = `<!-- /generated:${name} -->`;
    const i = out.indexOf(start);
    const j = out.indexOf(end);
    if (i < 0 || j < i) throw new Error(`README.md has no ${start} … ${end} section`);
    out = `${out.slice(0, i + start.length)}\n${render().trim()}\n${out.slice(j)}`;
  }
  return out;
}

export const README_PATH = path.resolve(__dirname, '..', 'README.md');

if (require.main === module) {
  (async () => {
    const catalogue = await readFunctionCatalogue();
    if (await writeFunctionCatalogue(catalogue)) process.stdout.write('shared/functions/catalogue.generated.ts updated\n');
    const before = await fs.readFile(README_PATH, 'utf8');
    const after = renderReadme(before, catalogue);
    if (after !== before) await fs.writeFile(README_PATH, after);
    process.stdout.write(after === before ? 'README.md is up to date\n' : 'README.md updated\n');
  })().catch((e: unknown) => {
    process.stderr.write(`docs: ${(e as Error).message}\n`);
    process.exitCode = 1;
  });
}
