/**
 * The same UPN on more than one school's return: a pupil who moved primary, or a typing slip.
 * Which school is right is for the LA to resolve; until it does, the counting rule is this, in
 * the CLI's consolidated workbook and the API's tracker, rollup and export alike:
 *
 *   A pupil whose UPN is on more than one school's return is counted under each school that
 *   returned them. The city tables are not silently deduplicated (no school's count is quietly
 *   lowered, and the LA sees what each school sent); beside the totals the output says how many
 *   UPNs are on more than one school's return, and the tracker names the schools.
 *
 * Two copies of one school's return are another matter (one file is kept: see
 * shared/consolidation.ts); this module is about different schools.
 *
 * Memory: one entry per UPN, a UPN string to the index of the return that holds it (an array
 * only for the few UPNs on more than one), so it grows with the city's pupils and nothing else.
 * Measured by bench/run.ts (its 4,500-school consolidation): see the README's limits.
 */

/** A UPN on more than one school's return, those schools (LAESTABs, in the order their returns came), and the returns (their ids: UpnIndex.addReturn). */
export interface CrossSchoolUpn {
  upn: string;
  schools: string[];
  returns: number[];
}

/** For the LA: how many UPNs are on more than one school's return, and how they are counted. */
export function crossSchoolLine(upns: number): string {
  if (upns === 0) return 'No UPN is on more than one school\'s return.';
  const are = upns === 1 ? '1 UPN is' : `${upns} UPNs are`;
  return `${are} on more than one school's return: each such pupil is counted under every school that returned them ` +
    '(the tables are not deduplicated) until the LA resolves which school is right; the Tracker sheet names the schools.';
}

/** For a primary's check or receipt: how many of its pupils are also on another school's return (empty when none). */
export function alsoOnAnotherReturnNotice(pupils: number): string {
  if (pupils === 0) return '';
  const are = pupils === 1 ? '1 pupil on this return is' : `${pupils} pupils on this return are`;
  return `${are} also on another school's return (the same UPN). The LA will resolve which school the pupil belongs to; you need do nothing unless the LA asks.`;
}

/** For a secondary whose cohort holds such a pupil: listed once, and why. */
export function cohortCrossSchoolNotice(pupils: number): string {
  if (pupils === 0) return '';
  const are = pupils === 1 ? '1 pupil is' : `${pupils} pupils are`;
  return `${are} on more than one school's return (the same UPN): each is listed once here, and the LA will resolve which school is right.`;
}

/**
 * UPNs, each with the returns that hold it. A return is registered with its school
 * (`addReturn`); its pupils' UPNs are then added one by one as they stream past.
 */
export class UpnIndex {
  /** UPN → the id of the return that holds it, or the ids, for a UPN on more than one. */
  private readonly holders = new Map<string, number | number[]>();
  private readonly schools: string[] = [];

  /** Registers a return of `school` (its LAESTAB); its id, for add(). */
  addReturn(school: string): number {
    this.schools.push(school);
    return this.schools.length - 1;
  }

  schoolOf(id: number): string {
    return this.schools[id] ?? '';
  }

  /** The returns already holding `upn`, in the order they were added. */
  holdersOf(upn: string): readonly number[] {
    const h = this.holders.get(upn);
    return h === undefined ? [] : typeof h === 'number' ? [h] : h;
  }

  /** Records that return `id` holds `upn` (once, however often it is added). */
  add(id: number, upn: string): void {
    const h = this.holders.get(upn);
    if (h === undefined) this.holders.set(upn, id);
    else if (typeof h === 'number') {
      if (h !== id) this.holders.set(upn, [h, id]);
    } else if (!h.includes(id)) h.push(id);
  }

  /** UPNs held. */
  get size(): number {
    return this.holders.size;
  }

  /** The UPNs whose returns (less any `leftOut`) are from more than one school, in the order they were first seen. */
  crossSchool(leftOut: (id: number) => boolean = () => false): CrossSchoolUpn[] {
    const out: CrossSchoolUpn[] = [];
    for (const [upn, h] of this.holders) {
      if (typeof h === 'number') continue;
      const returns = h.filter((id) => !leftOut(id));
      const schools = [...new Set(returns.map((id) => this.schoolOf(id)))];
      if (schools.length > 1) out.push({ upn, schools, returns });
    }
    return out;
  }
}

/** The UPNs on more than one school's return, given each (school, UPN) a return holds, in any order. */
export function upnsOnMoreThanOneSchool(pairs: Iterable<readonly [school: string, upn: string]>): CrossSchoolUpn[] {
  const index = new UpnIndex();
  const ids = new Map<string, number>();
  for (const [school, upn] of pairs) {
    let id = ids.get(school);
    if (id === undefined) {
      id = index.addReturn(school);
      ids.set(school, id);
    }
    index.add(id, upn);
  }
  return index.crossSchool();
}
