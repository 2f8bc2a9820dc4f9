import { cityRollup, DIMENSIONS, resourceBaseDemand } from '../../shared/aggregate/rollup';
import { emptySummary, needKey, schoolSummary, schoolSummarySchema } from '../../shared/aggregate/summary';
import { countTableSchema, type CountTable } from '../../shared/aggregate/table';
import { SchoolDirectory } from '../../shared/schools';
import { pupilRowSchema, type PupilRow } from '../../shared/transition/schema';
import { pupilRow } from '../factories/transition';

const YEAR = 2027;
const PRIMARY_A = '3302001';
const PRIMARY_B = '3302002';
const HILLCREST = '3304001';
const NORTHFIELD = '3304002';
const UNLISTED = '3309999';

const directory = new SchoolDirectory([
  { laestab: PRIMARY_A, urn: '100001', name: 'Testbrook Primary', phase: 'primary', area: 'East', trust: null },
  { laestab: PRIMARY_B, urn: '100002', name: 'Sample Lane Primary', phase: 'primary', area: 'West', trust: 'T1' },
  { laestab: HILLCREST, urn: '100003', name: 'Hillcrest Academy', phase: 'secondary', area: 'North', trust: 'T1' },
  { laestab: NORTHFIELD, urn: '100004', name: 'Northfield School', phase: 'secondary', area: 'South', trust: null },
]);

/** The shared factory's valid pupil, checked against the schema, at Hillcrest from primary A. */
function pupil(n: number, overrides: Partial<PupilRow> = {}): PupilRow {
  return pupilRowSchema.parse(pupilRow(n, { receivingSecondary: HILLCREST, feederPrimary: PRIMARY_A, ...overrides }));
}

const schoolA = [
  pupil(1),
  pupil(2, { senProvision: 'E', primaryNeed: 'ASD', supportLevel: 'Specialist', resourceBase: { placement: 'Y', base: 'Hillcrest ASD base' } }),
  pupil(3, { senProvision: 'E', primaryNeed: 'ASD', supportLevel: 'Specialist', resourceBase: { placement: 'Y', base: null } }),
  pupil(4, { senProvision: 'N', primaryNeed: null, supportLevel: 'Universal', resourceBase: null, receivingSecondary: NORTHFIELD }),
  pupil(5, { primaryNeed: 'SEMH', receivingSecondary: NORTHFIELD }),
];
const schoolB = [
  pupil(6, { feederPrimary: PRIMARY_B, senProvision: 'E', primaryNeed: 'HI', resourceBase: { placement: 'Y', base: null }, receivingSecondary: NORTHFIELD }),
  pupil(7, { feederPrimary: PRIMARY_B, primaryNeed: 'NSA', receivingSecondary: UNLISTED }),
  pupil(8, { feederPrimary: PRIMARY_B, senProvision: 'N', primaryNeed: null, supportLevel: 'Universal' }),
];

const summaryA = schoolSummary(PRIMARY_A, YEAR, schoolA);
const summaryB = schoolSummary(PRIMARY_B, YEAR, schoolB);

/** The table's rows as label → [E, K, N, total], leaving out all-zero rows. */
function nonZeroRows(t: CountTable): Record<string, unknown[]> {
  return Object.fromEntries(t.rows.filter((r) => r.total !== 0).map((r) => [r.label, [...r.cells, r.total]]));
}

/** Adds tables of the same shape entry by entry (raw tables only). */
function addTables(a: CountTable, b: CountTable): CountTable {
  const n = (v: number | 'c'): number => (typeof v === 'number' ? v : Number.NaN);
  return {
    ...a,
    rows: a.rows.map((r, i) => ({
      label: r.label,
      cells: r.cells.map((v, j) => n(v) + n(b.rows[i]?.cells[j] ?? 0)),
      total: n(r.total) + n(b.rows[i]?.total ?? 0),
    })),
    columnTotals: a.columnTotals.map((v, j) => n(v) + n(b.columnTotals[j] ?? 0)),
    grandTotal: n(a.grandTotal) + n(b.grandTotal),
  };
}

