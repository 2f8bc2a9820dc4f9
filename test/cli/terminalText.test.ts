/**
 * goodstart prints text it did not write (a sheet's name, a school's explanation, an argument
 * echoed in a message) with controls and bidirectional characters shown as <U+XXXX>, so a
 * right-to-left override or an escape sequence cannot rearrange or forge what the user reads.
 * (The CTF's school name: test/cli/ctf.test.ts.)
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../cli/main';
import { capture } from '../factories/cliIo';
import { writeTransitionWorkbook } from '../../xlsx/template';
import { TRANSFER_YEAR, row, sheet } from '../factories/transition';

/** Any character that would act on the terminal rather than show. */
const ACTS_ON_TERMINAL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

let dir: string;
beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'goodstart-terminal-'));
});
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

it('validate shows a sheet name and an explanation with their overrides and controls visible', async () => {
  const file = path.join(dir, 'bidi.xlsx');
  const sheets = [sheet([row(1, { attendance: 80 })]), { ...sheet([row(2)], null), name: 'Oak\u202Eklim' }];
  const explanations = [{ rule: 'GS2010Q', sheet: 'Transition', cell: 'Z10', text: 'Ill all spring\u009b2J\u2067 term.' }];
  await fs.writeFile(file, await writeTransitionWorkbook({ year: TRANSFER_YEAR, sheets, explanations }));
  const io = capture();
  expect(await main(['validate', file], io)).toBe(1);
  expect(io.stdout()).toContain("GS1080 · error · 'Oak<U+202E>klim'!A7 · The receiving secondary is blank. · ");
  expect(io.stdout()).toContain(' · explained: Ill all spring<U+009B>2J<U+2067> term.\n');
  expect(io.stdout()).not.toMatch(ACTS_ON_TERMINAL);
});

it('fn shows an argument echoed in its message with the override visible', async () => {
  const io = capture();
  expect(await main(['fn', 'TOOLKIT.BAND', '[\u202Eab'], io)).toBe(1);
  expect(io.stderr()).toBe('TOOLKIT.BAND: "[<U+202E>ab" is not a JSON array of rows, e.g. [["Y1.1",1]]\n');
});

it('a failure message naming a file shows the file name with its controls visible', async () => {
  const io = capture();
  expect(await main(['validate', path.join(dir, 'gone\u202Exslx.xlsx')], io)).toBe(2);
  expect(io.stderr()).toContain('gone<U+202E>xslx.xlsx');
  expect(io.stderr()).not.toMatch(ACTS_ON_TERMINAL);
});
