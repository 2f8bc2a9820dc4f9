import { CHASE_LIST_HEADER, chaseAddresses, chaseList, needsChasing, type TrackedSchool } from '../../shared/chaseList';
import { RETURN_DEADLINE, daysToDeadline, returnDeadline } from '../../shared/timetable';
import { filterTracker, NO_FILTER, optionsOf } from '../../addin/taskpane/la/trackerModel';
import type { TrackerSchool } from '../../addin/taskpane/ports';

const tracked = (school: string, name: string, status: TrackedSchool['status'], area = 'East', email: string | null = `senco.${school}@schools.example`): TrackerSchool => ({
  school,
  name,
  area,
  phase: 'primary',
  email,
  status,
  version: status === 'outstanding' ? null : 1,
  submittedAt: status === 'submitted' ? `2027-06-0${Number(school.slice(-1))}T10:00:00Z` : null,
  rows: 0,
  errors: Number(school.slice(-1)),
  queries: 1,
  unexplainedQueries: 0,
});

const city = [
  tracked('3302001', 'Oak Primary', 'submitted', 'North'),
  tracked('3302002', 'Ash Primary', 'draft', 'West'),
  tracked('3302003', 'Elm Primary', 'outstanding', 'East'),
  tracked('3302004', 'Birch Primary', 'outstanding', 'West', null),
  tracked('3302005', 'Yew Primary', 'submitted', 'East'),
];

describe('the return deadline (design: 15 June of the transfer year)', () => {
  it('is mid-June of the transfer year', () => {
    expect(RETURN_DEADLINE).toEqual({ month: 6, day: 15 });
    expect(returnDeadline(2027).toISOString()).toBe('2027-06-15T00:00:00.000Z');
  });

  it('counts whole days: 10 on 5 June whatever the hour, 0 on the day, negative after', () => {
    expect(daysToDeadline(2027, new Date('2027-06-05T00:00:00Z'))).toBe(10);
    expect(daysToDeadline(2027, new Date('2027-06-05T23:59:00Z'))).toBe(10);
    expect(daysToDeadline(2027, new Date('2027-06-15T12:00:00Z'))).toBe(0);
    expect(daysToDeadline(2027, new Date('2027-06-20T08:00:00Z'))).toBe(-5);
    expect(daysToDeadline(2027, new Date('2026-12-15T08:00:00Z'))).toBe(182);
  });
});

describe('chaseList', () => {
  it('lists outstanding schools then drafts, each by name, never a submitted school', () => {
    expect(CHASE_LIST_HEADER).toEqual(['School', 'LAESTAB', 'Locality area', 'Status', 'Days to deadline', 'Contact e-mail']);
    expect(chaseList(city, 2027, new Date('2027-06-01T09:00:00Z'))).toEqual([
      ['Birch Primary', '3302004', 'West', 'Outstanding', 14, ''],
      ['Elm Primary', '3302003', 'East', 'Outstanding', 14, 'senco.3302003@schools.example'],
      ['Ash Primary', '3302002', 'West', 'Draft', 14, 'senco.3302002@schools.example'],
    ]);
    expect(city.filter(needsChasing).map((s) => s.school)).toEqual(['3302002', '3302003', '3302004']);
  });

  it('copies the chased schools’ addresses once each, skipping schools the directory has none for', () => {
    expect(chaseAddresses([...city, tracked('3302003', 'Elm Primary again', 'draft')])).toEqual(['senco.3302002@schools.example', 'senco.3302003@schools.example']);
  });
});

describe('the tracker list', () => {
  it('filters by status, area and phase together', () => {
    expect(filterTracker(city, { status: 'outstanding', area: 'West', phase: 'all' }, 'name').map((s) => s.name)).toEqual(['Birch Primary']);
    expect(filterTracker(city, { status: 'all', area: 'East', phase: 'primary' }, 'name').map((s) => s.name)).toEqual(['Elm Primary', 'Yew Primary']);
    expect(filterTracker(city, { ...NO_FILTER, phase: 'secondary' }, 'name')).toEqual([]);
  });

  it('sorts by status (outstanding first), issues, or the latest submission first', () => {
    expect(filterTracker(city, NO_FILTER, 'status').map((s) => s.name)).toEqual(['Birch Primary', 'Elm Primary', 'Ash Primary', 'Oak Primary', 'Yew Primary']);
    expect(filterTracker(city, NO_FILTER, 'issues').map((s) => s.errors)).toEqual([5, 4, 3, 2, 1]);
    expect(filterTracker(city, NO_FILTER, 'submitted').map((s) => s.name)).toEqual(['Yew Primary', 'Oak Primary', 'Ash Primary', 'Birch Primary', 'Elm Primary']);
    expect(filterTracker(city, NO_FILTER, 'area').map((s) => s.area)).toEqual(['East', 'East', 'North', 'West', 'West']);
  });

  it('offers the areas and phases present', () => {
    expect(optionsOf(city, 'area')).toEqual(['East', 'North', 'West']);
    expect(optionsOf(city, 'phase')).toEqual(['primary']);
  });
});
