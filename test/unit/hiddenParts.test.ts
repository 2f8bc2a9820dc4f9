/**
 * Hidden rows and columns are refused like hidden sheets (shared/workbook/hidden.ts): the
 * decision and its words, independent of which reader found them.
 */
import { hiddenRowsAndColumnsError } from '../../shared/workbook/hidden';

describe('hiddenRowsAndColumnsError', () => {
  it('lets a sheet with nothing hidden through', () => {
    expect(hiddenRowsAndColumnsError({ sheet: 'Transition', rows: [], columns: [] })).toBeUndefined();
  });

  it('names one hidden row, with the fix, as a hidden-workbook error', () => {
    const e = hiddenRowsAndColumnsError({ sheet: 'Transition', rows: [14], columns: [] });
    expect(e?.code).toBe('hidden');
    expect(e?.message).toBe(
      "sheet 'Transition' has hidden row 14; unhide them (select the whole sheet, right-click a row or column heading > Unhide), delete any that are not part of the return, and save again",
    );
  });

  it('names hidden rows and columns as ranges, columns by their letters', () => {
    const e = hiddenRowsAndColumnsError({ sheet: 'Receiving (3304001)', rows: [12, 13, 14, 20], columns: [{ min: 3, max: 3 }, { min: 27, max: 28 }] });
    expect(e?.message).toMatch(/^sheet 'Receiving \(3304001\)' has hidden rows 12-14, 20 and hidden columns C, AA-AB; unhide them/);
  });

  it('names at most five ranges and counts the rest', () => {
    const e = hiddenRowsAndColumnsError({ sheet: 'S', rows: [1, 3, 5, 7, 9, 11, 13], columns: [] });
    expect(e?.message).toMatch(/^sheet 'S' has hidden rows 1, 3, 5, 7, 9 and 2 more;/);
  });

  it('treats "hide every column to the right" as one range', () => {
    const e = hiddenRowsAndColumnsError({ sheet: 'S', rows: [], columns: [{ min: 40, max: 16384 }] });
    expect(e?.message).toMatch(/^sheet 'S' has hidden columns AN-XFD;/);
  });
});
