import { AppError } from '../../errors/app-error.js'
import { asAppError } from '../../errors/upstream-failure.js'
import {
  PrivyError,
  PrivyLockedError,
  PrivyRateLimitError,
  PrivyUnprocessableEntityError,
} from '../../privy/errors.js'
import type { OtpTransaction as UpstreamOtp } from '../../privy/schemas.js'
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

/** Until Privy's answer says otherwise: contract §4's 15 minutes, 60 s between sends, 3 sends. */
export function assumedSend(at: Date, requestCount: number, maxRequests = 3): OtpSend {
  return {
    expiresAt: new Date(at.getTime() + 15 * 60_000),
    resendAvailableAt: new Date(at.getTime() + 60_000),
    requestCount,
    maxRequests,
  }
}

/** A wrong code (422 with remaining attempts) or a lock: Privy spent one of its attempts on it. */
export function countedByPrivy(error: unknown): boolean {
  if (error instanceof PrivyLockedError) return true
  return error instanceof PrivyUnprocessableEntityError && error.remainingAttempts !== undefined
}

/** Privy's refusals of an OTP send, in the gateway's words. */
export function sendRefusal(error: unknown): unknown {
  if (error instanceof PrivyRateLimitError) return tooEarly(error.retryAfterSeconds ?? 60)
  if (error instanceof PrivyUnprocessableEntityError) {
    return new AppError('CONFLICT', {
      detail: 'Privy refused to send this OTP now; read the document or registration again for its status',
    })
  }
  return asAppError(error)
}

export async function callPrivy<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call()
  } catch (error) {
    if (error instanceof PrivyError && error.outcome === 'unknown') {
      throw new AppError('UPSTREAM_TIMEOUT', { cause: error })
    }
    throw sendRefusal(error)
  }
}

export function otpOutcomeUnknown(error: PrivyError, id: string): AppError {
  const mapped = asAppError(error)
  const base = mapped instanceof AppError ? mapped : new AppError('UPSTREAM_TIMEOUT')
  return new AppError(base.code, {
    ...base.options,
    detail: `${base.message}. Privy may have acted; the outcome settles on OTP transaction ${id}`,
    extensions: { otp_id: id },
    unknownOutcome: true,
  })
}

export function otpPending(id: string): AppError {
  return new AppError('OPERATION_PENDING', {
    detail: `Privy has not yet answered the last request on OTP transaction ${id}; retry shortly`,
    retryAfterSeconds: 2,
    extensions: { otp_id: id },
  })
}

export const alreadyValidated = () => new AppError('CONFLICT', { detail: 'This OTP was already validated' })
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
