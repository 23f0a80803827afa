import type { ErrorCode, FieldError, Problem, UpstreamFailure } from './types.js'

/**
 * The gateway answers every error as RFC 9457 problem+json with a stable `code` and a `request_id`.
 * Each becomes a GatewayError, of the subclass of its family, so callers branch with `instanceof`
 * (or on `code`) and quote `requestId` to support.
 */

export interface GatewayErrorInit {
  status: number
  problem: Problem | undefined
  /** The body as text when it was not problem+json (a proxy's HTML page, say). */
  text?: string
  headers: Headers
  idempotencyKey?: string | undefined
}

export class GatewayError extends Error {
  override name = 'GatewayError'
  readonly status: number
  /** Stable machine-readable code; undefined only when the answer was not problem+json. */
  readonly code: ErrorCode | undefined
  /** The gateway's request id (the `X-Request-ID` header when the body has none). */
  readonly requestId: string | undefined
  readonly title: string | undefined
  readonly detail: string | undefined
  readonly type: string | undefined
  /** One entry per refused field: `path` names it (`metadata.signers.0.placements`), never its value. */
  readonly errors: FieldError[]
  /** Privy's status, code and request id when Privy caused the failure. */
  readonly upstream: UpstreamFailure | undefined
  /** The whole problem, with route-specific members such as `registration_id` or `attempts_left`. */
  readonly problem: Problem | undefined
  /** `Retry-After` in seconds, when the gateway sent one. */
  readonly retryAfter: number | undefined
  /** The Idempotency-Key the failed call was sent with: retry with it to settle the same operation. */
  readonly idempotencyKey: string | undefined
  readonly headers: Headers

  constructor(init: GatewayErrorInit) {
    const { problem } = init
    super(
      problem
        ? `${problem.status} ${problem.code}: ${problem.detail ?? problem.title}`
        : `${init.status}: the gateway answered without a problem body`,
    )
    this.status = init.status
    this.problem = problem
    this.code = problem?.code
    this.requestId = problem?.request_id ?? init.headers.get('x-request-id') ?? undefined
    this.title = problem?.title
    this.detail = problem?.detail ?? (problem ? undefined : init.text?.slice(0, 200))
    this.type = problem?.type
    this.errors = problem?.errors ?? []
    this.upstream = problem?.upstream
    this.retryAfter = retryAfterSeconds(init.headers.get('retry-after'))
    this.idempotencyKey = init.idempotencyKey
    this.headers = init.headers
  }
}

/** 400, 413, 415 and the gateway's own 422s: the request must change before it can succeed. */
export class ValidationError extends GatewayError {
  override name = 'ValidationError'
}

/** 401: no valid bearer token or API key. */
export class AuthenticationError extends GatewayError {
  override name = 'AuthenticationError'
}

/** 404: it does not exist, or it is not the caller's (the gateway never answers 403 for that). */
export class NotFoundError extends GatewayError {
  override name = 'NotFoundError'
}

/**
 * 409: it conflicts with the current state. `REGISTRATION_EXISTS`, `DOCUMENT_EXISTS` and a second OTP
 * name the existing row (`problem.registration_id`, `document_id`, `otp_id`).
 */
export class ConflictError extends GatewayError {
  override name = 'ConflictError'
}

/** 429: an OTP or abuse limit. `retryAfter` says when the same call may succeed. */
export class RateLimitedError extends GatewayError {
  override name = 'RateLimitedError'
}

/**
 * Privy refused (`UPSTREAM_REJECTED`), failed (502), was unavailable (503) or did not answer in time
 * (504). After a 5xx Privy may still have done the work: the problem names the row
 * (`registration_id`, `document_id`, `otp_id`) and a retry with the same `idempotencyKey` settles it.
 */
export class UpstreamError extends GatewayError {
  override name = 'UpstreamError'
  /** Privy may have acted: retry with the same key, or read the named row, before doing anything else. */
  get outcomeUnknown(): boolean {
    return this.status >= 500
  }
}

/** 503 from the gateway itself (database away, shutting down, request deadline): retry later. */
export class ServiceUnavailableError extends GatewayError {
  override name = 'ServiceUnavailableError'
}

/** The gateway could not be reached, or did not answer within the client's timeout. */
export class GatewayConnectionError extends Error {
  override name = 'GatewayConnectionError'
  constructor(
    message: string,
    readonly timedOut: boolean,
    readonly idempotencyKey: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options)
  }
}

export function errorFromResponse(
  response: Response,
  body: unknown,
  idempotencyKey: string | undefined,
): GatewayError {
  const problem = isProblem(body) ? body : undefined
  const init: GatewayErrorInit = {
    status: response.status,
    problem,
    text: typeof body === 'string' ? body : undefined,
    headers: response.headers,
    idempotencyKey,
  }
  const code: string | undefined = problem?.code
  if (code?.startsWith('UPSTREAM_') || problem?.upstream) return new UpstreamError(init)
  switch (response.status) {
    case 400:
    case 413:
    case 415:
    case 422:
      return new ValidationError(init)
    case 401:
      return new AuthenticationError(init)
    case 404:
      return new NotFoundError(init)
    case 409:
      return new ConflictError(init)
    case 429:
      return new RateLimitedError(init)
    case 503:
      return new ServiceUnavailableError(init)
    default:
      return new GatewayError(init)
  }
}

function isProblem(body: unknown): body is Problem {
  if (typeof body !== 'object' || body === null) return false
  const candidate = body as Record<string, unknown>
  return typeof candidate.code === 'string' && typeof candidate.status === 'number'
}

/** `Retry-After` as seconds: delta-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function retryAfterSeconds(header: string | null, now = Date.now()): number | undefined {
  if (header === null || header.trim() === '') return undefined
  const trimmed = header.trim()
  if (/^\d+$/.test(trimmed)) return Number(trimmed)
  const at = Date.parse(trimmed)
  if (Number.isNaN(at)) return undefined
  return Math.max(0, Math.ceil((at - now) / 1000))
}
