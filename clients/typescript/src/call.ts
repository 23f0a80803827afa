import { errorFromResponse, GatewayConnectionError, retryAfterSeconds } from './errors.js'
import { type AttemptOutcome, type CallSafety, type RetryPolicy, retryDelayMs, sleep } from './retry.js'

/** Per-call options of every helper. */
export interface RequestOptions {
  /**
   * The Idempotency-Key of a POST that honours one. Default: a new UUID per call, reused on the
   * client's own retries of that call. Set it to retry an operation across calls (or processes).
   */
  idempotencyKey?: string
  signal?: AbortSignal
  /** Extra headers (for example `X-Request-ID`). */
  headers?: Record<string, string>
  /** Overrides the client's `maxRetries` for this call. */
  maxRetries?: number
  /** Overrides the client's per-attempt timeout for this call (0: none). */
  timeoutMs?: number
}

/** A helper's answer with what came with it. */
export interface ApiResult<T> {
  data: T
  /** The final response (its body already read). */
  response: Response
  /** The Idempotency-Key sent, on a keyed POST. */
  idempotencyKey: string | undefined
  /** 1 + the client's retries. */
  attempts: number
}

/**
 * What a helper returns: await it for the data, or call `withResponse()` for the response, its
 * headers (`Idempotent-Replayed`, `Location`) and the key used.
 */
export class GatewayRequest<T> implements PromiseLike<T> {
  readonly #result: Promise<ApiResult<T>>

  constructor(result: Promise<ApiResult<T>>) {
    this.#result = result
  }

  withResponse(): Promise<ApiResult<T>> {
    return this.#result
  }

  // biome-ignore lint/suspicious/noThenProperty: this object is a promise of its data, by design
  then<A = T, B = never>(
    onfulfilled?: ((value: T) => A | PromiseLike<A>) | null,
    onrejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    return this.#result.then((result) => result.data).then(onfulfilled, onrejected)
  }

  catch<B = never>(onrejected?: ((reason: unknown) => B | PromiseLike<B>) | null): Promise<T | B> {
    return this.then(undefined, onrejected)
  }

  finally(onfinally?: (() => void) | null): Promise<T> {
    return this.then().finally(onfinally)
  }
}

/** One attempt: an openapi-fetch call with the headers, signal and fetch of this attempt. */
export type Attempt<T> = (init: {
  headers: Record<string, string>
  signal: AbortSignal | undefined
  fetch: (request: Request) => Promise<Response>
}) => Promise<{ data?: T; error?: unknown; response: Response }>

export interface CallDefaults {
  /** The transport, its failures marked (transportFetch). */
  fetch: (request: Request) => Promise<Response>
  retry: RetryPolicy
  timeoutMs: number
  newIdempotencyKey: () => string
}

export function execute<T>(
  defaults: CallDefaults,
  safety: CallSafety,
  attempt: Attempt<T>,
  options: RequestOptions = {},
): GatewayRequest<T> {
  return new GatewayRequest(run(defaults, safety, attempt, options))
}

async function run<T>(
  defaults: CallDefaults,
  safety: CallSafety,
  attempt: Attempt<T>,
  options: RequestOptions,
): Promise<ApiResult<T>> {
  const idempotencyKey =
    safety === 'keyed' ? (options.idempotencyKey ?? defaults.newIdempotencyKey()) : undefined
  const headers: Record<string, string> = { ...options.headers }
  if (idempotencyKey !== undefined) headers['idempotency-key'] = idempotencyKey
  const policy = { ...defaults.retry, maxRetries: options.maxRetries ?? defaults.retry.maxRetries }
  const timeoutMs = options.timeoutMs ?? defaults.timeoutMs

  for (let attempts = 1; ; attempts += 1) {
    const timeout = timeoutMs > 0 ? AbortSignal.timeout(timeoutMs) : undefined
    const signal = combine(options.signal, timeout)
    let outcome: AttemptOutcome
    let failure: Error
    try {
      const { data, error, response } = await attempt({ headers, signal, fetch: defaults.fetch })
      if (response.ok) return { data: data as T, response, idempotencyKey, attempts }
      const gatewayError = errorFromResponse(response, error, idempotencyKey)
      outcome = {
        kind: 'response',
        status: response.status,
        code: gatewayError.code,
        retryAfterSeconds: retryAfterSeconds(response.headers.get('retry-after')),
      }
      failure = gatewayError
    } catch (error) {
      // The caller's own abort is final; the client's timeout or a lost connection may be retried.
      // Anything else (a token function that threw, say) is the caller's to see as it is.
      if (options.signal?.aborted) throw options.signal.reason
      const timedOut = timeout?.aborted === true
      if (!timedOut && !isConnectionFailure(error)) throw error
      outcome = { kind: 'connection' }
      failure = new GatewayConnectionError(
        timedOut
          ? `no answer within ${timeoutMs} ms`
          : `the gateway could not be reached: ${messageOf(error)}`,
        timedOut,
        idempotencyKey,
        { cause: error },
      )
    }
    const delay = retryDelayMs(outcome, safety, attempts, policy)
    if (delay === undefined) throw failure
    await sleep(delay, options.signal)
  }
}

/** Thrown by the transport (see `transportFetch`): the request got no answer. */
export class TransportFailure extends Error {
  override name = 'TransportFailure'
}

/** Wraps a fetch so that what it throws is known to be the network's doing, not the caller's. */
export function transportFetch(
  send: (request: Request) => Promise<Response>,
): (request: Request) => Promise<Response> {
  return async (request) => {
    try {
      return await send(request)
    } catch (error) {
      throw new TransportFailure(messageOf(error), { cause: error })
    }
  }
}

/** No answer, or an answer cut off while its body was read (undici's "terminated"). */
function isConnectionFailure(error: unknown): boolean {
  return error instanceof TransportFailure || (error instanceof TypeError && error.message === 'terminated')
}

function combine(...signals: Array<AbortSignal | undefined>): AbortSignal | undefined {
  const present = signals.filter((signal): signal is AbortSignal => signal !== undefined)
  if (present.length <= 1) return present[0]
  if (typeof AbortSignal.any === 'function') return AbortSignal.any(present)
  // Node 20.0-20.2 have no AbortSignal.any.
  const controller = new AbortController()
  for (const signal of present) {
    if (signal.aborted) controller.abort(signal.reason)
    else signal.addEventListener('abort', () => controller.abort(signal.reason), { once: true })
  }
  return controller.signal
}

function messageOf(error: unknown): string {
  if (error instanceof TransportFailure) return error.message
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : ''
    return `${error.message}${cause}`
  }
  return String(error)
}
