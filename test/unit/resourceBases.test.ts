import { DomainInputError } from '../../shared/errors';
import {
  commissionedPlaces,
  costPerPlace,
  costPerPlaceFromRanges,
  overallCost,
  sufficiency,
} from '../../shared/resourceBases/costing';
import { BUNDLED_RESOURCE_BASES as ds, resourceBaseDatasetSchema } from '../../shared/resourceBases/dataset';
import { senCodesForNeed, senCodesForNeedCode } from '../../shared/resourceBases/needs';

const failure = (f: () => unknown): { kind: string; message: string } | undefined => {
  try {
    f();
  } catch (e) {
    if (e instanceof DomainInputError) return { kind: e.kind, message: e.message };
    throw e;
  }
  return undefined;
};

describe('the bundled 2019-20 dataset', () => {
  it('parses against the schema', () => {
    expect(ds.academicYear).toBe('2019-20');
    expect(ds.rows).toHaveLength(21);
  });

  it('rejects a row whose need is not in needCodes', () => {
    const bad = { ...ds, rows: [...ds.rows, { area: 'East', need: 'XYZ', places: 1, cost: 1 }] };
    expect(resourceBaseDatasetSchema.safeParse(bad).success).toBe(false);
  });
});

describe('costing', () => {
  it('totals 659 places and £10,990,995 across the city: £16,678 a place', () => {
    expect(commissionedPlaces(ds, {})).toBe(659);
    expect(overallCost(ds)).toBe(10_990_995);
    expect(Math.round(costPerPlace(ds, {}))).toBe(16_678);
    expect(costPerPlace(ds, { area: '', need: '', phase: '' })).toBeCloseTo(16_678.29, 2);
  });

  it('filters by area, in any case', () => {
    expect(commissionedPlaces(ds, { area: 'east' })).toBe(55 + 56 + 107 + 38 + 35);
    expect(Math.round(costPerPlace(ds, { area: 'East' }))).toBe(15_536);
  });

  it('takes a group name for the need', () => {
    expect(commissionedPlaces(ds, { need: 'Sensory/Physical' })).toBe(195);
    expect(Math.round(costPerPlace(ds, { need: 'sensory/physical' }))).toBe(21_293);
    expect(commissionedPlaces(ds, { need: 'ASD/C&L/SLCN' })).toBe(464);
  });

  it('matches a need code exactly, and a combined code by itself', () => {
    expect(commissionedPlaces(ds, { need: 'ASD' })).toBe(160);
    expect(commissionedPlaces(ds, { need: 'ASD;SLCN' })).toBe(56);
    expect(commissionedPlaces(ds, { area: 'West', need: 'C&L' })).toBe(38);
  });

  it('counts 0 places where none are commissioned, but has no cost per place there', () => {
    expect(commissionedPlaces(ds, { area: 'North', need: 'C&L' })).toBe(0);
    expect(failure(() => costPerPlace(ds, { area: 'North', need: 'C&L' }))?.kind).toBe('notAvailable');
  });

  it('gives notAvailable for a phase filter: the 2019-20 dataset has no phase split', () => {
    expect(failure(() => costPerPlace(ds, { phase: 'Primary' }))).toEqual({
      kind: 'notAvailable',
      message: 'the 2019-20 dataset has no primary/secondary split',
    });
    expect(failure(() => costPerPlace(ds, { phase: 'Infant' }))?.kind).toBe('invalidValue');
  });

  it('rejects an unknown area or need, listing the valid ones', () => {
    expect(failure(() => costPerPlace(ds, { area: 'Central' }))).toEqual({
      kind: 'invalidValue',
      message: 'area "Central" is not a locality area: use East, North, South, West, or leave it blank for the whole city',
    });
    expect(failure(() => costPerPlace(ds, { need: 'SEMH' }))?.message).toMatch(/ASD, ASD;SLCN, C&L/);
  });

  it('divides summed costs by summed places from two ranges', () => {
    expect(costPerPlaceFromRanges([[1000], [2000], ['']], [[1], ['2'], [null]])).toBe(1000);
    expect(failure(() => costPerPlaceFromRanges([[1000]], [[1], [2]]))?.kind).toBe('invalidValue');
    expect(failure(() => costPerPlaceFromRanges([[1000], [5]], [[1], ['']]))?.kind).toBe('invalidValue');
    expect(failure(() => costPerPlaceFromRanges([['lots']], [[1]]))?.kind).toBe('invalidValue');
    expect(failure(() => costPerPlaceFromRanges([[0]], [[0]]))?.kind).toBe('invalidValue');
  });
});

describe('sufficiency', () => {
  it('maps designated needs onto DfE SEN codes, combined codes as the union', () => {
    expect(senCodesForNeedCode('C&L')).toEqual(['MLD', 'SLD', 'PMLD', 'SPLD']);
    expect(senCodesForNeedCode('FAM')).toEqual(['PD']);
    expect(senCodesForNeedCode('C&L;ASD;PD')).toEqual(['MLD', 'SLD', 'PMLD', 'SPLD', 'ASD', 'PD']);
    expect(senCodesForNeed(ds, 'Sensory/Physical').sort()).toEqual(['HI', 'PD', 'VI']);
  });

  it('is places minus the pupils in that area whose need maps to the designation', () => {
    const demand = [
      { area: 'East', need: 'MLD', pupils: 100 },
      { area: 'East', need: 'SLD', pupils: 10 },
      { area: 'West', need: 'MLD', pupils: 50 },
      { area: 'East', need: 'ASD', pupils: 7 },
    ];
    expect(sufficiency(ds, { area: 'East', need: 'C&L' }, demand)).toBe(107 - 110);
    expect(sufficiency(ds, { need: 'C&L' }, demand)).toBe(107 + 32 + 38 - 160);
    expect(sufficiency(ds, { area: 'east', need: 'ASD' }, demand)).toBe(55 - 7);
    expect(sufficiency(ds, { area: 'North', need: 'C&L' }, [{ area: 'North', need: 'MLD', pupils: 3 }])).toBe(-3);
  });
});
