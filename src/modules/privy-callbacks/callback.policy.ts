/** When and how often a stored callback is (re)applied. */
export interface CallbackApplyPolicy {
  /** How long one holder may take to apply a callback before another may take it over. */
  leaseMs: number
  /** Attempts (the request's own included) before a callback that keeps failing is `failed`. */
  maxAttempts: number
  /** Wait after the n-th failed attempt (1-based) before a sweep may try again. */
  retryDelayMs: (attempt: number) => number
  /** Rows leased per sweep. */
  batchSize: number
}

export const DEFAULT_CALLBACK_POLICY: CallbackApplyPolicy = {
  leaseMs: 60_000,
  maxAttempts: 8,
  // 2 s, 4 s, 8 s … capped at 5 minutes: a database hiccup heals within the first few.
  retryDelayMs: (attempt) => Math.min(2_000 * 2 ** (attempt - 1), 300_000),
  batchSize: 20,
}
