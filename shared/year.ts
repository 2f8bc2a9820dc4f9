/**
 * Years, said once. A bare year is the academic year that starts in September of that year:
 * `2027` is the transfer to Year 7 in September 2027, academic year `2027-28`.
 *
 * - The **transfer year** (a number, 2027) names a transition cycle: the September in which
 *   that cycle's Year 6 pupils start Year 7. Returns, summaries, URLs and the CLI key on it.
 * - The **academic year** (text, `2027-28`) is how the LA labels a dataset, e.g. the
 *   resource-base review of 2019-20. It is the transfer year and the two digits that follow.
 *
 * Every surface (CLI `--year`, URL `{year}`, the RB functions' year argument, resource-base
 * dataset ids) parses years here, so they agree and fail with the same words.
 */
import { z } from 'zod';
import { DomainInputError } from './errors';

/** (design) The years accepted anywhere: wide enough for any real cohort, narrow enough to catch a typo such as 207. */
export const TRANSFER_YEAR_MIN = 2000;
export const TRANSFER_YEAR_MAX = 2100;

/** The rule in a user's words; every year error says it. */
export const YEAR_RULE = `a year must be from ${TRANSFER_YEAR_MIN} to ${TRANSFER_YEAR_MAX}, the September the pupils start Year 7 (2027 or 2027-28 means September 2027)`;

/** A year the user wrote: `2027`, or an academic year `2027-28` (also `2027/28`, `2027-2028`). */
export const YEAR_TEXT_PATTERN = '(\\d{4})(?:[-/](\\d{2}|\\d{4}))?';
const YEAR_TEXT = new RegExp(`^${YEAR_TEXT_PATTERN}$`);
const ACADEMIC_YEAR = /^(\d{4})-(\d{2})$/;

/** The transfer year: the September in which the pupils start Year 7. */
export const transferYearSchema = z.number().int(YEAR_RULE).min(TRANSFER_YEAR_MIN, YEAR_RULE).max(TRANSFER_YEAR_MAX, YEAR_RULE);
export type TransferYear = z.infer<typeof transferYearSchema>;

const inBounds = (year: number): boolean => transferYearSchema.safeParse(year).success;

/** Does `next` (2 or 4 digits) name the year after `first`? 2019-20, 2099-00, 2019-2020. */
const follows = (first: number, next: string): boolean =>
  next.length === 4 ? Number(next) === first + 1 : Number(next) === (first + 1) % 100;

/** True for `YYYY-YY` where the second year follows the first and the first is within bounds (2019-20). */
export function isAcademicYear(value: string): boolean {
  const m = ACADEMIC_YEAR.exec(value);
  return m?.[1] !== undefined && m[2] !== undefined && inBounds(Number(m[1])) && follows(Number(m[1]), m[2]);
}

/** The academic year as a dataset names it, e.g. "2019-20". */
const ACADEMIC_YEAR_RULE = `an academic year is written like 2027-28, and ${YEAR_RULE}`;
export const academicYearSchema = z.string().regex(ACADEMIC_YEAR, ACADEMIC_YEAR_RULE).refine(isAcademicYear, ACADEMIC_YEAR_RULE);
export type AcademicYear = z.infer<typeof academicYearSchema>;

/** What every surface throws for a year it cannot read; the edges turn it into their own error. */
export function yearError(got: unknown): DomainInputError {
  return new DomainInputError('invalidValue', `${YEAR_RULE}; got "${String(got).slice(0, 20)}"`);
}

/** A bare year (number or text) or an academic year, as its transfer year: 2027, "2027", "2027-28" → 2027. */
export function parseTransferYear(value: string | number): TransferYear {
  if (typeof value === 'number') {
    if (!inBounds(value)) throw yearError(value);
    return value;
  }
  const text = value.trim();
  const m = YEAR_TEXT.exec(text);
  const year = Number(m?.[1]);
  if (m === null || !inBounds(year) || (m[2] !== undefined && !follows(year, m[2]))) throw yearError(text);
  return year;
}

/** The academic year that starts in September of the transfer year: 2027 → "2027-28". */
export function academicYearOf(transferYear: TransferYear): AcademicYear {
  return `${transferYear}-${String((transferYear + 1) % 100).padStart(2, '0')}`;
}

/** The transfer year an academic year starts in: "2019-20" → 2019. */
export function transferYearOfAcademic(academicYear: string): TransferYear {
  if (!isAcademicYear(academicYear)) throw yearError(academicYear);
  return Number(academicYear.slice(0, 4));
}

/**
 * The transfer year being prepared on `today`. From September onwards the current Year 6
 * move up the next year, so in October 2026 it is 2027.
 */
export function currentTransferYear(today: Date = new Date()): TransferYear {
  return today.getUTCMonth() >= 8 ? today.getUTCFullYear() + 1 : today.getUTCFullYear();
}
