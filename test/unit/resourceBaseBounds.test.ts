/**
 * Every figure in a resource-base dataset has a sane bound (RESOURCE_BASE_BOUNDS): at most
 * 10,000 places in a row and £1,000,000 a place, finite numbers only. The API refuses a dataset
 * out of bounds, naming the field; the LA's sheet says so at the cell.
 */
import fc from 'fast-check';
import { commissionedPlaces, costPerPlace, overallCost } from '../../shared/resourceBases/costing';
import { BUNDLED_RESOURCE_BASES, RESOURCE_BASE_BOUNDS, type ResourceBaseDataset, resourceBaseDatasetSchema } from '../../shared/resourceBases/dataset';
import { DATASET_SHEET, datasetFromSheet, datasetTableRows } from '../../shared/resourceBases/datasetSheet';

const { publishedAt: _published, ...bundled } = BUNDLED_RESOURCE_BASES;
const withRow = (places: unknown, cost: unknown) => ({ ...bundled, rows: [{ area: 'North', need: 'ASD', places, cost }] });
const issuesOf = (places: unknown, cost: unknown): string[] => {
  const parsed = resourceBaseDatasetSchema.safeParse(withRow(places, cost));
  return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('the bounds of a dataset', () => {
  it('are 10,000 places in a row and £1,000,000 a place', () => {
    expect(RESOURCE_BASE_BOUNDS).toEqual({ maxPlaces: 10_000, maxCostPerPlace: 1_000_000 });
  });

  it('refuse a cost of 1e308, naming the field', () => {
    expect(issuesOf(10, 1e308)).toEqual(['rows.0.cost: at most £1,000,000 a place, so at most £10,000,000,000 in one row']);
  });

  it('refuse more than 10,000 places in a row, and take 10,000 places at £1,000,000 each', () => {
    expect(issuesOf(10_001, 5)).toEqual(['rows.0.places: at most 10,000 places in one row']);
    expect(issuesOf(10_000, 10_000_000_000)).toEqual([]);
  });

  it('refuse a cost over £1,000,000 a place for the row, and a cost for no places', () => {
    expect(issuesOf(10, 20_000_000)).toEqual(['rows.0.cost: £20,000,000 for 10 places is £2,000,000 a place, over the £1,000,000 a place allowed']);
    expect(issuesOf(10, 10_000_000)).toEqual([]);
    expect(issuesOf(0, 5)).toEqual(['rows.0.cost: £5 for no commissioned places: a row with no places has no cost']);
    expect(issuesOf(0, 0)).toEqual([]);
  });

  it('refuse numbers that are not finite', () => {
    for (const n of [Infinity, -Infinity, NaN]) {
      expect(issuesOf(10, n)).toHaveLength(1);
      expect(issuesOf(n, 5)).toHaveLength(1);
    }
  });

  it('keep every total and cost per place of a dataset within them finite', () => {
    const row = fc
      .record({ places: fc.integer({ min: 1, max: RESOURCE_BASE_BOUNDS.maxPlaces }), share: fc.double({ min: 0, max: 1, noNaN: true }) })
      .map(({ places, share }) => ({ area: 'North' as const, need: 'ASD', places, cost: Math.floor(places * RESOURCE_BASE_BOUNDS.maxCostPerPlace * share) }));
    fc.assert(
      fc.property(fc.array(row, { minLength: 1, maxLength: 200 }), (rows) => {
        const ds: ResourceBaseDataset = resourceBaseDatasetSchema.parse({ ...bundled, rows });
        expect(Number.isFinite(overallCost(ds))).toBe(true);
        expect(Number.isFinite(commissionedPlaces(ds))).toBe(true);
        expect(costPerPlace(ds)).toBeLessThanOrEqual(RESOURCE_BASE_BOUNDS.maxCostPerPlace);
      }),
    );
  });
});

describe("the LA's dataset sheet", () => {
  const sheetOf = (change: (body: (string | number)[][]) => void) => {
    const body = datasetTableRows(BUNDLED_RESOURCE_BASES);
    change(body);
    return datasetFromSheet(BUNDLED_RESOURCE_BASES, { year: bundled.academicYear, source: bundled.source, body });
  };
  const first = DATASET_SHEET.firstDataRow;

  it('says at the cell that a cost of 1e308 is out of bounds', () => {
    const { problems } = sheetOf((body) => void (body[0]![3] = 1e308));
    expect(problems).toEqual([
      { cell: `D${first}`, column: 'Approximate annual cost (£)', row: first, message: 'Approximate annual cost (£): type the annual cost in pounds, without text: 0 or more, and at most £1,000,000 for each place.' },
    ]);
  });

  it('says at the cell what a place costs when it is over £1,000,000', () => {
    const { problems } = sheetOf((body) => {
      body[1]![2] = 2;
      body[1]![3] = '£3,000,000';
    });
    expect(problems).toEqual([
      {
        cell: `D${first + 1}`,
        column: 'Approximate annual cost (£)',
        row: first + 1,
        message: 'Approximate annual cost (£): £3,000,000 for 2 places is £1,500,000 a place, over the £1,000,000 a place allowed; type the annual cost in pounds, without text: 0 or more, and at most £1,000,000 for each place.',
      },
    ]);
  });

  it('says at the cell that 20,000 places is more than a row may have', () => {
    const { problems } = sheetOf((body) => void (body[2]![2] = 20_000));
    expect(problems).toEqual([{ cell: `C${first + 2}`, column: 'Commissioned places', row: first + 2, message: 'Commissioned places: type a whole number of places, from 0 to 10,000.' }]);
  });
});