describe('schoolSummary', () => {
  it('counts pupils by provision and primary need, with no need recorded as None', () => {
    expect(summaryA.pupils).toBe(5);
    expect(summaryA.byProvisionNeed).toEqual({ E: { ASD: 2 }, K: { SLCN: 1, SEMH: 1 }, N: { None: 1 } });
  });

  it('counts a need under its canonical DfE code, whatever its case; a PupilRow holds only canonical codes', () => {
    expect(needKey('semh')).toBe('SEMH');
    expect(pupilRowSchema.safeParse({ ...pupilRow(5), primaryNeed: 'semh' }).success).toBe(false);
  });

  it('counts pupils by receiving secondary and by level of support', () => {
    expect(summaryA.bySecondary).toEqual({
      [HILLCREST]: { E: 2, K: 1, N: 0 },
      [NORTHFIELD]: { E: 0, K: 1, N: 1 },
    });
    expect(summaryA.bySupport).toEqual({
      Universal: { E: 0, K: 0, N: 1 },
      Targeted: { E: 0, K: 2, N: 0 },
      Specialist: { E: 2, K: 0, N: 0 },
    });
  });

  it('counts pupils by receiving secondary then primary need, keeping only non-zero counts', () => {
    expect(summaryA.bySecondaryNeed).toEqual({
      [HILLCREST]: { ASD: 2, SLCN: 1 },
      [NORTHFIELD]: { None: 1, SEMH: 1 },
    });
    expect(summaryB.bySecondaryNeed).toEqual({
      [HILLCREST]: { None: 1 },
      [NORTHFIELD]: { HI: 1 },
      [UNLISTED]: { NSA: 1 },
    });
  });

  it('counts resource-base placements by receiving secondary and primary need', () => {
    expect(summaryA.resourceBaseDemand).toEqual([{ secondary: HILLCREST, need: 'ASD', pupils: 2 }]);
  });

  it('holds no pupil-level data: no names, UPNs or dates of birth', () => {
    const json = JSON.stringify(summaryA);
    for (const p of schoolA) {
      expect(json).not.toContain(p.surname);
      expect(json).not.toContain(p.forename);
      expect(json).not.toContain(p.upn);
      expect(json).not.toContain(p.dob);
    }
  });

  it('is a valid, JSON-safe summary document', () => {
    expect(schoolSummarySchema.parse(JSON.parse(JSON.stringify(summaryA)))).toEqual(summaryA);
  });

  it('gives an empty summary for a school with no valid pupils', () => {
    expect(schoolSummary(PRIMARY_A, YEAR, [])).toEqual(emptySummary(PRIMARY_A, YEAR));
    expect(schoolSummarySchema.safeParse(emptySummary(PRIMARY_A, YEAR)).success).toBe(true);
  });
});

