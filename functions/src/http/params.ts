/**
 * URL parameters shared by the endpoints, checked before anything else touches them. A value
 * outside its range is 400 `invalid-parameter`, naming the parameter (never echoing a value
 * that is not the client's own path: query strings are where careless clients put names).
 */
import type { HttpRequest } from '@azure/functions';
import { isDomainInputError } from '../../../shared/errors';
import { parseTransferYear } from '../../../shared/year';
import { SpecificProblem } from './problems';

/** 400 for a path or query parameter outside its allowed values, naming the valid ones when there is a list. */
export function invalidParameter(parameter: string, detail: string, valid?: readonly string[]): SpecificProblem {
  return new SpecificProblem('invalid-parameter', { detail, extensions: { parameter, ...(valid ? { valid: [...valid] } : {}) } });
}

/** `{year}`: the transfer year, read by the one year rule (shared/year.ts): 2027 is September 2027, 2027-28. */
export function transferYearParam(request: HttpRequest): number {
  try {
    return parseTransferYear(request.params['year'] ?? '');
  } catch (e) {
    if (!isDomainInputError(e)) throw e;
    throw invalidParameter('year', e.message);
  }
}

/** `{laestab}` and `{year}`: a school's return for a transfer year. */
export function returnTarget(request: HttpRequest): { laestab: string; year: number } {
  const laestab = request.params['laestab'] ?? '';
  if (!/^\d{7}$/.test(laestab)) throw invalidParameter('laestab', 'A school is identified by its 7-digit LAESTAB.');
  return { laestab, year: transferYearParam(request) };
}

/** A query parameter that takes one of a few values; absent or empty gives the first. */
export function oneOfParam<T extends string>(request: HttpRequest, name: string, values: readonly T[]): T {
  const raw = request.query.get(name);
  if (raw === null || raw.trim() === '') return values[0] as T;
  const value = raw.trim().toLowerCase();
  if (!(values as readonly string[]).includes(value)) throw invalidParameter(name, `"${name}" takes one of: ${values.join(', ')}.`, values);
  return value as T;
}
