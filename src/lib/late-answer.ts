import { AppError } from '../errors/app-error.js'
import { PrivyError } from '../privy/index.js'

/** What the helpers below read of a registration or document row. */
export interface UnsettledRow {
  id: string
  referenceNumber: string
  submission: string
  createdAt: Date
  lateAnswerUntil: Date | null
}

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

/** Seconds an app waits before asking again while Privy's late answer may come, and after. */
const RETRY_WHILE_AWAITING_S = 2
const RETRY_WHILE_UNKNOWN_S = 30

/**
 * The answer to an action on a row whose create Privy has not confirmed: never "not found" for what
 * reads as pending. While its outcome is open, 409 OPERATION_PENDING with Retry-After (it settles by
 * itself within the settle bound); once handed to an operator, 409 OUTCOME_UNRESOLVED.
 */
export function outcomeNotSettled(
  resource: 'registration' | 'document',
  row: UnsettledRow,
  now: Date,
  inFlightBudgetMs: number,
): AppError {
  const extensions = { [`${resource}_id`]: row.id, submission: row.submission }
  if (row.submission === 'unresolved') {
    return new AppError('OUTCOME_UNRESOLVED', {
      detail:
        `Privy never confirmed ${resource} ${row.id} (reference ${row.referenceNumber}) and its outcome ` +
        `could not be learnt in time; an operator checks it with Privy. Start a new ${resource} if needed`,
      extensions,
    })
  }
  return new AppError('OPERATION_PENDING', {
    detail:
      `Privy has not confirmed ${resource} ${row.id} yet (its outcome is not known); ` +
      'it settles by itself: retry after the time given',
    retryAfterSeconds: isAwaitingAnswer(row, now, inFlightBudgetMs)
      ? RETRY_WHILE_AWAITING_S
      : RETRY_WHILE_UNKNOWN_S,
    extensions,
  })
}
