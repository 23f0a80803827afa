import { performance } from 'node:perf_hooks'
import type { Dispatcher } from 'undici'
import type { z } from 'zod'
import { PrivyApiError, PrivyError, type PrivyOutcome } from './errors.js'
import type { ResolvedOptions } from './options.js'
import { interpretResponse } from './response.js'
import { backoffDelayMs, isRetryableForSafeCall } from './retry.js'
import { sendAttempt } from './transport.js'

/** What the token manager and the API requester share: transport, clock, randomness, logging. */
export interface ClientCore {
  options: ResolvedOptions
  dispatcher: Dispatcher
}

export interface AttemptSpec<T> {
  operation: string
  /** Path under baseUrl, e.g. `/web/api/v2/register`. */
  path: string
  requestId: string
  /** 1-based attempt number within one call. */
  attempt: number
  headers: Record<string, string>
  /** JSON text, or its UTF-8 bytes when the caller built them (the upload). */
  body: string | Buffer
  data: z.ZodType<T>
  maxResponseBytes?: number
  timeoutMs?: number
  forcedOutcome?: PrivyOutcome
}

/** Sends one attempt, parses its answer and reports it to `onAttempt`. */
export async function performAttempt<T>(core: ClientCore, spec: AttemptSpec<T>): Promise<T> {
  const { options } = core
  const context = { operation: spec.operation, requestId: spec.requestId, outcome: spec.forcedOutcome }
  const started = performance.now()
  let status: number | undefined
  try {
    const response = await sendAttempt({
      dispatcher: core.dispatcher,
      origin: options.origin,
      path: options.basePath + spec.path,
      headers: spec.headers,
      body: spec.body,
      timeoutMs: spec.timeoutMs ?? options.timeoutMs,
      maxResponseBytes: spec.maxResponseBytes ?? options.maxResponseBytes,
      context,
    })
    status = response.status
    const data = interpretResponse(response, spec.data, context, options.now())
    report(core, spec, started, status, undefined)
    return data
  } catch (error) {
    report(core, spec, started, error instanceof PrivyApiError ? error.status : status, error)
    throw error
  }
}

function report<T>(
  core: ClientCore,
  spec: AttemptSpec<T>,
  started: number,
  status: number | undefined,
  error: unknown,
): void {
  const { onAttempt } = core.options
  if (onAttempt === undefined) return
  try {
    onAttempt({
      operation: spec.operation,
      path: spec.path,
      requestId: spec.requestId,
      attempt: spec.attempt,
      ...(status === undefined ? {} : { status }),
      durationMs: Math.round((performance.now() - started) * 100) / 100,
      ...(error === undefined ? {} : { errorName: error instanceof PrivyError ? error.name : 'Error' }),
    })
  } catch {
    // A failing log hook must not change the result of a Privy call.
  }
}

/**
 * Runs `call` and, for calls safe to repeat, retries connection failures, timeouts and 502/503/504
 * up to maxRetries times with capped, fully jittered backoff. Only failures of `operation` itself
 * are retried: a failed token fetch was already retried by the token manager.
 */
export async function withSafeRetries<T>(
  core: ClientCore,
  operation: string,
  call: () => Promise<T>,
): Promise<T> {
  const { maxRetries, sleep, random } = core.options
  for (let retry = 0; ; retry++) {
    try {
      return await call()
    } catch (error) {
      const retryable =
        error instanceof PrivyError && error.operation === operation && isRetryableForSafeCall(error)
      if (retry >= maxRetries || !retryable) throw error
      await sleep(backoffDelayMs(retry, random))
    }
  }
}
