import fc from 'fast-check';
import {
  applyDisclosureForRole,
  disclosureControl,
  exposedLines,
  isProtected,
  SUPPRESSION_THRESHOLD,
} from '../../shared/aggregate/disclosure';
import { cityRollup } from '../../shared/aggregate/rollup';
import { emptySummary } from '../../shared/aggregate/summary';
import { countTableSchema, SUPPRESSED, type CountTable, type PublishedCell } from '../../shared/aggregate/table';
import { SchoolDirectory } from '../../shared/schools';

/** A raw table from a matrix of counts, with totals summed from the counts. */
function table(counts: number[][], columns = counts[0]?.length ?? 0): CountTable {
  const columnTotals = Array.from({ length: columns }, (_, c) => counts.reduce((s, row) => s + (row[c] ?? 0), 0));
  return {
    id: 'test-table',
    title: 'Synthetic table',
    rowHeader: 'Row',
    columns: Array.from({ length: columns }, (_, c) => `Col ${c + 1}`),
    rows: counts.map((cells, r) => ({ label: `Row ${r + 1}`, cells, total: cells.reduce((a, b) => a + b, 0) })),
    columnTotals,
    grandTotal: columnTotals.reduce((a, b) => a + b, 0),
    disclosureControlled: false,
  };
}

/** Every entry of a table with its totals, in a fixed order, so raw and controlled tables line up. */
function allEntries(t: CountTable): PublishedCell[] {
  return [...t.rows.flatMap((r) => [...r.cells, r.total]), ...t.columnTotals, t.grandTotal];
}

const c = SUPPRESSED;

describe('disclosureControl', () => {
  it('publishes a table with no counts of 1-4 unchanged, apart from the flag', () => {
    const raw = table([
      [10, 0],
      [5, 20],
    ]);
    const out = disclosureControl(raw);
    expect(out).toEqual({ ...raw, disclosureControlled: true });
  });

  it('suppresses a small count and a second cell in its row and column so neither total gives it away', () => {
    const out = disclosureControl(
      table([
        [3, 10, 12],
        [8, 9, 20],
      ]),
    );
    expect(out.rows.map((r) => r.cells)).toEqual([
      [c, c, 12],
      [c, c, 20],
    ]);
    expect(out.rows.map((r) => r.total)).toEqual([25, 37]);
    expect(out.columnTotals).toEqual([11, 19, 32]);
    expect(out.grandTotal).toBe(62);
    expect(isProtected(out)).toBe(true);
  });

  it('suppresses totals of 1-4 as well as cells', () => {
    const out = disclosureControl(table([[2, 0], [0, 0], [10, 7]]));
    expect(out.rows[0]?.total).toBe(c);
    expect(out.rows[0]?.cells[0]).toBe(c);
    expect(isProtected(out)).toBe(true);
  });

  it('suppresses the row total when the only other cells in the row are zeros', () => {
    const out = disclosureControl(
      table([
        [3, 0, 0],
        [10, 11, 12],
      ]),
    );
    // The 3 is the only non-zero cell, so a published row total of 3 would reveal it;
    // the total is itself 1-4 and is suppressed, and the column gets a second c.
    expect(out.rows[0]).toEqual({ label: 'Row 1', cells: [c, 0, 0], total: c });
    expect(out.rows[1]?.cells[0]).toBe(c);
    expect(isProtected(out)).toBe(true);
  });

  it('suppresses a large total when a secondary c is the only non-zero cell in its line', () => {
    const out = disclosureControl(
      table([
        [3, 10],
        [8, 0],
      ]),
    );
    // The 8 is suppressed to protect the 3; row 2 is then [c, 0] with total 8, which would
    // give the 8 back, so its total goes too, and so on around the totals.
    expect(out.rows).toEqual([
      { label: 'Row 1', cells: [c, c], total: c },
      { label: 'Row 2', cells: [c, 0], total: c },
    ]);
    expect(out.columnTotals).toEqual([c, c]);
    expect(out.grandTotal).toBe(21);
    expect(isProtected(out)).toBe(true);
  });

  it('keeps zeros published: an empty cell reveals nothing about a pupil', () => {
    const out = disclosureControl(
      table([
        [0, 0],
        [0, 12],
      ]),
    );
    expect(out.rows.map((r) => r.cells)).toEqual([
      [0, 0],
      [0, 12],
    ]);
  });

  it('leaves an already controlled table as it is', () => {
    const once = disclosureControl(table([[1, 7, 9], [4, 30, 2], [0, 5, 15]]));
    expect(disclosureControl(once)).toEqual(once);
  });

  it('takes a different threshold when asked', () => {
    const out = disclosureControl(table([[6, 20], [30, 40]]), { threshold: { min: 1, max: 9 } });
    expect(out.rows[0]?.cells[0]).toBe(c);
    expect(isProtected(out)).toBe(true);
    expect(() => disclosureControl(table([[1]]), { threshold: { min: 0, max: 4 } })).toThrow(RangeError);
  });

  it('exports the DfE-style threshold of 1 to 4', () => {
    expect(SUPPRESSION_THRESHOLD).toEqual({ min: 1, max: 4 });
  });

  it('still returns a valid CountTable', () => {
    expect(() => countTableSchema.parse(disclosureControl(table([[1, 2], [3, 40]])))).not.toThrow();
  });
});

