import fc from 'fast-check';
import { DomainInputError } from '../../shared/errors';
import { bandFromGrid, bandResultsFromGrid, DEFAULT_BAND_THRESHOLD } from '../../shared/toolkit/band';
import { BANDS, PRE_FIRST_BAND } from '../../shared/toolkit/continuum';
import { bandProgress } from '../../shared/toolkit/progress';
import { bandGap, expectedBand, supportLevel, SUPPORT_THRESHOLDS } from '../../shared/toolkit/support';
import { DEFAULT_TERM, parseTerm, termOfMonth } from '../../shared/toolkit/term';

/** A grid with `criteria` rows per band and one column per pupil, ticked from `secured(pupil, band)` counts. */
function grid(bands: string[], criteria: number, secured: number[][]): unknown[][] {
  const rows: unknown[][] = [['Band', ...secured.map((_, p) => `Pupil ${p + 1}`)]];
  bands.forEach((band, b) => {
    for (let c = 0; c < criteria; c++) rows.push([band, ...secured.map((pupil) => (c < (pupil[b] ?? 0) ? 1 : ''))]);
  });
  return rows;
}

const kind = (f: () => unknown): string | undefined => {
  try {
    f();
  } catch (e) {
    return e instanceof DomainInputError ? e.kind : 'other';
  }
  return undefined;
};

describe('bandFromGrid', () => {
  it('gives the highest band with 80% of its criteria secured, one band per pupil column', () => {
    // 5 criteria per band: 4 of 5 is 80%, 3 of 5 is not.
    const g = grid(['N.1', 'N.2', 'R.1'], 5, [
      [5, 4, 4],
      [5, 4, 3],
      [3, 5, 5],
    ]);
    expect(DEFAULT_BAND_THRESHOLD).toBe(0.8);
    expect(bandFromGrid(g)).toEqual(['R.1', 'N.2', 'Pre-N.1']);
  });

  it('takes the threshold as a share or a percentage', () => {
    const g = grid(['N.1'], 10, [[7]]);
    expect(bandFromGrid(g, 0.7)).toEqual(['N.1']);
    expect(bandFromGrid(g, 70)).toEqual(['N.1']);
    expect(bandFromGrid(g, 0.75)).toEqual(['Pre-N.1']);
    expect(kind(() => bandFromGrid(g, 0))).toBe('invalidValue');
    expect(kind(() => bandFromGrid(g, 150))).toBe('invalidValue');
  });

  it('does not credit a higher band when a lower band in the grid is not secured', () => {
    const g = grid(['Y1.1', 'Y1.2', 'Y2.1'], 5, [[5, 1, 5]]);
    expect(bandFromGrid(g)).toEqual(['Y1.1']);
  });

  it('skips bands that have no criteria in the grid', () => {
    const g = grid(['N.1', 'R.1'], 5, [[5, 5]]);
    expect(bandFromGrid(g)).toEqual(['R.1']);
  });

  it('accepts TRUE, S, Y and ✓ as secured and blanks, 0 and FALSE as not', () => {
    const g = [
      ['N.1', true, 'S', '✓', 'y', false],
      ['N.1', 1, 's', '✓', 'Y', 0],
    ];
    expect(bandFromGrid(g)).toEqual(['N.1', 'N.1', 'N.1', 'N.1', 'Pre-N.1']);
  });

  it('reports an unrecognised tick for that pupil only', () => {
    const results = bandResultsFromGrid([['N.1', 1, 'x']]);
    expect(results[0]).toBe('N.1');
    expect(results[1]).toBeInstanceOf(DomainInputError);
    expect(kind(() => bandFromGrid([['N.1', 1, 'x']]))).toBe('invalidValue');
  });

  it('rejects a grid with no band labels in its first column', () => {
    expect(() => bandFromGrid([['Name', 1], ['', 1]])).toThrow(
      "the grid's first column has no toolkit band labels (N.1 … Y6.2)",
    );
  });

  it('rejects a mistyped band label after the first one', () => {
    expect(() => bandFromGrid([['N.1', 1], ['N.3', 1]])).toThrow(/row 2.*"N\.3"/);
  });
});

