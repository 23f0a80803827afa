/**
 * When the client may send a call again by itself. Only where the API says it is safe: a read, or a
 * POST that carries an Idempotency-Key (the gateway replays the first answer, or says the first
 * attempt still runs). A call that is neither is never retried: the caller decides.
 */

export interface RetryPolicy {
  /** Retries after the first attempt (0: none). */
  maxRetries: number
  /** A `Retry-After` longer than this is not waited for: the error is thrown instead. */
  maxRetryAfterMs: number
  /** Backoff after a connection failure: base × 2^(retry − 1), with jitter, at most maxDelayMs. */
  baseDelayMs: number
  maxDelayMs: number
}

export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = Object.freeze({
  maxRetries: 3,
  maxRetryAfterMs: 30_000,
  baseDelayMs: 500,
  maxDelayMs: 8_000,
})

/** `read`: GET; `keyed`: a POST sent with an Idempotency-Key; `unsafe`: anything else. */
export type CallSafety = 'read' | 'keyed' | 'unsafe'

export type AttemptOutcome =
  | { kind: 'response'; status: number; code: string | undefined; retryAfterSeconds: number | undefined }
  | { kind: 'connection' }

/** 409s that mean "the first attempt with this key has not answered yet", never "no". */
const STILL_RUNNING = new Set(['IDEMPOTENCY_KEY_IN_USE', 'OPERATION_PENDING'])

/**
 * How long to wait before retry number `retry` (1-based), or undefined when the call must not be
 * retried.
 */
export function retryDelayMs(
  outcome: AttemptOutcome,
  safety: CallSafety,
  retry: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number | undefined {
  if (safety === 'unsafe' || retry > policy.maxRetries) return undefined
  const backoff = () => {
    const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1))
    return Math.round(ceiling * (0.5 + random() / 2))
  }
  // No answer at all: a read may be repeated, and the key makes a keyed POST safe to repeat.
  if (outcome.kind === 'connection') return backoff()
  const afterHeader = () => {
    if (outcome.retryAfterSeconds === undefined) return undefined
    const ms = outcome.retryAfterSeconds * 1000
    return ms > policy.maxRetryAfterMs ? undefined : ms
  }
  if (outcome.status === 409 && safety === 'keyed' && STILL_RUNNING.has(outcome.code ?? '')) {
    return outcome.retryAfterSeconds === undefined ? backoff() : afterHeader()
  }
  if (outcome.status === 503) return afterHeader()
  return undefined
}

export function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason)
      return
    }
    const onAbort = () => {
      clearTimeout(timer)
      reject(signal?.reason)
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}
