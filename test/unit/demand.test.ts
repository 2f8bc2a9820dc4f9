import { demandRowSchema, publishDemand, publishedDemandRowSchema, type DemandRow } from '../../shared/aggregate/demand';

const demand: DemandRow[] = [
  { area: 'East', need: 'ASD', pupils: 0 },
  { area: 'East', need: 'MLD', pupils: 1 },
  { area: 'North', need: 'ASD', pupils: 4 },
  { area: 'South', need: 'SLCN', pupils: 5 },
];

describe('publishDemand', () => {
  it('gives the LA the raw counts', () => {
    expect(publishDemand(demand, false)).toEqual(demand);
  });

  it('outside the LA, shows a count of 1 to 4 as c and keeps 0 and 5 or more', () => {
    expect(publishDemand(demand, true).map((d) => d.pupils)).toEqual([0, 'c', 'c', 5]);
  });

  it('publishes rows the published schema accepts, and raw rows the raw schema accepts', () => {
    for (const row of publishDemand(demand, true)) expect(publishedDemandRowSchema.parse(row)).toEqual(row);
    for (const row of demand) expect(demandRowSchema.parse(row)).toEqual(row);
    expect(demandRowSchema.safeParse({ area: 'East', need: 'ASD', pupils: 'c' }).success).toBe(false);
  });
});
