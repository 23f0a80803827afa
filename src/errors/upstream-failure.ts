import { PrivyApiError, PrivyError } from '../privy/index.js'
import { AppError } from './app-error.js'
import { fromPrivyError } from './error-handler.js'

/** What a Privy call was about, as the API names it (`registration_id`, `document_id`). */
export type FollowedResource = 'registration' | 'document'

/** A Privy failure in the API's words; anything else passes through unchanged. */
export function asAppError(error: PrivyError): AppError
export function asAppError(error: unknown): unknown
export function asAppError(error: unknown): unknown {
  return error instanceof PrivyError ? fromPrivyError(error) : error
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
export async function recordCreateFailure(error: unknown, failure: CreateFailure): Promise<unknown> {
  if (!(error instanceof PrivyError)) return error
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
