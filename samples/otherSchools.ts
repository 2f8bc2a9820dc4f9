/**
 * A filled return's workbook as other schools' returns, for runs that need many distinct
 * returns (the bench's 4,500, the tests' 200): each copy has its own school code and its own
 * UPNs (each with its check letter), so no two copies share a pupil and none is a copy of
 * another school's return. Made by rewriting the text of the workbook's parts, which costs
 * about a millisecond a copy where writing a workbook through exceljs costs fifty.
 */
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import type { School } from '../shared/schools';
import type { TransitionReturn } from '../shared/transition/schema';
import { makeUpn } from '../shared/upn';

/** (design) Copies are schools 3305000 onwards (URNs 170000 onwards): the synthetic directories' primaries are 3302xxx (URNs 18xxxx), their secondaries 3304xxx (19xxxx). */
const FIRST_COPY_SCHOOL = 3305000;
const FIRST_COPY_URN = 170000;

/** The school code of copy `k` (0-based). */
export const otherSchoolCode = (k: number): string => String(FIRST_COPY_SCHOOL + k);

/** Copy `k`'s school, for a directory that lists the copies: a primary like `like`, under its own codes. */
export function otherSchool(k: number, like: School): School {
  const { email: _email, ...rest } = like;
  return { ...rest, laestab: otherSchoolCode(k), urn: String(FIRST_COPY_URN + k), name: `Copy ${k + 1} of ${like.name}`.slice(0, 120), phase: 'primary' };
}

/**
 * Copy `k` of `bytes`, the workbook of `ret` (the return of `school`), as the return of
 * otherSchoolCode(k): the school's code and every pupil's UPN replaced wherever the workbook's
 * XML holds them.
 */
export function asOtherSchool(bytes: Uint8Array, ret: TransitionReturn, school: string, k: number): Uint8Array {
  const to = otherSchoolCode(k);
  // UPNs first: each holds its school's code (LA code and establishment), which is replaced after.
  const upns = new Map<string, string>();
  for (const s of ret.sheets) {
    for (const r of s.rows) {
      const upn = String(r.values.upn ?? '');
      if (upn.length === 13) upns.set(upn, makeUpn(to.slice(0, 3), to.slice(3), upn.slice(8, 10), upn.slice(10)));
    }
  }
  const parts = unzipSync(bytes);
  for (const [name, data] of Object.entries(parts)) {
    if (!name.endsWith('.xml')) continue;
    let text = strFromU8(data);
    for (const [from, replacement] of upns) text = text.split(from).join(replacement);
    parts[name] = strToU8(text.split(school).join(to));
  }
  return zipSync(parts, { level: 1 });
}
