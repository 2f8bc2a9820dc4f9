import fs from 'node:fs';
import path from 'node:path';
import { README_PATH, renderReadme } from '../../scripts/readme';
import { TRANSITION_COLUMNS } from '../../shared/transition/layout';
import { RULES } from '../../shared/transition/rules';
import { academicYearOf, YEAR_RULE } from '../../shared/year';
import { FUNCTION_CATALOGUE, functionSignature } from '../../shared/functions/catalogue';

const readme = fs.readFileSync(README_PATH, 'utf8');

describe('the README', () => {
  it('is current with the layout and rule tables and the function catalogue (run `npm run docs` if this fails)', () => {
    expect(renderReadme(readme)).toBe(readme);
  });

  it('documents every column and every rule', () => {
    for (const c of TRANSITION_COLUMNS) expect(readme).toContain(`| ${c.letter} | \`${c.key}\` |`);
    for (const r of RULES) expect(readme).toContain(`| ${r.id} | ${r.severity} |`);
  });

  it('states the year rule once, in a Years section with examples, in the words the code refuses with', () => {
    const section = readme.slice(readme.indexOf('## Years'), readme.indexOf('\n## ', readme.indexOf('## Years') + 1));
    expect(readme.split('is the academic year that starts in September of that year')).toHaveLength(2);
    expect(section).toContain('is the academic year that starts in September of that year');
    expect(section).toContain(`\`2027\` is the\ntransfer to Year 7 in September 2027, academic year \`${academicYearOf(2027)}\``);
    expect(section).toContain(`| \`2019\`, \`2019-20\` | September 2019 | ${academicYearOf(2019)}: the bundled resource-base review, \`GET /resource-bases/2019\` |`);
    expect(section.replace(/\s+/g, ' ')).toContain(`*${YEAR_RULE}*`);
    expect(readme.match(/\]\(#years\)/g)?.length).toBeGreaterThanOrEqual(3);
  });

  it('documents every custom function with its signature and examples, including the toolkit term', () => {
    for (const f of FUNCTION_CATALOGUE) {
      expect(readme).toContain(`| \`${functionSignature(f)}\` |`);
      for (const e of f.examples) expect(readme).toContain(`\`${e}\``);
    }
    expect(readme).toContain('`=TOOLKIT.SUPPORT(band, yearGroup, [bandsGained12m], [term])`');
    expect(readme).toContain('Nursery in the autumn expects Pre-N.1');
  });

  it('gives the two set-up commands, and .ci/run runs exactly the test one', () => {
    expect(readme).toContain('npm ci && npm start');
    expect(readme).toContain('npm ci && npm test');
    const ci = fs.readFileSync(path.resolve(__dirname, '../../.ci/run'), 'utf8');
    const steps = ci.split('\n').filter((l) => l.trim() && !l.startsWith('#') && !l.startsWith('set ') && !l.startsWith('cd '));
    // After the tests, only the Bicep compile and lint, where a bicep binary is on PATH (issue 26).
    expect(steps).toEqual([
      'npm ci && npm test',
      'if command -v bicep >/dev/null 2>&1; then',
      '  bicep build infra/main.bicep --stdout >/dev/null',
      '  bicep lint infra/main.bicep',
      'fi',
    ]);
  });
});
