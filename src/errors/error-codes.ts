/**
 * The closed set of error codes the API answers with, and the HTTP status and title of each.
 * Codes are stable: merchants branch on them.
 */
export const ERROR_CODES = {
  VALIDATION_FAILED: { status: 400, title: 'The request is not valid' },
  MALFORMED_BODY: { status: 400, title: 'The request body could not be parsed' },
  UNAUTHENTICATED: { status: 401, title: 'Authentication is required' },
  NOT_FOUND: { status: 404, title: 'Not found' },
  ROUTE_NOT_FOUND: { status: 404, title: 'No such route' },
  METHOD_NOT_ALLOWED: { status: 405, title: 'Method not allowed' },
  URI_TOO_LONG: { status: 414, title: 'A segment of the URL is too long' },
  CONFLICT: { status: 409, title: 'The request conflicts with the current state' },
  PAYLOAD_TOO_LARGE: { status: 413, title: 'The request body is too large' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'Unsupported content type' },
  UNPROCESSABLE: { status: 422, title: 'The request cannot be processed' },
  FEATURE_NOT_ENABLED: { status: 403, title: 'This feature is not enabled for the merchant' },
  RATE_LIMITED: { status: 429, title: 'Too many requests' },
  OTP_INVALID: { status: 422, title: 'The OTP code is not correct' },
  OTP_EXPIRED: { status: 410, title: 'The OTP has expired' },
  OTP_LOCKED: { status: 423, title: 'Too many wrong codes: this OTP is locked' },
  OTP_RESEND_TOO_EARLY: { status: 429, title: 'Too early to send another OTP' },
  OTP_SEND_LIMIT_REACHED: { status: 429, title: 'No more OTP sends are allowed for this transaction' },
  OTP_RATE_LIMITED: { status: 429, title: 'Too many OTP requests: an abuse limit was reached' },
  OTP_BUDGET_EXHAUSTED: { status: 429, title: "The merchant's daily OTP budget is spent" },
  IDEMPOTENCY_KEY_REUSED: { status: 422, title: 'This Idempotency-Key was used for a different request' },
  IDEMPOTENCY_KEY_IN_USE: { status: 409, title: 'A request with this Idempotency-Key is still running' },
  OPERATION_PENDING: { status: 409, title: 'The outcome of this operation is not known yet' },
  OUTCOME_UNRESOLVED: {
    status: 409,
    title: 'Privy never confirmed this operation; an operator is checking it with Privy',
  },
  REGISTRATION_EXISTS: { status: 409, title: 'This person already has a registration in progress' },
  DOCUMENT_EXISTS: { status: 409, title: 'This document was already sent with these signers' },
  REGISTRATION_NOT_RESENDABLE: { status: 409, title: 'This registration cannot be resent' },
  WEBHOOK_URL_NOT_ALLOWED: { status: 422, title: 'This webhook URL is not allowed' },
  WEBHOOK_ENDPOINT_DISABLED: { status: 409, title: 'The webhook endpoint is disabled' },
  INTERNAL: { status: 500, title: 'Internal error' },
  UPSTREAM_REJECTED: { status: 422, title: 'Privy rejected the request' },
  UPSTREAM_ERROR: { status: 502, title: 'Privy answered with an error' },
  UPSTREAM_AUTHENTICATION_FAILED: { status: 502, title: 'The gateway could not authenticate with Privy' },
  UPSTREAM_UNAVAILABLE: { status: 503, title: 'Privy is unavailable' },
  UPSTREAM_TIMEOUT: { status: 504, title: 'Privy did not answer in time' },
  SERVICE_UNAVAILABLE: { status: 503, title: 'The service is temporarily unavailable' },
  REQUEST_TIMEOUT: { status: 503, title: 'The request took too long' },
} as const

export type ErrorCode = keyof typeof ERROR_CODES
