/**
 * Typed failures of the Privy client (Stainless / stripe-node shape). Callers branch on `instanceof`
 * and on `outcome`, never on message text. Messages never contain tokens, keys, secrets or bodies:
 * only the operation, the HTTP status or error code, and our Request-ID.
 */

/**
 * Whether Privy may have done the work of the failed call. `not_applied`: the request was refused or
 * never sent, so repeating it cannot create a duplicate. `unknown`: Privy may have acted (a 5xx, a
 * response timeout, a connection lost after the request was written, an unreadable 201); the gateway
 * must reconcile (ask for the status) before it tries again.
 */
export type PrivyOutcome = 'not_applied' | 'unknown'

export interface PrivyErrorContext {
  /** Client operation, e.g. `registrations.register` or `token`. */
  operation: string
  /** The Request-ID header we sent on the failed attempt. */
  requestId: string
  /** Forces the outcome, e.g. for token fetches, which change nothing the gateway tracks. */
  outcome?: PrivyOutcome
  /** Set for a timeout whose late answer is still awaited (see PrivyTimeoutError). */
  lateAnswerUntil?: Date | undefined
  /** The operation changes nothing at Privy (a status or history read): its outcome never matters. */
  safe?: boolean | undefined
}

export class PrivyError extends Error {
  override readonly name: string = 'PrivyError'
  readonly operation: string
  readonly requestId: string
  readonly outcome: PrivyOutcome
  /**
   * True only on a PrivyTimeoutError of a side-effect call made with `onLateAnswer`: the request was
   * not aborted, and Privy's answer, if it comes before `lateAnswerUntil`, goes to that callback.
   */
  readonly lateAnswerPending: boolean
  /** When the client stops listening for that late answer, by the client's `now` clock. */
  readonly lateAnswerUntil: Date | undefined
  /** True when the failed operation changes nothing at Privy (`retry: 'safe'`). */
  readonly safe: boolean

  constructor(message: string, context: PrivyErrorContext, defaultOutcome: PrivyOutcome, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause })
    this.operation = context.operation
    this.requestId = context.requestId
    this.outcome = context.outcome ?? defaultOutcome
    this.lateAnswerPending = context.lateAnswerUntil !== undefined
    this.lateAnswerUntil = context.lateAnswerUntil
    this.safe = context.safe === true
  }
}

export interface PrivyFieldError {
  field: string
  messages: string[]
}

/** What a Privy error body says, already parsed leniently (see error-body.ts). */
export interface PrivyErrorDetails {
  code: number | string
  messages: string[]
  fieldErrors: PrivyFieldError[]
  retryAfterSeconds?: number | undefined
  remainingAttempts?: number | undefined
  /** An `expired` flag of the body: the OTP code has expired (docs/privy-contract.md §4). */
  expired?: boolean
  /** The body was not a JSON error (an HTML page of a proxy, empty, cut off): only the status is known. */
  bodyUnreadable?: boolean
}

/** Privy answered with a non-success HTTP status. Subclasses are chosen by status in `apiErrorFor`. */
export class PrivyApiError extends PrivyError {
  override readonly name: string = 'PrivyApiError'
  readonly status: number
  /** `error.code` of the body; the HTTP status when the body has none. */
  readonly code: number | string
  readonly messages: string[]
  readonly fieldErrors: PrivyFieldError[]
  /** For 429: `data.retry_after` of the body, else the `Retry-After` header. */
  readonly retryAfterSeconds: number | undefined
  /** For a wrong OTP (422): attempts left before the transaction locks. */
  readonly remainingAttempts: number | undefined
  /** For an OTP validation (422): the body flags the code as expired. */
  readonly expired: boolean
  /** Only the status could be read: the body was not a JSON error (see error-body.ts). */
  readonly bodyUnreadable: boolean

  constructor(status: number, details: PrivyErrorDetails, context: PrivyErrorContext) {
    // A 4xx is a refusal; a 3xx or 5xx may come after the work was done.
    super(
      `Privy ${context.operation} failed with HTTP ${status} (code ${details.code}, request ${context.requestId})`,
      context,
      status >= 400 && status < 500 ? 'not_applied' : 'unknown',
    )
    this.status = status
    this.code = details.code
    this.messages = details.messages
    this.fieldErrors = details.fieldErrors
    this.retryAfterSeconds = details.retryAfterSeconds
    this.remainingAttempts = details.remainingAttempts
    this.expired = details.expired === true
    this.bodyUnreadable = details.bodyUnreadable === true
  }
}

/** A 3xx: redirects are never followed (the target could be anywhere). */
export class PrivyRedirectError extends PrivyApiError {
  override readonly name = 'PrivyRedirectError'
}
/** 400: the request was malformed. */
export class PrivyBadRequestError extends PrivyApiError {
  override readonly name = 'PrivyBadRequestError'
}
/** 401: wrong client credentials, an expired token, or a bad Signature/Timestamp. */
export class PrivyAuthenticationError extends PrivyApiError {
  override readonly name = 'PrivyAuthenticationError'
}
/** 403: the channel may not do this (e.g. `merchant_ra` without RA rights). */
export class PrivyPermissionDeniedError extends PrivyApiError {
  override readonly name = 'PrivyPermissionDeniedError'
}
/** 404: unknown reference, token or transaction. */
export class PrivyNotFoundError extends PrivyApiError {
  override readonly name = 'PrivyNotFoundError'
}
/** 409: e.g. a `reference_number` already used on this channel. */
export class PrivyConflictError extends PrivyApiError {
  override readonly name = 'PrivyConflictError'
}
/** 422: a business rule or field check failed; see `fieldErrors`. */
export class PrivyUnprocessableEntityError extends PrivyApiError {
  override readonly name = 'PrivyUnprocessableEntityError'
}
/** 423: an OTP transaction is locked after too many wrong codes. */
export class PrivyLockedError extends PrivyApiError {
  override readonly name = 'PrivyLockedError'
}
/** 429: too early or too many; see `retryAfterSeconds`. Never retried automatically. */
export class PrivyRateLimitError extends PrivyApiError {
  override readonly name = 'PrivyRateLimitError'
}
/** ≥ 500: Privy failed; it may have done part or all of the work. */
export class PrivyServerError extends PrivyApiError {
  override readonly name = 'PrivyServerError'
}

