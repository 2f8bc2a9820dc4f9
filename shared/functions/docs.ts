/**
 * The README's custom function reference, rendered from the function catalogue (`npm run docs`),
 * which is itself generated from the JSDoc Excel shows: one text, three places.
 */
import { FUNCTION_CATALOGUE, type FunctionEntry, functionSignature } from './catalogue';

const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ').trim();

export function functionReferenceMarkdown(catalogue: readonly FunctionEntry[] = FUNCTION_CATALOGUE): string {
  const lines = ['| formula | what it gives | arguments | examples |', '|---|---|---|---|'];
  for (const f of catalogue) {
    const args = f.params.map((p) => `\`${p.name}\`${p.optional ? ' (optional)' : ''}: ${p.description}`).join('<br>');
    const examples = f.examples.map((e) => `\`${e}\``).join('<br>');
    lines.push(`| \`${functionSignature(f)}\` | ${cell(`${f.description} **Returns:** ${f.returns}`)} | ${cell(args)} | ${cell(examples)} |`);
  }
  return lines.join('\n');
}
