/**
 * The tracker list's filters and sort orders, as pure functions over the API's rows, so the
 * view only renders and the rules are tested without a browser.
 */
import { SCHOOL_STATES, type SchoolState } from '../../../shared/status';
import type { TrackerCrossSchool, TrackerSchool } from '../ports';

export const ALL = 'all';

export interface TrackerFilter {
  status: SchoolState | typeof ALL;
  area: string;
  phase: string;
}

export const NO_FILTER: TrackerFilter = { status: ALL, area: ALL, phase: ALL };

export const TRACKER_SORTS = {
  status: 'Status (outstanding first)',
  name: 'School name',
  area: 'Locality area',
  issues: 'Most errors and queries',
  submitted: 'Last submitted (newest first)',
} as const;
export type TrackerSort = keyof typeof TRACKER_SORTS;

const byName = (a: TrackerSchool, b: TrackerSchool): number => a.name.localeCompare(b.name);
const SORTS: Record<TrackerSort, (a: TrackerSchool, b: TrackerSchool) => number> = {
  status: (a, b) => SCHOOL_STATES.indexOf(a.status) - SCHOOL_STATES.indexOf(b.status) || byName(a, b),
  name: byName,
  area: (a, b) => a.area.localeCompare(b.area) || byName(a, b),
  issues: (a, b) => b.errors + b.queries - (a.errors + a.queries) || byName(a, b),
  // Schools that never submitted sort last.
  submitted: (a, b) => (b.submittedAt ?? '').localeCompare(a.submittedAt ?? '') || byName(a, b),
};

export function filterTracker(schools: readonly TrackerSchool[], filter: TrackerFilter, sort: TrackerSort): TrackerSchool[] {
  return schools
    .filter((s) => (filter.status === ALL || s.status === filter.status) && (filter.area === ALL || s.area === filter.area) && (filter.phase === ALL || s.phase === filter.phase))
    .sort(SORTS[sort]);
}

/** The values a filter can take: those present in the rows, in order. */
export const optionsOf = (schools: readonly TrackerSchool[], field: 'area' | 'phase'): string[] => [...new Set(schools.map((s) => s[field]))].sort();

/** Each set of schools sharing UPNs, by name, for the LA to resolve: "Acorn (3302001) and Bramble (3302002): 2 UPNs". */
export function sharedUpnLines(crossSchool: TrackerCrossSchool | undefined, schools: readonly Pick<TrackerSchool, 'school' | 'name'>[]): string[] {
  const names = new Map(schools.map((s) => [s.school, s.name]));
  const label = (laestab: string) => `${names.get(laestab) ?? 'School'} (${laestab})`;
  return (crossSchool?.groups ?? []).map((g) => {
    const who = g.schools.map(label);
    const list = who.length === 2 ? who.join(' and ') : `${who.slice(0, -1).join(', ')} and ${who[who.length - 1] ?? ''}`;
    return `${list}: ${g.count} ${g.count === 1 ? 'UPN' : 'UPNs'}`;
  });
}
