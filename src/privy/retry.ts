import { PrivyApiError, PrivyConnectionError } from './errors.js'

/**
 * Retry policy for calls that are safe to repeat (token fetch, status reads). Calls with side effects
 * (register, resend, OTP, upload, delete) are never retried here: the gateway reconciles them (docs/flows.md#unknown-outcomes).
 */

/** First backoff window; doubles per retry. */
export const RETRY_BASE_DELAY_MS = 200
/** Largest backoff window, so a status read never stalls a request for long. */
export const RETRY_MAX_DELAY_MS = 2_000

/** Statuses that mean "a gateway or Privy itself is briefly unavailable", not "your request is wrong". */
const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([502, 503, 504])

export function isRetryableForSafeCall(error: unknown): boolean {
  if (error instanceof PrivyApiError) return RETRYABLE_STATUSES.has(error.status)
  // Connection failures and timeouts (PrivyTimeoutError extends PrivyConnectionError).
  return error instanceof PrivyConnectionError
}

/**
 * Full jitter (AWS "Exponential Backoff And Jitter"): a uniform delay in
 * [0, min(cap, base · 2^retryIndex)), so retrying clients spread out instead of arriving together.
 */
export function backoffDelayMs(retryIndex: number, random: () => number): number {
  const window = Math.min(RETRY_MAX_DELAY_MS, RETRY_BASE_DELAY_MS * 2 ** retryIndex)
  return Math.floor(random() * window)
}
