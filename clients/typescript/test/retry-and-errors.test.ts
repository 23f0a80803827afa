import { describe, expect, it } from 'vitest'
import { ERROR_CODES } from '../../../src/errors/error-codes.js'
import { errorFromResponse, retryAfterSeconds } from '../src/errors.js'
import {
  AuthenticationError,
  ConflictError,
  DEFAULT_RETRY_POLICY,
  GatewayError,
  NotFoundError,
  RateLimitedError,
  ServiceUnavailableError,
  UpstreamError,
  ValidationError,
} from '../src/index.js'
import { type AttemptOutcome, retryDelayMs } from '../src/retry.js'

const answer = (status: number, code?: string, retryAfter?: number): AttemptOutcome => ({
  kind: 'response',
  status,
  code,
  retryAfterSeconds: retryAfter,
})
const policy = DEFAULT_RETRY_POLICY
const half = () => 0.5

describe('when the client retries by itself', () => {
  it('a keyed POST: after the first attempt still runs (409) and after a 503 with Retry-After', () => {
    expect(retryDelayMs(answer(409, 'IDEMPOTENCY_KEY_IN_USE', 1), 'keyed', 1, policy)).toBe(1000)
    expect(retryDelayMs(answer(409, 'OPERATION_PENDING', 2), 'keyed', 1, policy)).toBe(2000)
    expect(retryDelayMs(answer(503, 'REQUEST_TIMEOUT', 1), 'keyed', 1, policy)).toBe(1000)
    expect(retryDelayMs({ kind: 'connection' }, 'keyed', 1, policy, half)).toBe(375)
  })

  it('never after a refusal: other 409s, 4xx, 5xx without Retry-After', () => {
    for (const outcome of [
      answer(409, 'REGISTRATION_EXISTS'),
      answer(409, 'CONFLICT', 1),
      answer(400, 'VALIDATION_FAILED'),
      answer(422, 'IDEMPOTENCY_KEY_REUSED'),
      answer(429, 'OTP_RESEND_TOO_EARLY', 1),
      answer(502, 'UPSTREAM_ERROR'),
      answer(503, 'UPSTREAM_UNAVAILABLE'),
      answer(504, 'UPSTREAM_TIMEOUT'),
    ]) {
      expect(retryDelayMs(outcome, 'keyed', 1, policy), JSON.stringify(outcome)).toBeUndefined()
    }
  })

  it('a POST without a key never; a read after a lost connection or a 503 with Retry-After only', () => {
    expect(retryDelayMs({ kind: 'connection' }, 'unsafe', 1, policy)).toBeUndefined()
    expect(retryDelayMs(answer(503, 'SERVICE_UNAVAILABLE', 5), 'unsafe', 1, policy)).toBeUndefined()
    expect(retryDelayMs(answer(503, 'SERVICE_UNAVAILABLE', 5), 'read', 1, policy)).toBe(5000)
    expect(retryDelayMs(answer(409, 'OPERATION_PENDING', 1), 'read', 1, policy)).toBeUndefined()
    expect(retryDelayMs({ kind: 'connection' }, 'read', 2, policy, half)).toBe(750)
  })

  it('waits only on codes the gateway answers, with the status it answers them', () => {
    // Renaming one of these in the gateway would silently stop the client's retries.
    expect(ERROR_CODES.IDEMPOTENCY_KEY_IN_USE.status).toBe(409)
    expect(ERROR_CODES.OPERATION_PENDING.status).toBe(409)
    for (const [code, { status }] of Object.entries(ERROR_CODES)) {
      const retried = retryDelayMs(answer(status, code, 1), 'keyed', 1, policy) !== undefined
      expect(retried, code).toBe(
        ['IDEMPOTENCY_KEY_IN_USE', 'OPERATION_PENDING'].includes(code) || status === 503,
      )
    }
  })

  it('is bounded: no retry past maxRetries, no wait past maxRetryAfterMs, backoff capped', () => {
    expect(
      retryDelayMs(answer(503, 'SERVICE_UNAVAILABLE', 1), 'read', policy.maxRetries + 1, policy),
    ).toBeUndefined()
    expect(retryDelayMs(answer(503, 'SERVICE_UNAVAILABLE', 31), 'read', 1, policy)).toBeUndefined()
    expect(retryDelayMs({ kind: 'connection' }, 'read', 3, { ...policy, maxRetries: 10 }, () => 1)).toBe(2000)
    expect(retryDelayMs({ kind: 'connection' }, 'read', 10, { ...policy, maxRetries: 10 }, () => 1)).toBe(
      policy.maxDelayMs,
    )
  })
})

