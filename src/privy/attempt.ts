import { performance } from 'node:perf_hooks'
import type { Readable } from 'node:stream'
import type { Dispatcher } from 'undici'
import type { z } from 'zod'
import {
  PrivyApiError,
  PrivyError,
  type PrivyErrorContext,
  type PrivyOutcome,
  PrivyResponseValidationError,
  PrivyTimeoutError,
} from './errors.js'
import type { LateAnswer, LateAnswerHandler, LateAnswerRegistry } from './late-answers.js'
import type { ResolvedOptions } from './options.js'
import { interpretResponse } from './response.js'
import { backoffDelayMs, isRetryableForSafeCall } from './retry.js'
import { sendAttempt } from './transport.js'

/** What the token manager and the API requester share: transport, clock, randomness, logging. */
export interface ClientCore {
  options: ResolvedOptions
  dispatcher: Dispatcher
  /** Requests past their deadline still awaiting a late answer, ended by the client's `close()`. */
  late: LateAnswerRegistry
}

export interface AttemptSpec<T> {
  operation: string
  /** Path under baseUrl, e.g. `/web/api/v2/register`. */
  path: string
  requestId: string
  /** 1-based attempt number within one call. */
  attempt: number
  headers: Record<string, string>
  /** JSON text, or a stream of its bytes (the upload, with a content-length header). */
  body: string | Readable
  data: z.ZodType<T>
  maxResponseBytes?: number
  timeoutMs?: number
  forcedOutcome?: PrivyOutcome
  /** The operation changes nothing at Privy (PrivyOperation `retry: 'safe'`). */
  safe?: boolean
  /** Members of `data` read from an answer that breaks the contract (PrivyOperation). */
  readableOnMalformed?: readonly string[] | undefined
  /** Only for calls with side effects: listen past the deadline, up to lateAnswerMs (late-answers.ts). */
  onLateAnswer?: LateAnswerHandler<T> | undefined
}

/** How one attempt ended; `status` when an HTTP answer came. Never rejects. */
type Exchange<T> =
  | { ok: true; data: T; status: number }
  | { ok: false; error: unknown; status: number | undefined }

/** Sends one attempt, parses its answer and reports it to `onAttempt`. */
export async function performAttempt<T>(core: ClientCore, spec: AttemptSpec<T>): Promise<T> {
  const { options } = core
  const context = {
    operation: spec.operation,
    requestId: spec.requestId,
    outcome: spec.forcedOutcome,
    safe: spec.safe,
  }
  const timeoutMs = spec.timeoutMs ?? options.timeoutMs
  const started = performance.now()
  const handler = spec.onLateAnswer
  if (handler !== undefined && options.lateAnswerMs > timeoutMs && !core.late.closed) {
    return attemptWithLateWindow(core, spec, handler, { context, timeoutMs, started })
  }
  const result = await exchange(core, spec, context, timeoutMs)
  report(core, spec, started, result)
  if (result.ok) return result.data
  throw result.error
}

/**
 * The caller's deadline is a timer here, not an abort: when it passes first the caller gets a
 * PrivyTimeoutError with `lateAnswerPending`, and the request goes on under its own deadline of
 * lateAnswerMs. Whatever answer it then gets is reported to `onAttempt` (`late: true`) and, when Privy
 * answered, handed to `handler`.
 */
async function attemptWithLateWindow<T>(
  core: ClientCore,
  spec: AttemptSpec<T>,
  handler: LateAnswerHandler<T>,
  call: { context: PrivyErrorContext; timeoutMs: number; started: number },
): Promise<T> {
  const { options, late } = core
  const { context, started } = call
  const lateAnswerUntil = new Date(options.now().getTime() + options.lateAnswerMs)
  const controller = new AbortController()
  const exchanged = exchange(core, spec, context, options.lateAnswerMs, controller.signal)
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), call.timeoutMs)
  })
  const first = await Promise.race([exchanged, deadline])
  clearTimeout(timer)
  if (first !== undefined) {
    report(core, spec, started, first)
    if (first.ok) return first.data
    throw first.error
  }
  if (!late.wait(controller)) {
    // The client is closing: no late window, the request ends now as a plain timeout.
    controller.abort()
    const timeout = new PrivyTimeoutError('response', undefined, context)
    report(core, spec, started, { ok: false, error: timeout, status: undefined })
    throw timeout
  }
  const timeout = new PrivyTimeoutError('response', undefined, context, undefined, lateAnswerUntil)
  report(core, spec, started, { ok: false, error: timeout, status: undefined })
  void exchanged.then((result) => {
    late.done(controller)
    report(core, spec, started, result, true)
    const answer = lateAnswerOf(result, spec)
    if (answer !== undefined) late.deliver(handler, answer)
  })
  throw timeout
}

async function exchange<T>(
  core: ClientCore,
  spec: AttemptSpec<T>,
  context: PrivyErrorContext,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<Exchange<T>> {
  const { options } = core
  let status: number | undefined
  try {
    const response = await sendAttempt({
      dispatcher: core.dispatcher,
      origin: options.origin,
      path: options.basePath + spec.path,
      headers: spec.headers,
      body: spec.body,
      timeoutMs,
      signal,
      maxResponseBytes: spec.maxResponseBytes ?? options.maxResponseBytes,
      context,
    })
    status = response.status
    return {
      ok: true,
      data: interpretResponse(response, spec.data, context, options.now(), spec.readableOnMalformed),
      status,
    }
  } catch (error) {
    return { ok: false, error, status: error instanceof PrivyApiError ? error.status : status }
  }
}

/** Only an answer of Privy is handed on: a transport failure or the end of the window is not. */
function lateAnswerOf<T>(result: Exchange<T>, spec: AttemptSpec<T>): LateAnswer<T> | undefined {
  const { operation, requestId } = spec
  if (result.ok) return { ok: true, data: result.data, operation, requestId }
  const { error } = result
  if (error instanceof PrivyApiError || error instanceof PrivyResponseValidationError) {
    return { ok: false, error, operation, requestId }
  }
  return undefined
}

function report<T>(
  core: ClientCore,
  spec: AttemptSpec<T>,
  started: number,
  result: Exchange<T>,
  late = false,
): void {
  const { onAttempt } = core.options
  if (onAttempt === undefined) return
  const { status } = result
  const error = result.ok ? undefined : result.error
  try {
    onAttempt({
      operation: spec.operation,
      path: spec.path,
      requestId: spec.requestId,
      attempt: spec.attempt,
      ...(status === undefined ? {} : { status }),
      durationMs: Math.round((performance.now() - started) * 100) / 100,
      ...(error === undefined ? {} : { errorName: error instanceof PrivyError ? error.name : 'Error' }),
      ...(late ? { late: true as const } : {}),
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
