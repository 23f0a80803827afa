import {
  answerUnreadable,
  PrivyApiError,
  PrivyError,
  PrivyResponseValidationError,
  PrivyTimeoutError,
} from '../privy/index.js'
import { AppError } from './app-error.js'
import type { ErrorCode } from './error-codes.js'

// The one place where a Privy outcome becomes an API error: the generic mapping (fromPrivyError, also
// the error handler's), the unknown outcomes and pending retries of every resource, OTPs included.

/** What a Privy call was about, as the API names it (`registration_id`, `document_id`). */
export type FollowedResource = 'registration' | 'document'

/**
 * For a catch block: a Privy failure in the API's words, an AppError as it is; anything else (a
 * database error, a bug) is rethrown unchanged, for the error handler.
 */
export function asAppError(error: unknown): AppError {
  if (error instanceof PrivyError) return fromPrivyError(error)
  if (error instanceof AppError) return error
  throw error
}

/**
 * A retry that must wait: Privy may still answer, or holds the resource without telling its token.
 * The one OPERATION_PENDING of registrations and documents; by default the detail says what to follow.
 */
export function operationPending(
  resource: FollowedResource,
  id: string,
  detail: string,
  options: { follow: boolean } = { follow: true },
): AppError {
  return new AppError('OPERATION_PENDING', {
    detail: options.follow ? `${detail}. Follow ${resource} ${id}` : detail,
    retryAfterSeconds: 2,
    extensions: { [`${resource}_id`]: id },
  })
}

/**
 * Privy refused the data (422). Only the refused fields' paths are passed on, in the API's names:
 * Privy's own sentences could echo a value (a NIK, a token) in front of the app.
 */
export function upstreamRejected(
  error: PrivyApiError,
  detail: string,
  fieldNames: Record<string, string> = {},
): AppError {
  const paths = new Set(error.fieldErrors.map((field) => fieldNames[field.field] ?? field.field))
  return new AppError('UPSTREAM_REJECTED', {
    detail,
    errors: [...paths].map((path) => ({ path, message: 'refused by Privy' })),
    upstream: { status: error.status, code: error.code, request_id: error.requestId },
  })
}

/** An answer whose outcome is not known yet names the resource to follow. */
export function outcomeUnknown(error: PrivyError, resource: FollowedResource, id: string): AppError {
  const mapped = fromPrivyError(error)
  return new AppError(mapped.code, {
    ...mapped.options,
    detail: `${mapped.message}. The outcome is not known yet; follow ${resource} ${id}`,
    extensions: { [`${resource}_id`]: id },
    unknownOutcome: true,
  })
}

export interface CreateFailure {
  resource: FollowedResource
  id: string
  /** Records on the row whether Privy may hold it (`unknown`) or surely does not (`failed`). */
  record: (outcome: 'unknown' | 'failed', summary: Record<string, string | number | null>) => Promise<void>
  rejectedDetail: string
  fieldNames?: Record<string, string>
}

/**
 * After a create call to Privy failed: the row learns what the failure means (never `failed` when
 * Privy may have done the work), and the caller gets the error to answer with.
 */
export async function recordCreateFailure(error: unknown, failure: CreateFailure): Promise<AppError> {
  if (!(error instanceof PrivyError)) return asAppError(error)
  const summary = {
    name: error.name,
    status: error instanceof PrivyApiError ? error.status : null,
    code: error instanceof PrivyApiError ? (error.code ?? null) : null,
    request_id: error.requestId ?? null,
  }
  if (error.outcome === 'unknown') {
    await failure.record('unknown', summary)
    return outcomeUnknown(error, failure.resource, failure.id)
  }
  await failure.record('failed', summary)
  if (error instanceof PrivyApiError && error.status === 422 && !error.bodyUnreadable) {
    return upstreamRejected(error, failure.rejectedDetail, failure.fieldNames)
  }
  return fromPrivyError(error)
}

/** For `.catch(...)`: rethrows a Privy failure in the API's words. */
export function rethrowAsAppError(error: unknown): never {
  throw asAppError(error)
}

