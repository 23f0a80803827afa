import {
  answerUnreadable,
  PrivyApiError,
  PrivyError,
  PrivyResponseValidationError,
  PrivyTimeoutError,
} from '../../privy/index.js'
import { AppError } from '../app-error.js'
import type { ErrorCode } from '../error-codes.js'

// What every Privy call shares: the generic mapping (fromPrivyError, also the error handler's), the
// refused data (422), the unknown outcomes and pending retries of registrations and documents.

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
  if (refusedData(error)) {
    return upstreamRejected(error, failure.rejectedDetail, failure.fieldNames)
  }
  return fromPrivyError(error)
}

/**
 * Privy refused the data (422) in its own readable words. A 422 whose body is not Privy's (a proxy's
 * page) says nothing about the resource: no advice is built on it.
 */
export function refusedData(error: unknown): error is PrivyApiError {
  return error instanceof PrivyApiError && error.status === 422 && !error.bodyUnreadable
}

/**
 * Privy answered a create with 409: reference numbers are random per row, so it holds an earlier call
 * of this very row (a probe of a lost answer), never someone else's.
 */
export function heldByPrivy(error: unknown): error is PrivyApiError {
  return error instanceof PrivyApiError && error.status === 409
}

/** The answer to a create Privy holds (heldByPrivy): its token comes by callback. */
export function heldByPrivyPending(resource: FollowedResource, id: string): AppError {
  return operationPending(resource, id, `Privy holds this ${resource}; it is settled by its next callback`)
}

/** A Privy failure, or the 422 refusing the data (upstreamRejected), in the API's words. */
export function rejectionOr(
  error: unknown,
  detail: string,
  fieldNames: Record<string, string> = {},
): AppError {
  return refusedData(error) ? upstreamRejected(error, detail, fieldNames) : asAppError(error)
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
