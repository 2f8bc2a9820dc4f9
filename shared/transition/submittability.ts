/**
 * "Can this return be submitted?", decided once. The census rule: an error blocks the return
 * outright; a query needs a fix or an explanation before submission. (design) A draft may be
 * saved with unexplained queries, never with errors. The API, the CLI, the consolidation
 * tracker and the report's `canSubmit` all ask this function.
 */
import type { ValidationSummary } from './schema';

/** What the school is asking for: to save a draft or to submit. */
export type SubmissionIntent = 'draft' | 'submitted';

export type Submittability =
  /** Nothing blocks the intent. */
  | { verdict: 'ready' }
  /** Errors must be fixed first, whatever the intent. */
  | { verdict: 'has-errors'; errors: number }
  /** Submission waits for each query to be fixed or explained; a draft may be saved meanwhile. */
  | { verdict: 'unexplained-queries'; unexplainedQueries: number };

export type Verdict = Submittability['verdict'];

export function submittability(
  counts: Pick<ValidationSummary, 'errors' | 'unexplainedQueries'>,
  intent: SubmissionIntent = 'submitted',
): Submittability {
  if (counts.errors > 0) return { verdict: 'has-errors', errors: counts.errors };
  if (intent === 'submitted' && counts.unexplainedQueries > 0) return { verdict: 'unexplained-queries', unexplainedQueries: counts.unexplainedQueries };
  return { verdict: 'ready' };
}