const API_ERROR_BY_STATUS: Record<number, typeof PrivyApiError> = {
  400: PrivyBadRequestError,
  401: PrivyAuthenticationError,
  403: PrivyPermissionDeniedError,
  404: PrivyNotFoundError,
  409: PrivyConflictError,
  422: PrivyUnprocessableEntityError,
  423: PrivyLockedError,
  429: PrivyRateLimitError,
}

export function apiErrorFor(
  status: number,
  details: PrivyErrorDetails,
  context: PrivyErrorContext,
): PrivyApiError {
  if (status >= 500) return new PrivyServerError(status, details, context)
  if (status >= 300 && status < 400) return new PrivyRedirectError(status, details, context)
  const ErrorClass = API_ERROR_BY_STATUS[status] ?? PrivyApiError
  return new ErrorClass(status, details, context)
}

/** Statuses whose meaning does not depend on the body: an unreadable body still says enough. */
const SELF_EXPLAINING_STATUSES: ReadonlySet<number> = new Set([401, 403, 429])

/**
 * Privy (or a proxy in front of it) answered in words the client cannot read: a success whose body
 * breaks the contract, or a refusal whose body is not a JSON error and whose status alone does not
 * say what was refused. A 3xx and a 5xx say enough by their status.
 */
export function answerUnreadable(error: PrivyError): boolean {
  if (error instanceof PrivyResponseValidationError) return true
  if (!(error instanceof PrivyApiError) || !error.bodyUnreadable) return false
  return error.status >= 400 && error.status < 500 && !SELF_EXPLAINING_STATUSES.has(error.status)
}

/** No usable HTTP response: refused, reset, DNS failure, closed client. `code` is the cause's code. */
export class PrivyConnectionError extends PrivyError {
  override readonly name: string = 'PrivyConnectionError'
  readonly code: string | undefined

  constructor(code: string | undefined, outcome: PrivyOutcome, context: PrivyErrorContext, cause?: unknown) {
    super(
      `Privy ${context.operation} connection failed (${code ?? 'unknown cause'}, request ${context.requestId})`,
      context,
      outcome,
      cause,
    )
    this.code = code
  }
}

/**
 * A deadline passed. `connect`: no connection within connectTimeoutMs, nothing was sent. `response`:
 * the request was (or may have been) sent and no complete answer came within timeoutMs.
 *
 * `lateAnswerPending` (with `lateAnswerUntil`): the caller passed `onLateAnswer` to a call with side
 * effects, so the request was not aborted at the deadline: Privy's answer, if it comes in time, is
 * handed to that callback (see late-answers.ts). False for every other timeout.
 */
export class PrivyTimeoutError extends PrivyConnectionError {
  override readonly name = 'PrivyTimeoutError'
  readonly phase: 'connect' | 'response'

  constructor(
    phase: 'connect' | 'response',
    code: string | undefined,
    context: PrivyErrorContext,
    cause?: unknown,
    lateAnswerUntil?: Date,
  ) {
    super(code, phase === 'connect' ? 'not_applied' : 'unknown', { ...context, lateAnswerUntil }, cause)
    this.phase = phase
    const late = lateAnswerUntil === undefined ? '' : '; a late answer is still awaited'
    this.message = `Privy ${context.operation} timed out (${phase}, request ${context.requestId}${late})`
  }
}

export interface PrivyValidationIssue {
  path: string
  message: string
}

/**
 * A success status whose body does not match the contract (not JSON, no `{message, data}`, a missing
 * or wrong field, a body over maxResponseBytes). Privy probably did the work, hence `unknown`.
 */
export class PrivyResponseValidationError extends PrivyError {
  override readonly name = 'PrivyResponseValidationError'
  readonly status: number
  readonly issues: PrivyValidationIssue[]
  /**
   * Identifiers still readable in the malformed `data` (only the members the operation names in
   * `readableOnMalformed`, e.g. an OTP's `transaction_id`): what Privy created is then known even
   * though the answer breaks the contract. Not enumerable, so a logged error does not carry them.
   */
  declare readonly readable: Readonly<Record<string, string>>

  constructor(
    reason: string,
    status: number,
    issues: PrivyValidationIssue[],
    context: PrivyErrorContext,
    readable: Record<string, string> = {},
  ) {
    super(
      `Privy ${context.operation} returned an invalid response (HTTP ${status}: ${reason}, request ${context.requestId})`,
      context,
      'unknown',
    )
    this.status = status
    this.issues = issues
    Object.defineProperty(this, 'readable', { value: Object.freeze({ ...readable }), enumerable: false })
  }
}
