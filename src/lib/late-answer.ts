import { PrivyError } from '../privy/errors.js'

/**
 * Whether Privy may still answer a row's last call: while `in_flight` within the request's own budget,
 * or while `unknown` until its late-answer window closes. A retry before then waits, never acts again.
 */
export function isAwaitingAnswer(
  row: { submission: string; createdAt: Date; lateAnswerUntil: Date | null },
  now: Date,
  inFlightBudgetMs: number,
): boolean {
  const until =
    row.submission === 'in_flight'
      ? new Date(row.createdAt.getTime() + inFlightBudgetMs)
      : row.lateAnswerUntil
  return until !== null && until.getTime() > now.getTime()
}

/** Until when a late answer to a call that failed with `error` may still come, or null if none can. */
export function lateAnswerDeadline(error: unknown, now: Date, lateAnswerMs: number): Date | null {
  return error instanceof PrivyError && error.lateAnswerPending
    ? new Date(now.getTime() + lateAnswerMs)
    : null
}
