import fs from 'node:fs';
import path from 'node:path';
import { README_PATH, renderReadme } from '../../scripts/readme';
import { TRANSITION_COLUMNS } from '../../shared/transition/layout';
import { RULES } from '../../shared/transition/rules';

const readme = fs.readFileSync(README_PATH, 'utf8');

describe('the README', () => {
  it('is current with the layout and rule tables (run `npm run docs` if this fails)', () => {
    expect(renderReadme(readme)).toBe(readme);
  });

  it('documents every column and every rule', () => {
    for (const c of TRANSITION_COLUMNS) expect(readme).toContain(`| ${c.letter} | \`${c.key}\` |`);
    for (const r of RULES) expect(readme).toContain(`| ${r.id} | ${r.severity} |`);
  });

  it('gives the two set-up commands, and .ci/run runs exactly the test one', () => {
    expect(readme).toContain('npm ci && npm start');
    expect(readme).toContain('npm ci && npm test');
    const ci = fs.readFileSync(path.resolve(__dirname, '../../.ci/run'), 'utf8');
    expect(ci.split('\n').filter((l) => l.trim() && !l.startsWith('#') && !l.startsWith('set ') && !l.startsWith('cd '))).toEqual(['npm ci && npm test']);
  });
});