describe('expected band, gap and support', () => {
  it('expects a pupil in year Y to be working in band Y.1', () => {
    expect(expectedBand(6)).toBe('Y6.1');
    expect(expectedBand('6')).toBe('Y6.1');
    expect(expectedBand('Year 3')).toBe('Y3.1');
    expect(expectedBand('R')).toBe('R.1');
    expect(expectedBand(0)).toBe('R.1');
    expect(expectedBand('N')).toBe('N.1');
  });

  it('measures the gap in bands, floored at 0', () => {
    expect(bandGap('Y4.1', 6)).toBe(4);
    expect(bandGap('Y6.2', 6)).toBe(0);
    expect(bandGap('Pre-N.1', 'N')).toBe(1);
  });

  it('names the bad argument', () => {
    expect(() => bandGap('Y9.9', 6)).toThrow(/band "Y9\.9"/);
    expect(() => bandGap('Y4.1', 7)).toThrow(/year group "7"/);
    expect(kind(() => bandGap('Y4.1', 'X'))).toBe('invalidValue');
  });

  it('maps the gap onto Universal, Targeted and Specialist at the table edges', () => {
    expect(SUPPORT_THRESHOLDS).toEqual({ universalMaxGap: 1, targetedMaxGap: 4, minBandsGainedIn12Months: 2 });
    expect(supportLevel('Y5.2', 6)).toBe('Universal'); // gap 1
    expect(supportLevel('Y5.1', 6)).toBe('Targeted'); // gap 2
    expect(supportLevel('Y4.1', 6)).toBe('Targeted'); // gap 4
    expect(supportLevel('Y3.2', 6)).toBe('Specialist'); // gap 5
  });

  it('makes targeted support specialist when fewer than 2 bands were gained in 12 months', () => {
    expect(supportLevel('Y4.1', 6, 1)).toBe('Specialist');
    expect(supportLevel('Y4.1', 6, 2)).toBe('Targeted');
    expect(supportLevel('Y5.2', 6, 0)).toBe('Universal');
  });
});