describe('cityRollup', () => {
  it('returns one raw table per dimension, in the order asked, with stable ids', () => {
    const tables = cityRollup([summaryA, summaryB], [...DIMENSIONS], { directory });
    expect(tables.map((t) => t.id)).toEqual([
      'need-by-provision',
      'area-by-provision',
      'secondary-by-provision',
      'support-by-provision',
      'locality-by-provision',
      'area-by-locality',
    ]);
    for (const t of tables) {
      expect(countTableSchema.parse(t)).toEqual(t);
      expect(t.disclosureControlled).toBe(false);
      expect(t.grandTotal).toBe(8);
    }
  });

  it('tabulates primary need by SEN provision, listing every census code', () => {
    const [need] = cityRollup([summaryA, summaryB], ['need']);
    expect(need?.columns).toEqual([
      'Education, health and care plan (E)',
      'SEN support (K)',
      'No special educational need (N)',
    ]);
    expect(need?.rows).toHaveLength(14);
    expect(nonZeroRows(need!)).toEqual({
      'Speech, language and communication needs (SLCN)': [0, 1, 0, 1],
      'Autistic spectrum disorder (ASD)': [2, 0, 0, 2],
      'Social, emotional and mental health (SEMH)': [0, 1, 0, 1],
      'Hearing impairment (HI)': [1, 0, 0, 1],
      'SEN support but no specialist assessment of type of need (NSA)': [0, 1, 0, 1],
      'No need recorded': [0, 0, 2, 2],
    });
    expect(need?.columnTotals).toEqual([3, 3, 2]);
  });

  it('tabulates broad area of need by SEN provision', () => {
    const [area] = cityRollup([summaryA, summaryB], ['area']);
    expect(nonZeroRows(area!)).toEqual({
      'Communication and Interaction': [2, 1, 0, 3],
      'Social, Emotional and Mental Health': [0, 1, 0, 1],
      'Sensory and/or Physical': [1, 0, 0, 1],
      'No broad area (OTH or NSA)': [0, 1, 0, 1],
      'No need recorded': [0, 0, 2, 2],
    });
  });

  it('labels receiving secondaries by name and LAESTAB when the directory knows them', () => {
    const [secondary] = cityRollup([summaryA, summaryB], ['secondary'], { directory });
    expect(nonZeroRows(secondary!)).toEqual({
      [`Hillcrest Academy (${HILLCREST})`]: [2, 1, 1, 4],
      [`Northfield School (${NORTHFIELD})`]: [1, 1, 1, 3],
      [UNLISTED]: [0, 1, 0, 1],
    });
    const [bare] = cityRollup([summaryA], ['secondary']);
    expect(bare?.rows.map((r) => r.label)).toEqual([HILLCREST, NORTHFIELD]);
  });

  it("tabulates the receiving secondary's locality area, Unknown when the directory does not know it", () => {
    const [locality] = cityRollup([summaryA, summaryB], ['locality'], { directory });
    expect(nonZeroRows(locality!)).toEqual({ North: [2, 1, 1, 4], South: [1, 1, 1, 3], Unknown: [0, 1, 0, 1] });
    expect(locality?.rows.map((r) => r.label)).toEqual(['East', 'North', 'South', 'West', 'Unknown']);
    const [noDirectory] = cityRollup([summaryA, summaryB], ['locality']);
    expect(nonZeroRows(noDirectory!)).toEqual({ Unknown: [3, 3, 2, 8] });
  });

  it("cross-tabulates the receiving secondary's locality area by broad area of need, with every area and need column", () => {
    const [crosstab] = cityRollup([summaryA, summaryB], ['area-locality'], { directory });
    expect(crosstab?.id).toBe('area-by-locality');
    expect(crosstab?.rowHeader).toBe('Locality area');
    expect(crosstab?.columns).toEqual([
      'Cognition and Learning',
      'Communication and Interaction',
      'Social, Emotional and Mental Health',
      'Sensory and/or Physical',
      'No broad area (OTH or NSA)',
      'No need recorded',
    ]);
    expect(crosstab?.rows.map((r) => [r.label, ...r.cells, r.total])).toEqual([
      ['East', 0, 0, 0, 0, 0, 0, 0],
      ['North', 0, 3, 0, 0, 0, 1, 4],
      ['South', 0, 0, 1, 1, 0, 1, 3],
      ['West', 0, 0, 0, 0, 0, 0, 0],
      ['Unknown', 0, 0, 0, 0, 1, 0, 1],
    ]);
    expect(crosstab?.columnTotals).toEqual([0, 3, 1, 1, 1, 2]);
    expect(crosstab?.grandTotal).toBe(8);
  });

  it('has the area table\'s column totals and the locality table\'s row totals in its cross-tab', () => {
    const [area, locality, crosstab] = cityRollup([summaryA, summaryB], ['area', 'locality', 'area-locality'], { directory });
    expect(crosstab?.columns).toEqual(area?.rows.map((r) => r.label));
    expect(crosstab?.columnTotals).toEqual(area?.rows.map((r) => r.total));
    expect(crosstab?.rows.map((r) => [r.label, r.total])).toEqual(locality?.rows.map((r) => [r.label, r.total]));
  });

  it('lists no Unknown row in the cross-tab when every receiving secondary has a locality', () => {
    const [crosstab] = cityRollup([summaryA], ['area-locality'], { directory });
    expect(crosstab?.rows.map((r) => r.label)).toEqual(['East', 'North', 'South', 'West']);
    const [noDirectory] = cityRollup([summaryA, summaryB], ['area-locality']);
    expect(noDirectory?.rows.map((r) => [r.label, ...r.cells, r.total]).slice(4)).toEqual([['Unknown', 0, 3, 1, 1, 1, 2, 8]]);
  });

  it('counts an unrecognised need code under no broad area in the cross-tab, as the area table does', () => {
    const odd = { ...emptySummary(PRIMARY_A, YEAR), pupils: 2, byProvisionNeed: { E: {}, K: { XYZ: 2 }, N: {} }, bySecondary: { [HILLCREST]: { E: 0, K: 2, N: 0 } }, bySecondaryNeed: { [HILLCREST]: { XYZ: 2 } } };
    const [area, crosstab] = cityRollup([odd], ['area', 'area-locality'], { directory });
    expect(nonZeroRows(area!)).toEqual({ 'No broad area (OTH or NSA)': [0, 2, 0, 2] });
    expect(crosstab?.rows[1]?.cells).toEqual([0, 0, 0, 0, 2, 0]);
  });

  it('tabulates level of support by SEN provision', () => {
    const [support] = cityRollup([summaryA, summaryB], ['support']);
    expect(support?.rows.map((r) => [r.label, ...r.cells, r.total])).toEqual([
      ['Universal', 0, 0, 2, 2],
      ['Targeted', 1, 3, 0, 4],
      ['Specialist', 2, 0, 0, 2],
    ]);
  });

  it('equals the sum of the per-school tables, totals included', () => {
    for (const dimension of ['need', 'area', 'support', 'locality', 'area-locality'] as const) {
      const [city] = cityRollup([summaryA, summaryB], [dimension], { directory });
      const [a] = cityRollup([summaryA], [dimension], { directory });
      const [b] = cityRollup([summaryB], [dimension], { directory });
      if (dimension === 'locality' || dimension === 'area-locality') {
        // School A sends nobody to an unlisted secondary, so its table has no Unknown row.
        const sum = addTables(a!, { ...b!, rows: b!.rows.slice(0, 4) });
        expect(city?.rows.slice(0, 4)).toEqual(sum.rows);
        expect([city?.columnTotals, city?.grandTotal]).toEqual([
          addTables(a!, b!).columnTotals,
          addTables(a!, b!).grandTotal,
        ]);
      } else {
        expect(city).toEqual(addTables(a!, b!));
      }
    }
  });

  it('gives the same tables whether rolled up from pupils of one summary or many', () => {
    const together = schoolSummary('all', YEAR, [...schoolA, ...schoolB]);
    expect(cityRollup([together], [...DIMENSIONS], { directory })).toEqual(
      cityRollup([summaryA, summaryB], [...DIMENSIONS], { directory }),
    );
  });

  it('sums each row and column from the raw counts', () => {
    for (const t of cityRollup([summaryA, summaryB], [...DIMENSIONS], { directory })) {
      const num = (v: number | 'c'): number => (typeof v === 'number' ? v : Number.NaN);
      for (const r of t.rows) expect(r.total).toBe(r.cells.reduce<number>((s, v) => s + num(v), 0));
      t.columnTotals.forEach((total, j) => expect(total).toBe(t.rows.reduce((s, r) => s + num(r.cells[j] ?? 0), 0)));
      expect(t.grandTotal).toBe(t.columnTotals.reduce<number>((s, v) => s + num(v), 0));
    }
  });
});

describe('resourceBaseDemand', () => {
  it("counts placements by the receiving secondary's locality and primary need", () => {
    expect(resourceBaseDemand([summaryA, summaryB], { directory })).toEqual([
      { area: 'North', need: 'ASD', pupils: 2 },
      { area: 'South', need: 'HI', pupils: 1 },
    ]);
  });

  it('adds up across schools and falls back to Unknown without a directory', () => {
    const again = schoolSummary(PRIMARY_B, YEAR, [pupil(9, { senProvision: 'E', primaryNeed: 'ASD', resourceBase: { placement: 'Y', base: null } })]);
    expect(resourceBaseDemand([summaryA, summaryB, again])).toEqual([
      { area: 'Unknown', need: 'ASD', pupils: 3 },
      { area: 'Unknown', need: 'HI', pupils: 1 },
    ]);
  });
});
