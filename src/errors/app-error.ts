import { ERROR_CODES, type ErrorCode } from './error-codes.js'

export interface FieldError {
  path: string
  message: string
}

export interface UpstreamInfo {
  status?: number
  code?: string | number
  request_id?: string
}

export interface AppErrorOptions {
  detail?: string
  errors?: FieldError[]
  upstream?: UpstreamInfo
  retryAfterSeconds?: number
  /** Extra members of the problem document (RFC 9457 extensions), e.g. `registration_id`. */
  extensions?: Record<string, unknown>
  /** Privy may have done the work: an Idempotency-Key retry settles it rather than storing this. */
  unknownOutcome?: boolean
  cause?: unknown
}

/** An error the API answers with as it is: its code decides the status, its detail is public. */
export class AppError extends Error {
  readonly status: number
  readonly title: string

  constructor(
    readonly code: ErrorCode,
    readonly options: AppErrorOptions = {},
  ) {
    super(options.detail ?? ERROR_CODES[code].title, { cause: options.cause })
    this.name = 'AppError'
    this.status = ERROR_CODES[code].status
    this.title = ERROR_CODES[code].title
  }
}

export const notFound = (what: string) => new AppError('NOT_FOUND', { detail: `${what} was not found` })
