import { AppError } from '../../errors/app-error.js'
import { asAppError } from '../../errors/upstream-failure.js'
import type { OtpTransaction as UpstreamOtp } from '../../privy/index.js'
import {
  PrivyLockedError,
  PrivyRateLimitError,
  PrivyResponseValidationError,
  PrivyUnprocessableEntityError,
} from '../../privy/index.js'
import type { OtpSend } from './otp.repository.js'

/** What Privy's answers about an OTP mean, and the refusals of the OTP API, in the API's words. */

export function sendOf(upstream: UpstreamOtp): OtpSend {
  return {
    expiresAt: new Date(upstream.expired_at),
    resendAvailableAt: new Date(upstream.resend_available_at),
    requestCount: upstream.request_count,
    maxRequests: upstream.maximum_otp_request,
  }
}

/** Wrong codes Privy allows per transaction before it locks (docs/privy-contract.md §4). */
export const OTP_MAX_ATTEMPTS = 3

/** docs/privy-contract.md §4 [seen]: a code is valid 15 minutes, and another may be sent 60 s after the last. */
export const OTP_VALID_MS = 15 * 60_000
export const OTP_RESEND_AFTER_MS = 60_000

/** Until Privy's answer says otherwise: docs/privy-contract.md §4's 15 minutes, 60 s between sends, 3 sends. */
export function assumedSend(at: Date, requestCount: number, maxRequests = 3): OtpSend {
  return {
    expiresAt: new Date(at.getTime() + OTP_VALID_MS),
    resendAvailableAt: new Date(at.getTime() + OTP_RESEND_AFTER_MS),
    requestCount,
    maxRequests,
  }
}

/** The transaction id a garbled 201 still names: the SMS went, and this is the OTP it belongs to. */
export function readableTransactionId(error: unknown): string | undefined {
  return error instanceof PrivyResponseValidationError ? error.readable.transaction_id : undefined
}

/** A wrong code (422 with remaining attempts) or a lock: Privy spent one of its attempts on it. */
export function countedByPrivy(error: unknown): boolean {
  if (error instanceof PrivyLockedError) return true
  return error instanceof PrivyUnprocessableEntityError && error.remainingAttempts !== undefined
}

/** Privy's refusals of an OTP send, in the gateway's words. */
export function sendRefusal(error: unknown): AppError {
  if (error instanceof PrivyRateLimitError) return tooEarly(error.retryAfterSeconds ?? 60)
  // A 422 whose body is not Privy's (a proxy's page) says nothing about this OTP: no advice then.
  if (error instanceof PrivyUnprocessableEntityError && !error.bodyUnreadable) {
    return new AppError('OTP_SEND_REFUSED', {
      detail: 'Privy refused to send this OTP now; read the document or registration again for its status',
    })
  }
  return asAppError(error)
}

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