describe('the expected band by term', () => {
  it('expects (Y-1).2 in the autumn, Y.1 by the spring and Y.2 by the summer', () => {
    expect(['autumn', 'spring', 'summer'].map((t) => expectedBand(6, t))).toEqual(['Y5.2', 'Y6.1', 'Y6.2']);
    expect(['autumn', 'spring', 'summer'].map((t) => expectedBand(1, t))).toEqual(['R.2', 'Y1.1', 'Y1.2']);
    expect(['autumn', 'spring', 'summer'].map((t) => expectedBand('R', t))).toEqual(['N.2', 'R.1', 'R.2']);
    expect(['autumn', 'spring', 'summer'].map((t) => expectedBand(0, t))).toEqual(['N.2', 'R.1', 'R.2']);
  });

  it('expects Pre-N.1 of a Nursery pupil in the autumn, so no Nursery pupil is behind then', () => {
    expect(['autumn', 'spring', 'summer'].map((t) => expectedBand('N', t))).toEqual(['Pre-N.1', 'N.1', 'N.2']);
    expect(bandGap('Pre-N.1', 'N', 'autumn')).toBe(0);
    expect(bandGap('Pre-N.1', 'N', 'spring')).toBe(1);
    expect(bandGap('Pre-N.1', 'N', 'summer')).toBe(2);
    expect(supportLevel('Pre-N.1', 'N', undefined, 'summer')).toBe('Targeted');
  });

  it('defaults to spring: Y4.1 in Year 6 is 4 behind, 5 in the summer, 3 in the autumn', () => {
    expect(DEFAULT_TERM).toBe('spring');
    expect(bandGap('Y4.1', 6)).toBe(4);
    expect(bandGap('Y4.1', 6, '')).toBe(4);
    expect(bandGap('Y4.1', 6, 'summer')).toBe(5);
    expect(bandGap('Y4.1', 6, 'autumn')).toBe(3);
    expect(supportLevel('Y4.1', 6)).toBe('Targeted');
    expect(supportLevel('Y4.1', 6, undefined, 'summer')).toBe('Specialist');
    expect(supportLevel('Y4.1', 6, undefined, 'autumn')).toBe('Targeted');
  });

  it('puts a pupil ahead of the expected band at 0, in every term', () => {
    expect(['autumn', 'spring', 'summer'].map((t) => bandGap('Y6.2', 5, t))).toEqual([0, 0, 0]);
    expect(bandGap('Y5.2', 6, 'autumn')).toBe(0);
  });

  it('maps a date to its term by month: Sep–Dec autumn, Jan–Mar spring, Apr–Aug summer', () => {
    expect(Array.from({ length: 12 }, (_, i) => termOfMonth(i + 1))).toEqual([
      'spring', 'spring', 'spring', 'summer', 'summer', 'summer', 'summer', 'summer', 'autumn', 'autumn', 'autumn', 'autumn',
    ]);
    expect(parseTerm('2026-03-31')).toBe('spring');
    expect(parseTerm('2026-04-01')).toBe('summer');
    expect(parseTerm('2026-08-31')).toBe('summer');
    expect(parseTerm('2026-09-01')).toBe('autumn');
    expect(parseTerm('15/06/2026')).toBe('summer');
    // Excel date serials: 46188 is 15 June 2026, 46023 is 1 January 2026, 46266 is 1 September 2026.
    expect([46188, 46023, 46266].map(parseTerm)).toEqual(['summer', 'spring', 'autumn']);
    expect(bandGap('Y4.1', 6, 46188)).toBe(5);
  });

  it('raises the gap by at most one band a term, autumn to spring to summer, and by exactly one once behind', () => {
    const band = fc.constantFrom(PRE_FIRST_BAND, ...BANDS);
    const year = fc.constantFrom('N', 'R', 0, 1, 2, 3, 4, 5, 6, '6', 'Year 6');
    fc.assert(
      fc.property(band, year, (b, y) => {
        const [autumn, spring, summer] = (['autumn', 'spring', 'summer'] as const).map((t) => bandGap(b, y, t)) as [number, number, number];
        expect([0, 1]).toContain(spring - autumn);
        expect([0, 1]).toContain(summer - spring);
        // Behind already in the autumn: exactly one more band behind each term after.
        if (autumn > 0) expect([spring, summer]).toEqual([autumn + 1, autumn + 2]);
      }),
    );
  });

  it('reads term names in any case, and refuses anything else as invalidValue naming the term', () => {
    expect(parseTerm(' Summer ')).toBe('summer');
    expect(parseTerm(null)).toBe('spring');
    expect(() => parseTerm('winter')).toThrow('term "winter" is not a term: use autumn, spring or summer, or a date such as 2026-06-15');
    expect(kind(() => bandGap('Y4.1', 6, '2026-02-30'))).toBe('invalidValue');
    expect(kind(() => bandGap('Y4.1', 6, true))).toBe('invalidValue');
  });
});

describe('bandProgress', () => {
  it('holds with 2 bands and accelerates with 3 bands in 12 months', () => {
    expect(bandProgress('Y3.1', 'Y3.2', 12)).toBe('Widening');
    expect(bandProgress('Y3.1', 'Y4.1', 12)).toBe('Holding');
    expect(bandProgress('Y3.1', 'Y4.2', 12)).toBe('Accelerated');
  });

  it('takes the thresholds pro rata', () => {
    expect(bandProgress('Y3.1', 'Y3.2', 6)).toBe('Holding'); // 1 ≥ 1
    expect(bandProgress('Y3.1', 'Y4.1', 6)).toBe('Accelerated'); // 2 ≥ 1.5
    expect(bandProgress('Y3.1', 'Y4.2', 24)).toBe('Widening'); // 3 < 4
  });

  it('rejects months that are not above 0 and names a bad band', () => {
    expect(kind(() => bandProgress('Y3.1', 'Y4.1', 0))).toBe('invalidValue');
    expect(() => bandProgress('Y3.1', 'Z', 12)).toThrow(/to band "Z"/);
  });
});
