/**
 * The one status vocabulary (shared/status.ts) and how stored documents are read against it
 * (functions/src/store/documents.ts).
 */
import fs from 'node:fs';
import { README_PATH } from '../../scripts/readme';
import { RETURN_STATUSES, SCHOOL_STATES, schoolState, STATUS_LABELS } from '../../shared/status';
import { headDocSchema, storedStatusSchema, summaryDocSchema } from '../../functions/src/store/documents';
import { emptySummary } from '../../shared/aggregate/summary';
import { headDoc, summaryDoc } from '../factories/documents';

describe('the vocabulary', () => {
  it('is draft or submitted for a version, and outstanding, draft or submitted for a school', () => {
    expect(RETURN_STATUSES).toEqual(['draft', 'submitted']);
    expect(SCHOOL_STATES).toEqual(['outstanding', 'draft', 'submitted']);
  });

  it('reads to people as its capitalised labels', () => {
    expect(STATUS_LABELS).toEqual({ outstanding: 'Outstanding', draft: 'Draft', submitted: 'Submitted' });
  });
});

describe('schoolState', () => {
  it('is outstanding with nothing committed', () => {
    expect(schoolState(undefined)).toBe('outstanding');
  });

  it('is draft while no version has been submitted', () => {
    expect(schoolState({})).toBe('draft');
  });

  it('is submitted once a version is, even while a newer draft is current', () => {
    expect(schoolState({ submittedVersion: 1 })).toBe('submitted');
    expect(schoolState(headDoc('3302001', 2027, 2, 'draft', 1))).toBe('submitted');
  });
});

describe('a stored status', () => {
  it('reads the vocabulary as itself', () => {
    expect(storedStatusSchema.parse('draft')).toBe('draft');
    expect(storedStatusSchema.parse('submitted')).toBe('submitted');
  });

  it('reads the old spelling (Draft, Submitted) as the vocabulary', () => {
    expect(storedStatusSchema.parse('Draft')).toBe('draft');
    expect(storedStatusSchema.parse('Submitted')).toBe('submitted');
  });

  it('refuses anything else', () => {
    for (const other of ['DRAFT', 'Outstanding', 'outstanding', 'pending', '', 1, null]) expect(storedStatusSchema.safeParse(other).success).toBe(false);
  });

  it('is normalised inside a whole document, and Cosmos members are dropped', () => {
    const stored = { ...summaryDoc(emptySummary('3302001', 2027), 'submitted'), status: 'Submitted', _rid: 'x', _etag: '"1"', _ts: 1 };
    expect(summaryDocSchema.parse(stored)).toEqual(summaryDoc(emptySummary('3302001', 2027), 'submitted'));
    expect(headDocSchema.parse({ ...headDoc('3302001', 2027, 1, 'draft'), status: 'Draft' }).status).toBe('draft');
  });
});

describe('the README', () => {
  it('states the one vocabulary, spelled as the code spells it', () => {
    const readme = fs.readFileSync(README_PATH, 'utf8');
    const start = readme.indexOf('### Statuses');
    expect(start).toBeGreaterThan(-1);
    const section = readme.slice(start, readme.indexOf('\n#', start + 1));
    for (const s of [...RETURN_STATUSES, ...SCHOOL_STATES]) expect(section).toContain(`\`${s}\``);
    expect(section).not.toMatch(/`(Submitted|Draft|Outstanding)`/);
  });
});
