/**
 * The validator's toolkit query (GS2040Q) and =TOOLKIT.GAP agree on the same pupil: the return is
 * made in June and July, so both judge the band against the summer expectation of Year 6.
 */
import { toolkitGap } from '../../shared/functions/toolkit';
import { BANDS, PRE_FIRST_BAND } from '../../shared/toolkit/continuum';
import { bandGap } from '../../shared/toolkit/support';
import { VALIDATION_THRESHOLDS } from '../../shared/transition/rules';
import { validateReturn } from '../../shared/transition/validate';
import { row, sheet, TRANSFER_YEAR } from '../factories/transition';

const noSen = { senProvision: 'N', primaryNeed: null, planHeld: 'None', keyProvision: null, supportLevel: 'Universal' } as const;

function gs2040q(band: string): string[] {
  const { report } = validateReturn({ year: TRANSFER_YEAR, sheets: [sheet([row(1, { ...noSen, toolkitLiteracy: band })])], explanations: [] });
  return report.queries.filter((q) => q.rule === 'GS2040Q').map((q) => q.message);
}

describe('GS2040Q and TOOLKIT.GAP on the same pupil', () => {
  it.each([PRE_FIRST_BAND, ...BANDS])('%s: the query names the summer gap, exactly when it reaches the threshold', (band) => {
    const gap = bandGap(band, 6, 'summer');
    expect(toolkitGap([[band]], [[6]], [['summer']])).toEqual([[gap]]); // =TOOLKIT.GAP(band, 6, "summer")
    expect(gs2040q(band)).toEqual(
      gap >= VALIDATION_THRESHOLDS.toolkitGapQueryBands ? [`${band} is ${gap} bands behind Y6.2, with SEN provision N.`] : [],
    );
  });

  it('queries Y4.1, 5 bands behind in the summer though 4 behind by the spring default', () => {
    expect(bandGap('Y4.1', 6)).toBe(4);
    expect(gs2040q('Y4.1')).toEqual(['Y4.1 is 5 bands behind Y6.2, with SEN provision N.']);
    expect(gs2040q('Y4.2')).toEqual([]);
  });
});
