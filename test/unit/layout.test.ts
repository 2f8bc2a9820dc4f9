import { columnLetter, columnNumber, COLUMN_KEYS, TRANSITION_COLUMNS, UNASSIGNED_COLUMNS } from '../../shared/transition/layout';

describe('transition layout', () => {
  it('covers every column from A to AM except the unassigned column P, in order', () => {
    const expected: string[] = [];
    for (let n = columnNumber('A'); n <= columnNumber('AM'); n++) {
      const letter = columnLetter(n);
      if (!(UNASSIGNED_COLUMNS as readonly string[]).includes(letter)) expected.push(letter);
    }
    expect(TRANSITION_COLUMNS.map((c) => c.letter)).toEqual(expected);
  });

  it('gives every column a unique key', () => {
    expect(new Set(COLUMN_KEYS).size).toBe(TRANSITION_COLUMNS.length);
  });

  it('converts column letters and numbers both ways', () => {
    expect(columnNumber('AM')).toBe(39);
    expect(columnLetter(39)).toBe('AM');
    for (let n = 1; n < 800; n++) expect(columnNumber(columnLetter(n))).toBe(n);
  });
});
