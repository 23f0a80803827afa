import { describe, expect, it } from 'vitest'
import { parseErrorBody } from '../../src/privy/error-body.js'
import { answerUnreadable, apiErrorFor, PrivyResponseValidationError } from '../../src/privy/errors.js'

/** Contract "What we accept": every way a reasonable Privy may say one thing reads the same. */

const read = (body: unknown, status = 422, retryAfterHeader?: number) =>
  parseErrorBody(status, typeof body === 'string' ? body : JSON.stringify(body), retryAfterHeader)

const WRONG_OTP = { code: 422, remainingAttempts: 2 }

describe('a wrong OTP is a wrong OTP whichever way Privy says it', () => {
  it.each([
    [
      'details in data (the contract)',
      { error: { code: 422, errors: ['Wrong OTP code'] }, data: { remaining_attempts: 2 } },
    ],
    [
      'details inside errors[]',
      { error: { code: 422, errors: [{ message: 'Wrong OTP code', remaining_attempts: 2 }] } },
    ],
    ['details inside error', { error: { code: 422, errors: ['Wrong OTP code'], remaining_attempts: 2 } }],
    ['details at the top level', { error: { code: 422, errors: ['Wrong OTP code'] }, remaining_attempts: 2 }],
    [
      'counts and codes as strings',
      { error: { code: '422', errors: ['Wrong OTP code'] }, data: { remaining_attempts: '2' } },
    ],
    [
      'errors at the top level',
      { errors: [{ code: 'OTP_INVALID', message: 'Wrong OTP code', remaining_attempts: 2 }] },
    ],
    ['error as plain text', { error: 'Wrong OTP code', data: { remaining_attempts: 2 } }],
    [
      'extra members everywhere',
      {
        error: { code: 422, errors: [{ message: 'Wrong OTP code', hint: { x: 1 } }], trace: 'abc' },
        data: { remaining_attempts: 2, transaction_id: 't' },
        meta: {},
      },
    ],
  ])('%s', (_name, body) => {
    expect(read(body)).toMatchObject(WRONG_OTP)
    expect(read(body)).not.toHaveProperty('bodyUnreadable')
    expect(read(body).messages).toContain('Wrong OTP code')
  })
})

describe('the other details', () => {
  it('reads retry_after wherever it is, and falls back to the Retry-After header', () => {
    expect(
      read({ error: { code: 429, errors: [{ message: 'too early', retry_after: '30' }] } }, 429, 5),
    ).toMatchObject({
      retryAfterSeconds: 30,
    })
    expect(read({ error: { code: 429, retry_after: 12 } }, 429)).toMatchObject({ retryAfterSeconds: 12 })
    expect(read({ error: { code: 429 } }, 429, 5)).toMatchObject({ retryAfterSeconds: 5 })
  })

  it('reads an expired flag as a boolean, a string or a number, in data or in an entry', () => {
    expect(read({ error: { code: 422, errors: ['x'] }, data: { expired: true } }).expired).toBe(true)
    expect(read({ error: { code: 422, errors: [{ message: 'x', expired: 'true' }] } }).expired).toBe(true)
    expect(read({ error: { code: 422, errors: [{ message: 'x', expired: 1 }] } }).expired).toBe(true)
    expect(read({ error: { code: 422, errors: ['x'] }, data: { expired: '0' } }).expired).toBe(false)
    expect(read({ error: { code: 422, errors: ['x'] } }).expired).toBeUndefined()
  })

  it('reads field errors as entries or as a map, with one message or several', () => {
    const fields = [
      { field: 'nik', messages: ['must be 16 digits'] },
      { field: 'dob', messages: ['is not a date'] },
    ]
    expect(
      read({
        error: {
          code: 422,
          errors: [
            { field: 'nik', messages: ['must be 16 digits'] },
            { attribute: 'dob', message: 'is not a date' },
          ],
        },
      }),
    ).toMatchObject({ fieldErrors: fields, messages: [] })
    expect(read({ errors: { nik: 'must be 16 digits', dob: ['is not a date'] } })).toMatchObject({
      fieldErrors: fields,
    })
    expect(
      read({ error: { code: 422, errors: [{ param: 'nik', detail: 'must be 16 digits' }] } }).fieldErrors,
    ).toEqual([fields[0]])
  })

  it('keeps a string code that is not a number, and a missing one is the status', () => {
    expect(read({ error: { code: 'E_LOCKED', errors: [] } }, 423).code).toBe('E_LOCKED')
    expect(read({ message: 'Locked' }, 423)).toMatchObject({ code: 423, messages: ['Locked'] })
    expect(read({ error: { code: { nested: true } } }, 409).code).toBe(409)
  })

  it('leaves out what is missing and skips what it cannot read', () => {
    expect(read({ error: { code: 422 } })).toEqual({
      code: 422,
      messages: [],
      fieldErrors: [],
      retryAfterSeconds: undefined,
      remainingAttempts: undefined,
    })
    expect(
      read({ error: { code: 422, errors: [null, 3, { field: 7 }, ''] }, data: { remaining_attempts: -1 } }),
    ).toMatchObject({
      messages: [],
      fieldErrors: [],
      remainingAttempts: undefined,
    })
  })

  it('looks at a bounded number of entries', () => {
    const errors = Array.from({ length: 10_000 }, (_, index) => `message ${index}`)
    expect(read({ error: { code: 422, errors } }).messages).toHaveLength(100)
  })
})

describe('an answer that is not a JSON error', () => {
  it.each([
    ['an HTML page of a proxy', '<html><body><h1>502 Bad Gateway</h1></body></html>'],
    ['plain text', 'Service Unavailable'],
    ['a cut-off JSON body', '{"error":{"code":422,"errors":["Wro'],
    ['a JSON value that is no object', '[1,2]'],
    ['a JSON object naming no error', '{"status":"ok"}'],
    ['nothing', ''],
  ])('%s is typed by its status only', (_name, text) => {
    expect(parseErrorBody(422, text, 9)).toEqual({
      code: 422,
      messages: [],
      fieldErrors: [],
      retryAfterSeconds: 9,
      bodyUnreadable: true,
    })
  })

  it('is unreadable for the gateway when its status does not say enough by itself', () => {
    const context = { operation: 'registrations.status', requestId: 'req-1' }
    const html = (status: number) =>
      apiErrorFor(status, parseErrorBody(status, '<html></html>', undefined), context)
    expect([404, 409, 422, 423].map((status) => answerUnreadable(html(status)))).toEqual([
      true,
      true,
      true,
      true,
    ])
    // A 401, 403 or 429 means what it means whatever the body; a 3xx or 5xx too.
    expect([401, 403, 429, 307, 500, 503].map((status) => answerUnreadable(html(status)))).toEqual([
      false,
      false,
      false,
      false,
      false,
      false,
    ])
    expect(answerUnreadable(apiErrorFor(422, read({ error: { code: 422 } }), context))).toBe(false)
    expect(answerUnreadable(new PrivyResponseValidationError('body is not JSON', 201, [], context))).toBe(
      true,
    )
  })
})
