import { describe, expect, it } from 'vitest'
import { parseErrorBody, parseRetryAfter } from '../../src/privy/error-body.js'
import {
  apiErrorFor,
  PrivyApiError,
  PrivyConnectionError,
  PrivyRedirectError,
  PrivyResponseValidationError,
  PrivyServerError,
  PrivyTimeoutError,
} from '../../src/privy/errors.js'
import { createPrivyClient } from '../../src/privy/index.js'
import { backoffDelayMs, isRetryableForSafeCall } from '../../src/privy/retry.js'
import { CREDENTIALS } from './privy-fake-server.js'

const context = { operation: 'registrations.status', requestId: 'req-1' }
const details = (status: number) => parseErrorBody(status, undefined, undefined)

describe('Privy retry policy', () => {
  it('uses full jitter within a window that doubles from 200 ms and is capped at 2 s', () => {
    expect([0, 1, 2, 3, 4, 10].map((n) => backoffDelayMs(n, () => 0.999999))).toEqual([
      199, 399, 799, 1599, 1999, 1999,
    ])
    expect(backoffDelayMs(3, () => 0)).toBe(0)
  })

  it('retries connection failures, timeouts and 502/503/504 only', () => {
    const retryable = [
      new PrivyConnectionError('ECONNRESET', 'unknown', context),
      new PrivyTimeoutError('response', undefined, context),
      apiErrorFor(502, details(502), context),
      apiErrorFor(503, details(503), context),
      apiErrorFor(504, details(504), context),
    ]
    const notRetryable = [
      apiErrorFor(500, details(500), context),
      apiErrorFor(429, details(429), context),
      apiErrorFor(401, details(401), context),
      new PrivyResponseValidationError('x', 201, [], context),
      new Error('other'),
    ]
    expect(retryable.map(isRetryableForSafeCall)).toEqual(retryable.map(() => true))
    expect(notRetryable.map(isRetryableForSafeCall)).toEqual(notRetryable.map(() => false))
  })
})

describe('Privy error outcomes', () => {
  it('derives outcome from the kind of failure', () => {
    expect(new PrivyTimeoutError('connect', 'UND_ERR_CONNECT_TIMEOUT', context).outcome).toBe('not_applied')
    expect(new PrivyTimeoutError('response', 'UND_ERR_HEADERS_TIMEOUT', context).outcome).toBe('unknown')
    expect(apiErrorFor(404, details(404), context).outcome).toBe('not_applied')
    expect(apiErrorFor(502, details(502), context)).toBeInstanceOf(PrivyServerError)
    expect(apiErrorFor(502, details(502), context).outcome).toBe('unknown')
    expect(apiErrorFor(307, details(307), context)).toBeInstanceOf(PrivyRedirectError)
    expect(apiErrorFor(410, details(410), context).constructor).toBe(PrivyApiError)
    expect(new PrivyResponseValidationError('x', 201, [], context).outcome).toBe('unknown')
  })

  it('lets a forced outcome win and keeps the cause code and name', () => {
    const cause = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })
    const error = new PrivyConnectionError(
      'ECONNRESET',
      'unknown',
      { ...context, outcome: 'not_applied' },
      cause,
    )
    expect(error).toMatchObject({ outcome: 'not_applied', code: 'ECONNRESET', name: 'PrivyConnectionError' })
    expect(error.cause).toBe(cause)
  })
})

describe('Privy error bodies', () => {
  it('parses Retry-After seconds and dates', () => {
    const now = new Date('2026-11-25T03:00:00Z')
    expect(parseRetryAfter('30', now)).toBe(30)
    expect(parseRetryAfter('Wed, 25 Nov 2026 03:00:10 GMT', now)).toBe(10)
    expect(parseRetryAfter('Wed, 25 Nov 2026 02:00:00 GMT', now)).toBe(0)
    expect(parseRetryAfter('soon', now)).toBeUndefined()
  })

  it('prefers data.retry_after over the header and falls back to the status as code', () => {
    const body = JSON.stringify({ error: { errors: [] }, data: { retry_after: 5 } })
    expect(parseErrorBody(429, body, 99)).toMatchObject({ code: 429, retryAfterSeconds: 5 })
    expect(parseErrorBody(429, '[]', 99)).toMatchObject({ code: 429, retryAfterSeconds: 99, messages: [] })
  })
})

describe('Privy client options', () => {
  const base = { baseUrl: 'https://stg-core.privy.id', ...CREDENTIALS }
  it('refuses a bad base URL or timeout without echoing secrets', () => {
    expect(() => createPrivyClient({ ...base, baseUrl: 'ftp://x' })).toThrow(/baseUrl/)
    expect(() => createPrivyClient({ ...base, baseUrl: 'https://x/?key=1' })).toThrow(/baseUrl/)
    expect(() => createPrivyClient({ ...base, timeoutMs: 0 })).toThrow(/timeoutMs/)
    expect(() => createPrivyClient({ ...base, maxRetries: -1 })).toThrow(/maxRetries/)
    expect(() => createPrivyClient({ ...base, apiSecret: '' })).toThrow(/apiSecret/)
  })
})
