/**
 * Text a workbook cannot store is refused where it was typed (issue 32, item 3): a character
 * XML 1.0 cannot hold is error GS1006 at its cell, more than an Excel cell holds is GS1003 at
 * its cell, and outside the cells (a sheet's name, an explanation) the schema refuses it by
 * name. And text from a school's file is printed with its controls made visible.
 */
import { transitionReturnSchema } from '../../shared/transition/schema';
import { validateReturn } from '../../shared/transition/validate';
import { columnByKey } from '../../shared/transition/layout';
import { CELL_MAX_CHARS, firstNonXmlCharacter, terminalText, withoutNonXmlCharacters } from '../../shared/text';
import { TRANSFER_YEAR, aReturn, row, sheet } from '../factories/transition';

const letter = (key: string): string => columnByKey(key)?.letter as string;

describe('characters an Excel file cannot store', () => {
  it.each([
    ['U+FFFE', 'Art and\uFFFE football.'],
    ['U+0001', 'Art and\u0001 football.'],
    ['U+D800', 'Art and \uD800 football.'],
  ])('a cell holding %s is error GS1006 at that cell, and the pupil is not sent on', (name, strengths) => {
    const { report, pupils } = validateReturn(aReturn(2, { sheets: [sheet([row(1), row(2, { strengths })])] }), { year: TRANSFER_YEAR });
    expect(report.errors.map((e) => [e.rule, e.cell, e.message])).toEqual([['GS1006', `${letter('strengths')}11`, `Strengths and interests: holds ${name}, a character an Excel file cannot store.`]]);
    expect(pupils.map((p) => p.row)).toEqual([10]);
  });

  it('keeps tab, line feed, carriage return and a pair of surrogates (an emoji), which XML holds', () => {
    const { report } = validateReturn(aReturn(1, { sheets: [sheet([row(1, { strengths: 'Art\tand\r\nfootball \uD83D\uDE00' })])] }), { year: TRANSFER_YEAR });
    expect(report.errors).toEqual([]);
  });

  it('A7 holding one is GS1006 at A7', () => {
    const { report } = validateReturn(aReturn(1, { sheets: [sheet([row(1)], 'Testbrook\uFFFF Academy (3304001)')] }), { year: TRANSFER_YEAR });
    expect(report.errors.map((e) => [e.rule, e.cell, e.message])).toEqual([['GS1006', 'A7', 'A7 holds U+FFFF, a character an Excel file cannot store.']]);
  });

  it('a sheet name or an explanation holding one is refused by the schema, naming the character', () => {
    const named = transitionReturnSchema.safeParse(aReturn(1, { sheets: [{ ...sheet([row(1)]), name: 'Trans\uFFFEition' }] }));
    expect(named.success).toBe(false);
    expect(named.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([['sheets.0.name', 'holds U+FFFE, a character an Excel file cannot store; retype the text']]);
    const explained = transitionReturnSchema.safeParse(aReturn(1, { explanations: [{ rule: 'GS2010Q', sheet: 'Transition', cell: 'Z10', text: 'Ill\u0008 all spring term.' }] }));
    expect(explained.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([['explanations.0.text', 'holds U+0008, a character an Excel file cannot store; retype the text']]);
  });
});

describe('text longer than an Excel cell holds', () => {
  it('passes the shape and is GS1003 at its cell, in any column, naming both figures', () => {
    const ret = aReturn(1, { sheets: [sheet([row(1, { sex: 'M'.repeat(40_000), strengths: 'x'.repeat(CELL_MAX_CHARS) })])] });
    expect(transitionReturnSchema.safeParse(ret).success).toBe(true);
    const { report } = validateReturn(ret, { year: TRANSFER_YEAR });
    expect(report.errors.map((e) => [e.rule, e.cell, e.message])).toEqual([
      ['GS1003', `${letter('sex')}10`, 'Sex: 40,000 characters; an Excel cell holds at most 32,767.'],
      ['GS1003', `${letter('strengths')}10`, `Strengths and interests: 32767 characters; the limit is 300.`],
    ]);
  });
});

describe('shared/text', () => {
  it('finds and drops exactly the characters XML 1.0 cannot hold', () => {
    const all = Array.from({ length: 0x10000 }, (_, i) => String.fromCharCode(i));
    const refused = all.filter((c) => firstNonXmlCharacter(c) !== undefined).map((c) => c.charCodeAt(0));
    const expected = [...Array.from({ length: 32 }, (_, i) => i).filter((i) => i !== 9 && i !== 10 && i !== 13), ...Array.from({ length: 0x800 }, (_, i) => 0xd800 + i), 0xfffe, 0xffff];
    expect(refused).toEqual(expected);
    expect(withoutNonXmlCharacters('a\uFFFEb\uD800c\uD83D\uDE00')).toBe('abc\uD83D\uDE00');
  });

  it('shows controls and bidirectional characters on a terminal as <U+XXXX>, and leaves other text alone', () => {
    expect(terminalText('St Mary\u202Eyrammirp\u202C (3302001)')).toBe('St Mary<U+202E>yrammirp<U+202C> (3302001)');
    expect(terminalText('a\u001b[2Jb\u0085c\u2066d\u200Fe\nf')).toBe('a<U+001B>[2Jb<U+0085>c<U+2066>d<U+200F>e<U+000A>f');
    expect(terminalText('Zoë Ñúñez & Søn')).toBe('Zoë Ñúñez & Søn');
  });
});
