/**
 * The start of every read of one school's return: who is asking (from the token), which
 * return, and whether they may see it. Scope is decided before any pupil data is read.
 */
import type { HttpRequest } from '@azure/functions';
import type { SchoolDirectory } from '../../../shared/schools';
import { authenticate, type Principal, requireReadSchool } from '../auth';
import { getStore, type Store } from '../store';
import { returnTarget } from './params';
import { HttpProblem } from './problems';

export interface SchoolRead {
  principal: Principal;
  laestab: string;
  year: number;
  store: Store;
  directory: SchoolDirectory;
}

/** 401 without a valid token, 400 for bad parameters, 403 out of scope, 404 for a school the LA does not list. */
export async function authoriseSchoolRead(request: HttpRequest): Promise<SchoolRead> {
  const principal = await authenticate(request);
  const { laestab, year } = returnTarget(request);
  const store = getStore();
  const directory = await store.directory.get();
  requireReadSchool(principal, laestab, directory);
  if (!directory.find(laestab)) throw new HttpProblem('not-found', { detail: `School ${laestab} is not in the LA directory.` });
  return { principal, laestab, year, store, directory };
}
