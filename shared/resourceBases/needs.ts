/**
 * How the resource base review's designated needs map onto DfE census SEN type codes, so
 * commissioned places can be compared with the needs named on transition returns.
 */
import type { SenNeedCodeValue } from '../codes';
import { DomainInputError } from '../errors';
import type { ResourceBaseDataset } from './dataset';

/**
 * (design) Designated need → DfE SEN type codes. The review's "C&L" (cognition and learning)
 * covers all four census C&L codes; "FAM" (fully accessible mainstream) serves physical
 * disability. Combined designations such as `ASD;SLCN` are the union of their parts.
 */
export const RESOURCE_BASE_NEED_TO_SEN: Readonly<Record<string, readonly SenNeedCodeValue[]>> = {
  ASD: ['ASD'],
  SLCN: ['SLCN'],
  'C&L': ['MLD', 'SLD', 'PMLD', 'SPLD'],
  FAM: ['PD'],
  PD: ['PD'],
  HI: ['HI'],
  VI: ['VI'],
  MSI: ['MSI'],
  SEMH: ['SEMH'],
};

/** DfE SEN codes for one designation, including combined ones like `C&L;ASD;PD`. */
export function senCodesForNeedCode(needCode: string): SenNeedCodeValue[] {
  const out = new Set<SenNeedCodeValue>();
  for (const part of needCode.split(';')) {
    const key = part.trim().toUpperCase();
    const mapped = Object.entries(RESOURCE_BASE_NEED_TO_SEN).find(([k]) => k.toUpperCase() === key)?.[1];
    if (mapped === undefined) {
      throw new DomainInputError('invalidValue', `need "${part.trim()}" has no DfE SEN type mapping`);
    }
    mapped.forEach((c) => out.add(c));
  }
  return [...out];
}

/**
 * The dataset need codes a need argument stands for: a group name gives its members, a need
 * code gives itself. Blank means all. Case-insensitive; unknown → invalidValue listing the valid ones.
 *
 * (design) A code matches rows designated exactly that code: "ASD" does not include the
 * combined `ASD;SLCN` bases, which are asked for by their own code or by their group. This
 * keeps the review's own per-designation figures reproducible.
 */
export function needCodesFor(ds: ResourceBaseDataset, need: string | null | undefined): string[] {
  const wanted = (need ?? '').trim();
  const allCodes = Object.keys(ds.needCodes);
  if (wanted === '') return allCodes;
  const upper = wanted.toUpperCase();
  const group = Object.entries(ds.groups).find(([name]) => name.toUpperCase() === upper);
  if (group) return [...group[1]];
  const code = allCodes.find((c) => c.toUpperCase() === upper);
  if (code !== undefined) return [code];
  throw new DomainInputError(
    'invalidValue',
    `need "${wanted}" is not in the ${ds.academicYear} dataset: use a need code (${allCodes.join(', ')}) or a group (${Object.keys(ds.groups).join(', ')}), or leave it blank for all`,
  );
}

/** DfE SEN codes a need argument covers (blank: every mapped code in the dataset). */
export function senCodesForNeed(ds: ResourceBaseDataset, need: string | null | undefined): SenNeedCodeValue[] {
  return [...new Set(needCodesFor(ds, need).flatMap(senCodesForNeedCode))];
}
