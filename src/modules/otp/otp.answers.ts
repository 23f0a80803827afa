import type { OtpTransaction as UpstreamOtp } from '../../privy/index.js'
import { PrivyResponseValidationError } from '../../privy/index.js'
import type { OtpSend } from './otp.repository.js'

/**
 * What Privy's answers about an OTP leave on its row. What they mean to the API is in
 * src/errors/upstream-failure/otp.ts.
 */

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