describe('isProtected', () => {
  it('names the line in which a lone c can be recovered by subtraction', () => {
    const raw = table([
      [3, 10],
      [8, 9],
    ]);
    const leaky: CountTable = { ...raw, rows: raw.rows.map((r, i) => (i === 0 ? { ...r, cells: [c, 10] } : r)) };
    expect(isProtected(leaky)).toBe(false);
    expect(exposedLines(leaky)).toEqual(['row "Row 1"', 'column "Col 1"']);
  });
});

describe('applyDisclosureForRole', () => {
  const raw = [table([[1, 10], [12, 13]])];

  it('shows the LA raw counts', () => {
    expect(applyDisclosureForRole(raw, 'la')).toEqual(raw);
  });

  it.each(['trust', 'school'] as const)('applies disclosure control for the %s role', (role) => {
    const [out] = applyDisclosureForRole(raw, role);
    expect(out?.disclosureControlled).toBe(true);
    expect(out?.rows[0]?.cells[0]).toBe(c);
  });
});

describe('disclosureControl properties', () => {
  const rawTable = fc
    .record({ rows: fc.integer({ min: 1, max: 6 }), cols: fc.integer({ min: 1, max: 5 }) })
    .chain(({ rows, cols }) =>
      fc.array(fc.array(fc.integer({ min: 0, max: 30 }), { minLength: cols, maxLength: cols }), {
        minLength: rows,
        maxLength: rows,
      }),
    )
    .map((counts) => table(counts));

  it('publishes no count of 1-4, totals included', () => {
    fc.assert(
      fc.property(rawTable, (raw) => {
        const published = allEntries(disclosureControl(raw));
        return published.every((v) => v === SUPPRESSED || v === 0 || v > 4);
      }),
      { numRuns: 500 },
    );
  });

  it('publishes every number exactly as it was (totals from unrounded data)', () => {
    fc.assert(
      fc.property(rawTable, (raw) => {
        const before = allEntries(raw);
        const after = allEntries(disclosureControl(raw));
        return after.every((v, i) => v === SUPPRESSED || v === before[i]);
      }),
      { numRuns: 500 },
    );
  });

  it('leaves no suppressed entry as the only unknown in a row or column with its total', () => {
    fc.assert(
      fc.property(rawTable, (raw) => isProtected(disclosureControl(raw))),
      { numRuns: 500 },
    );
  });

  it('is idempotent', () => {
    fc.assert(
      fc.property(rawTable, (raw) => {
        const once = disclosureControl(raw);
        expect(disclosureControl(once)).toEqual(once);
      }),
      { numRuns: 300 },
    );
  });
});

describe('disclosure control on the area-by-locality cross-tab (six need columns, a trust view)', () => {
  const SECONDARIES = { '3304001': 'East', '3304002': 'North', '3304003': 'South', '3304004': 'West' } as const;
  const directory = new SchoolDirectory(
    Object.entries(SECONDARIES).map(([laestab, area], i) => ({ laestab, urn: `10000${i}`, name: `Secondary ${i}`, phase: 'secondary' as const, area, trust: null })),
  );
  const NEEDS = ['SPLD', 'ASD', 'SEMH', 'HI', 'NSA', 'None'];
  /** A summary holding only the cross-tab's counts, from a matrix of secondary × need. */
  const crosstabOf = (counts: number[][]): CountTable => {
    const summary = emptySummary('3302001', 2027);
    Object.keys(SECONDARIES).forEach((laestab, r) => {
      const needs = Object.fromEntries(NEEDS.flatMap((need, c) => ((counts[r]?.[c] ?? 0) > 0 ? [[need, counts[r]?.[c] ?? 0]] : [])));
      if (Object.keys(needs).length > 0) summary.bySecondaryNeed[laestab] = needs;
    });
    return cityRollup([summary], ['area-locality'], { directory })[0] as CountTable;
  };
  const counts = fc.array(fc.array(fc.integer({ min: 0, max: 12 }), { minLength: 6, maxLength: 6 }), { minLength: 4, maxLength: 4 });

  it('suppresses a small count with a partner in its row and column, and keeps the six columns', () => {
    const raw = crosstabOf([
      [10, 2, 10, 10, 10, 10],
      [10, 10, 10, 10, 10, 10],
      [10, 10, 10, 10, 10, 10],
      [10, 10, 10, 10, 10, 10],
    ]);
    const [published] = applyDisclosureForRole([raw], 'trust');
    expect(published?.columns).toHaveLength(6);
    expect(published?.rows.map((r) => r.cells.filter((v) => v === c).length)).toEqual([2, 2, 0, 0]);
    expect(published?.rows[0]?.cells.slice(0, 2)).toEqual([c, c]);
    expect(published?.rows[1]?.cells.slice(0, 2)).toEqual([c, c]);
    expect(published?.grandTotal).toBe(232);
    expect(isProtected(published as CountTable)).toBe(true);
  });

  it('leaves no count of 1-4 and nothing recoverable, and changes no published number', () => {
    fc.assert(
      fc.property(counts, (matrix) => {
        const raw = crosstabOf(matrix);
        const [published] = applyDisclosureForRole([raw], 'trust') as [CountTable];
        const before = allEntries(raw);
        const after = allEntries(published);
        return (
          published.disclosureControlled &&
          isProtected(published) &&
          after.every((v) => v === SUPPRESSED || v === 0 || v > 4) &&
          after.every((v, i) => v === SUPPRESSED || v === before[i])
        );
      }),
      { numRuns: 300 },
    );
  });
});
