/**
 * Merging CTF pupils into a sheet that already has rows: matched by UPN, new pupils added,
 * missing ones listed, and only the prefilled columns ever changed.
 */
import fc from 'fast-check';
import { applyCtfMerge, planCtfMerge } from '../../shared/ctf/merge';
import { CTF_PREFILLED_COLUMNS, type PrefilledValues } from '../../shared/ctf/prefill';
import type { RowInput } from '../../shared/transition/schema';
import { PRIMARY, row, upnFor } from '../factories/transition';

/** The CTF's prefilled cells that agree with the factory's row n. */
function ctfRow(n: number, overrides: Partial<PrefilledValues> = {}): PrefilledValues {
  const v = row(n).values;
  return {
    surname: String(v.surname),
    forename: String(v.forename),
    dob: String(v.dob),
    sex: String(v.sex),
    feederPrimary: PRIMARY,
    upn: upnFor(n),
    senProvision: String(v.senProvision),
    primaryNeed: String(v.primaryNeed),
    secondaryNeed: null,
    ...overrides,
  };
}

describe('planning a CTF merge', () => {
  it('adds every pupil to an empty sheet, from the first data row', () => {
    const plan = planCtfMerge([], [ctfRow(1), ctfRow(2)]);
    expect(plan).toEqual({ updates: [], additions: [{ row: 10, values: ctfRow(1) }, { row: 11, values: ctfRow(2) }], missingFromCtf: [], unchanged: 0 });
  });

  it('matches by UPN whatever its case and spacing, and counts pupils that already agree', () => {
    const sheet: RowInput[] = [row(1, { upn: ` ${upnFor(1).toLowerCase().slice(0, 5)} ${upnFor(1).toLowerCase().slice(5)}` }), row(2)];
    const plan = planCtfMerge(sheet, [ctfRow(2), ctfRow(1)]);
    expect(plan.unchanged).toBe(1);
    expect(plan.updates).toEqual([{ row: 10, upn: upnFor(1), changes: [{ key: 'upn', from: sheet[0]?.values.upn, to: upnFor(1) }] }]);
    expect(plan.additions).toEqual([]);
  });

  it('reads a date typed as dd/mm/yyyy as the same date as the CTF’s ISO date', () => {
    const plan = planCtfMerge([row(1, { dob: '15/01/2016' })], [ctfRow(1)]);
    expect(plan).toEqual({ updates: [], additions: [], missingFromCtf: [], unchanged: 1 });
  });

  it('lists the prefilled cells that differ, for the SENCo to agree to before anything is written', () => {
    const plan = planCtfMerge([row(1), row(2)], [ctfRow(1, { senProvision: 'E', primaryNeed: 'ASD', secondaryNeed: 'SLCN' }), ctfRow(2, { surname: 'Newsurname' })]);
    expect(plan.updates).toEqual([
      {
        row: 10,
        upn: upnFor(1),
        changes: [
          { key: 'senProvision', from: 'K', to: 'E' },
          { key: 'primaryNeed', from: 'SLCN', to: 'ASD' },
          { key: 'secondaryNeed', from: null, to: 'SLCN' },
        ],
      },
      { row: 11, upn: upnFor(2), changes: [{ key: 'surname', from: 'Testsurname2', to: 'Newsurname' }] },
    ]);
  });

  it('clears a need the CTF shows has ended, but never blanks a name, date or code the CTF lacks', () => {
    const plan = planCtfMerge([row(1, { secondaryNeed: 'SEMH' })], [ctfRow(1, { surname: null, dob: null, sex: null, secondaryNeed: null })]);
    expect(plan.updates).toEqual([{ row: 10, upn: upnFor(1), changes: [{ key: 'secondaryNeed', from: 'SEMH', to: null }] }]);
  });

  it('adds CTF pupils the sheet lacks after its last used row, and lists sheet pupils the CTF lacks', () => {
    const sheet: RowInput[] = [row(1), { row: 11, values: {} }, row(3, { upn: '' }), { row: 14, values: row(4).values }];
    const plan = planCtfMerge(sheet, [ctfRow(1), ctfRow(5), ctfRow(6, { upn: null })]);
    expect(plan.additions).toEqual([
      { row: 15, values: ctfRow(5) },
      { row: 16, values: ctfRow(6, { upn: null }) },
    ]);
    expect(plan.missingFromCtf).toEqual([
      { row: 12, upn: null, surname: 'Testsurname3', forename: 'Testforename3' },
      { row: 14, upn: upnFor(4), surname: 'Testsurname4', forename: 'Testforename4' },
    ]);
    expect(plan.unchanged).toBe(1);
  });

  it('adds a second CTF pupil with a UPN already matched, for the validator to flag the repeat', () => {
    const plan = planCtfMerge([row(1)], [ctfRow(1), ctfRow(1, { forename: 'Twin' })]);
    expect(plan.unchanged).toBe(1);
    expect(plan.additions).toEqual([{ row: 11, values: ctfRow(1, { forename: 'Twin' }) }]);
  });
});

