/**
 * Per-person limits on invitations and access requests (issue 25), so the feature cannot be used
 * to spam schools: a fixed hourly window per person and purpose, counted with the shared
 * fixed-window counter (http/rateLimit.ts) in the idempotency container (partition /key, TTL).
 */
import { createHash } from 'node:crypto';
import type { Container } from '@azure/cosmos';
import { raiseCounter, windowOf } from '../http/rateLimit';
import { SpecificProblem } from '../http/problems';

export const LIMIT_WINDOW_MS = 60 * 60 * 1000;

/**
 * (design) An LA admin inviting a city's SENCos does it school by school across days: 100 an hour
 * is ample and still stops a runaway script. A person asking for access needs one request, maybe
 * a second for another school: 5 an hour.
 */
export const IDENTITY_LIMITS = { invitations: 100, requests: 5 } as const;
export type LimitedPurpose = keyof typeof IDENTITY_LIMITS;

const WHAT: Record<LimitedPurpose, string> = { invitations: 'invitations', requests: 'access requests' };

/** The counter of one person's purpose in the window `now` falls in. */
export function limitCounterId(subject: string, purpose: LimitedPurpose, now: number): string {
  return `r-${purpose}-${createHash('sha256').update(`${subject.length}:${subject}`).digest('hex')}-${windowOf(now, LIMIT_WINDOW_MS).index}`;
}

/** Counts one against the person's hourly limit; 429 with Retry-After past it. */
export async function countAgainstLimit(container: Container, subject: string, purpose: LimitedPurpose, now: number, limit: number = IDENTITY_LIMITS[purpose]): Promise<void> {
  const count = await raiseCounter(container, limitCounterId(subject, purpose, now), LIMIT_WINDOW_MS);
  if (count <= limit) return;
  const { retryAfterSeconds } = windowOf(now, LIMIT_WINDOW_MS);
  throw new SpecificProblem('identity-rate-limited', {
    detail: `You have sent ${limit} ${WHAT[purpose]} in the last hour, the most one person may. Try again in ${Math.ceil(retryAfterSeconds / 60)} minutes.`,
    headers: { 'retry-after': String(retryAfterSeconds) },
  });
}