/** A Privy failure the service did not translate: the caller learns what failed, not how. */
export function fromPrivyError(error: PrivyError): AppError {
  const upstream = upstreamOf(error)
  // A write whose answer cannot be read may still have been done: it keeps UPSTREAM_ERROR below and
  // its service's unknown-outcome path. Where the outcome is known or does not matter, say it plainly.
  if (answerUnreadable(error) && (error.safe || error.outcome === 'not_applied')) {
    return unreadable(error, upstream)
  }
  if (error instanceof PrivyTimeoutError) {
    return new AppError('UPSTREAM_TIMEOUT', {
      detail: 'Privy did not answer in time',
      upstream,
      cause: error,
    })
  }
  if (!(error instanceof PrivyApiError)) {
    const detail =
      error.name === 'PrivyResponseValidationError'
        ? 'Privy answered with a response the gateway could not read'
        : 'Privy could not be reached'
    const code: ErrorCode =
      error.name === 'PrivyResponseValidationError' ? 'UPSTREAM_ERROR' : 'UPSTREAM_UNAVAILABLE'
    return new AppError(code, { detail, upstream, cause: error, retryAfterSeconds: 5 })
  }
  if (error.status === 401 || error.status === 403) {
    return new AppError('UPSTREAM_AUTHENTICATION_FAILED', {
      detail: 'Privy refused the gateway credentials; an operator must check them',
      upstream,
      cause: error,
    })
  }
  if (error.status === 503) {
    return new AppError('UPSTREAM_UNAVAILABLE', { upstream, cause: error, retryAfterSeconds: 5 })
  }
  return new AppError('UPSTREAM_ERROR', {
    detail: `Privy answered ${error.status}`,
    upstream,
    cause: error,
  })
}

/**
 * Privy answered, but not in words the gateway can read (contract "What we accept"): no advice is
 * given, only the request id an operator needs to find the call at Privy.
 */
export function unreadable(error: PrivyError, upstream = upstreamOf(error)): AppError {
  const status = error instanceof PrivyResponseValidationError ? error.status : upstream.status
  return new AppError('UPSTREAM_UNREADABLE', {
    detail: `Privy's answer to ${error.operation} could not be read; an operator can look it up by upstream.request_id`,
    upstream: { ...upstream, status },
    cause: error,
  })
}

function upstreamOf(error: PrivyError) {
  return {
    status: error instanceof PrivyApiError ? error.status : undefined,
    code: error instanceof PrivyApiError ? error.code : undefined,
    request_id: error.requestId,
  }
}

/**
 * What the app should do while the last call on an OTP has no known outcome (`next_action`):
 * - `validate_otp`: the transaction is known, or Privy may still answer. A code may be on its way: let
 *   the person type it and POST it to /v1/otp/{id}/validate, which works once the answer is in
 *   (retry from `retry_at`).
 * - `wait`: Privy's answer to the send is lost for good, so a code it may have sent can never be
 *   checked, and a second SMS is not sent while the first may still arrive. A new OTP may be requested
 *   from `retry_at`, when that code would have expired anyway (docs/privy-contract.md §4: 15 minutes).
 */
export interface PendingStep {
  next_action: 'validate_otp' | 'wait'
  retry_at: Date
}

/** Whole seconds until `at`, at least 1, for Retry-After. */
export function secondsUntil(at: Date, now: Date): number {
  return Math.max(1, Math.ceil((at.getTime() - now.getTime()) / 1000))
}

function stepExtensions(id: string, step: PendingStep) {
  return { otp_id: id, next_action: step.next_action, retry_at: step.retry_at.toISOString() }
}

/** The first answer of a call whose outcome is not known: what Privy failed with, and what to do. */
export function otpOutcomeUnknown(error: PrivyError, id: string, step: PendingStep, now: Date): AppError {
  const base = fromPrivyError(error)
  return new AppError(base.code, {
    ...base.options,
    detail: `${base.message}. Privy may have acted; the outcome settles on OTP transaction ${id}`,
    retryAfterSeconds: secondsUntil(step.retry_at, now),
    extensions: stepExtensions(id, step),
    unknownOutcome: true,
  })
}

/** A retry, or an action on the OTP, while its last call has no known outcome: never sent again. */
export function otpPending(id: string, step: PendingStep, now: Date): AppError {
  const detail =
    step.next_action === 'wait'
      ? `Privy's answer to the send of OTP transaction ${id} was lost: a code it may have sent cannot ` +
        `be checked, and no second one is sent while it may still arrive. A new OTP can be requested ` +
        `from ${step.retry_at.toISOString()}`
      : `Privy has not yet answered the last request on OTP transaction ${id}. A code may be on its ` +
        'way: let the person enter it, and validate it once this settles'
  return new AppError('OPERATION_PENDING', {
    detail,
    retryAfterSeconds: secondsUntil(step.retry_at, now),
    extensions: stepExtensions(id, step),
  })
}
