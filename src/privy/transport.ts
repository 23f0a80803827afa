import type { Readable } from 'node:stream'
import type { Dispatcher } from 'undici'
import {
  PrivyConnectionError,
  type PrivyError,
  type PrivyErrorContext,
  PrivyResponseValidationError,
  PrivyTimeoutError,
} from './errors.js'

/**
 * One HTTP attempt: POST the already-serialised JSON, then read the body up to a byte limit. Every
 * transport failure becomes a typed PrivyError whose `outcome` says whether the request could have
 * reached Privy.
 */

export interface HttpAttempt {
  dispatcher: Dispatcher
  origin: string
  path: string
  headers: Record<string, string>
  /** A stream is sent as it is read (the upload, see upload-body.ts); a string is copied into a Buffer. */
  body: string | Readable
  /** Deadline for the whole attempt, headers and body included, so a slow drip also ends. */
  timeoutMs: number
  /** Ends the attempt early (late-answer capture: the client's `close()`). */
  signal?: AbortSignal
  maxResponseBytes: number
  context: PrivyErrorContext
}

export interface HttpResponse {
  status: number
  headers: Dispatcher.ResponseData['headers']
  /** The body as text; undefined when it could not be read whole (see `bodyError`). */
  text: string | undefined
  bodyError: PrivyError | undefined
}

/** Failures that happen before a single request byte is written, so Privy cannot have acted. */
const NOT_SENT_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_NONAME',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_CLOSED',
  'UND_ERR_DESTROYED',
  'UND_ERR_INVALID_ARG',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
])

const RESPONSE_TIMEOUT_CODES: ReadonlySet<string> = new Set([
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
])

export async function sendAttempt(attempt: HttpAttempt): Promise<HttpResponse> {
  // The deadline is a timer cleared when the attempt ends, not AbortSignal.timeout: that costs
  // ~25 µs to make, and its timer outlives the attempt, firing (a DOMException, an abort event) for
  // every call long after Privy answered: a fifth of a status read's own CPU (README, Benchmark).
  const controller = new AbortController()
  const deadline = controller.signal
  const timer = setTimeout(() => controller.abort(timeoutReason()), attempt.timeoutMs)
  // As AbortSignal.timeout's: a deadline alone does not keep the process alive.
  timer.unref()
  const signal = attempt.signal === undefined ? deadline : AbortSignal.any([deadline, attempt.signal])
  try {
    let response: Dispatcher.ResponseData
    try {
      response = await attempt.dispatcher.request({
        origin: attempt.origin,
        path: attempt.path,
        method: 'POST',
        headers: attempt.headers,
        body: attempt.body,
        signal,
        // undici's own defaults are 300 s; the signal above is the real deadline.
        headersTimeout: attempt.timeoutMs,
        bodyTimeout: attempt.timeoutMs,
      })
    } catch (error) {
      throw transportError(error, deadline, attempt.context)
    }
    const status = response.statusCode
    const read = await readCapped(response, attempt, deadline)
    return { status, headers: response.headers, text: read.text, bodyError: read.bodyError }
  } finally {
    clearTimeout(timer)
  }
}

/** The reason AbortSignal.timeout gives, made only when the deadline passes. */
function timeoutReason(): DOMException {
  return new DOMException('The operation was aborted due to timeout', 'TimeoutError')
}

type BodyRead = Pick<HttpResponse, 'text' | 'bodyError'>

/**
 * The body, up to `maxResponseBytes`. Read with listeners rather than `for await`, whose async
 * iterator and end-of-stream watcher cost more than the read of a status answer itself.
 */
function readCapped(
  response: Dispatcher.ResponseData,
  attempt: HttpAttempt,
  deadline: AbortSignal,
): Promise<BodyRead> {
  const limit = attempt.maxResponseBytes
  const { body } = response
  const tooLarge = (): BodyRead => {
    // Destroying the stream closes the socket, so the rest is never downloaded.
    body.destroy()
    const reason = `body exceeds ${limit} bytes`
    return {
      text: undefined,
      bodyError: new PrivyResponseValidationError(reason, response.statusCode, [], attempt.context),
    }
  }
  const declared = Number(headerValue(response.headers, 'content-length'))
  if (Number.isFinite(declared) && declared > limit) return Promise.resolve(tooLarge())
  return new Promise<BodyRead>((resolve) => {
    const chunks: Buffer[] = []
    let size = 0
    let settled = false
    const settle = (read: BodyRead) => {
      if (settled) return
      settled = true
      body.off('data', onData)
      resolve(read)
    }
    // Errors are only built for a read that has not ended: 'close' also follows every 'end'.
    const failed = (error: () => unknown) => {
      if (!settled) settle({ text: undefined, bodyError: transportError(error(), deadline, attempt.context) })
    }
    const onData = (chunk: unknown) => {
      const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk))
      size += bytes.length
      if (size > limit) settle(tooLarge())
      else chunks.push(bytes)
    }
    body.on('data', onData)
    body.once('end', () => {
      const whole = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size)
      settle({ text: whole?.toString('utf8') ?? '', bodyError: undefined })
    })
    body.once('error', (error) => failed(() => error))
    // Closed without an end or an error: cut off, as `for await` reports it.
    body.once('close', () =>
      failed(() => Object.assign(new Error('Premature close'), { code: 'ERR_STREAM_PREMATURE_CLOSE' })),
    )
  })
}

function transportError(
  error: unknown,
  deadline: AbortSignal,
  context: PrivyErrorContext,
): PrivyConnectionError {
  const code = errorCode(error)
  // The deadline covers connecting too; if it fires first we cannot tell whether bytes were written,
  // so this is reported as a response timeout (outcome unknown), the safe side. An abort by the
  // caller's own signal falls through to a PrivyConnectionError (outcome unknown: no known code).
  if (deadline.aborted) return new PrivyTimeoutError('response', code, context, error)
  if (code === 'UND_ERR_CONNECT_TIMEOUT') return new PrivyTimeoutError('connect', code, context, error)
  if (code !== undefined && RESPONSE_TIMEOUT_CODES.has(code)) {
    return new PrivyTimeoutError('response', code, context, error)
  }
  const outcome = code !== undefined && NOT_SENT_CODES.has(code) ? 'not_applied' : 'unknown'
  return new PrivyConnectionError(code, outcome, context, error)
}

function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined
  if ('code' in error && typeof error.code === 'string') return error.code
  if ('cause' in error) return errorCode(error.cause)
  return undefined
}

export function headerValue(headers: HttpResponse['headers'], name: string): string | undefined {
  const value = headers[name]
  return Array.isArray(value) ? value[0] : value
}
