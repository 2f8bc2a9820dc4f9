/**
 * Group progress as a property: whatever the history and the pupil list, every group's counts
 * sum to its pupils, and the groups' pupils to the pupils listed (each once).
 */
import fc from 'fast-check';
import { BANDS, PRE_FIRST_BAND } from '../../shared/toolkit/continuum';
import { type Assessment, GROUP_CATEGORIES, groupProgress } from '../../shared/toolkit/progress';
import { makeUpn } from '../../shared/upn';

const UPNS = Array.from({ length: 12 }, (_, i) => makeUpn('330', '9990', '25', String(i).padStart(3, '0')));
const iso = fc.date({ min: new Date('2022-01-01T00:00:00Z'), max: new Date('2026-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));

const assessment: fc.Arbitrary<Assessment> = fc.record({
  upn: fc.constantFrom(...UPNS),
  toolkit: fc.constantFrom('Literacy' as const, 'Maths' as const),
  thread: fc.constantFrom('SL1', 'RD2', 'WR5', 'NU1', 'GS3', 'Own thread'),
  date: iso,
  band: fc.constantFrom(PRE_FIRST_BAND, ...BANDS),
});

const pupil = fc.record({ upn: fc.constantFrom(...UPNS), group: fc.constantFrom('', '5B', 'Y', 'N', 'K') });

describe('group progress counts', () => {
  it('sum to each group\'s pupils, and the groups to the pupils listed, whatever the data', () => {
    fc.assert(
      fc.property(fc.array(assessment, { maxLength: 120 }), fc.array(pupil, { maxLength: 20 }), fc.option(iso, { nil: undefined }), fc.option(iso, { nil: undefined }), (history, pupils, from, to) => {
        const groups = groupProgress(history, pupils, (p) => p.group, { from, to });
        for (const g of groups) {
          expect(GROUP_CATEGORIES.reduce((n, c) => n + g.counts[c], 0)).toBe(g.pupils);
        }
        expect(groups.reduce((n, g) => n + g.pupils, 0)).toBe(new Set(pupils.map((p) => p.upn)).size);
      }),
      { numRuns: 300 },
    );
  });
});
