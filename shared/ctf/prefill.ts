/**
 * From a Common Transfer File to transition rows: the current SEN record, Year 6 only, and the
 * columns a CTF can fill. Everything else on the sheet is left for the SENCo.
 */
import type { ColumnKey } from '../transition/layout';
import type { CtfFile, CtfPupil, CtfSchool, CtfSenNeed, CtfSenRecord } from './reader';

/** The transition columns a CTF fills (A–F, Q–S); the rest of the row is the SENCo's. */
export const CTF_PREFILLED_COLUMNS = ['surname', 'forename', 'dob', 'sex', 'feederPrimary', 'upn', 'senProvision', 'primaryNeed', 'secondaryNeed'] as const satisfies readonly ColumnKey[];
export type CtfPrefilledKey = (typeof CTF_PREFILLED_COLUMNS)[number];

/** One pupil's prefilled cells, as text the validator reads like any typed cell; null is blank. */
export type PrefilledValues = { [K in CtfPrefilledKey]: string | null };

/** The year group transferring to Year 7 (`BasicDetails/NCyearActual`). */
export const CTF_TRANSFER_YEAR_GROUP = '6';

/** E > K > N: when two SEN records start on the same day, the one with more support wins, whatever the file's order. */
const PROVISION_WEIGHT: Readonly<Record<string, number>> = { E: 3, K: 2, N: 1 };

/** The date part of an ISO date or date-time as written ("2027-05-20T10:15:00" → "2027-05-20"), or null. */
const datePart = (v: string | null): string | null => (v !== null && /^\d{4}-\d{2}-\d{2}/.test(v) ? v.slice(0, 10) : null);

const upper = (v: string | null): string | null => (v === null ? null : v.trim().toUpperCase());

export interface CurrentSen {
  /** E, K or N (or a retired code as written, which the validator flags). */
  provision: string;
  primaryNeed: string | null;
  secondaryNeed: string | null;
}

/**
 * The pupil's current SEN record (the README states this rule):
 * - provision comes from the SEN record with the latest start date; no SEN history is N;
 * - needs are those still open on the file's date (no end date, or one after it), in
 *   SENtypeRank order: the first is the primary need, the second the secondary;
 * - a pupil whose current provision is N has no needs, whatever old need records remain open.
 * The order records are written in never matters.
 */
export function currentSen(pupil: Pick<CtfPupil, 'sen' | 'needs'>, asAt: string | null): CurrentSen {
  const record = latestRecord(pupil.sen);
  const provision = upper(record?.provision ?? null) ?? 'N';
  if (provision === 'N') return { provision, primaryNeed: null, secondaryNeed: null };
  const on = datePart(asAt);
  const open = pupil.needs
    .filter((n) => n.type !== null && isOpen(n, on))
    .sort(byRankThenNewest);
  return { provision, primaryNeed: upper(open[0]?.type ?? null), secondaryNeed: upper(open[1]?.type ?? null) };
}

/** The record with the latest start date; undated records count as the oldest. */
function latestRecord(records: readonly CtfSenRecord[]): CtfSenRecord | undefined {
  let best: CtfSenRecord | undefined;
  for (const r of records) {
    if (best === undefined || compareRecords(r, best) > 0) best = r;
  }
  return best;
}

function compareRecords(a: CtfSenRecord, b: CtfSenRecord): number {
  const da = datePart(a.startDate) ?? '';
  const db = datePart(b.startDate) ?? '';
  if (da !== db) return da < db ? -1 : 1;
  return (PROVISION_WEIGHT[upper(a.provision) ?? ''] ?? 0) - (PROVISION_WEIGHT[upper(b.provision) ?? ''] ?? 0);
}

/** Open on the file's date: no end date, or an end date after it. Without a file date, only undated ends count as open. */
function isOpen(need: CtfSenNeed, on: string | null): boolean {
  const end = datePart(need.endDate);
  if (need.endDate === null) return true;
  return on !== null && end !== null && end > on;
}

function byRankThenNewest(a: CtfSenNeed, b: CtfSenNeed): number {
  const ra = a.rank ?? Number.MAX_SAFE_INTEGER;
  const rb = b.rank ?? Number.MAX_SAFE_INTEGER;
  if (ra !== rb) return ra - rb;
  const sa = datePart(a.startDate) ?? '';
  const sb = datePart(b.startDate) ?? '';
  if (sa !== sb) return sa < sb ? 1 : -1;
  return (a.type ?? '') < (b.type ?? '') ? -1 : (a.type ?? '') > (b.type ?? '') ? 1 : 0;
}

/** The sending school's LAESTAB (LEA + Estab, 7 digits), else its URN, else null. */
export function feederPrimaryOf(source: CtfSchool): string | null {
  const laestab = `${source.lea ?? ''}${source.estab ?? ''}`;
  if (/^\d{7}$/.test(laestab)) return laestab;
  return source.urn !== null && /^\d{6}$/.test(source.urn) ? source.urn : null;
}

export interface CtfPrefill {
  /** The sending primary as the header names it. */
  school: { name: string | null; id: string | null };
  /** One row of prefilled cells per Year 6 pupil, in the file's order. */
  rows: PrefilledValues[];
  /** Pupils in other year groups, left out. */
  skipped: number;
}

/** The prefilled cells for one pupil. Nothing is dropped here: a bad UPN or date is the validator's to flag. */
export function prefilledValues(pupil: CtfPupil, feederPrimary: string | null, asAt: string | null): PrefilledValues {
  const sen = currentSen(pupil, asAt);
  return {
    surname: pupil.surname,
    forename: pupil.forename,
    dob: pupil.dob,
    sex: upper(pupil.sex),
    feederPrimary,
    upn: upper(pupil.upn),
    senProvision: sen.provision,
    primaryNeed: sen.primaryNeed,
    secondaryNeed: sen.secondaryNeed,
  };
}

/** Year 6 pupils (by NCyearActual) as prefilled rows; every other year group is counted and left out. */
export function prefillFromCtf(file: CtfFile): CtfPrefill {
  const feeder = feederPrimaryOf(file.header.source);
  const rows: PrefilledValues[] = [];
  let skipped = 0;
  for (const pupil of file.pupils) {
    if (pupil.ncYearActual?.trim().replace(/^0+(?=\d)/, '') === CTF_TRANSFER_YEAR_GROUP) rows.push(prefilledValues(pupil, feeder, file.header.dateTime));
    else skipped++;
  }
  return { school: { name: file.header.source.name, id: feeder }, rows, skipped };
}

const count = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;

/** "Prefilled 58 Year 6 pupils from St Mary's (3302001); skipped 11 pupils in other year groups". */
export function prefillSummary(prefill: CtfPrefill): string {
  const { name, id } = prefill.school;
  const from = [name, id === null ? null : `(${id})`].filter((s) => s !== null).join(' ') || 'the CTF';
  return `Prefilled ${count(prefill.rows.length, 'Year 6 pupil', 'Year 6 pupils')} from ${from}; skipped ${count(prefill.skipped, 'pupil in another year group', 'pupils in other year groups')}`;
}
