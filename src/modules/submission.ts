import { z } from 'zod'

/**
 * Where the create call of a registration or a document stands at Privy, as apps and operators see it
 * (a failed attempt is never shown). Shared by both modules: the same states, the same words.
 */
export const SUBMISSION_STATES = ['in_flight', 'submitted', 'unknown', 'unresolved'] as const
export type Submission = (typeof SUBMISSION_STATES)[number]

export const SubmissionSchema = z
  .enum(SUBMISSION_STATES)
  .describe(
    '`submitted`: Privy confirmed it. `in_flight`: being sent. `unknown`: Privy may hold it but its answer ' +
      'was lost; it settles by itself within UNKNOWN_SETTLE_MINUTES (late answer, callback, or a retry ' +
      'with the same Idempotency-Key). `unresolved`: it did not, and an operator checks it with Privy; ' +
      'the person or PDF may be sent again.',
  )

/** A row's submission state as shown: never `failed` (failed attempts are not shown at all). */
export function submissionOf(submission: string): Submission {
  return submission === 'in_flight' || submission === 'unknown' || submission === 'unresolved'
    ? submission
    : 'submitted'
}