describe('problem+json as typed errors', () => {
  const problem = (status: number, code: string, extra: Record<string, unknown> = {}) =>
    new Response(
      JSON.stringify({ type: 'urn:x', title: 't', status, code, request_id: 'req-1', detail: 'd', ...extra }),
      { status, headers: { 'content-type': 'application/problem+json', 'retry-after': '7' } },
    )
  const classify = async (response: Response) =>
    errorFromResponse(response, JSON.parse(await response.text()), 'key-1')

  it('picks the family by code, then by status, and keeps every member', async () => {
    const cases: Array<[Response, new (...args: never[]) => GatewayError]> = [
      [problem(400, 'VALIDATION_FAILED'), ValidationError],
      [problem(422, 'OTP_INVALID'), ValidationError],
      [problem(413, 'PAYLOAD_TOO_LARGE'), ValidationError],
      [problem(401, 'UNAUTHENTICATED'), AuthenticationError],
      [problem(404, 'NOT_FOUND'), NotFoundError],
      [problem(409, 'REGISTRATION_EXISTS'), ConflictError],
      [problem(429, 'OTP_RATE_LIMITED'), RateLimitedError],
      [problem(422, 'UPSTREAM_REJECTED'), UpstreamError],
      [problem(504, 'UPSTREAM_TIMEOUT'), UpstreamError],
      [problem(503, 'SERVICE_UNAVAILABLE'), ServiceUnavailableError],
      [problem(423, 'OTP_LOCKED'), GatewayError],
    ]
    for (const [response, kind] of cases) {
      const error = await classify(response)
      expect(error, `${response.status}`).toBeInstanceOf(kind)
      expect(error.constructor).toBe(kind)
    }
    const error = await classify(
      problem(504, 'UPSTREAM_TIMEOUT', {
        errors: [{ path: 'phone', message: 'bad' }],
        upstream: { status: 504 },
        registration_id: 'r-1',
      }),
    )
    expect(error).toMatchObject({
      status: 504,
      code: 'UPSTREAM_TIMEOUT',
      requestId: 'req-1',
      detail: 'd',
      errors: [{ path: 'phone', message: 'bad' }],
      upstream: { status: 504 },
      retryAfter: 7,
      idempotencyKey: 'key-1',
    })
    expect(error.problem?.registration_id).toBe('r-1')
    expect((error as UpstreamError).outcomeUnknown).toBe(true)
  })

  it('an answer that is not problem+json still becomes a GatewayError with its status', () => {
    const response = new Response('<html>Bad gateway</html>', {
      status: 502,
      headers: { 'x-request-id': 'lb-9' },
    })
    const error = errorFromResponse(response, '<html>Bad gateway</html>', undefined)
    expect(error).toBeInstanceOf(GatewayError)
    expect(error).toMatchObject({
      status: 502,
      code: undefined,
      requestId: 'lb-9',
      detail: '<html>Bad gateway</html>',
    })
  })

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2026-12-01T00:00:00Z')
    expect(retryAfterSeconds('3', now)).toBe(3)
    expect(retryAfterSeconds('Tue, 01 Dec 2026 00:00:10 GMT', now)).toBe(10)
    expect(retryAfterSeconds('soon', now)).toBeUndefined()
    expect(retryAfterSeconds(null, now)).toBeUndefined()
  })
})
