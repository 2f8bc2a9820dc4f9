/**
 * The one status vocabulary (ARCHITECTURE.md, years and statuses):
 * - a return VERSION is `draft` (saved, may keep unexplained queries) or `submitted`;
 * - a SCHOOL's state for the year is `outstanding` (nothing committed), `draft` (only drafts so
 *   far) or `submitted`.
 * Receipts, history, the tracker, aggregates, the consolidated workbook and the OpenAPI all use
 * these spellings; people see the labels below, derived from them.
 */
import { z } from 'zod';

export const RETURN_STATUSES = ['draft', 'submitted'] as const;
export const returnStatusSchema = z.enum(RETURN_STATUSES);
export type ReturnStatus = z.infer<typeof returnStatusSchema>;

export const SCHOOL_STATES = ['outstanding', 'draft', 'submitted'] as const;
export const schoolStateSchema = z.enum(SCHOOL_STATES);
export type SchoolState = z.infer<typeof schoolStateSchema>;

/**
 * Which version of each school a city-wide reader (aggregates, the consolidated export) uses:
 * the latest `submitted` one, or with `drafts` the current one, draft or not.
 */
export const INCLUDE_VALUES = ['submitted', 'drafts'] as const;
export const includeSchema = z.enum(INCLUDE_VALUES);
export type Include = z.infer<typeof includeSchema>;

/** How a status or state reads in a cell or a sentence: the vocabulary, capitalised. */
export const STATUS_LABELS = {
  outstanding: 'Outstanding',
  draft: 'Draft',
  submitted: 'Submitted',
} as const satisfies Record<SchoolState | ReturnStatus, string>;

/**
 * A school's state from its committed return, if any. Once submitted, a school stays
 * `submitted` (off the chase list) while it drafts a correction.
 */
export function schoolState(committed: { readonly submittedVersion?: number | undefined } | undefined): SchoolState {
  if (committed === undefined) return 'outstanding';
  return committed.submittedVersion !== undefined ? 'submitted' : 'draft';
}
