/**
 * The point in the school year at which a pupil's band is judged: the `term` argument of
 * `TOOLKIT.GAP` and `TOOLKIT.SUPPORT`, and the summer term of the transition return.
 */
import { DomainInputError } from '../errors';
import { parseDate } from '../transition/normalise';

export const TERMS = ['autumn', 'spring', 'summer'] as const;
export type Term = (typeof TERMS)[number];

/** (design) Without a term the expectation is the spring term's: mid-year, `Y.1`. */
export const DEFAULT_TERM: Term = 'spring';

/**
 * (design) The term a date falls in, by calendar month: autumn is 1 September – 31 December,
 * spring 1 January – 31 March, summer 1 April – 31 August. Easter moves from year to year, so
 * the spring term is taken to end with March rather than at the Easter holiday.
 */
export function termOfMonth(month: number): Term {
  if (month >= 9) return 'autumn';
  if (month <= 3) return 'spring';
  return 'summer';
}

/**
 * A term from a cell: autumn, spring or summer (any case); or a date, as an Excel date serial
 * (1990–2100) or as text (2026-06-15 or 15/06/2026), which maps to its term by `termOfMonth`.
 * Blank is the default term, spring.
 */
export function parseTerm(term: unknown): Term {
  if (term === undefined || term === null || (typeof term === 'string' && term.trim() === '')) return DEFAULT_TERM;
  const named = typeof term === 'string' ? TERMS.find((t) => t === term.trim().toLowerCase()) : undefined;
  if (named !== undefined) return named;
  const iso = typeof term === 'number' || typeof term === 'string' ? parseDate(term) : undefined;
  if (iso !== undefined) return termOfMonth(Number(iso.slice(5, 7)));
  throw new DomainInputError(
    'invalidValue',
    `term "${String(term)}" is not a term: use autumn, spring or summer, or a date such as 2026-06-15`,
  );
}
