/**
 * Regenerates the README sections that come from the layout and rule tables, so the docs
 * can never drift from the code: `npm run docs`. A test fails when the README is stale.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { columnReferenceMarkdown, ruleCatalogueMarkdown } from '../shared/transition/docs';

export const GENERATED_SECTIONS: Record<string, () => string> = {
  columns: columnReferenceMarkdown,
  rules: ruleCatalogueMarkdown,
};

/** Replaces the text between `<!-- generated:NAME -->` and `<!-- /generated:NAME -->`. */
export function renderReadme(readme: string): string {
  let out = readme;
  for (const [name, render] of Object.entries(GENERATED_SECTIONS)) {
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
    const before = await fs.readFile(README_PATH, 'utf8');
    const after = renderReadme(before);
    if (after !== before) await fs.writeFile(README_PATH, after);
    process.stdout.write(after === before ? 'README.md is up to date\n' : 'README.md updated\n');
  })().catch((e: unknown) => {
    process.stderr.write(`docs: ${(e as Error).message}\n`);
    process.exitCode = 1;
  });
}
