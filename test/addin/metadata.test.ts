import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateCustomFunctionsMetadata } from 'custom-functions-metadata/lib/generate';

const FUNCTIONS = path.resolve(__dirname, '../../addin/functions/functions.ts');

describe('functions.json from the JSDoc (custom-functions-metadata, as the build runs it)', () => {
  it('generates metadata for every function in functions.ts with no errors', async () => {
    const result = await generateCustomFunctionsMetadata(FUNCTIONS, false);
    expect(result.errors).toEqual([]);
    const ids = (JSON.parse(result.metadataJson) as { functions: Array<{ id: string; helpUrl?: string; description?: string }> }).functions;
    expect(ids.map((f) => f.id).sort()).toEqual([
      'RB.COSTPERPLACE', 'RB.COSTPERPLACERANGE', 'RB.PLACES', 'RB.SUFFICIENCY',
      'SEND.NEEDAREA', 'SEND.UPNCHECK', 'SEND.UPNLETTER',
      'TOOLKIT.BAND', 'TOOLKIT.GAP', 'TOOLKIT.GROUPPROGRESS', 'TOOLKIT.PROGRESS', 'TOOLKIT.SUPPORT', 'TOOLKIT.TREND',
    ]);
    for (const f of ids) {
      expect(f.description?.length ?? 0).toBeGreaterThan(20);
      // The README's section, served with the add-in as help.html.
      expect(f.helpUrl).toBe('https://localhost:3000/help.html#custom-functions');
    }
  });

  it('reports bad JSDoc as errors, which the webpack plugin turns into a failed build', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'goodstart-cf-'));
    const bad = path.join(dir, 'bad.ts');
    fs.writeFileSync(bad, [
      '/**',
      ' * A function whose id Excel cannot accept.',
      ' * @customfunction TOOLKIT BAND!',
      ' * @param value a value',
      ' */',
      'export function bad(value: number): number { return value; }',
      '',
    ].join('\n'));
    try {
      const result = await generateCustomFunctionsMetadata(bad, false);
      expect(result.errors.length).toBeGreaterThan(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
