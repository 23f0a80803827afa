import type { PrivyError } from '../../privy/index.js'
import { PrivyLockedError, PrivyRateLimitError, PrivyUnprocessableEntityError } from '../../privy/index.js'
import { AppError } from '../app-error.js'
import { asAppError, fromPrivyError, unreadable } from './general.js'

// Privy's answers about OTPs in the API's words (docs/privy-contract.md §4), and the OTP refusals they
// share with the gateway's own checks: the same words whether the gateway or Privy says no.

export const alreadyValidated = () =>
  new AppError('OTP_ALREADY_VALIDATED', { detail: 'This OTP was already validated' })
export const locked = () =>
  new AppError('OTP_LOCKED', { detail: 'Too many wrong codes; request a new OTP with POST /v1/otp' })
export const expired = () =>
  new AppError('OTP_EXPIRED', {
    detail: 'The code has expired; ask for a new one with POST /v1/otp/{id}/resend',
  })
export const tooEarly = (seconds: number) =>
  new AppError('OTP_RESEND_TOO_EARLY', {
    detail: `Another code can be sent in ${seconds} s`,
    retryAfterSeconds: seconds,
  })

/** Privy's refusals of an OTP send or resend, in the gateway's words. */
export function otpSendRefusal(error: unknown): AppError {
  if (error instanceof PrivyRateLimitError) return tooEarly(error.retryAfterSeconds ?? 60)
  // A 422 whose body is not Privy's (a proxy's page) says nothing about this OTP: no advice then.
  if (error instanceof PrivyUnprocessableEntityError && !error.bodyUnreadable) {
    return new AppError('OTP_SEND_REFUSED', {
      detail: 'Privy refused to send this OTP now; read the document or registration again for its status',
    })
  }
  return asAppError(error)
}

/** The seconds Privy's rate limit (429) asks a resend to wait, when it says. */
export function privyResendWaitSeconds(error: unknown): number | undefined {
  return error instanceof PrivyRateLimitError ? error.retryAfterSeconds : undefined
}

/** A wrong code (422 with remaining attempts) or a lock: Privy spent one of its attempts on it. */
export function countedByPrivy(error: unknown): boolean {
  if (error instanceof PrivyLockedError) return true
  return error instanceof PrivyUnprocessableEntityError && error.remainingAttempts !== undefined
}

/** What a refused validation leaves on the OTP row, for the service to write. */
export type ValidationMark = { status: 'locked' | 'expired' } | { wrongCode: number } | null

/** A validation Privy refused: the error to answer with, and what the row becomes. */
export function otpValidationRefusal(error: unknown): { error: AppError; mark: ValidationMark } {
  if (error instanceof PrivyLockedError) return { error: locked(), mark: { status: 'locked' } }
  if (error instanceof PrivyUnprocessableEntityError) {
    // docs/privy-contract.md §4.1: a wrong code is the 422 that carries remaining_attempts (wherever the body puts
    // it: error-body.ts); an expired one is flagged `expired` or says so. Anything else is not
    // understood, and advice built on a guess could contradict what the next call answers.
    if (error.expired || (error.remainingAttempts === undefined && saysExpired(error))) {
      return { error: expired(), mark: { status: 'expired' } }
    }
    if (error.remainingAttempts === undefined) return { error: unreadable(error), mark: null }
    const attemptsLeft = Math.max(error.remainingAttempts, 0)
    const invalid = new AppError('OTP_INVALID', {
      detail:
        attemptsLeft > 0
          ? `The code is not correct; ${attemptsLeft} attempt(s) left`
          : 'The code is not correct; no attempts left, the OTP is now locked',
      extensions: { attempts_left: attemptsLeft },
    })
    return { error: invalid, mark: { wrongCode: attemptsLeft } }
  }
  return { error: asAppError(error), mark: null }
}

const saysExpired = (error: PrivyUnprocessableEntityError) =>
  error.messages.some((message) => /expired/i.test(message))

/**
 * What the app should do while the last call on an OTP has no known outcome (`next_action`):
 * - `validate_otp`: the transaction is known, or Privy may still answer. A code may be on its way: let
 *   the person type it and POST it to /v1/otp/{id}/validate, which works once the answer is in
 *   (retry from `retry_at`).
 * - `wait`: Privy's answer to the send is lost for good, so a code it may have sent can never be
 *   checked, and a second SMS is not sent while the first may still arrive. A new OTP may be requested
 *   from `retry_at`, when that code would have expired anyway (docs/privy-contract.md §4: 15 minutes).
 */
export interface PendingStep {
  next_action: 'validate_otp' | 'wait'
  retry_at: Date
}

/** Whole seconds until `at`, at least 1, for Retry-After. */
export function secondsUntil(at: Date, now: Date): number {
  return Math.max(1, Math.ceil((at.getTime() - now.getTime()) / 1000))
}

function stepExtensions(id: string, step: PendingStep) {
  return { otp_id: id, next_action: step.next_action, retry_at: step.retry_at.toISOString() }
}

/** The first answer of a call whose outcome is not known: what Privy failed with, and what to do. */
export function otpOutcomeUnknown(error: PrivyError, id: string, step: PendingStep, now: Date): AppError {
  const base = fromPrivyError(error)
  return new AppError(base.code, {
    ...base.options,
    detail: `${base.message}. Privy may have acted; the outcome settles on OTP transaction ${id}`,
    retryAfterSeconds: secondsUntil(step.retry_at, now),
    extensions: stepExtensions(id, step),
    unknownOutcome: true,
  })
}

/** A retry, or an action on the OTP, while its last call has no known outcome: never sent again. */
export function otpPending(id: string, step: PendingStep, now: Date): AppError {
  const detail =
    step.next_action === 'wait'
      ? `Privy's answer to the send of OTP transaction ${id} was lost: a code it may have sent cannot ` +
        `be checked, and no second one is sent while it may still arrive. A new OTP can be requested ` +
        `from ${step.retry_at.toISOString()}`
      : `Privy has not yet answered the last request on OTP transaction ${id}. A code may be on its ` +
        'way: let the person enter it, and validate it once this settles'
  return new AppError('OPERATION_PENDING', {
    detail,
    retryAfterSeconds: secondsUntil(step.retry_at, now),
    extensions: stepExtensions(id, step),
  })
}
