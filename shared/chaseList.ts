/**
 * The LA's chase list: the primaries still to send a return (outstanding, or only a draft),
 * with the days left to the deadline. The tracker's rows go in; the sheet's rows come out.
 */
import { STATUS_LABELS, type SchoolState } from './status';
import { daysToDeadline } from './timetable';

/** What the chase list needs of a tracker row. */
export interface TrackedSchool {
  school: string;
  name: string;
  area: string;
  status: SchoolState;
  email?: string | null | undefined;
}

export const CHASE_LIST_HEADER = ['School', 'LAESTAB', 'Locality area', 'Status', 'Days to deadline', 'Contact e-mail'] as const;

/** A school is chased until it has submitted: a draft is not a return. */
export const needsChasing = (s: Pick<TrackedSchool, 'status'>): boolean => s.status !== 'submitted';

/** The chase list's rows: outstanding schools first, then drafts, each by name. */
export function chaseList(schools: readonly TrackedSchool[], transferYear: number, today: Date): Array<[string, string, string, string, number, string]> {
  const days = daysToDeadline(transferYear, today);
  const order = (s: TrackedSchool): number => (s.status === 'outstanding' ? 0 : 1);
  return schools
    .filter(needsChasing)
    .sort((a, b) => order(a) - order(b) || a.name.localeCompare(b.name))
    .map((s) => [s.name, s.school, s.area, STATUS_LABELS[s.status], days, s.email ?? '']);
}

/** The chased schools' contact addresses, de-duplicated, for a BCC line. */
export function chaseAddresses(schools: readonly TrackedSchool[]): string[] {
  return [...new Set(schools.filter(needsChasing).flatMap((s) => (s.email ? [s.email] : [])))];
}
