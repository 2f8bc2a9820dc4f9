/**
 * The transfer timetable's dates that the product counts down to (DOMAIN.md: the primary
 * fills the SEND and pastoral columns by mid-June, the academic columns by early July).
 */

/**
 * (design) The day a primary's return is due: 15 June of the transfer year, "mid-June" in
 * Birmingham's timetable. The chase list counts the days to it.
 */
export const RETURN_DEADLINE = { month: 6, day: 15 } as const;

const DAY_MS = 86_400_000;

/** The return deadline for a transfer year, as a UTC date. */
export function returnDeadline(transferYear: number): Date {
  return new Date(Date.UTC(transferYear, RETURN_DEADLINE.month - 1, RETURN_DEADLINE.day));
}

/** Whole calendar days from `today` to the deadline: 0 on the day, negative once it has passed. */
export function daysToDeadline(transferYear: number, today: Date): number {
  const day = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate());
  return Math.round((returnDeadline(transferYear).getTime() - day) / DAY_MS);
}
