import fs from 'node:fs';
import { README_PATH } from '../../scripts/readme';
import { CTF_LIMITS } from '../../shared/ctf/reader';
import { CTF_PREFILLED_COLUMNS } from '../../shared/ctf/prefill';
import { columnByKey } from '../../shared/transition/layout';

const readme = fs.readFileSync(README_PATH, 'utf8');
const section = readme.slice(readme.indexOf('## Prefill from your MIS'), readme.indexOf('\n## ', readme.indexOf('## Prefill from your MIS') + 1));

describe('the README on prefilling from a CTF', () => {
  it('gives the command, the size cap the reader enforces and the columns it fills', () => {
    expect(section).toContain('npx goodstart template --from-ctf primary.ctf.xml --out transition.xlsx [--year 2027]');
    expect(section).toContain(`over ${CTF_LIMITS.maxBytes / 1024 / 1024} MB`);
    const letters = CTF_PREFILLED_COLUMNS.map((k) => columnByKey(k)?.letter);
    expect(letters).toEqual(['A', 'B', 'C', 'D', 'E', 'F', 'Q', 'R', 'S']);
    expect(section).toContain('(columns A–F and Q–S)');
  });

  it('states the current-SEN rule and describes the pane flow', () => {
    expect(section).toContain('**The current SEN record wins.**');
    expect(section.replace(/\s+/g, ' ')).toContain('Needs are the `SENneed` records still open on the file\'s date (no end date, or an end date after it), in `SENtypeRank` order');
    expect(section.replace(/\s+/g, ' ')).toContain('*Prefill from MIS (CTF)* in the primary SENCo\'s view (tab *1 Sheet*, once the transition sheet exists) opens a file picker: the file is parsed in the browser and never uploaded.');
  });
});