describe('applying a CTF merge', () => {
  it('writes only the prefilled columns of matched rows, keeping everything else the SENCo typed', () => {
    const sheet: RowInput[] = [row(1), row(2)];
    const plan = planCtfMerge(sheet, [ctfRow(1, { senProvision: 'E', primaryNeed: 'ASD' }), ctfRow(3)]);
    const merged = applyCtfMerge(sheet, plan);
    expect(merged).toHaveLength(3);
    const first = merged[0] as RowInput;
    expect(first.values).toEqual({ ...row(1).values, senProvision: 'E', primaryNeed: 'ASD', secondaryNeed: null });
    for (const [key, value] of Object.entries(row(1).values)) {
      if (!(CTF_PREFILLED_COLUMNS as readonly string[]).includes(key)) expect(first.values[key as keyof typeof first.values]).toEqual(value);
    }
    expect(merged[1]).toBe(sheet[1]);
    expect(merged[2]).toEqual({ row: 12, values: ctfRow(3) });
  });
});

describe('merge properties', () => {
  /** Sheet rows 1–8 (some edited by the SENCo), and CTF pupils drawn from 1–12 with unique UPNs. */
  const sheetArb = fc.uniqueArray(fc.integer({ min: 1, max: 8 }), { maxLength: 8 }).chain((ns) =>
    fc.tuple(...ns.map((n) => fc.record({ n: fc.constant(n), strengths: fc.constantFrom('Art.', 'Football.', null), attendance: fc.constantFrom(91, 99.5), senProvision: fc.constantFrom('K', 'N', 'E') }))),
  );
  const ctfArb = fc.uniqueArray(
    fc.record({ n: fc.integer({ min: 1, max: 12 }), senProvision: fc.constantFrom('K', 'E', 'N'), surname: fc.constantFrom<string | null>(null, 'Renamed') }),
    { maxLength: 10, selector: (c) => c.n },
  );
  const build = (sheet: Array<{ n: number; strengths: string | null; attendance: number; senProvision: string }>, ctf: Array<{ n: number; senProvision: string; surname: string | null }>) => ({
    sheetRows: sheet.map((s, i) => ({ row: 10 + i, values: row(s.n, { strengths: s.strengths, attendance: s.attendance, senProvision: s.senProvision }).values })),
    ctfRows: ctf.map((c) => ctfRow(c.n, { senProvision: c.senProvision, surname: c.surname, ...(c.senProvision === 'N' ? { primaryNeed: null } : {}) })),
  });

  it('never changes a column the CTF does not fill', () => {
    fc.assert(
      fc.property(sheetArb, ctfArb, (sheet, ctf) => {
        const { sheetRows, ctfRows } = build(sheet, ctf);
        const merged = applyCtfMerge(sheetRows, planCtfMerge(sheetRows, ctfRows));
        const prefilled = new Set<string>(CTF_PREFILLED_COLUMNS);
        return sheetRows.every((before, i) => {
          const after = merged[i] as RowInput;
          return after.row === before.row && Object.entries(before.values).every(([k, v]) => prefilled.has(k) || after.values[k as keyof typeof after.values] === v);
        });
      }),
      { numRuns: 200 },
    );
  });

  it('leaves nothing to do when the same CTF is merged again', () => {
    fc.assert(
      fc.property(sheetArb, ctfArb, (sheet, ctf) => {
        const { sheetRows, ctfRows } = build(sheet, ctf);
        const merged = applyCtfMerge(sheetRows, planCtfMerge(sheetRows, ctfRows));
        const again = planCtfMerge(merged, ctfRows);
        return again.updates.length === 0 && again.additions.length === 0 && again.unchanged === ctfRows.length;
      }),
      { numRuns: 200 },
    );
  });
});
