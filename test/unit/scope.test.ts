/**
 * schoolsInScope: the one list of schools a principal may read (ARCHITECTURE.md, trust
 * boundaries), which the tracker, the aggregates and /me take their schools from.
 */
import fc from 'fast-check';
import { canReadSchool, schoolsInScope, type Scoped as Principal } from '../../functions/src/auth';
import { SchoolDirectory, type School } from '../../shared/schools';

const SCHOOLS: School[] = [
  { laestab: '3302001', urn: '990001', name: 'Acorn Lane Primary (test)', phase: 'primary', area: 'North', trust: null },
  { laestab: '3302002', urn: '990002', name: 'Bramble Hill Primary (test)', phase: 'primary', area: 'North', trust: 'T1' },
  { laestab: '3302003', urn: '990003', name: 'Copperbeech Primary (test)', phase: 'primary', area: 'East', trust: 'T1' },
  { laestab: '3302004', urn: '990004', name: 'Damson Road Primary (test)', phase: 'primary', area: 'West', trust: 'T2' },
  { laestab: '3304001', urn: '990101', name: 'Hillcrest Academy (test)', phase: 'secondary', area: 'North', trust: 'T1' },
  { laestab: '3304002', urn: '990102', name: 'Millstone Secondary (test)', phase: 'secondary', area: 'East', trust: null },
];
const directory = new SchoolDirectory(SCHOOLS);
const laestabs = (schools: School[]) => schools.map((s) => s.laestab);

describe('schoolsInScope', () => {
  it('gives the LA every school in the directory, in directory order', () => {
    expect(laestabs(schoolsInScope({ subject: 'la-1', role: 'la' }, directory))).toEqual(laestabs(SCHOOLS));
  });

  it("gives a trust the directory's schools in that trust, primary and secondary, and no maintained school", () => {
    expect(laestabs(schoolsInScope({ subject: 'trust-1', role: 'trust', trust: 'T1' }, directory))).toEqual(['3302002', '3302003', '3304001']);
    expect(laestabs(schoolsInScope({ subject: 'trust-2', role: 'trust', trust: 'T2' }, directory))).toEqual(['3302004']);
  });

  it('gives a trust the directory does not know, or a trust token without a trust, no school', () => {
    expect(schoolsInScope({ subject: 'trust-9', role: 'trust', trust: 'T9' }, directory)).toEqual([]);
    expect(schoolsInScope({ subject: 'trust-x', role: 'trust' }, directory)).toEqual([]);
  });

  it('gives a school itself only, and a school outside the directory nothing', () => {
    expect(laestabs(schoolsInScope({ subject: 's-1', role: 'school', school: '3302002' }, directory))).toEqual(['3302002']);
    expect(schoolsInScope({ subject: 's-9', role: 'school', school: '3309999' }, directory)).toEqual([]);
    expect(schoolsInScope({ subject: 's-x', role: 'school' }, directory)).toEqual([]);
  });

  it('agrees with canReadSchool on every school in the directory, for any principal', () => {
    const principal: fc.Arbitrary<Principal> = fc.oneof(
      fc.constant<Principal>({ subject: 'la', role: 'la' }),
      fc.option(fc.constantFrom('T1', 'T2', 'T9'), { nil: undefined }).map((trust): Principal => ({ subject: 'trust', role: 'trust', ...(trust ? { trust } : {}) })),
      fc.option(fc.constantFrom(...laestabs(SCHOOLS), '3309999'), { nil: undefined }).map((school): Principal => ({ subject: 'school', role: 'school', ...(school ? { school } : {}) })),
    );
    fc.assert(
      fc.property(principal, (p) => {
        const inScope = new Set(laestabs(schoolsInScope(p, directory)));
        for (const s of SCHOOLS) expect(inScope.has(s.laestab)).toBe(canReadSchool(p, s.laestab, directory));
      }),
    );
  });
});
